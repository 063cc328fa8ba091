#!/usr/bin/env python3
"""Malformed-input checks for `gnbv import` (Python 3 standard library only).

Usage: python3 tests/cli/import_bad_input.py PATH/TO/gnbv [--filter SUBSTR] [--keep]

A base database is made once: `gnbv init`, then a good round of 2021 (households H1, H2 in
villages of Hà Quảng). Each case copies it, writes households.csv and members.csv (one of
them malformed) under input/, runs
    gnbv --db t.db import --round 2021 input/households.csv input/members.csv [extra args]
and checks:
  - exit code 1;
  - stderr is exactly one line besides warnings, `gnbv: error: FILE:LINE[:COLNO]: ...`, naming the bad file
    as given, the line where the offending record starts and, where a column applies, the
    column by its header name in single quotes (and its 1-based number);
  - the database is exactly as it was: the main file byte for byte, no write-ahead log left
    with content, and the same rows in every table (sqlite3 iterdump).
Accepted cases check that input the format allows (NFD names, "có"/"không", a decimal
comma, spaces around values) imports, and is stored normalised (NFC names).
"""
import argparse
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HH_HEADER = ("household_id,unit_code,area,income_month,income_score,floor_durable,"
             "walls_durable,roof_durable,living_area_m2,water_safe,toilet_hygienic,"
             "waste_treated,devices")
MM_HEADER = ("household_id,member_no,name,sex,birth_date,relation,ethnicity,able_to_work,"
             "work,health_insurance,stunted,underweight,in_school,school_level,"
             "uses_internet,social_allowance")
HH_ROWS = [
    "H1,01366-01,,1200000,,1,1,1,60,1,1,1,tv",
    "H2,01363-02,urban,2500000,,1,1,1,45,1,1,1,smartphone",
]
MM_ROWS = [
    "H1,1,Nông Văn Hùng,M,1985-03-15,head,Tày,1,self,1,,,0,upper_secondary,1,0",
    "H1,2,Lương Thị Mai,F,1987-06-20,spouse,Tày,1,self,1,,,0,lower_secondary,1,0",
    "H2,1,Hà Văn Tám,M,1980-01-05,head,Kinh,1,contract,1,,,0,university,1,0",
]
HH_FILE = "input/households.csv"
MM_FILE = "input/members.csv"


def text(header, rows):
    return (header + "\n" + "".join(r + "\n" for r in rows)).encode("utf-8")


GOOD_HH = text(HH_HEADER, HH_ROWS)
GOOD_MM = text(MM_HEADER, MM_ROWS)
# What the base database holds: a different round content (incomes), so that a
# failed import that wrote anything would show.
BASE_HH = text(HH_HEADER, [r.replace("1200000", "1100000") for r in HH_ROWS])


def drop_column(header, rows, name):
    cols = header.split(",")
    i = cols.index(name)
    out = []
    for r in rows:
        f = r.split(",")
        del f[i]
        out.append(",".join(f))
    return ",".join(c for c in cols if c != name), out


def case(name, hh=GOOD_HH, mm=GOOD_MM, bad=None, line=None, column=None, colno=None, args=(), says=None):
    return dict(name=name, hh=hh, mm=mm, bad=bad, line=line, column=column, colno=colno, args=list(args),
                says=says)


ZIP_BYTES = (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb6\x8c\x97\x9d"
             b"\x00\x00\x00\x00\x13\x00\x08\x02[Content_Types].xml \xa2\x04\x02(" + b"\x00" * 24)

CASES = []
for col in ("household_id", "unit_code"):
    h, r = drop_column(HH_HEADER, HH_ROWS, col)
    CASES.append(case(f"households_missing_{col}", hh=text(h, r), bad=HH_FILE, line=1, column=col))
for col in ("household_id", "member_no"):
    h, r = drop_column(MM_HEADER, MM_ROWS, col)
    CASES.append(case(f"members_missing_{col}", mm=text(h, r), bad=MM_FILE, line=1, column=col))
CASES += [
    case("bad_integer_income_month",
         hh=text(HH_HEADER, [HH_ROWS[0], "H2,01363-02,urban,25OOOOO,,1,1,1,45,1,1,1,smartphone"]),
         bad=HH_FILE, line=3, column="income_month", colno=4),
    case("bad_date_after_multiline_cell",
         mm=text(MM_HEADER, [
             'H1,1,"Nông Văn\nHùng",M,1985-03-15,head,Tày,1,self,1,,,0,upper_secondary,1,0',
             "H1,2,Lương Thị Mai,F,1987-02-30,spouse,Tày,1,self,1,,,0,lower_secondary,1,0",
             MM_ROWS[2]]),
         bad=MM_FILE, line=4, column="birth_date", colno=5),
    case("invalid_utf8_name",
         mm=(MM_HEADER + "\n" + MM_ROWS[0] + "\n").encode() +
         b"H1,2,L\xc6\xb0\xc6ng Th\xff Mai,F,1987-06-20,spouse,T\xc3\xa0y,1,self,1,,,0,lower_secondary,1,0\n" +
         (MM_ROWS[2] + "\n").encode(),
         bad=MM_FILE, line=3, column="name", colno=3),
    # "Nguyễn" in the legacy TCVN3 (ABC) encoding: single bytes above 0x7f, not UTF-8.
    case("legacy_tcvn3_name",
         mm=(MM_HEADER + "\n").encode() + b"H1,1,Nguy\xd6n V\xa8n H\xdeng,M,1985-03-15,head,T\xb5y,1,self,1,,,0,"
         b"upper_secondary,1,0\n" + (MM_ROWS[1] + "\n" + MM_ROWS[2] + "\n").encode(),
         bad=MM_FILE, line=2, column="name", colno=3),
    case("unterminated_quote",
         mm=text(MM_HEADER, [MM_ROWS[0],
                             'H1,2,"Lương Thị Mai,F,1987-06-20,spouse,Tày,1,self,1,,,0,lower_secondary,1,0',
                             MM_ROWS[2]]),
         bad=MM_FILE, line=3),
    case("duplicate_household_id",
         hh=text(HH_HEADER, HH_ROWS + ["H1,01366-01,rural,900000,,1,1,1,30,1,1,1,tv"]),
         bad=HH_FILE, line=4, column="household_id", colno=1),
    case("member_of_unknown_household",
         mm=text(MM_HEADER, MM_ROWS + ["H9,1,Đàm Văn Quang,M,1970-01-01,head,Tày,1,self,1,,,0,primary,1,0"]),
         bad=MM_FILE, line=5, column="household_id", colno=1),
    case("household_without_members",
         hh=text(HH_HEADER, HH_ROWS + ["H3,01366-01,rural,900000,,1,1,1,30,1,1,1,tv"]),
         bad=HH_FILE, line=4, column="household_id", colno=1),
    case("duplicate_member_no_members_out_of_order",
         mm=text(MM_HEADER, [MM_ROWS[2], MM_ROWS[0], MM_ROWS[1],
                             "H1,2,Lương Văn Ba,M,2010-01-01,child,Tày,0,student,1,0,0,1,primary,0,0"]),
         bad=MM_FILE, line=5, column="member_no", colno=2),
    case("not_csv_zip_bytes", hh=ZIP_BYTES, bad=HH_FILE, line=1),
    case("empty_households_file", hh=b"", bad=HH_FILE, line=1),
    case("too_few_fields_households",
         hh=text(HH_HEADER, [HH_ROWS[0], "H2,01363-02,urban,2500000,,1,1,1,45,1,1,1"]),
         bad=HH_FILE, line=3),
    case("bad_boolean_water_safe",
         hh=text(HH_HEADER, ["H1,01366-01,rural,1200000,,1,1,1,60,2,1,1,tv", HH_ROWS[1]]),
         bad=HH_FILE, line=2, column="water_safe", colno=10),
    case("bad_area_value",
         hh=text(HH_HEADER, [HH_ROWS[0], "H2,01363-02,city,2500000,,1,1,1,45,1,1,1,smartphone"]),
         bad=HH_FILE, line=3, column="area", colno=3),
    case("bad_member_no",
         mm=text(MM_HEADER, [MM_ROWS[0],
                             "H1,two,Lương Thị Mai,F,1987-06-20,spouse,Tày,1,self,1,,,0,lower_secondary,1,0",
                             MM_ROWS[2]]),
         bad=MM_FILE, line=3, column="member_no", colno=2),
    # The store's own checks.
    case("unit_not_in_store",
         hh=text(HH_HEADER, [HH_ROWS[0], "H2,09999,urban,2500000,,1,1,1,45,1,1,1,smartphone"]),
         bad=HH_FILE, line=3, column="unit_code", colno=2, says="not in the store"),
    case("unit_not_valid_on_reference_date",
         hh=text(HH_HEADER, ["H1,01366,rural,1200000,,1,1,1,60,1,1,1,tv", HH_ROWS[1]]),
         bad=HH_FILE, line=2, column="unit_code", colno=2, args=["--round", "2019", "--standard", "vn-2022-2026"],
         says="not valid on 2019-10-01"),
    case("round_keeps_its_standard",
         bad=HH_FILE, line=2, column="unit_code", colno=2, args=["--standard", "vn-2027-2030"],
         says="already has reference date 2021-10-01 and standard vn-2022-2026"),
    case("round_keeps_its_date",
         bad=HH_FILE, line=2, column="unit_code", colno=2, args=["--as-of", "2021-11-01"], says="already has"),
    case("name_too_long",
         mm=text(MM_HEADER, [MM_ROWS[0], "H1,2," + "Nguyễn " * 40 + ",F,1987-06-20,spouse,Tày,1,self,1,,,0,"
                             "lower_secondary,1,0", MM_ROWS[2]]),
         bad=MM_FILE, line=3, column="name", colno=3, says="longer than 255 bytes"),
    case("household_id_too_long",
         hh=text(HH_HEADER, [HH_ROWS[0], "H" * 70 + ",01363-02,urban,2500000,,1,1,1,45,1,1,1,smartphone"]),
         bad=HH_FILE, line=3, column="household_id", colno=1),
    case("kept_column_cell_too_long",
         hh=text(HH_HEADER + ",ghi_chu", [HH_ROWS[0] + ",x", HH_ROWS[1] + "," + "y" * 5000]),
         bad=HH_FILE, line=3, column="ghi_chu", colno=14),
    case("too_many_members",
         mm=text(MM_HEADER, MM_ROWS + [f"H2,{k},Hà Văn {k},M,2000-01-01,child,Kinh,1,self,1,,,0,primary,1,0"
                                       for k in range(2, 202)]),
         bad=MM_FILE, line=204, column="member_no", colno=2, says="more than 200 members"),
]

ACCEPTED = [
    dict(name="nfd_names_and_spelling_variants",
         hh=text(HH_HEADER, ["H1,01366-01, rural ,1200000,,có,không,1,\"60,5\",yes,1,1,tv; smartphone",
                             HH_ROWS[1]]),
         mm=text(MM_HEADER, ["H1,1,Nông Va\u0306n Hu\u0300ng,M,1985,head,Tày,1,Self,1,,,0,upper_secondary,1,0",
                             MM_ROWS[1], MM_ROWS[2]]),
         name_nfc="Nông Văn Hùng"),
]

ERR_RE = re.compile(r"^gnbv: error: (?P<file>.+?):(?P<line>\d+):(?:(?P<col>\d+):)? ")


def db_state(db):
    """The main file's bytes and the log's size, before anyone else opens it."""
    with open(db, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    wal = db + "-wal"
    return digest, os.path.getsize(wal) if os.path.exists(wal) else 0


def db_rows(db):
    con = sqlite3.connect(db)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def gnbv_run(gnbv, wd, *args, lang="en"):
    try:
        # errors in English (the phrases below; tests/cli/messages_vi.py
        # checks the Vietnamese ones, the CLI's default); lang=None: the default
        pre = ["--lang", lang] if lang else []
        p = subprocess.run([gnbv, *pre, "--db", "t.db", *args], cwd=wd, capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        return None, ""
    return p, p.stderr.decode("utf-8", "replace")


def write_inputs(wd, hh, mm):
    os.makedirs(os.path.join(wd, "input"), exist_ok=True)
    with open(os.path.join(wd, HH_FILE), "wb") as f:
        f.write(hh)
    with open(os.path.join(wd, MM_FILE), "wb") as f:
        f.write(mm)


def check_error(gnbv, base, c, wd):
    probs = []
    os.makedirs(wd)
    shutil.copy(base, os.path.join(wd, "t.db"))
    db = os.path.join(wd, "t.db")
    write_inputs(wd, c["hh"], c["mm"])
    before = db_state(db)
    rows_before = None
    p, err = gnbv_run(gnbv, wd, "import", "--round", "2021", HH_FILE, MM_FILE, *c["args"])
    if p is None:
        return ["timed out"]
    after = db_state(db)
    lines = [l for l in err.split("\n") if l and not l.startswith("gnbv: warning: ")]
    if p.returncode != 1:
        probs.append(f"exit code {p.returncode}, expected 1")
    if len(lines) != 1:
        probs.append(f"stderr has {len(lines)} lines besides warnings, expected exactly 1")
    line = lines[0] if lines else ""
    if f"{c['bad']}:{c['line']}:" not in line:
        probs.append(f"stderr does not give '{c['bad']}:{c['line']}:'")
    if c["column"] and f"'{c['column']}'" not in line:
        probs.append(f"stderr does not name the column '{c['column']}'")
    if c["says"] and c["says"] not in line:
        probs.append(f"stderr does not say {c['says']!r}")
    m = ERR_RE.match(line)
    if not m:
        probs.append("stderr does not follow 'gnbv: error: FILE:LINE[:COLNO]: ...'")
    elif c["colno"] and int(m.group("col") or 0) != c["colno"]:
        probs.append(f"column number {m.group('col')}, expected {c['colno']}")
    if after[0] != before[0]:
        probs.append("the database file changed")
    if after[1]:
        probs.append(f"a write-ahead log of {after[1]} bytes was left")
    rows_before = db_rows(base)
    if db_rows(db) != rows_before:
        probs.append("the database's rows changed")
    if probs:
        probs.append("stderr was: " + err.rstrip("\n").replace("\n", "\n    "))
    return probs


def check_accepted(gnbv, base, c, wd):
    probs = []
    os.makedirs(wd)
    shutil.copy(base, os.path.join(wd, "t.db"))
    write_inputs(wd, c["hh"], c["mm"])
    p, err = gnbv_run(gnbv, wd, "import", "--round", "2021", HH_FILE, MM_FILE, lang=None)
    if p is None:
        return ["timed out"]
    out = p.stdout.decode("utf-8", "replace")
    if p.returncode != 0:
        probs.append(f"exit code {p.returncode}: {err.strip()}")
    elif "thêm mới 0, thay đổi 1, không đổi 1\n" not in out:
        probs.append("expected H1 to change: " + out.strip())
    con = sqlite3.connect(os.path.join(wd, "t.db"))
    names = [r[0] for r in con.execute(
        "SELECT m.name FROM member m JOIN survey s USING (survey_id) JOIN household h USING (household_id) "
        "WHERE h.code = 'H1' AND s.replaced_by IS NULL AND m.member_no = 1")]
    area = con.execute("SELECT s.area, s.living_area_m2, s.floor_durable, s.walls_durable, s.devices "
                       "FROM survey s JOIN household h USING (household_id) "
                       "WHERE h.code = 'H1' AND s.replaced_by IS NULL").fetchone()
    con.close()
    if names != [c["name_nfc"]]:
        probs.append(f"stored name {names!r}, expected the NFC {c['name_nfc']!r}")
    if area != ("rural", 60.5, 1, 0, "tv;smartphone"):
        probs.append(f"stored values {area!r}")
    return probs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gnbv")
    ap.add_argument("--filter", default="")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    gnbv = os.path.abspath(a.gnbv)
    tmp = tempfile.mkdtemp(prefix="gnbv-import-bad-")
    passed = failed = 0
    try:
        bdir = os.path.join(tmp, "base")
        os.makedirs(bdir)
        write_inputs(bdir, BASE_HH, GOOD_MM)
        for args in (["init"], ["import", "--round", "2021", HH_FILE, MM_FILE]):
            p, err = gnbv_run(gnbv, bdir, *args)
            if p is None or p.returncode != 0:
                print(f"FAIL setting up the base database ({' '.join(args)}): {err}")
                sys.exit(1)
        base = os.path.join(bdir, "t.db")
        if os.path.exists(base + "-wal") and os.path.getsize(base + "-wal"):
            print("FAIL the base database left a write-ahead log")
            sys.exit(1)
        n = 0
        for kind, cases in (("error", CASES), ("accepted", ACCEPTED)):
            for c in cases:
                if a.filter not in c["name"]:
                    continue
                n += 1
                wd = os.path.join(tmp, c["name"])
                probs = check_error(gnbv, base, c, wd) if kind == "error" else check_accepted(gnbv, base, c, wd)
                if probs:
                    failed += 1
                    print(f"FAIL {n} {c['name']}")
                    for pr in probs:
                        print("  " + pr)
                else:
                    passed += 1
                    print(f"ok {n} {c['name']}")
    finally:
        if a.keep:
            print(f"# kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
