-- 0005_last_login.sql: when each user last logged in (issue 6: the
-- administrator's user list on the web, where an account nobody uses is
-- the one to disable). Unix seconds (UTC); NULL: never logged in. A login
-- writes it in the transaction that starts the session. Portable SQL as in
-- 0001: ADD COLUMN is the same on SQLite and PostgreSQL, and the
-- application role's table privileges cover the new column.

ALTER TABLE app_user ADD COLUMN last_login_at INTEGER;
