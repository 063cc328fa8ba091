#!/usr/bin/env python3
"""End-to-end: `gnbv demo` builds a database of the seed's district (Hà
Quảng: 21 communes and towns, 14,008 households) whose 2021 round, classified
by the engine, holds exactly the seed's 5,546 poor households (39.59%) and
whose 2022 round is about the 32.59% the district aims at, with households
moving between classes; what the database holds is checked by exporting it
and classifying the export. Vietnamese by default, English on request; an
existing database is never overwritten.

Usage: demo.py PATH/TO/gnbv
"""
import csv
import os
import re
import subprocess
import sys
import tempfile

GNBV = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from checks import check, results  # noqa: E402


def vn_int(s):
    return int(s.replace(".", ""))


def classes(path):
    with open(path, encoding="utf-8") as f:
        return {r["household_id"]: r["class"] for r in csv.DictReader(f)}


with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "demo")
    db = os.path.join(d, "demo.db")
    p = subprocess.run([GNBV, "--db", db, "demo", "--out", out], capture_output=True, text=True)
    check("demo exits 0", p.returncode == 0, p.stderr)
    lines = p.stdout.splitlines()
    total = [l for l in lines if l.startswith("Toàn huyện")]
    check("a district total line", len(total) == 1, p.stdout)
    if total:
        f = total[0].split()[2:]
        check("14.008 households, Vietnamese number format", f[0] == "14.008", f)
        check("5.546 poor in 2021, 39,59%", f[1] == "5.546" and f[2] == "39,59%", f)
        rate22 = float(f[5].rstrip("%").replace(",", "."))
        check("2022 about 32,59% (within half a point)", abs(rate22 - 32.59) <= 0.5, f)
    communes = [l for l in lines if (l.startswith("Xã ") or l.startswith("Thị trấn ")) and not l.startswith("Xã /")]
    check("21 communes and towns listed", len(communes) == 21, len(communes))
    check("the database line states the store's counts",
          "vòng rà soát 2021: 5.546 hộ nghèo / 14.008 hộ (39,59%)" in p.stdout, p.stdout[-600:])
    check("the plan's line: 133.086 of state budget, ĐTPT 73.913, SN 59.173, 375 mobilised, 3 findings",
          "Kế hoạch đề xuất năm 2023: 133.086 triệu đồng ngân sách nhà nước (ĐTPT 73.913, SN 59.173) "
          "và 375 triệu đồng huy động; kiểm tra thấy 3 điểm" in p.stdout, p.stdout)
    check("the seed's figure is quoted", "5.546 hộ nghèo, chiếm tỷ lệ 39,59%" in p.stdout)

    # What the database holds: export each round and classify the export.
    for year, as_of in (("2021", "2021-10-01"), ("2022", "2022-10-01")):
        ex = os.path.join(d, "export-" + year)
        e = subprocess.run([GNBV, "--db", db, "export", "--round", year, "--out", ex], capture_output=True, text=True)
        check("export of round %s exits 0" % year, e.returncode == 0, e.stderr)
        c = subprocess.run([GNBV, "classify", os.path.join(ex, "households.csv"), os.path.join(ex, "members.csv"),
                            "--as-of", as_of, "--standard", "vn-2022-2026", "--out", ex],
                           capture_output=True, text=True)
        check("classify of the %s export exits 0" % year, c.returncode == 0, c.stderr)
        if c.returncode == 0:
            star = [r for r in csv.DictReader(open(os.path.join(ex, "summary.csv"), encoding="utf-8"))
                    if r["unit_code"] == "*"][0]
            if year == "2021":
                check("the stored 2021 round has exactly 5,546 poor of 14,008",
                      star["households"] == "14008" and star["poor"] == "5546", star)
            else:
                check("the stored 2022 round is about 32.59% poor",
                      abs(100.0 * int(star["poor"]) / int(star["households"]) - 32.59) <= 0.5, star)
    c21 = classes(os.path.join(d, "export-2021", "assessments.csv"))
    c22 = classes(os.path.join(d, "export-2022", "assessments.csv"))
    check("the same households in both rounds", set(c21) == set(c22))
    escaped = sum(1 for h in c21 if c21[h] == "poor" and c22.get(h) != "poor")
    fell = sum(1 for h in c21 if c21[h] != "poor" and c22.get(h) == "poor")
    check("households escape poverty between the rounds", 800 <= escaped <= 1400, escaped)
    check("and a few fall into it", 20 <= fell <= 300, fell)

    with open(os.path.join(out, "round-2021", "assessments.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    check("assessments carry a Vietnamese reason", any("hộ nghèo" in r["reason"] for r in rows))

    p = subprocess.run([GNBV, "--db", db, "plan", "show", "--unit", "045", "--year", "2023"],
                       capture_output=True, text=True)
    check("the demo holds the seed's 2023 plan: 133.086 = ĐTPT 73.913 + SN 59.173",
          p.returncode == 0 and "133.086 = ĐTPT 73.913 + SN 59.173" in p.stdout, p.stdout + p.stderr)
    p = subprocess.run([GNBV, "--db", db, "plan", "show", "--unit", "045", "--year", "2022"],
                       capture_output=True, text=True)
    check("and its 2022 report: 84.249 = ĐTPT 71.283 + SN 12.966",
          p.returncode == 0 and "84.249 = ĐTPT 71.283 + SN 12.966" in p.stdout, p.stdout + p.stderr)

    p = subprocess.run([GNBV, "--db", db, "demo", "--out", out], capture_output=True, text=True)
    check("an existing database is refused, in Vietnamese",
          p.returncode == 1 and "đã có: bản trình diễn tạo cơ sở dữ liệu mới" in p.stderr, p.stderr)

    db2 = os.path.join(d, "en.db")
    p = subprocess.run([GNBV, "--lang", "en", "--db", db2, "demo", "--out", os.path.join(d, "en"),
                        "--households", "2000"], capture_output=True, text=True)
    check("English demo exits 0", p.returncode == 0, p.stderr)
    check("English labels and number format", "Whole district" in p.stdout and "2,000" in p.stdout, p.stdout)

failed = results.count(False)
print("%d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
