-- 0002_plans.sql: program plans and budgets (M6). A plan document (the
-- Kế hoạch) belongs to a unit and is identified by the year it proposes;
-- section A (0) reports on the year before, section B (1) proposes.
-- Amounts are integer VND. `extra` columns hold, as JSON text, the fields
-- gnbv keeps but does not interpret (quotes of the source document,
-- confidence tags, notes), so that a plan goes file -> store -> file
-- unchanged. docs/plans.md explains every table.

INSERT INTO id_counter (name, next_id) VALUES ('plan', 1);

CREATE TABLE plan_doc (
	plan_id INTEGER PRIMARY KEY,
	unit_id INTEGER NOT NULL REFERENCES unit (unit_id),
	plan_year INTEGER NOT NULL,
	report_year INTEGER NOT NULL,
	program TEXT NOT NULL,
	unit_name TEXT,
	number TEXT,
	doc_date TEXT,
	signer_name TEXT,
	signer_title TEXT,
	status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved')),
	title_vi TEXT,
	issuer_vi TEXT,
	a_title TEXT,
	b_title TEXT,
	unit_extra TEXT,
	doc_extra TEXT,
	top_extra TEXT,
	a_extra TEXT,
	b_extra TEXT,
	digest TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (unit_id, plan_year)
);

-- The agencies a unit's plans refer to (Phòng LĐTBXH, Phòng KT-HT, ...).
CREATE TABLE agency (
	unit_id INTEGER NOT NULL REFERENCES unit (unit_id),
	code TEXT NOT NULL,
	seq INTEGER NOT NULL,
	name_vi TEXT NOT NULL,
	abbr TEXT,
	name_en TEXT,
	extra TEXT,
	PRIMARY KEY (unit_id, code)
);

CREATE TABLE budget_line (
	plan_id INTEGER NOT NULL REFERENCES plan_doc (plan_id),
	seq INTEGER NOT NULL,
	code TEXT NOT NULL,
	section INTEGER NOT NULL CHECK (section IN (0, 1)),
	year INTEGER NOT NULL,
	component TEXT,
	capital_type TEXT CHECK (capital_type IN ('DTPT', 'SN')),
	source TEXT NOT NULL CHECK (source IN ('central_budget', 'state_budget', 'local_budget',
	                                       'mobilised', 'integrated')),
	stage TEXT NOT NULL CHECK (stage IN ('proposed', 'allocated', 'disbursed',
	                                     'estimated_disbursement')),
	amount_vnd INTEGER NOT NULL CHECK (amount_vnd >= 0),
	item TEXT,
	extra TEXT,
	PRIMARY KEY (plan_id, code)
);
CREATE INDEX budget_line_seq ON budget_line (plan_id, seq);

-- Totals the document states, with the filter of the lines they cover.
CREATE TABLE plan_total (
	plan_id INTEGER NOT NULL REFERENCES plan_doc (plan_id),
	seq INTEGER NOT NULL,
	code TEXT NOT NULL,
	section INTEGER NOT NULL,
	what TEXT,
	f_year INTEGER,
	f_stage TEXT,
	f_source TEXT,
	f_capital TEXT, -- 'DTPT', 'SN', 'none' (lines without), NULL (any)
	f_component TEXT,
	f_component_prefix TEXT,
	f_source_mask INTEGER NOT NULL DEFAULT 0,
	f_line_ids TEXT, -- ids separated by newlines
	amount_vnd INTEGER NOT NULL,
	where_text TEXT,
	extra TEXT,
	PRIMARY KEY (plan_id, code)
);

-- Outputs: works, models, classes, loudspeaker clusters, households.
CREATE TABLE plan_output (
	plan_id INTEGER NOT NULL REFERENCES plan_doc (plan_id),
	seq INTEGER NOT NULL,
	section INTEGER NOT NULL,
	component TEXT,
	capital_type TEXT,
	quantity REAL,
	unit_vi TEXT,
	unit_en TEXT,
	extra TEXT,
	PRIMARY KEY (plan_id, seq)
);

-- Targets: poverty rate, jobs, trained labour, insurance coverage, ...
CREATE TABLE plan_target (
	plan_id INTEGER NOT NULL REFERENCES plan_doc (plan_id),
	seq INTEGER NOT NULL,
	code TEXT NOT NULL,
	section INTEGER NOT NULL,
	indicator TEXT NOT NULL,
	text TEXT,
	year INTEGER,
	value_json TEXT,
	unit TEXT,
	comparator TEXT,
	extra TEXT,
	PRIMARY KEY (plan_id, seq)
);

-- Lead and cooperating agencies per component and plan year.
CREATE TABLE plan_role (
	plan_id INTEGER NOT NULL REFERENCES plan_doc (plan_id),
	seq INTEGER NOT NULL,
	section INTEGER NOT NULL,
	component TEXT NOT NULL,
	lead TEXT NOT NULL,
	cooperating TEXT, -- agency codes separated by newlines
	extra TEXT,
	PRIMARY KEY (plan_id, seq)
);

-- Narrative text per component (what was done, what is planned).
CREATE TABLE plan_content (
	plan_id INTEGER NOT NULL REFERENCES plan_doc (plan_id),
	seq INTEGER NOT NULL,
	section INTEGER NOT NULL,
	component TEXT,
	text TEXT NOT NULL,
	PRIMARY KEY (plan_id, seq)
);
