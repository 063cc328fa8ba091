#!/usr/bin/env python3
"""`gnbv plan import|show|check|export --json` end to end (stdlib only).

Usage: python3 tests/cli/plan_cli.py PATH/TO/gnbv [--pg DIR]

With --pg DIR every database is a fresh schema on the PostgreSQL server of
tests/pg/pg-test-server in DIR (`init` as the migration role, the rest as the
application role).

- The seed's plan (data/demo/ha-quang-plan-2023.json) is stored, and `plan show`
  reproduces the seed's figures: 2022 allocated 84.249 = ĐTPT 71.283 + SN 12.966
  (central budget) plus 1.000 mobilised; 2023 proposed 133.086 = ĐTPT 73.913 +
  SN 59.173 (state budget) plus 375 mobilised; text (Vietnamese number format),
  CSV and JSON.
- `plan check` on the seed reports exactly its three known disagreements (the
  poverty-reduction target "trên 7%" vs "đạt 7%", end-2023 poor households 4.564
  vs "25,59 hộ", and 5.546 at 39,59% vs 4.564 at 32,59% implying different
  totals); on a corrected copy it reports nothing and exits 0.
- Each check finds the inconsistency planted in a crafted plan, naming the lines.
- Round trip: export --json gives back the file (as JSON values); that export,
  imported into a new database and exported again, is byte-identical; the file
  written is named on stderr in Vietnamese ("đã ghi tệp"), English with --lang en.
- Bad input: malformed JSON, an unknown code, a wrong type, a plan for an unknown
  unit: a clear error naming FILE:LINE:COL and the field, and nothing stored.
- Impossible dates: a document date that does not exist (2022-02-30, 2023-02-29,
  month 13) or is not YYYY-MM-DD, and a year out of range, are errors at the
  value's FILE:LINE:COL, with nothing stored; 2024-02-29 (a leap year) is stored;
  `plan set --date 2023-02-29` is refused and changes nothing.
"""
import copy
import json
import os
import re
import subprocess
import sys
import tempfile

GNBV = os.path.abspath(sys.argv[1])
ROOT = os.environ.get("GNBV_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
FIXTURE = os.path.join(ROOT, "data/demo/ha-quang-plan-2023.json")
SEED = json.load(open(FIXTURE, encoding="utf-8"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from checks import check, results  # noqa: E402
PG_DIR = sys.argv[sys.argv.index("--pg") + 1] if "--pg" in sys.argv else None
PG_SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg", "pg-test-server")
PG_SCHEMAS = []
PG_SCHEMA_OF = {}  # a database's URL -> its schema


def run(db, *args, lang=None):
    cmd = [GNBV, "--db", db] + (["--lang", lang] if lang else []) + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def fresh_db(tmp, name):
    db = init = os.path.join(tmp, name)
    if PG_DIR:
        schema = "p_%d_%d" % (os.getpid(), len(PG_SCHEMAS))
        out = subprocess.run(["bash", PG_SERVER, "schema", PG_DIR, schema], capture_output=True,
                             text=True, check=True).stdout
        env = dict(l.split("=", 1) for l in out.splitlines() if "=" in l)
        db, init = env["GNBV_PG_URL"].strip("'"), env["GNBV_PG_MIGRATE_URL"].strip("'")
        PG_SCHEMAS.append(schema)
        PG_SCHEMA_OF[db] = schema
    r = run(init, "init")
    assert r.returncode == 0, r.stderr
    if PG_DIR:  # the audit log append-only for the application role
        subprocess.run(["bash", PG_SERVER, "seal", PG_DIR, PG_SCHEMAS[-1]], capture_output=True, check=True)
    return db


def sql_lines(db, sql):
    """The rows of sql as the sqlite3 shell prints them (a|b per line), on either backend."""
    if not PG_DIR:
        return subprocess.run(["sqlite3", db, sql], capture_output=True, text=True).stdout
    schema = PG_SCHEMA_OF[db]
    url = os.environ["GNBV_PG_ADMIN_URL"] + "&options=-csearch_path%3D" + schema
    return subprocess.run([os.path.join(os.environ["GNBV_PG_BIN"], "psql"), "-X", "-A", "-t", "-F", "|",
                           url, "-c", sql], capture_output=True, text=True).stdout


def write_plan(tmp, name, plan):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(plan, f, ensure_ascii=False, indent=1)
    return path


def findings(db, year=2023):
    r = run(db, "plan", "check", "--unit", "045", "--year", str(year), "--format", "json")
    try:
        return r.returncode, json.loads(r.stdout)["findings"]
    except (ValueError, KeyError):
        return r.returncode, r.stdout + r.stderr


def corrected(plan):
    """The seed with its three target slips corrected (for a clean check)."""
    p = copy.deepcopy(plan)
    for t in p["sections"]["B"]["targets"]:
        if t["id"] == "B-T-POOR-END":
            t["value"] = {"households": 4564, "rate_percent": 32.59}
        if t["id"] == "B-T-POOR-DOWN":
            t["comparator"] = ">"
    for t in p["sections"]["A"]["targets"]:
        if t["id"] == "A-T-POOR-END":
            t["value"] = {"households": 4565, "rate_percent": 32.59}
    for t in p["sections"]["B"]["targets"]:
        if t["id"] == "B-T-POOR-END":
            t["value"] = {"households": 4565, "rate_percent": 32.59}
    return p


def line(plan, lid):
    for s in ("A", "B"):
        for l in plan["sections"][s]["lines"]:
            if l["id"] == lid:
                return l
    raise KeyError(lid)


with tempfile.TemporaryDirectory() as tmp:
    db = fresh_db(tmp, "seed.db")
    r = run(db, "plan", "import", FIXTURE)
    check("import the seed's plan", r.returncode == 0 and "38" in r.stdout, r.stdout + r.stderr)
    r = run(db, "plan", "import", FIXTURE, lang="en")
    check("importing it again changes nothing", r.returncode == 0 and "unchanged" in r.stdout,
          r.stdout + r.stderr)
    r = run(db, "audit", "verify")
    check("one audit record for the plan, chain intact",
          r.returncode == 0 and r.stdout.endswith(": 2 bản ghi nhật ký, chuỗi băm còn nguyên vẹn\n"),
          r.stdout + r.stderr)
    r = run(db, "plan", "list")
    check("plan list shows it", r.returncode == 0 and re.search(r"045 .*Hà Quảng.* 2023 draft", r.stdout),
          r.stdout)

    # --- show: the seed's figures ---
    r = run(db, "plan", "show", "--unit", "045", "--year", "2022")
    out = r.stdout
    check("2022 text: 84.249 = ĐTPT 71.283 + SN 12.966",
          r.returncode == 0 and "ngân sách nhà nước 84.249 = ĐTPT 71.283 + SN 12.966" in out, out)
    check("2022 text: mobilised 1.000 and estimated disbursement 80.420,35",
          "Vốn huy động: 1.000" in out and "Ước giải ngân: 80.420,35" in out, out)
    check("2022 text: DA1 73.359 with 95,00% disbursed, DA2 4.855",
          re.search(r"DA1 .*\n\s+Kế hoạch giao\s+73.359\n\s+Ước giải ngân\s+69.691,05  \(95,00% kế hoạch giao\)", out)
          and re.search(r"DA2 .*\n\s+Kế hoạch giao\s+4.855", out), out)
    check("2022 text: DA4.1 disbursed at 90,00%, the seed's rate",
          re.search(r"DA4.1 .*\n\s+Kế hoạch giao\s+1.607\n\s+Ước giải ngân\s+1.446,3  \(90,00%", out), out)
    check("2022 text: outputs and targets of the year", "16 cụm loa thông minh" in out and
          "A-T-JOBS" in out, out)
    r = run(db, "plan", "show", "--unit", "045", "--year", "2023")
    out = r.stdout
    check("2023 text: 133.086 = ĐTPT 73.913 + SN 59.173, plus 375 mobilised",
          "ngân sách nhà nước 133.086 = ĐTPT 73.913 + SN 59.173" in out and "Vốn huy động: 375" in out,
          out)
    r = run(db, "plan", "show", "--unit", "045", "--year", "2023", lang="en")
    check("2023 text in English: 133,086", "state budget 133,086 = investment (ĐTPT) 73,913" in r.stdout,
          r.stdout)
    r = run(db, "plan", "show", "--unit", "045", "--year", "2022", "--format", "json")
    j = json.loads(r.stdout)
    a = j["totals"]["allocated"]
    check("2022 json: allocated totals exact",
          (a["state_budget_total"], a["DTPT"], a["SN"], a["mobilised"]) ==
          (84249000000, 71283000000, 12966000000, 1000000000), a)
    check("2022 json: estimated disbursement 80,420.35 million",
          j["totals"]["estimated_disbursement"]["all"] == 80420350000, j["totals"])
    r = run(db, "plan", "show", "--unit", "045", "--year", "2023", "--format", "json")
    j = json.loads(r.stdout)
    pr = j["totals"]["proposed"]
    check("2023 json: proposed totals exact",
          (pr["state_budget_total"], pr["DTPT"], pr["SN"], pr["mobilised"], pr["all"]) ==
          (133086000000, 73913000000, 59173000000, 375000000, 133461000000), pr)
    check("2023 json: 15 lines, all section B", len(j["lines"]) == 15 and
          all(l["section"] == "B" for l in j["lines"]), j["lines"])
    r = run(db, "plan", "show", "--unit", "045", "--year", "2023", "--format", "csv")
    rows = r.stdout.strip().split("\n")
    total = sum(int(x.split(",")[8]) for x in rows[1:])
    check("2023 csv: header and the lines add up to 133.461 million",
          rows[0].startswith("line_id,year,section,component,project") and total == 133461000000,
          r.stdout)
    r = run(db, "plan", "show", "--unit", "045", "--year", "2021")
    check("a year without a plan is a clear error, in Vietnamese",
          r.returncode == 1 and "chưa có kế hoạch nào của đơn vị 045 đề xuất năm" in r.stderr, r.stderr)

    # --- check: the seed's own disagreements ---
    rc, f = findings(db)
    kinds = sorted((x["kind"], tuple(x["lines"])) for x in f) if isinstance(f, list) else f
    check("check on the seed: exactly its three target disagreements, exit 1",
          rc == 1 and kinds == [("targets_conflict", ("A-T-POOR-DOWN", "B-T-POOR-DOWN")),
                                ("targets_conflict", ("A-T-POOR-END", "B-T-POOR-END")),
                                ("targets_conflict", ("A-T-POOR-START", "A-T-POOR-END"))], kinds)
    r = run(db, "plan", "check", "--unit", "045", "--year", "2023")
    check("check text names both figures, in Vietnamese format", "4.564" in r.stdout and "25,59" in r.stdout and
          "3 phát hiện" in r.stdout, r.stdout)

    good = corrected(SEED)
    gdb = fresh_db(tmp, "good.db")
    run(gdb, "plan", "import", write_plan(tmp, "good.json", good))
    rc, f = findings(gdb)
    check("check on a corrected plan: nothing, exit 0", rc == 0 and f == [], f)

    # --- each check on a crafted bad plan ---
    def planted(name, mutate, kind, want_lines):
        p = copy.deepcopy(good)
        mutate(p)
        d = fresh_db(tmp, name + ".db")
        r = run(d, "plan", "import", write_plan(tmp, name + ".json", p))
        if r.returncode != 0:
            check(name, False, r.stderr)
            return
        rc, f = findings(d)
        hits = [x for x in f if x["kind"] == kind] if isinstance(f, list) else []
        named = [x for x in hits if all(l in x["lines"] for l in want_lines)]
        ok = rc == 1 and len(f) == len(hits) and named
        check(name, ok, f)
        return named[0] if named else None

    def wrong_total(p):
        for t in p["sections"]["A"]["stated_totals"]:
            if t["id"] == "A-TOT-DTPT":
                t["amount_vnd"] = 71238000000  # digits swapped, as a typist does
    h = planted("stated total differs (A-TOT-DTPT 71.238 vs 71.283)", wrong_total, "stated_total",
                ["A-DA1-DTPT"])
    check("the stated-total finding carries both figures",
          h and h["stated"] == 71238000000 and h["computed"] == 71283000000, h)

    def dtpt_on_da2(p):
        line(p, "B-DA2")["capital_type"] = "DTPT"
    # DA2 is SN only; the B-TOT-DTPT / B-TOT-SN stated totals then disagree as well.
    p = copy.deepcopy(good)
    dtpt_on_da2(p)
    d = fresh_db(tmp, "da2.db")
    run(d, "plan", "import", write_plan(tmp, "da2.json", p))
    rc, f = findings(d)
    ks = sorted(x["kind"] for x in f)
    check("ĐTPT on DA2 (SN only): capital_not_allowed naming B-DA2, and both ĐTPT/SN totals off",
          rc == 1 and ks == ["capital_not_allowed", "stated_total", "stated_total"] and
          [x for x in f if x["kind"] == "capital_not_allowed"][0]["lines"] == ["B-DA2"], f)

    def unknown_component(p):
        l = line(p, "B-DA6.2")
        l["component"] = "DA9"
    p = copy.deepcopy(good)
    unknown_component(p)
    d = fresh_db(tmp, "da9.db")
    run(d, "plan", "import", write_plan(tmp, "da9.json", p))
    rc, f = findings(d)
    check("a component the program does not have", rc == 1 and
          any(x["kind"] == "unknown_component" and x["lines"] == ["B-DA6.2"] for x in f), f)

    def overspent(p):
        line(p, "A-EST-DA4.2")["amount_vnd"] = 330000000  # 329 allocated
    h = planted("estimated disbursement above allocation (DA4.2 330 of 329)", overspent,
                "over_disbursed", ["A-DA4.2", "A-EST-DA4.2"])
    check("the over-disbursement finding carries both figures",
          h and h["stated"] == 329000000 and h["computed"] == 330000000, h)

    def contradicting_targets(p):
        for t in p["sections"]["B"]["targets"]:
            if t["id"] == "B-T-POOR-END":
                t["value"] = {"households": 4565, "rate_percent": 30.0}
    planted("a count and a rate that imply different totals", contradicting_targets,
            "targets_conflict", ["B-T-POOR-END"])

    def wrong_year(p):
        line(p, "B-DA7.2")["year"] = 2022
    p = copy.deepcopy(good)
    wrong_year(p)
    d = fresh_db(tmp, "year.db")
    run(d, "plan", "import", write_plan(tmp, "year.json", p))
    rc, f = findings(d)
    check("a line whose year is not its section's", rc == 1 and
          any(x["kind"] == "year_mismatch" and x["lines"] == ["B-DA7.2"] for x in f), f)

    def proposal_in_report(p):
        l = copy.deepcopy(line(p, "A-DA7.2"))
        l["id"] = "A-DA7.2-PROP"
        l["stage"] = "proposed"
        p["sections"]["A"]["lines"].append(l)
    planted("a proposal in the report section", proposal_in_report, "stage_mismatch",
            ["A-DA7.2-PROP"])

    def no_capital(p):
        l = copy.deepcopy(line(p, "B-DA7.2"))
        l["id"] = "B-DA7.2-LOCAL"
        l["capital_type"] = None
        l["source"] = "integrated"
        p["sections"]["B"]["lines"].append(l)
        l2 = copy.deepcopy(l)
        l2["id"] = "B-DA7.2-NOCAP"
        l2["source"] = "local_budget"
        l2["amount_vnd"] = 0
        p["sections"]["B"]["lines"].append(l2)
    planted("state-budget money without a capital type (integrated money may have none)", no_capital,
            "capital_missing", ["B-DA7.2-NOCAP"])

    # --- round trip ---
    out1 = os.path.join(tmp, "rt1.json")
    r = run(db, "plan", "export", "--unit", "045", "--year", "2023", "--json", out1)
    check("export --json writes the file, and says so in Vietnamese",
          r.returncode == 0 and os.path.exists(out1) and r.stderr == "gnbv: đã ghi tệp %s\n" % out1, r.stderr)
    check("the export is the seed's file, value for value",
          json.load(open(out1, encoding="utf-8")) == SEED)
    db2 = fresh_db(tmp, "rt.db")
    r = run(db2, "plan", "import", out1)
    out2 = os.path.join(tmp, "rt2.json")
    r2 = run(db2, "plan", "export", "--unit", "045", "--year", "2023", "--json", out2, lang="en")
    check("export -> import -> export is byte-identical",
          r.returncode == 0 and open(out1, "rb").read() == open(out2, "rb").read())
    check("export says it in English with --lang en", r2.stderr == "gnbv: wrote %s\n" % out2, r2.stderr)
    r = run(db, "plan", "export", "--unit", "045", "--year", "2023", "--json", "-")
    check("export --json - writes to stdout", r.returncode == 0 and json.loads(r.stdout) == SEED)

    # --- set: a line, the document's fields, both audited ---
    sdb = fresh_db(tmp, "set.db")
    run(sdb, "plan", "import", FIXTURE)
    r = run(sdb, "plan", "set", "--unit", "045", "--year", "2023", "--line", "B-DA5",
            "--amount", "21000000000")
    rc, f = findings(sdb)
    check("set a line: the amount changes, and the stated SN total no longer matches",
          r.returncode == 0 and any(x["kind"] == "stated_total" and x["subject"] == "B-TOT-SN" and
                                    x["computed"] == 60173000000 for x in f), r.stderr + str(f))
    r = run(sdb, "plan", "set", "--unit", "045", "--year", "2023", "--number", "123/KH-UBND",
            "--date", "2022-08-25", "--status", "submitted")
    ex = json.loads(run(sdb, "plan", "export", "--unit", "045", "--year", "2023", "--json", "-").stdout)
    check("set the number, date and status", r.returncode == 0 and ex["document"]["number"] ==
          "123/KH-UBND" and ex["document"]["date"] == "2022-08-25" and
          ex["document"]["status"] == "submitted", ex["document"])
    au = sql_lines(sdb, "SELECT action, detail FROM audit_log ORDER BY seq")
    check("the edits are audited: line_set with old and new amounts, then replace",
          "plan.line_set|" in au and '"old_vnd":20000000000,"new_vnd":21000000000' in au and
          au.strip().endswith("}") and au.count("plan.replace") == 1, au)
    r = run(sdb, "plan", "set", "--unit", "045", "--year", "2023", "--line", "NOPE", "--amount", "1")
    check("an unknown line is refused", r.returncode == 1 and "has no line NOPE" in r.stderr, r.stderr)
    r = run(sdb, "plan", "set", "--unit", "045", "--year", "2023", "--line", "B-DA5", "--amount", "-1")
    check("a negative amount is a usage error", r.returncode == 2, r.stderr)

    # --- bad input ---
    def bad(name, text, pattern):
        path = os.path.join(tmp, "bad.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        d = fresh_db(tmp, "bad-%d.db" % len(results))
        r = run(d, "plan", "import", path)
        lst = run(d, "plan", "list")
        ok = (r.returncode == 1 and re.search(pattern, r.stderr) and
              len(lst.stdout.strip().split("\n")) == 1 and "Traceback" not in r.stderr)
        check("bad input: " + name, ok, r.stderr + lst.stdout)

    raw = open(FIXTURE, encoding="utf-8").read()
    bad("malformed JSON", raw[:5000], r"bad\.json:\d+:\d+: not valid JSON")
    t = raw.replace('"capital_type": "SN",', '"capital_type": "XX",', 1)
    ln = t[:t.index('"XX"')].count("\n") + 1
    bad("unknown capital type, at its line", t,
        r"bad\.json:%d:\d+: sections\.A\.lines\[1\]\.capital_type: unknown code \"XX\"" % ln)
    t = raw.replace('"amount_vnd": 71283000000', '"amount_vnd": "71.283"', 1)
    bad("an amount as text", t, r"bad\.json:\d+:\d+: sections\.A\.lines\[0\]\.amount_vnd: must be a whole number")
    t = raw.replace('"amount_vnd": 71283000000', '"amount_vnd": -5', 1)
    bad("a negative amount", t, r"amount_vnd: -5 is outside 0\.\.")
    t = raw.replace('"plan_year": 2023', '"plan_year": 2024', 1)
    bad("plan_year not report_year + 1", t, r"plan_year: a plan proposes the year after")
    t = raw.replace('"id": "B-DA2"', '"id": "B-DA1-MAINT"', 1)
    bad("a duplicate line id", t, r"line id B-DA1-MAINT appears twice")
    t = raw.replace('"code": "045"', '"code": "999"', 1)
    bad("an unknown unit", t, r"no unit with code 999")
    t = raw.replace('"lead": "district_labour_office"', '"lead": "no_such_office"', 1)
    bad("a role naming an unknown agency", t, r"agency no_such_office is not in the plan's agencies")

    # --- impossible dates: named at FILE:LINE:COL, nothing stored ---
    def dated(date):
        t = raw.replace('"date": null', '"date": "%s"' % date, 1)
        at = t.index('"%s"' % date)  # the value's opening quote
        return t, t[:at].count("\n") + 1, at - t.rfind("\n", 0, at)

    for date, why in (("2022-02-30", "February 2022 has 28 days"),
                      ("2023-02-29", "February 2023 has 28 days"),
                      ("2022-13-01", "there is no month 13"),
                      ("2022-8-25", None)):
        t, ln, col = dated(date)
        want = (r"is not a date: " + re.escape(why)) if why else r"is not a date \(expected YYYY-MM-DD\)"
        bad("document date %s, at its line and column" % date, t,
            r"^gnbv: error: \S*bad\.json:%d:%d: document\.date: \"%s\" %s$" % (ln, col, date, want))
    t = raw.replace('"year": 2023,', '"year": 20223,', 1)
    bad("a target's year out of range", t, r"bad\.json:\d+:\d+: sections\.A\.targets\[\d+\]\.year: 20223 is outside")
    t, _, _ = dated("2024-02-29")
    d = fresh_db(tmp, "leap.db")
    r = run(d, "plan", "import", write_plan(tmp, "leap.json", json.loads(t)))
    ex = json.loads(run(d, "plan", "export", "--unit", "045", "--year", "2023", "--json", "-").stdout or "{}")
    check("29 February 2024 (a leap year) is a date: stored as written",
          r.returncode == 0 and ex.get("document", {}).get("date") == "2024-02-29", r.stderr + str(ex)[:200])
    before = sql_lines(sdb, "SELECT count(*) FROM audit_log")
    r = run(sdb, "plan", "set", "--unit", "045", "--year", "2023", "--date", "2023-02-29")
    ex = json.loads(run(sdb, "plan", "export", "--unit", "045", "--year", "2023", "--json", "-").stdout)
    check("plan set --date 2023-02-29: a usage error saying why, the date and the audit log unchanged",
          r.returncode == 2 and 'plan set: --date: "2023-02-29" is not a date: February 2023 has 28 days'
          in r.stderr and ex["document"]["date"] == "2022-08-25" and
          sql_lines(sdb, "SELECT count(*) FROM audit_log") == before, r.stderr + str(ex["document"]))

for schema in PG_SCHEMAS:
    subprocess.run(["bash", PG_SERVER, "drop", PG_DIR, schema], capture_output=True)
print("%d passed, %d failed" % (results.count(True), results.count(False)))
sys.exit(0 if all(results) else 1)
