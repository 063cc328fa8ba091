#!/usr/bin/env python3
"""The library's messages in Vietnamese (src/util/msg_vi.c).

1. Every message of the input path (the CSV reader, the exchange format's
   rows, classify, the members feed, the units file, the store's import) and
   of the command line's own option checks has a Vietnamese entry, and every
   entry is a message some source writes: the formats are read out of the
   sources and the catalogue.
2. gnbv speaks Vietnamese by default and English with --lang en, for
   classify and import errors and warnings, with the file, line and column
   as they were.

Usage: messages_vi.py PATH/TO/gnbv
"""
import os
import re
import subprocess
import sys
import tempfile

GNBV = os.path.abspath(sys.argv[1])
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, "lib"))
from checks import check, results  # noqa: E402

SOURCES = ["src/io/csv.c", "src/io/exchange.c", "src/io/classify.c", "src/io/mfeed.c", "src/io/split.c",
           "src/io/units.c", "src/store/import.c", "src/store/units.c", "src/store/registry.c",
           "src/store/accounts.c", "src/store/review.c", "src/store/pg.c"]
CALLS = re.compile(r"\b(gnbv_error_set|gnbv_csv_error_line|gnbv_csv_error|cerr|BAD|gnbv_tr|op_need|text_arg)\s*\(")
LIT = re.compile(r'"((?:[^"\\]|\\.)*)"')


def call_args(s, i):
    """The text of a call's arguments from just after its '('."""
    depth, j = 1, i
    while depth:
        c = s[j]
        if c == '"':
            j += 1
            while s[j] != '"':
                j += 2 if s[j] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        j += 1
    return s[i:j - 1]


def formats(path):
    """The message formats a source writes, as C literal text."""
    s = open(os.path.join(ROOT, path), encoding="utf-8").read()
    s = re.sub(r"/\*.*?\*/", "", s, flags=re.S)
    s = re.sub(r"#define BAD\(what\).*", "", s)
    out = set()
    for m in CALLS.finditer(s):
        args = call_args(s, m.end())
        if m.group(1) == "BAD":
            out.add("".join(LIT.findall(args)) + " '%.*s'")
            continue
        if m.group(1) == "gnbv_tr":  # each run of literals given to it ("periodic" : "ad-hoc")
            for run in re.findall(r'"(?:[^"\\]|\\.)*"(?:\s*"(?:[^"\\]|\\.)*")*', args):
                out.add("".join(LIT.findall(run)))
            continue
        # the format: the first run of adjacent literals
        lm = re.search(r'"(?:[^"\\]|\\.)*"(?:\s*"(?:[^"\\]|\\.)*")*', args)
        if lm:
            out.add("".join(LIT.findall(lm.group(0))))
    # tables of words given to gnbv_tr: the kinds of file, review.c's steps
    # and what to do next
    for name in re.findall(r'(?:FILE_KIND\[2\]|STEP\[GNBV_STEP_COUNT\]|NEXT\[GNBV_STEP_COUNT\]) = \{([^}]*)\}', s):
        out.update(LIT.findall(name))
    return out


def catalogue():
    s = open(os.path.join(ROOT, "src/util/msg_vi.c"), encoding="utf-8").read()
    body = s[s.index("MSG_VI[] = {"):s.index("};", s.index("MSG_VI[] = {"))]
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    entries = {}
    for m in re.finditer(r"\{((?:\s*\"(?:[^\"\\]|\\.)*\")+)\s*,((?:\s*\"(?:[^\"\\]|\\.)*\")+)\s*\}", body):
        entries["".join(LIT.findall(m.group(1)))] = "".join(LIT.findall(m.group(2)))
    return entries


# 1. the catalogue against the sources
cat = catalogue()
check("the catalogue has its entries", len(cat) > 40, str(len(cat)))
written = set()
for src in SOURCES:
    for f in formats(src):
        written.add(f)
        if not re.search(r"[A-Za-z]{3}", re.sub(r"%[-+ #0]*[*\d]*(\.[*\d]+)?[hlzjt]*[sduxc]", "", f)):
            continue  # no words to translate ("%s", "%s:%ld: %s")
        check("%s: %r has a Vietnamese entry" % (src, f), f in cat)
# the command line's own messages: every one with words goes through
# gnbv_tr (and so is in the catalogue, above)
FPRINTF = re.compile(r'fprintf\(\s*stderr,\s*((?:"(?:[^"\\]|\\.)*"\s*)+)')
for src in sorted(os.listdir(os.path.join(ROOT, "src/cli"))):
    if not src.endswith(".c"):
        continue
    path = "src/cli/" + src
    text = open(os.path.join(ROOT, path), encoding="utf-8").read()
    for m in FPRINTF.finditer(text):
        f = "".join(LIT.findall(m.group(1)))
        if f.startswith("gnbv") and f not in ("gnbv: error: %s\\n", "gnbv: warning: %s\\n",
                                             "gnbv: plan set: --date: %s\\n"):
            check("%s: %r is said through gnbv_tr" % (path, f), False)
    for f in formats(path):
        written.add(f)
        check("%s: %r has a Vietnamese entry" % (path, f), f in cat)
# words that come from data, not from a literal: a unit's level (units.csv's
# `level`, read by the store and given to gnbv_tr in registry.c)
DATA_WORDS = {"province", "district", "commune", "village",
              # and a household's class (the store's `class` column, review.c)
              "poor", "near_poor", "average", "not_poor", "incomplete"}
for f in cat:
    check("catalogue entry %r is a message the sources write" % f, f in written or f in DATA_WORDS)

# 2. the CLI's language
HH = ("household_id,unit_code,area,income_month,income_score,floor_durable,walls_durable,roof_durable,"
      "living_area_m2,water_safe,toilet_hygienic,waste_treated,devices,colour\n"
      "H1,01366-01,rural,900000,,1,1,1,30,1,1,1,tv,red\n")
MM = ("household_id,member_no,name,sex,birth_date,relation,ethnicity,able_to_work,work,health_insurance,"
      "stunted,underweight,in_school,school_level,uses_internet,social_allowance\n")


def run(d, mm_rows, *pre):
    with open(os.path.join(d, "households.csv"), "w", encoding="utf-8") as f:
        f.write(HH)
    with open(os.path.join(d, "members.csv"), "w", encoding="utf-8") as f:
        f.write(MM + mm_rows)
    out = os.path.join(d, "out")
    os.makedirs(out, exist_ok=True)
    return subprocess.run([GNBV, *pre, "classify", "households.csv", "members.csv", "--as-of", "2025-10-01",
                           "--out", out], cwd=d, capture_output=True, text=True)


with tempfile.TemporaryDirectory() as d:
    bad_sex = "H1,1,Nông Văn Hùng,X,1985-03-15,head,Tày,1,self,1,,,0,primary,1,0\n"
    p = run(d, bad_sex)
    check("a bad cell: exit 1", p.returncode == 1, p.stderr)
    check("Vietnamese by default, file:line:column kept",
          "gnbv: error: members.csv:2:4: cột 'sex': cần M (nam) hoặc F (nữ), gặp 'X'\n" in p.stderr, p.stderr)
    check("the unknown column's warning in Vietnamese",
          "gnbv: warning: households.csv: cột lạ 'colour' được bỏ qua (viết sai tên?)\n" in p.stderr, p.stderr)
    p = run(d, bad_sex, "--lang", "en")
    check("English with --lang en",
          "gnbv: error: members.csv:2:4: column 'sex': expected M or F, found 'X'\n" in p.stderr, p.stderr)
    check("the warning in English", "unknown column 'colour' is ignored (misspelt?)" in p.stderr, p.stderr)
    # the CSV reader's own messages, and one from the members feed (the
    # second thread)
    p = run(d, "H1,1,Nông Văn Hùng,M,1985-03-15,head,T\xe0y,1,self,1,,,0,primary,1,0\n"
               "H1,1,Lò Thị Mai,F,1987-01-01,spouse,Tày,1,self,1,,,0,primary,1,0\n")
    check("the feed's message in Vietnamese",
          "members.csv:3:2: cột 'member_no': hộ 'H1' đã có thành viên số 1" in p.stderr, p.stderr)
    with open(os.path.join(d, "members.csv"), "wb") as f:
        f.write(MM.encode() + "H1,1,Nông Văn Hùng,M,1985-03-15,head,Tày,1,self,1,,,0,primary,1,0\n".encode("cp1258",
                                                                                                         "replace"))
    out = os.path.join(d, "out")
    p = subprocess.run([GNBV, "classify", "households.csv", "members.csv", "--as-of", "2025-10-01", "--out", out],
                       cwd=d, capture_output=True, text=True)
    check("a legacy encoding, in Vietnamese, with the way out",
          "members.csv:2:3: cột 'name': chữ không đúng mã UTF-8" in p.stderr and "\"CSV UTF-8\"" in p.stderr,
          p.stderr)
    check("no output after any of it", os.listdir(out) == [], str(os.listdir(out)))

        # the command line's own checks
    p = subprocess.run([GNBV, "classify", "households.csv", "members.csv", "--as-of", "2025-13-01"], cwd=d,
                       capture_output=True, text=True)
    check("an option's error in Vietnamese",
          p.returncode == 2 and "gnbv: error: --as-of '2025-13-01': cần ngày theo dạng YYYY-MM-DD\n" in p.stderr,
          p.stderr)
    p = subprocess.run([GNBV, "--lang", "en", "classify", "households.csv", "members.csv", "--as-of", "x"],
                       cwd=d, capture_output=True, text=True)
    check("... and in English", "gnbv: error: --as-of 'x': expected a date YYYY-MM-DD\n" in p.stderr, p.stderr)
    p = subprocess.run([GNBV, "frobnicate"], capture_output=True, text=True)
    check("an unknown command in Vietnamese", p.returncode == 2 and "gnbv: lệnh lạ 'frobnicate'" in p.stderr,
          p.stderr)

    # the store's import speaks the same language
    db = os.path.join(d, "t.db")
    p = subprocess.run([GNBV, "--db", db, "init"], capture_output=True, text=True)
    check("init", p.returncode == 0, p.stderr)
    with open(os.path.join(d, "members.csv"), "w", encoding="utf-8") as f:
        f.write(MM + "H1,1,Nông Văn Hùng,M,1985-03-15,head,Tày,1,self,1,,,0,primary,1,0\n"
                     "H9,1,Lò Thị Mai,F,1987-01-01,spouse,Tày,1,self,1,,,0,primary,1,0\n")
    p = subprocess.run([GNBV, "--db", db, "import", "--round", "2025", "households.csv", "members.csv"], cwd=d,
                       capture_output=True, text=True)
    check("import: a member of an unknown household, in Vietnamese",
          p.returncode == 1 and "members.csv:3:1: cột 'household_id': thành viên của hộ 'H9' không có trong" in p.stderr,
          p.stderr)

failed = results.count(False)
print("%d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
