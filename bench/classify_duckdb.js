#!/usr/bin/env node
/*
 * classify_duckdb.js - the peer of `gnbv classify` for bench/classify (quality.md P1):
 * the same rules, written as SQL and run by DuckDB over the same two CSV files.
 *
 *   node bench/classify_duckdb.js HOUSEHOLDS.csv MEMBERS.csv --as-of YYYY-MM-DD --out DIR
 *        [--standard NAME|FILE.json] [--units FILE] [--threads 2]
 *
 * Writes DIR/assessments.csv and DIR/summary.csv, meant to be byte-identical to
 * gnbv's on the same input (docs/exchange-format.md, "Output of gnbv classify").
 * workers.csv and --explain are not produced.
 *
 * The thresholds are not written here: they are read from the standard's data file
 * (data/standards/NAME.json), as gnbv does, so the SQL follows the file. Unknown
 * inputs are SQL NULLs and the rules use SQL's three-valued (Kleene) AND/OR/NOT,
 * which is exactly the engine's tri-state logic (src/core/assess.c). The "some
 * member" rules are aggregated as TRUE if any member is TRUE, else NULL if any
 * member is NULL, else FALSE (bool_or alone would skip the NULLs): each member's
 * tri-state is coded 2/1/0 and the household takes the max.
 *
 * Cells are checked as gnbv checks them (src/io/exchange.c): a cell gnbv refuses
 * makes the query fail with error(), naming file, line (approximate for records
 * spanning lines) and column.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { DuckDBInstance } = require('@duckdb/node-api');

const ROOT = path.resolve(__dirname, '..');
const MAX_MEMBERS = 200; /* src/io/exchange.h GNBV_MAX_MEMBERS */

function die(msg, code = 1) {
	process.stderr.write(`classify_duckdb: ${msg}\n`);
	process.exit(code);
}

function usage() {
	die('usage: node bench/classify_duckdb.js HOUSEHOLDS.csv MEMBERS.csv --as-of YYYY-MM-DD --out DIR [--standard NAME|FILE.json] [--units FILE] [--threads N]', 2);
}

/* ---- arguments ---- */
const args = { pos: [], threads: '2' };
{
	const a = process.argv.slice(2);
	for (let i = 0; i < a.length; i++) {
		const k = a[i];
		const val = () => (i + 1 < a.length ? a[++i] : usage());
		if (k === '--as-of') args.asOf = val();
		else if (k === '--out') args.out = val();
		else if (k === '--units') args.units = val();
		else if (k === '--standard') args.standard = val();
		else if (k === '--threads') args.threads = val();
		else if (k.startsWith('--')) usage();
		else args.pos.push(k);
	}
	if (args.pos.length !== 2 || !args.asOf || !args.out) usage();
	if (!/^[0-9]+$/.test(args.threads) || +args.threads < 1) usage();
}

function parseDate(s) {
	const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(s);
	if (!m) return null;
	const y = +m[1], mo = +m[2], d = +m[3];
	const dim = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
	if (y < 1850 || mo < 1 || mo > 12 || d < 1 || d > dim[mo - 1]) return null;
	return y * 10000 + mo * 100 + d;
}
const AS_OF = parseDate(args.asOf);
if (AS_OF === null) die(`--as-of '${args.asOf}': expected a date YYYY-MM-DD`, 2);

/* ---- the standard (data/standards/*.json) ---- */
function loadStandardFile(file) {
	const s = JSON.parse(fs.readFileSync(file, 'utf8'));
	const p = {};
	for (const [k, v] of Object.entries(s.parameters)) p[k] = v.value;
	return {
		name: s.name,
		from: parseDate(s.applies.from),
		to: parseDate(s.applies.to),
		p,
		indicators: s.indicators.map((i) => ({ code: i.code, rule: i.rule })),
	};
}
function loadStandard() {
	const dir = path.join(ROOT, 'data', 'standards');
	if (args.standard) {
		const n = args.standard;
		if (n.includes('/') || n.endsWith('.json')) return loadStandardFile(n);
		const f = path.join(dir, `${n}.json`);
		if (!fs.existsSync(f)) die(`unknown standard '${n}'`);
		return loadStandardFile(f);
	}
	for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
		const s = loadStandardFile(path.join(dir, f));
		if (AS_OF >= s.from && AS_OF <= s.to) return s;
	}
	die(`no built-in standard is in force on ${args.asOf}; name one with --standard`);
}
const STD = loadStandard();
const P = STD.p;

/* ---- SQL helpers ---- */
const q = (s) => `'${String(s).replace(/'/g, "''")}'`; /* SQL string literal */
const num = (x) => {
	if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`bad number ${x}`);
	return Number.isInteger(x) ? `${x}` : `${x}::DOUBLE`;
};
const TAB = '\t';

/* Reads the header record of a CSV file (RFC 4180), as gnbv does: BOM skipped, names
 * trimmed of spaces and tabs, empty and repeated names refused. */
function readHeader(file) {
	let fd;
	try {
		fd = fs.openSync(file, 'r');
	} catch (e) {
		die(`${file}: cannot open: ${e.message}`);
	}
	const chunks = [];
	let text = '';
	const buf = Buffer.alloc(1 << 16);
	let end = -1;
	for (;;) {
		const n = fs.readSync(fd, buf, 0, buf.length, null);
		if (n > 0) chunks.push(Buffer.from(buf.subarray(0, n)));
		text = Buffer.concat(chunks).toString('utf8');
		/* find the end of the first record, outside quotes */
		let inq = false;
		end = -1;
		for (let i = 0; i < text.length; i++) {
			const c = text[i];
			if (c === '"') inq = !inq;
			else if (c === '\n' && !inq) {
				end = i;
				break;
			}
		}
		if (end >= 0 || n === 0) break;
	}
	fs.closeSync(fd);
	if (end < 0) end = text.length;
	let rec = text.slice(0, end);
	if (rec.charCodeAt(0) === 0xfeff) rec = rec.slice(1);
	if (rec.endsWith('\r')) rec = rec.slice(0, -1);
	if (rec.length === 0) die(`${file}:1: empty file: expected a header row`);
	const names = [];
	let cur = '', inq = false;
	for (let i = 0; i < rec.length; i++) {
		const c = rec[i];
		if (inq) {
			if (c === '"' && rec[i + 1] === '"') cur += '"', i++;
			else if (c === '"') inq = false;
			else cur += c;
		} else if (c === '"') inq = true;
		else if (c === ',') names.push(cur), (cur = '');
		else cur += c;
	}
	names.push(cur);
	const trimmed = names.map((s) => s.replace(/^[ \t]+|[ \t]+$/g, ''));
	trimmed.forEach((n, i) => {
		if (!n) die(`${file}:1:${i + 1}: header: column ${i + 1} has no name`);
		if (trimmed.indexOf(n) !== i) die(`${file}:1:${i + 1}: column '${n}': appears twice in the header`);
	});
	return trimmed;
}

/* read_csv over a file whose columns are renamed c0..cN-1, all VARCHAR, no sniffing. */
function readCsv(file, ncols) {
	if (/[*?[{]/.test(file)) die(`${file}: a path with * ? [ or { would be read as a glob by DuckDB: rename it`);
	const cols = Array.from({ length: ncols }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
	return `read_csv(${q(file)}, header=true, auto_detect=false, delim=',', quote='"', escape='"', columns={${cols}}, strict_mode=true, null_padding=false)`;
}

const HFILE = args.pos[0], MFILE = args.pos[1];
const HCOLS = readHeader(HFILE);
const MCOLS = readHeader(MFILE);

const H_KNOWN = ['household_id', 'unit_code', 'area', 'income_month', 'income_score', 'floor_durable', 'walls_durable',
	'roof_durable', 'living_area_m2', 'water_safe', 'toilet_hygienic', 'waste_treated', 'devices'];
const M_KNOWN = ['household_id', 'member_no', 'name', 'sex', 'birth_date', 'relation', 'ethnicity', 'able_to_work', 'work',
	'health_insurance', 'stunted', 'underweight', 'in_school', 'school_level', 'uses_internet', 'social_allowance'];
const CODES = STD.indicators.map((i) => i.code);

function checkColumns(file, cols, known, kind, keys) {
	for (const k of keys)
		if (!cols.includes(k)) die(`${file}:1: column '${k}': missing: the ${kind} file must have a '${k}' column`);
	for (const c of cols) {
		if (known.includes(c)) continue;
		if (kind === 'households' && c.startsWith('deficit_') && CODES.includes(c.slice(8))) continue;
		process.stderr.write(`classify_duckdb: warning: ${file}: unknown column '${c}' is ignored (misspelt?)\n`);
	}
	for (const k of known) {
		if (cols.includes(k)) continue;
		if (k === 'waste_treated' && !CODES.includes('waste')) continue;
		process.stderr.write(`classify_duckdb: warning: ${file}: no column '${k}': it counts as empty in every row\n`);
	}
}
checkColumns(HFILE, HCOLS, H_KNOWN, 'households', ['household_id', 'unit_code']);
checkColumns(MFILE, MCOLS, M_KNOWN, 'members', ['household_id', 'member_no']);

/* Trimmed cell (spaces and tabs only, as gnbv: trim() would also take U+00A0 and
 * U+3000), empty = NULL; an absent column is NULL in every row. trim(x, chars) costs
 * twice a plain read, so it runs only on the cells that need it. */
const cell = (cols, name) => {
	const i = cols.indexOf(name);
	if (i < 0) return 'NULL::VARCHAR';
	const x = `c${i}`;
	return `NULLIF(CASE WHEN ${x} LIKE ' %' OR ${x} LIKE '% ' OR contains(${x}, '${TAB}') THEN trim(${x}, ' ${TAB}') ELSE ${x} END, '')`;
};

/* error() naming file, line and column, as gnbv's messages do. Members have no line
 * number (numbering them would serialize the scan): the household and member do. */
const fail = (file, col, what, x) => file === MFILE
	? `error(concat(${q(file)}, ': household ''', coalesce(t_household_id, ''), ''', member ''', coalesce(t_member_no, ''), ''': column ''${col}'': ', ${q(what)}, ' ''', left(${x}, 60), ''''))`
	: `error(concat(${q(file)}, ':', (rn + 1)::VARCHAR, ': column ''${col}'': ', ${q(what)}, ' ''', left(${x}, 60), ''''))`;

const BOOL_MSG = 'expected 1 or 0 (or yes/no, có/không), found';
/* 1/0, yes/no, có/không, ASCII case folded as strncasecmp does (lower() folds more:
 * the Kelvin sign K lowers to k, so it is excluded). */
const bool = (x, file, col) => `CASE WHEN ${x} IS NULL THEN NULL WHEN ${x} = '1' THEN TRUE WHEN ${x} = '0' THEN FALSE
	WHEN lower(${x}) IN ('yes', 'có') THEN TRUE
	WHEN lower(${x}) IN ('no', 'không') AND NOT contains(${x}, '\u212A') THEN FALSE
	ELSE ${fail(file, col, BOOL_MSG, x)} END`;

/* A word from a list (ASCII, case-insensitive), returning its index. */
const word = (x, words, file, col, what) =>
	`CASE WHEN ${x} IS NULL THEN NULL ${words.map((w, i) => `WHEN ${x} = ${q(w)} THEN ${i}`).join(' ')}
	ELSE CASE lower(${x}) ${words.map((w, i) => `WHEN ${q(w)} THEN ${i}`).join(' ')} ELSE ${fail(file, col, what, x)} END END`;

/* Non-negative decimal with '.' or ',' (src/io/exchange.c parse_dec), with a maximum. */
const dec = (x, max, file, col, what) => `CASE WHEN ${x} IS NULL THEN NULL
	WHEN length(${x}) <= 30 AND regexp_full_match(${x}, '[0-9]*([.,][0-9]*)?') AND regexp_matches(${x}, '[0-9]')
	     AND replace(${x}, ',', '.')::DOUBLE <= ${num(max)} THEN replace(${x}, ',', '.')::DOUBLE
	ELSE ${fail(file, col, what, x)} END`;

/* Level ranks (school_level_rank) indexed like the LEVEL words of exchange.c. */
const LEVELS = ['none', 'preschool', 'primary', 'lower_secondary', 'upper_secondary', 'vocational', 'college', 'university'];
const RANK = P.school_level_rank;
const DEVICES = ['tv', 'radio', 'computer', 'phone', 'smartphone'];

/* ---- households: typed ---- */
const HC = (n) => cell(HCOLS, n);
const hBool = (n) => bool(`t_${n}`, HFILE, n);
const DEV_ALT = DEVICES.join('|');
const INFO_ALT = P.info_devices.join('|');
const hRecorded = CODES.filter((c) => HCOLS.includes(`deficit_${c}`));

const devExpr = `CASE WHEN t_devices IS NULL THEN FALSE
		     WHEN regexp_full_match(t_devices, '[ ${TAB}]*(${DEV_ALT})?[ ${TAB}]*(;[ ${TAB}]*(${DEV_ALT})?[ ${TAB}]*)*')
		     THEN regexp_matches(t_devices, '(^|;)[ ${TAB}]*(${INFO_ALT})[ ${TAB}]*(;|$)')
		     ELSE ${fail(HFILE, 'devices', "expected devices separated by ';' from tv, radio, computer, phone, smartphone; found", 't_devices')} END`;
const scoreExpr = dec('t_income_score', 10000, HFILE, 'income_score', 'expected an income score (a number such as 140 or 152.5), found');
const hUnused = [];
if (!STD.indicators.some((i) => i.rule === 'waste')) hUnused.push(hBool('waste_treated'));
if (!STD.indicators.some((i) => i.rule === 'info_devices')) hUnused.push(devExpr);
if (P.score_line_rural == null || P.score_line_urban == null) hUnused.push(scoreExpr);

const householdsTyped = `
h_cells AS (
	SELECT ordinality AS rn,
		${HC('household_id')} AS t_household_id, ${HC('unit_code')} AS t_unit_code, ${HC('area')} AS t_area,
		${HC('income_month')} AS t_income_month, ${HC('income_score')} AS t_income_score,
		${HC('floor_durable')} AS t_floor_durable, ${HC('walls_durable')} AS t_walls_durable, ${HC('roof_durable')} AS t_roof_durable,
		${HC('living_area_m2')} AS t_living_area_m2, ${HC('water_safe')} AS t_water_safe, ${HC('toilet_hygienic')} AS t_toilet_hygienic,
		${HC('waste_treated')} AS t_waste_treated, lower(${HC('devices')}) AS t_devices
		${hRecorded.map((c) => `, ${HC(`deficit_${c}`)} AS t_deficit_${c}`).join('')}
	FROM ${readCsv(HFILE, HCOLS.length)} WITH ORDINALITY
),
h AS (
	SELECT
		/* cells no rule of this standard reads are still checked, as gnbv does:
		 * folded into rn (+ 0) so that the optimizer keeps them */
		rn${hUnused.map((x) => ` + (${x} IS NULL)::INTEGER * 0`).join('')} AS rn,
		CASE WHEN t_household_id IS NOT NULL THEN t_household_id
		     ELSE error(concat(${q(HFILE)}, ':', (rn + 1)::VARCHAR, ': column ''household_id'': empty: every household needs its code')) END AS hid,
		CASE WHEN t_unit_code IS NOT NULL THEN t_unit_code
		     ELSE error(concat(${q(HFILE)}, ':', (rn + 1)::VARCHAR, ': column ''unit_code'': empty: every household needs the code of its unit')) END AS unit,
		CASE WHEN t_area IS NULL THEN NULL
		     WHEN lower(t_area) = 'rural' OR (lower(t_area) = 'nông thôn' AND NOT contains(t_area, 'Ô')) THEN 0
		     WHEN lower(t_area) = 'urban' OR (lower(t_area) = 'thành thị' AND NOT contains(t_area, 'À') AND NOT contains(t_area, 'Ị')) THEN 1
		     ELSE ${fail(HFILE, 'area', 'expected rural or urban, found', 't_area')} END AS area,
		CASE WHEN t_income_month IS NULL THEN NULL
		     WHEN length(t_income_month) <= 18 AND regexp_full_match(t_income_month, '[0-9]+') THEN t_income_month::BIGINT
		     ELSE ${fail(HFILE, 'income_month', 'expected a whole number of VND per person per month (digits only), found', 't_income_month')} END AS income,
		${scoreExpr} AS score,
		${hBool('floor_durable')} AS floor_d, ${hBool('walls_durable')} AS walls_d, ${hBool('roof_durable')} AS roof_d,
		${dec('t_living_area_m2', 1e6, HFILE, 'living_area_m2', 'expected the living area in m² (such as 25.5), found')} AS larea,
		${hBool('water_safe')} AS water_safe, ${hBool('toilet_hygienic')} AS toilet_ok, ${hBool('waste_treated')} AS waste_ok,
		${devExpr} AS has_info
		${hRecorded.map((c) => `, ${bool(`t_deficit_${c}`, HFILE, `deficit_${c}`)} AS rec_${c}`).join('')}
	FROM h_cells
)`;

/* ---- members: typed, then one row per household ---- */
const MC = (n) => cell(MCOLS, n);
const mBool = (n) => bool(`t_${n}`, MFILE, n);
const ageOf = `CASE WHEN birth IS NULL OR birth > ${AS_OF} THEN NULL
	ELSE ${Math.floor(AS_OF / 10000)} - birth // 10000 - CASE WHEN ${AS_OF % 10000} < birth % 10000 THEN 1 ELSE 0 END END`;

const membersTyped = `
m_cells AS (
	SELECT
		${MC('household_id')} AS t_household_id, ${MC('member_no')} AS t_member_no, ${MC('sex')} AS t_sex,
		${MC('birth_date')} AS t_birth_date, ${MC('relation')} AS t_relation, ${MC('able_to_work')} AS t_able_to_work,
		${MC('work')} AS t_work, ${MC('health_insurance')} AS t_health_insurance, ${MC('stunted')} AS t_stunted,
		${MC('underweight')} AS t_underweight, ${MC('in_school')} AS t_in_school, ${MC('school_level')} AS t_school_level,
		${MC('uses_internet')} AS t_uses_internet, ${MC('social_allowance')} AS t_social_allowance
	FROM ${readCsv(MFILE, MCOLS.length)}
),
m_typed AS (
	SELECT
		CASE WHEN t_household_id IS NOT NULL THEN t_household_id
		     ELSE error(concat(${q(MFILE)}, ': member ''', coalesce(t_member_no, ''), ''': column ''household_id'': empty: every member needs the code of its household')) END AS hid,
		/* member_no, with the checks of the columns no rule reads folded in (+ 0) */
		CASE WHEN length(t_member_no) <= 18 AND regexp_full_match(t_member_no, '[0-9]+') AND t_member_no::BIGINT BETWEEN 1 AND 100000
		     THEN t_member_no::INTEGER
		     ELSE ${fail(MFILE, 'member_no', "expected the member's number (1, 2, ...), found", "coalesce(t_member_no, '')")} END
		+ coalesce(${word('t_relation', ['head', 'spouse', 'child', 'parent', 'grandchild', 'other'], MFILE, 'relation', 'expected head, spouse, child, parent, grandchild or other; found')} * 0, 0)
		+ coalesce(${mBool('social_allowance')}::INTEGER * 0, 0) AS mno,
		CASE WHEN t_sex IS NULL THEN NULL WHEN t_sex = 'M' THEN 'M' WHEN t_sex = 'F' THEN 'F'
		     WHEN lower(t_sex) IN ('m', 'nam') THEN 'M'
		     WHEN lower(t_sex) = 'f' OR (lower(t_sex) = 'nữ' AND NOT contains(t_sex, 'Ữ')) THEN 'F'
		     ELSE ${fail(MFILE, 'sex', 'expected M or F, found', 't_sex')} END AS sex,
		CASE WHEN t_birth_date IS NULL THEN NULL
		     WHEN length(t_birth_date) = 4 AND regexp_full_match(t_birth_date, '[0-9]{4}') AND t_birth_date::INTEGER >= 1850
		          THEN t_birth_date::INTEGER * 10000 + 701  /* year only: born 1 July */
		     WHEN length(t_birth_date) = 10 AND regexp_full_match(t_birth_date, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
		          AND left(t_birth_date, 4)::INTEGER >= 1850 AND try_cast(t_birth_date AS DATE) IS NOT NULL
		          THEN replace(t_birth_date, '-', '')::INTEGER
		     ELSE ${fail(MFILE, 'birth_date', 'expected a date YYYY-MM-DD (or the year YYYY), found', 't_birth_date')} END AS birth,
		${mBool('able_to_work')} AS able,
		${word('t_work', ['contract', 'no_contract', 'self', 'unemployed', 'student', 'none'], MFILE, 'work', 'expected contract, no_contract, self, unemployed, student or none; found')} AS work,
		${mBool('health_insurance')} AS insured, ${mBool('stunted')} AS stunted, ${mBool('underweight')} AS underweight,
		${mBool('in_school')} AS in_school,
		CASE WHEN t_school_level IS NULL THEN NULL ${LEVELS.map((l) => `WHEN t_school_level = ${q(l)} THEN ${RANK[l]}`).join(' ')}
		     ELSE CASE lower(t_school_level) ${LEVELS.map((l) => `WHEN ${q(l)} THEN ${RANK[l]}`).join(' ')}
		     ELSE ${fail(MFILE, 'school_level', 'expected none, preschool, primary, lower_secondary, upper_secondary, vocational, college or university; found', 't_school_level')} END END AS lvl,
		${mBool('uses_internet')} AS inet
	FROM m_cells
),
m_aged AS (
	SELECT *, ${ageOf} AS age FROM m_typed
)`;

/* Per-member tri-states of the member rules (assess.c member_deficit). */
const between = (a, lo, hi) => `(${a} BETWEEN ${lo} AND ${hi})`;
function inBands(bands) {
	return `(${bands.map((b) => between('age', b.age_from, b.age_to)).join(' OR ')})`;
}
/* below_level: with the age known, the first band's required rank (none: not below);
 * with it unknown, decided when the rank settles it for every band. */
function belowLevel(bands) {
	const need = bands.map((b) => RANK[b.min_level]);
	const lo = Math.min(...need), hi = Math.max(...need);
	const byAge = bands.map((b) => `WHEN ${between('age', b.age_from, b.age_to)} THEN lvl < ${RANK[b.min_level]}`).join(' ');
	return `(CASE WHEN lvl IS NULL THEN NULL
		WHEN age IS NOT NULL THEN (CASE ${byAge} ELSE FALSE END)
		WHEN lvl < ${lo} THEN TRUE WHEN lvl >= ${hi} THEN FALSE ELSE NULL END)`;
}
const WORK_UNEMPLOYED = 3, WORK_NO_CONTRACT = 1;
const lo = P.working_age_min, hiM = P.working_age_max_male, hiF = P.working_age_max_female;
const workingAge = `(CASE WHEN sex = 'M' THEN ${between('age', lo, hiM)} WHEN sex = 'F' THEN ${between('age', lo, hiF)}
	WHEN ${between('age', lo, hiM)} = ${between('age', lo, hiF)} THEN ${between('age', lo, hiM)} ELSE NULL END)`;
const MEMBER_RULE = {
	employment: `${workingAge} AND able AND work IN (${WORK_UNEMPLOYED}, ${WORK_NO_CONTRACT})`,
	nutrition: `age < ${P.nutrition_child_under} AND (stunted OR underweight)`,
	health_insurance: `age >= ${P.health_insurance_age_from} AND NOT insured`,
	adult_education: `${inBands(P.adult_education_bands)} AND NOT in_school AND ${belowLevel(P.adult_education_bands)}`,
	child_schooling: `${inBands(P.child_schooling_bands)} AND (NOT in_school OR ${belowLevel(P.child_schooling_bands)})`,
};
const tri2 = (e) => `COALESCE((${e})::UTINYINT * 2, 1)`; /* TRUE 2, unknown 1, FALSE 0 */
const memberRules = STD.indicators.filter((i) => MEMBER_RULE[i.rule]);

const membersAgg = `
m_agg AS (
	SELECT hid, count(*) AS n, count(DISTINCT mno) AS n_distinct,
		count(*) FILTER (WHERE (age < ${P.dependant_child_under} OR age >= ${P.dependant_elderly_from}) OR NOT able) AS dep_yes,
		count(*) FILTER (WHERE ((age < ${P.dependant_child_under} OR age >= ${P.dependant_elderly_from}) OR NOT able) IS NULL) AS dep_unk,
		max(${tri2('inet')}) AS inet_any
		${memberRules.map((i) => `, max(${tri2(MEMBER_RULE[i.rule])}) AS m_${i.code}`).join('')}
	FROM m_aged GROUP BY hid
)`;

/* ---- household rules, class ---- */
const fromTri2 = (x) => `(CASE ${x} WHEN 2 THEN TRUE WHEN 0 THEN FALSE ELSE NULL END)`;
function ruleSql(ind) {
	switch (ind.rule) {
	case 'employment': case 'nutrition': case 'health_insurance': case 'adult_education': case 'child_schooling':
		return fromTri2(`m_${ind.code}`);
	case 'dependants': {
		const lim = `${num(P.dependant_ratio_above)} * n`;
		return `(CASE WHEN dep_yes > ${lim} THEN TRUE WHEN dep_yes + dep_unk <= ${lim} THEN FALSE ELSE NULL END)`;
	}
	case 'housing_quality': {
		const parts = ['floor_d', 'walls_d', 'roof_d'];
		const yes = `(${parts.map((x) => `(CASE WHEN ${x} = FALSE THEN 1 ELSE 0 END)`).join(' + ')})`;
		const unk = `(${parts.map((x) => `(${x} IS NULL)::INTEGER`).join(' + ')})`;
		const need = P.housing_nondurable_min;
		return `(CASE WHEN ${yes} >= ${need} THEN TRUE WHEN ${yes} + ${unk} < ${need} THEN FALSE ELSE NULL END)`;
	}
	case 'housing_area': return `(larea < ${num(P.housing_area_min_m2)} * n)`;
	case 'water': return '(NOT water_safe)';
	case 'sanitation': return '(NOT toilet_ok)';
	case 'waste': return '(NOT waste_ok)';
	case 'telecom': return `(CASE inet_any WHEN 2 THEN FALSE WHEN 0 THEN TRUE ELSE NULL END)`;
	case 'info_devices': return '(NOT has_info)';
	default: die(`rule '${ind.rule}' is not implemented here`);
	}
}

const hasScoreLine = P.score_line_rural != null && P.score_line_urban != null;
const hasBand = P.average_band_max_rural != null && P.average_band_max_urban != null;
const urb = (u, r) => `(CASE WHEN area = 1 THEN ${num(u)} ELSE ${num(r)} END)`;
const incomeLine = urb(P.income_line_urban, P.income_line_rural);
const belowLine = `(CASE ${hasScoreLine ? `WHEN score IS NOT NULL THEN score <= ${urb(P.score_line_urban, P.score_line_rural)}` : ''}
	WHEN income IS NOT NULL THEN income <= ${incomeLine} ELSE NULL END)`;
const inBand = hasBand
	? `coalesce(income > ${incomeLine} AND income <= ${urb(P.average_band_max_urban, P.average_band_max_rural)}, FALSE)`
	: 'FALSE';

const indList = STD.indicators;
const joined = `
a0 AS (
	SELECT h.*,
		CASE WHEN h.hid IS NULL THEN error(concat(${q(MFILE)}, ': column ''household_id'': member of unknown household ''', m.hid, ''' (not in ', ${q(HFILE)}, ')'))
		     WHEN m.n IS NULL THEN error(concat(${q(HFILE)}, ':', (h.rn + 1)::VARCHAR, ': column ''household_id'': household ''', h.hid, ''' has no members in ', ${q(MFILE)}))
		     WHEN m.n > ${MAX_MEMBERS} THEN error(concat(${q(HFILE)}, ':', (h.rn + 1)::VARCHAR, ': column ''household_id'': household ''', h.hid, ''' has more than ${MAX_MEMBERS} members'))
		     WHEN m.n_distinct < m.n THEN error(concat(${q(MFILE)}, ': column ''member_no'': household ''', h.hid, ''' has a member number twice'))
		     ELSE m.n END AS n,
		m.* EXCLUDE (hid, n),
		CASE WHEN h.area IS NOT NULL THEN h.area WHEN u.area IS NOT NULL THEN u.area
		     ELSE error(concat(${q(HFILE)}, ':', (h.rn + 1)::VARCHAR, ': column ''area'': area is empty and unit ''', h.unit, ''' has no known area; fill in rural or urban, or give --units FILE')) END AS area_r
	FROM h FULL OUTER JOIN m_agg m ON m.hid = h.hid
	LEFT JOIN units u ON u.code = h.unit
),
a1 AS (
	SELECT rn, hid, unit, n, income, score, area_r AS area
		${indList.map((i) => `, ${hRecorded.includes(i.code) ? `coalesce(rec_${i.code}, ${ruleSql(i)})` : ruleSql(i)} AS i_${i.code}`).join('')}
	FROM (SELECT * EXCLUDE (area) FROM a0)
),
a2 AS (
	SELECT *,
		${indList.map((i) => `coalesce(i_${i.code}::INTEGER, 0)`).join(' + ')} AS deficits,
		${indList.map((i) => `(i_${i.code} IS NULL)::INTEGER`).join(' + ')} AS unknowns,
		${belowLine} AS below_line, ${inBand} AS in_band
	FROM a1
)`;

const classSql = `CASE WHEN below_line IS NULL THEN 'incomplete'
	WHEN below_line THEN (CASE WHEN deficits >= ${P.poor_min_deficits} THEN 'poor'
	                           WHEN deficits + unknowns < ${P.poor_min_deficits} THEN 'near_poor' ELSE 'incomplete' END)
	WHEN in_band THEN 'average' ELSE 'not_poor' END`;

/* ---- units: areas inherited down the tree (src/io/units.c) ---- */
async function loadUnits(con) {
	const files = args.units
		? [args.units]
		: fs.readdirSync(path.join(ROOT, 'data', 'units')).filter((f) => f.endsWith('.csv')).sort().map((f) => path.join(ROOT, 'data', 'units', f));
	const units = new Map();
	for (const f of files) {
		const cols = readHeader(f);
		const ci = cols.indexOf('code'), pi = cols.indexOf('parent_code'), ai = cols.indexOf('area');
		if (ci < 0) die(`${f}:1: column 'code': missing`);
		const sel = [`c${ci}`, pi >= 0 ? `c${pi}` : "''", ai >= 0 ? `c${ai}` : "''"].join(', ');
		const r = await con.runAndReadAll(`SELECT ${sel} FROM ${readCsv(f, cols.length)}`);
		for (const [code, parent, area] of r.getRows()) {
			if (!code) die(`${f}: empty unit code`);
			if (units.has(code)) die(`units: code '${code}' appears twice`);
			let a = -1;
			if (area) {
				if (area === 'rural') a = 0;
				else if (area === 'urban') a = 1;
				else die(`${f}: column 'area': expected rural or urban`);
			}
			units.set(code, { parent: parent || '', area: a });
		}
	}
	const rows = [];
	for (const [code, u] of units) {
		let p = u;
		for (let depth = 0; p && p.area < 0 && p.parent; depth++) {
			if (depth > 32) die(`units: a cycle of parent codes at '${code}'`);
			p = units.get(p.parent);
		}
		if (p && p.area >= 0) rows.push(`(${q(code)}, ${p.area})`);
	}
	await con.run('CREATE TEMP TABLE units (code VARCHAR, area INTEGER)');
	if (rows.length) await con.run(`INSERT INTO units VALUES ${rows.join(', ')}`);
}

async function main() {
	fs.mkdirSync(args.out, { recursive: true });
	const db = await DuckDBInstance.create(':memory:', { threads: args.threads });
	const con = await db.connect();
	await loadUnits(con);
	/* Development aid: CLASSIFY_DUCKDB_PROFILE=PREFIX writes each statement's query
	 * profile to PREFIX.TAG.txt and its time to stderr. */
	const prof = process.env.CLASSIFY_DUCKDB_PROFILE;
	if (prof) await con.run("PRAGMA enable_profiling = 'query_tree'");
	const run = async (tag, sql) => {
		if (prof) await con.run(`PRAGMA profiling_output = ${q(`${prof}.${tag}.txt`)}`);
		if (prof) fs.writeFileSync(`${prof}.${tag}.sql`, sql);
		const t0 = process.hrtime.bigint();
		const r = await con.runAndReadAll(sql);
		if (prof) process.stderr.write(`${tag}: ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(3)} s\n`);
		return r;
	};

	await run('assess', `CREATE TEMP TABLE a AS
WITH ${householdsTyped},
${membersTyped},
${membersAgg},
${joined}
SELECT rn, hid, unit, n, ${classSql} AS class, deficits
	${indList.map((i) => `, i_${i.code}::UTINYINT AS "${i.code}"`).join('')}
FROM a2`);

	const dup = await run('dupcheck', 'SELECT hid, count(*) FROM a GROUP BY hid HAVING count(*) > 1 LIMIT 1');
	if (dup.currentRowCount > 0) die(`${HFILE}: column 'household_id': duplicate household_id '${dup.getRows()[0][0]}'`);

	const tmpA = path.join(args.out, '.assessments.csv.tmp'), tmpS = path.join(args.out, '.summary.csv.tmp');
	const copyOpts = `(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"', ESCAPE '"', NULL '')`;
	await run('assessments', `COPY (
	SELECT hid AS household_id, unit AS unit_code, ${q(STD.name)} AS standard, class, deficits
		${indList.map((i) => `, "${i.code}"`).join('')}
	FROM a ORDER BY rn) TO ${q(tmpA)} ${copyOpts}`);

	const classes = ['poor', 'near_poor', 'average', 'not_poor', 'incomplete'];
	const aggs = `count(*) AS households, coalesce(sum(n), 0)::BIGINT AS members
		${classes.map((c) => `, count(*) FILTER (WHERE class = '${c}') AS ${c}`).join('')}
		${indList.map((i) => `, count(*) FILTER (WHERE "${i.code}" = 1) AS "${i.code}"`).join('')}`;
	await run('summary', `COPY (
	SELECT * EXCLUDE (k) FROM (
		SELECT 0 AS k, unit AS unit_code, ${aggs} FROM a GROUP BY unit
		UNION ALL
		SELECT 1 AS k, '*' AS unit_code, ${aggs} FROM a
	) ORDER BY k, unit_code) TO ${q(tmpS)} ${copyOpts}`);

	fs.renameSync(tmpA, path.join(args.out, 'assessments.csv'));
	fs.renameSync(tmpS, path.join(args.out, 'summary.csv'));
	con.closeSync();
}

main().catch((e) => die(e.message));
