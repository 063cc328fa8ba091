#!/usr/bin/env python3
"""Malformed-input checks for `gnbv classify` (Python 3 standard library only).

Usage: python3 tests/cli/bad_input.py PATH/TO/gnbv [--filter SUBSTR] [--keep]

Each error case writes households.csv and members.csv (one of them malformed) under
input/ in a fresh directory, runs
    gnbv classify input/households.csv input/members.csv --as-of 2025-10-01 --out out
from that directory (out/ exists and is empty), and checks:
  - exit code 1;
  - stderr is exactly one line, containing "error:", the bad file's name as given on
    the command line followed by ":LINE:" where LINE is the line on which the offending
    record starts, and, where a column applies, the column's header name in single
    quotes; when the engine prints a column number (FILE:LINE:COLNO:) it must be the
    1-based position of that column;
  - out/ is still empty: no assessments.csv, summary.csv, workers.csv nor temp file.
Engine format: `gnbv: error: FILE:LINE:COLNO: column 'NAME': MESSAGE`
           or  `gnbv: error: FILE:LINE: MESSAGE`.
Warning cases check exit 0, one stderr line with "warning:" naming the column (warned
once), and that the three outputs were written.
"""
import argparse
import os
import re
import shutil
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
    "H1,01300,rural,1200000,,1,1,1,60,1,1,1,tv",
    "H2,01300,urban,2500000,,1,1,1,45,1,1,1,smartphone",
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


def drop_column(header, rows, name):
    cols = header.split(",")
    i = cols.index(name)
    out = []
    for r in rows:
        f = r.split(",")  # only for the plain rows above (no quoted commas)
        del f[i]
        out.append(",".join(f))
    return ",".join(c for c in cols if c != name), out


def case(name, hh=GOOD_HH, mm=GOOD_MM, bad=None, line=None, column=None, colno=None):
    return dict(name=name, hh=hh, mm=mm, bad=bad, line=line, column=column, colno=colno)


ZIP_BYTES = (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb6\x8c\x97\x9d"
             b"\x00\x00\x00\x00\x13\x00\x08\x02[Content_Types].xml \xa2\x04\x02("
             + bytes(range(0x0b, 0x0d)) + b"\x00" * 24 + b"\xff\xfe\x00\x01")
assert b"\n" not in ZIP_BYTES and b"\r" not in ZIP_BYTES

ERRORS = []
# 1-4. missing key columns (header line 1)
for col in ("household_id", "unit_code"):
    h, r = drop_column(HH_HEADER, HH_ROWS, col)
    ERRORS.append(case(f"households_missing_{col}", hh=text(h, r), bad=HH_FILE, line=1, column=col))
for col in ("household_id", "member_no"):
    h, r = drop_column(MM_HEADER, MM_ROWS, col)
    ERRORS.append(case(f"members_missing_{col}", mm=text(h, r), bad=MM_FILE, line=1, column=col))
# 5. bad integer in income_month (column 4), record on line 3
ERRORS.append(case("bad_integer_income_month",
                   hh=text(HH_HEADER, [HH_ROWS[0], "H2,01300,urban,25OOOOO,,1,1,1,45,1,1,1,smartphone"]),
                   bad=HH_FILE, line=3, column="income_month", colno=4))
ERRORS.append(case("bad_integer_income_month_fraction",
                   hh=text(HH_HEADER, ["H1,01300,rural,1200000.5,,1,1,1,60,1,1,1,tv", HH_ROWS[1]]),
                   bad=HH_FILE, line=2, column="income_month", colno=4))
# 6. bad date in birth_date (column 5) after a record whose quoted name spans two lines:
#    the bad record starts on line 4, though it is the 3rd line break-separated row.
ERRORS.append(case("bad_date_after_multiline_cell",
                   mm=text(MM_HEADER, [
                       'H1,1,"Nông Văn\nHùng",M,1985-03-15,head,Tày,1,self,1,,,0,upper_secondary,1,0',
                       "H1,2,Lương Thị Mai,F,1987-02-30,spouse,Tày,1,self,1,,,0,lower_secondary,1,0",
                       MM_ROWS[2]]),
                   bad=MM_FILE, line=4, column="birth_date", colno=5))
# 7. bad date format inside a record that itself spans lines 3-4: report line 3
ERRORS.append(case("bad_date_in_multiline_record",
                   mm=text(MM_HEADER, [
                       MM_ROWS[0],
                       'H1,2,"Lương Thị\nMai",F,20/06/1987,spouse,Tày,1,self,1,,,0,lower_secondary,1,0',
                       MM_ROWS[2]]),
                   bad=MM_FILE, line=3, column="birth_date", colno=5))
# 8. invalid UTF-8 in a name (column 3), line 3
ERRORS.append(case("invalid_utf8_name",
                   mm=(MM_HEADER + "\n" + MM_ROWS[0] + "\n").encode() +
                      b"H1,2,L\xc6\xb0\xc6ng Th\xff Mai,F,1987-06-20,spouse,T\xc3\xa0y,1,self,1,,,0,lower_secondary,1,0\n" +
                      (MM_ROWS[2] + "\n").encode(),
                   bad=MM_FILE, line=3, column="name", colno=3))
# 9. unterminated quote: the record opening it starts on line 3
ERRORS.append(case("unterminated_quote",
                   mm=text(MM_HEADER, [
                       MM_ROWS[0],
                       'H1,2,"Lương Thị Mai,F,1987-06-20,spouse,Tày,1,self,1,,,0,lower_secondary,1,0',
                       MM_ROWS[2]]),
                   bad=MM_FILE, line=3))
# 10. duplicate household_id, second occurrence on line 4
ERRORS.append(case("duplicate_household_id",
                   hh=text(HH_HEADER, HH_ROWS + ["H1,01300,rural,900000,,1,1,1,30,1,1,1,tv"]),
                   bad=HH_FILE, line=4, column="household_id", colno=1))
# 11. a member of an unknown household, line 5
ERRORS.append(case("member_of_unknown_household",
                   mm=text(MM_HEADER, MM_ROWS + [
                       "H9,1,Đàm Văn Quang,M,1970-01-01,head,Tày,1,self,1,,,0,primary,1,0"]),
                   bad=MM_FILE, line=5, column="household_id", colno=1))
# 12. a household without members (H3 on line 4 of households.csv)
ERRORS.append(case("household_without_members",
                   hh=text(HH_HEADER, HH_ROWS + ["H3,01300,rural,900000,,1,1,1,30,1,1,1,tv"]),
                   bad=HH_FILE, line=4))
# 13. not a CSV: an XLSX/ZIP saved as .csv (NUL bytes on line 1)
ERRORS.append(case("not_csv_zip_bytes", hh=ZIP_BYTES, bad=HH_FILE, line=1))
# 14. wrong number of fields: households line 3 has 12 fields instead of 13;
#     members: too many fields in the record starting on line 4 (after a 2-line record)
ERRORS.append(case("too_few_fields_households",
                   hh=text(HH_HEADER, [HH_ROWS[0], "H2,01300,urban,2500000,,1,1,1,45,1,1,1"]),
                   bad=HH_FILE, line=3))
ERRORS.append(case("too_many_fields_after_multiline_cell",
                   mm=text(MM_HEADER, [
                       'H1,1,"Nông Văn\nHùng",M,1985-03-15,head,Tày,1,self,1,,,0,upper_secondary,1,0',
                       "H1,2,Lương Thị Mai,F,1987-06-20,spouse,Tày,1,self,1,,,0,lower_secondary,1,0,extra",
                       MM_ROWS[2]]),
                   bad=MM_FILE, line=4))
# Extra malformed values (the format lists their allowed values)
ERRORS.append(case("bad_boolean_water_safe",
                   hh=text(HH_HEADER, ["H1,01300,rural,1200000,,1,1,1,60,2,1,1,tv", HH_ROWS[1]]),
                   bad=HH_FILE, line=2, column="water_safe", colno=10))
ERRORS.append(case("bad_area_value",
                   hh=text(HH_HEADER, [HH_ROWS[0], "H2,01300,city,2500000,,1,1,1,45,1,1,1,smartphone"]),
                   bad=HH_FILE, line=3, column="area", colno=3))
ERRORS.append(case("bad_member_no",
                   mm=text(MM_HEADER, [MM_ROWS[0],
                       "H1,two,Lương Thị Mai,F,1987-06-20,spouse,Tày,1,self,1,,,0,lower_secondary,1,0",
                       MM_ROWS[2]]),
                   bad=MM_FILE, line=3, column="member_no", colno=2))

WARNINGS = []
h, r = drop_column(HH_HEADER, HH_ROWS, "water_safe")
WARNINGS.append(dict(name="warning_missing_column_water_safe", hh=text(h, r), mm=GOOD_MM,
                     column="water_safe"))
WARNINGS.append(dict(name="warning_unknown_column_ghi_chu", hh=GOOD_HH,
                     mm=text(MM_HEADER + ",ghi_chu", [row + ",Ghi chú" for row in MM_ROWS]),
                     column="ghi_chu"))

ERR_RE = re.compile(r"^gnbv: error: (?P<file>.+?):(?P<line>\d+):(?:(?P<col>\d+):)? ")


def run(gnbv, c, workdir):
    if os.path.exists(workdir):
        shutil.rmtree(workdir)
    os.makedirs(os.path.join(workdir, "input"))
    os.makedirs(os.path.join(workdir, "out"))
    with open(os.path.join(workdir, HH_FILE), "wb") as f:
        f.write(c["hh"])
    with open(os.path.join(workdir, MM_FILE), "wb") as f:
        f.write(c["mm"])
    cmd = [gnbv, "classify", HH_FILE, MM_FILE, "--as-of", "2025-10-01", "--out", "out"]
    try:
        p = subprocess.run(cmd, cwd=workdir, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "", ["timed out"]
    return p, p.stderr.decode("utf-8", "replace"), []


def check_error(gnbv, c, workdir):
    p, err, probs = run(gnbv, c, workdir)
    if p is None:
        return probs
    lines = [l for l in err.split("\n") if l != ""]
    if p.returncode != 1:
        probs.append(f"exit code {p.returncode}, expected 1")
    if len(lines) != 1:
        probs.append(f"stderr has {len(lines)} lines, expected exactly 1")
    line = lines[0] if lines else ""
    if "error:" not in line:
        probs.append("no 'error:' in stderr")
    if c["bad"] not in line:
        probs.append(f"stderr does not name the file {c['bad']!r}")
    if f"{c['bad']}:{c['line']}:" not in line:
        probs.append(f"stderr does not give the record's start line as '{c['bad']}:{c['line']}:'")
    if c["column"] and f"'{c['column']}'" not in line:
        probs.append(f"stderr does not name the column '{c['column']}'")
    m = ERR_RE.match(line)
    if not m:
        probs.append("stderr does not follow 'gnbv: error: FILE:LINE[:COLNO]: ...'")
    elif c["colno"] and m.group("col") and int(m.group("col")) != c["colno"]:
        probs.append(f"column number {m.group('col')}, expected {c['colno']}")
    left = sorted(os.listdir(os.path.join(workdir, "out")))
    if left:
        probs.append(f"files left in --out: {left}")
    if probs:
        probs.append("stderr was: " + err.rstrip("\n").replace("\n", "\n    "))
    return probs


def check_warning(gnbv, c, workdir):
    p, err, probs = run(gnbv, c, workdir)
    if p is None:
        return probs
    lines = [l for l in err.split("\n") if l != ""]
    if p.returncode != 0:
        probs.append(f"exit code {p.returncode}, expected 0")
    hits = [l for l in lines if "warning:" in l and c["column"] in l]
    if len(hits) != 1:
        probs.append(f"{len(hits)} 'warning:' lines naming {c['column']!r}, expected exactly 1")
    for name in ("assessments.csv", "summary.csv", "workers.csv"):
        if not os.path.exists(os.path.join(workdir, "out", name)):
            probs.append(f"{name} not written")
    if probs:
        probs.append("stderr was: " + err.rstrip("\n").replace("\n", "\n    "))
    return probs


def main():
    ap = argparse.ArgumentParser(description="bad-input checks for gnbv classify")
    ap.add_argument("gnbv")
    ap.add_argument("--filter", default="")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = ap.parse_args()
    gnbv = os.path.abspath(a.gnbv)
    tmp = tempfile.mkdtemp(prefix="gnbv-badinput-")
    passed = failed = 0
    n = 0
    try:
        for kind, cases in (("error", ERRORS), ("warning", WARNINGS)):
            for c in cases:
                if a.filter not in c["name"]:
                    continue
                n += 1
                wd = os.path.join(tmp, c["name"])
                probs = check_error(gnbv, c, wd) if kind == "error" else check_warning(gnbv, c, wd)
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
