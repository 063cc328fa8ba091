-- 0004_review.sql: the review round as a workflow (Decision 24/2021/QĐ-TTg,
-- Art. 4 as summarised in domain.md §2), ad-hoc requests, split and merged
-- households, and the expected-to-escape list (M8). docs/review.md explains
-- every table. Portable SQL as 0001_init.sql; ids from id_counter.

INSERT INTO id_counter (name, next_id) VALUES ('review', 1);

-- One row per periodic round that runs as a workflow: its step and who
-- moved it there. step: listing (1), survey (2), meeting (3), posting (4),
-- submitted (5, reported for recognition), recognised (locked).
CREATE TABLE review_state (
	round_id INTEGER PRIMARY KEY REFERENCES review_round (round_id),
	step TEXT NOT NULL CHECK (step IN ('listing', 'survey', 'meeting', 'posting',
	                                   'submitted', 'recognised')),
	opened_by TEXT NOT NULL,
	opened_at TEXT NOT NULL,
	surveyed_by TEXT NOT NULL DEFAULT '',
	surveyed_at TEXT NOT NULL DEFAULT '',
	post_start TEXT NOT NULL DEFAULT '',
	post_end TEXT NOT NULL DEFAULT '',
	posted_by TEXT NOT NULL DEFAULT '',
	posted_at TEXT NOT NULL DEFAULT '',
	submitted_by TEXT NOT NULL DEFAULT '',
	submitted_at TEXT NOT NULL DEFAULT '',
	decision_no TEXT NOT NULL DEFAULT '',
	decision_date TEXT NOT NULL DEFAULT '',
	signer TEXT NOT NULL DEFAULT '',
	recognised_by TEXT NOT NULL DEFAULT '',
	recognised_at TEXT NOT NULL DEFAULT '',
	reopen_count INTEGER NOT NULL DEFAULT 0,
	change_seq INTEGER NOT NULL
);

-- Step 1: the list to review. source: 'current' (on the poor or near-poor
-- list of the commune's last recognised round) or 'application' (Mẫu số 01,
-- with its date and applicant). removed_* keeps a withdrawal (no row is
-- deleted).
CREATE TABLE review_list (
	entry_id INTEGER PRIMARY KEY,
	round_id INTEGER NOT NULL REFERENCES review_round (round_id),
	household_code TEXT NOT NULL,
	source TEXT NOT NULL CHECK (source IN ('current', 'application')),
	prev_class TEXT NOT NULL DEFAULT '',
	applied_on TEXT NOT NULL DEFAULT '',
	applicant TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	added_by TEXT NOT NULL,
	removed_by TEXT NOT NULL DEFAULT '',
	change_seq INTEGER NOT NULL
);
CREATE UNIQUE INDEX review_list_code ON review_list (round_id, household_code);

-- Step 3: the village meeting (chaired by the village head) and, per
-- household, the votes in favour of the survey's result. A vote is bound to
-- the survey it approved: a later survey of the household needs a new vote.
CREATE TABLE review_meeting (
	meeting_id INTEGER PRIMARY KEY,
	round_id INTEGER NOT NULL REFERENCES review_round (round_id),
	unit_id INTEGER NOT NULL REFERENCES unit (unit_id),
	held_on TEXT NOT NULL,
	chair TEXT NOT NULL,
	participants INTEGER NOT NULL CHECK (participants > 0),
	recorded_by TEXT NOT NULL,
	change_seq INTEGER NOT NULL
);
CREATE INDEX review_meeting_round ON review_meeting (round_id, unit_id);

CREATE TABLE review_vote (
	vote_id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL REFERENCES review_meeting (meeting_id),
	round_id INTEGER NOT NULL REFERENCES review_round (round_id),
	household_id INTEGER NOT NULL REFERENCES household (household_id),
	survey_id INTEGER NOT NULL REFERENCES survey (survey_id),
	in_favour INTEGER NOT NULL CHECK (in_favour >= 0),
	agreed INTEGER NOT NULL,
	replaced_by INTEGER,
	change_seq INTEGER NOT NULL
);
CREATE UNIQUE INDEX review_vote_current ON review_vote (round_id, household_id)
	WHERE replaced_by IS NULL;

-- Step 4: complaints during the public posting, with their resolution.
CREATE TABLE review_complaint (
	complaint_id INTEGER PRIMARY KEY,
	round_id INTEGER NOT NULL REFERENCES review_round (round_id),
	household_code TEXT NOT NULL,
	received_on TEXT NOT NULL,
	complainant TEXT NOT NULL DEFAULT '',
	text TEXT NOT NULL,
	resolved_on TEXT NOT NULL DEFAULT '',
	resolution TEXT NOT NULL DEFAULT '',
	resolved_by TEXT NOT NULL DEFAULT '',
	recorded_by TEXT NOT NULL,
	change_seq INTEGER NOT NULL
);
CREATE INDEX review_complaint_round ON review_complaint (round_id);

-- Reopenings by the level above, with the reason (the audit log has them too).
CREATE TABLE review_reopen (
	reopen_id INTEGER PRIMARY KEY,
	round_id INTEGER NOT NULL REFERENCES review_round (round_id),
	from_step TEXT NOT NULL,
	reason TEXT NOT NULL,
	by_user TEXT NOT NULL,
	by_unit INTEGER,
	at TEXT NOT NULL,
	change_seq INTEGER NOT NULL
);

-- The ad-hoc review: a household's request (Mẫu số 04), due within the
-- deadline (data/review/review-params.json), decided on a survey of the
-- ad-hoc round of round_date.
CREATE TABLE adhoc_request (
	request_id INTEGER PRIMARY KEY,
	unit_id INTEGER NOT NULL REFERENCES unit (unit_id),
	household_code TEXT NOT NULL,
	requested_on TEXT NOT NULL,
	reason TEXT NOT NULL,
	due_on TEXT NOT NULL,
	recorded_by TEXT NOT NULL,
	decided_on TEXT NOT NULL DEFAULT '',
	decision_no TEXT NOT NULL DEFAULT '',
	signer TEXT NOT NULL DEFAULT '',
	decided_class TEXT NOT NULL DEFAULT '',
	survey_id INTEGER REFERENCES survey (survey_id),
	decided_by TEXT NOT NULL DEFAULT '',
	change_seq INTEGER NOT NULL
);
CREATE INDEX adhoc_request_open ON adhoc_request (decided_on, due_on);

-- A household's origin: a household created by splitting one off another,
-- or by merging several, records the codes it came from (a household keeps
-- its code across rounds, so only new households need this).
CREATE TABLE household_origin (
	household_id INTEGER NOT NULL REFERENCES household (household_id),
	from_household_id INTEGER NOT NULL REFERENCES household (household_id),
	kind TEXT NOT NULL CHECK (kind IN ('split', 'merge')),
	year INTEGER NOT NULL,
	change_seq INTEGER NOT NULL,
	PRIMARY KEY (household_id, from_household_id)
);
CREATE INDEX household_origin_from ON household_origin (from_household_id);

-- M8: households a commune expects to escape poverty in a year, the board
-- member helping each, and the support given.
CREATE TABLE escape_plan (
	plan_id INTEGER PRIMARY KEY,
	unit_id INTEGER NOT NULL REFERENCES unit (unit_id),
	year INTEGER NOT NULL,
	household_id INTEGER NOT NULL REFERENCES household (household_id),
	base_survey INTEGER NOT NULL REFERENCES survey (survey_id),
	marked_by TEXT NOT NULL,
	helper TEXT NOT NULL DEFAULT '',
	helper_position TEXT NOT NULL DEFAULT '',
	change_seq INTEGER NOT NULL,
	UNIQUE (year, household_id)
);
CREATE INDEX escape_plan_unit ON escape_plan (unit_id, year);

CREATE TABLE escape_support (
	support_id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES escape_plan (plan_id),
	what TEXT NOT NULL,
	given_on TEXT NOT NULL,
	amount_vnd INTEGER NOT NULL CHECK (amount_vnd >= 0),
	component TEXT NOT NULL DEFAULT '',
	recorded_by TEXT NOT NULL,
	change_seq INTEGER NOT NULL
);
CREATE INDEX escape_support_plan ON escape_support (plan_id);
