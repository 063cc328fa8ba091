-- 0003_accounts.sql: web accounts, their sessions and login throttling
-- (issue 6; product.md M13, quality.md S4, S5). Portable SQL as in 0001.
-- Times are Unix seconds (UTC); the store is given `now` by its caller.

INSERT INTO id_counter (name, next_id) VALUES ('user', 1);

-- A person who logs in to the web application. Their scope is the subtree
-- of unit_id; NULL (the whole tree) is allowed only for the admin role.
-- pw_hash is libsodium's crypto_pwhash_str string (Argon2id, with its salt
-- and cost parameters), never the password.
CREATE TABLE app_user (
	user_id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	role TEXT NOT NULL CHECK (role IN ('admin', 'office', 'commune', 'agency', 'finance', 'viewer')),
	unit_id INTEGER REFERENCES unit (unit_id),
	pw_hash TEXT NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	created_at INTEGER NOT NULL,
	pw_changed_at INTEGER NOT NULL,
	change_seq INTEGER NOT NULL
);

-- A logged-in browser. Only the SHA-256 of the token is stored, so a copy
-- of the database does not hand out sessions. The CSRF token is per
-- session. A session ends at logout, at its idle or absolute expiry, and
-- when its user is disabled or changes password (the rows are deleted).
CREATE TABLE app_session (
	token_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES app_user (user_id),
	csrf TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_seen INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX app_session_user ON app_session (user_id);

-- Failed logins by the name typed (known or not, so that throttling does
-- not tell which names exist). A success deletes the row.
CREATE TABLE login_throttle (
	name_key TEXT PRIMARY KEY,
	failures INTEGER NOT NULL,
	last_failure INTEGER NOT NULL,
	blocked_until INTEGER NOT NULL
);
