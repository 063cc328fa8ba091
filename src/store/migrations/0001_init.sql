-- 0001_init.sql: units, households, review rounds, surveys, members and
-- the audit log. Portable SQL (gnbv/sys/store_backend.h): INTEGER is 64-bit,
-- REAL a double, ids are allocated by the store from id_counter, dates are
-- 'YYYY-MM-DD' text ('' for unknown / open), booleans 0/1 (NULL unknown).
-- docs/store.md explains every table.

CREATE TABLE id_counter (
	name TEXT PRIMARY KEY,
	next_id INTEGER NOT NULL
);
INSERT INTO id_counter (name, next_id) VALUES ('unit', 1);
INSERT INTO id_counter (name, next_id) VALUES ('household', 1);
INSERT INTO id_counter (name, next_id) VALUES ('round', 1);
INSERT INTO id_counter (name, next_id) VALUES ('survey', 1);
INSERT INTO id_counter (name, next_id) VALUES ('audit', 1);

-- Administrative units (M1). Official codes are reused across reforms (01392
-- was the town Xuân Hòa, and from 2025-07-01 is the commune Trường Hà), so a
-- unit is its internal id; (code, valid_from) names it in files. `path` is
-- the materialised path of ids from the root ('/1/2/9/'): a scope is a path
-- prefix, checked with one index range.
CREATE TABLE unit (
	unit_id INTEGER PRIMARY KEY,
	code TEXT NOT NULL,
	name TEXT NOT NULL,
	level TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune', 'village')),
	parent_id INTEGER REFERENCES unit (unit_id),
	area TEXT CHECK (area IN ('urban', 'rural')),
	valid_from TEXT NOT NULL DEFAULT '',
	valid_to TEXT NOT NULL DEFAULT '',
	successor_code TEXT NOT NULL DEFAULT '',
	successor_id INTEGER REFERENCES unit (unit_id) DEFERRABLE INITIALLY DEFERRED,
	flags TEXT NOT NULL DEFAULT '',
	path TEXT NOT NULL,
	depth INTEGER NOT NULL,
	change_seq INTEGER NOT NULL,
	UNIQUE (code, valid_from)
);
CREATE UNIQUE INDEX unit_path ON unit (path);
CREATE INDEX unit_parent ON unit (parent_id);

-- A household keeps its identity (code: the exchange format's household_id,
-- like the national household code) across rounds. unit_id is the unit of
-- its latest survey.
CREATE TABLE household (
	household_id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	unit_id INTEGER NOT NULL REFERENCES unit (unit_id),
	change_seq INTEGER NOT NULL
);

-- Review rounds, per commune: periodic (one a year) or ad hoc (on a date).
-- period is 'periodic:YYYY' or 'adhoc:YYYY-MM-DD'.
CREATE TABLE review_round (
	round_id INTEGER PRIMARY KEY,
	unit_id INTEGER NOT NULL REFERENCES unit (unit_id),
	kind TEXT NOT NULL CHECK (kind IN ('periodic', 'adhoc')),
	year INTEGER NOT NULL,
	period TEXT NOT NULL,
	ref_date TEXT NOT NULL,
	standard TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'submitted', 'approved')),
	change_seq INTEGER NOT NULL,
	UNIQUE (unit_id, period)
);

-- One survey per household per round, with every field of the exchange
-- format (NULL: empty, unknown) and its stored assessment. A correction
-- inserts a new survey and points the old one at it (replaced_by): nothing
-- is overwritten. content_hash is a 64-bit hash of the inputs, for telling a
-- re-import of the same data from a change.
CREATE TABLE survey (
	survey_id INTEGER PRIMARY KEY,
	household_id INTEGER NOT NULL REFERENCES household (household_id),
	round_id INTEGER NOT NULL REFERENCES review_round (round_id),
	period TEXT NOT NULL,
	unit_id INTEGER NOT NULL REFERENCES unit (unit_id),
	replaced_by INTEGER REFERENCES survey (survey_id) DEFERRABLE INITIALLY DEFERRED,
	change_seq INTEGER NOT NULL,
	content_hash INTEGER NOT NULL,
	area TEXT CHECK (area IN ('urban', 'rural')),
	income_month INTEGER,
	income_score REAL,
	floor_durable INTEGER,
	walls_durable INTEGER,
	roof_durable INTEGER,
	living_area_m2 REAL,
	water_safe INTEGER,
	toilet_hygienic INTEGER,
	waste_treated INTEGER,
	devices TEXT NOT NULL DEFAULT '',
	rec_employment INTEGER,
	rec_dependants INTEGER,
	rec_nutrition INTEGER,
	rec_health_insurance INTEGER,
	rec_adult_education INTEGER,
	rec_child_schooling INTEGER,
	rec_housing_quality INTEGER,
	rec_housing_area INTEGER,
	rec_water INTEGER,
	rec_sanitation INTEGER,
	rec_telecom INTEGER,
	rec_info_devices INTEGER,
	rec_waste INTEGER,
	extra TEXT,
	standard TEXT NOT NULL,
	area_used TEXT NOT NULL CHECK (area_used IN ('urban', 'rural')),
	class TEXT NOT NULL CHECK (class IN ('poor', 'near_poor', 'average', 'not_poor', 'incomplete')),
	deficits INTEGER NOT NULL,
	unknowns INTEGER NOT NULL,
	workers INTEGER NOT NULL,
	ind_employment INTEGER,
	ind_dependants INTEGER,
	ind_nutrition INTEGER,
	ind_health_insurance INTEGER,
	ind_adult_education INTEGER,
	ind_child_schooling INTEGER,
	ind_housing_quality INTEGER,
	ind_housing_area INTEGER,
	ind_water INTEGER,
	ind_sanitation INTEGER,
	ind_telecom INTEGER,
	ind_info_devices INTEGER,
	ind_waste INTEGER
);
CREATE UNIQUE INDEX survey_current ON survey (household_id, period) WHERE replaced_by IS NULL;
CREATE INDEX survey_unit ON survey (unit_id, period);

-- Members as surveyed in that survey (a round's snapshot: ages, schooling
-- and work change between rounds). name_key is the name without case or
-- diacritics, đ as d, for searching.
CREATE TABLE member (
	survey_id INTEGER NOT NULL REFERENCES survey (survey_id),
	member_no INTEGER NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	name_key TEXT NOT NULL DEFAULT '',
	sex TEXT CHECK (sex IN ('M', 'F')),
	birth_date TEXT NOT NULL DEFAULT '',
	relation TEXT,
	ethnicity TEXT NOT NULL DEFAULT '',
	able_to_work INTEGER,
	work TEXT,
	health_insurance INTEGER,
	stunted INTEGER,
	underweight INTEGER,
	in_school INTEGER,
	school_level TEXT,
	uses_internet INTEGER,
	social_allowance INTEGER,
	low_income_worker INTEGER NOT NULL DEFAULT 0,
	extra TEXT,
	PRIMARY KEY (survey_id, member_no)
) WITHOUT ROWID;

-- The audit log: one record per change transaction (and per export of
-- personal data), hash-chained: hash = SHA-256 over prev_hash and the
-- record's fields (docs/store.md gives the exact encoding).
CREATE TABLE audit_log (
	seq INTEGER PRIMARY KEY,
	at TEXT NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	object TEXT NOT NULL,
	detail TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL UNIQUE
);
