#!/usr/bin/env python3
"""End-to-end: `gnbv demo` generates the seed's district (Hà Quảng, 21
communes and towns, 14,008 households), classifies its 2021 round under the
2022-2026 standard, and prints a summary whose district poverty rate is
within a point of the seed's 39.59% (the figures come from the engine, not
from the generator), in Vietnamese by default and in English on request.

Usage: demo.py PATH/TO/gnbv
"""
import csv
import os
import re
import subprocess
import sys
import tempfile

GNBV = sys.argv[1]
results = []


def check(name, cond, detail=""):
    results.append(cond)
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))


with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "demo")
    p = subprocess.run([GNBV, "demo", "--out", out], capture_output=True, text=True)
    check("demo exits 0", p.returncode == 0, p.stderr)
    lines = p.stdout.splitlines()
    total = [l for l in lines if l.startswith("Toàn huyện")]
    check("a district total line", len(total) == 1, p.stdout)
    if total:
        nums = re.findall(r"[\d.]+,\d\d%|[\d.]+", total[0].replace("Toàn huyện", ""))
        households = int(nums[0].replace(".", ""))
        poor = int(nums[1].replace(".", ""))
        rate = float(nums[2].rstrip("%").replace(".", "").replace(",", "."))
        check("14.008 households, in Vietnamese number format", nums[0] == "14.008", nums[0])
        check("poor rate within 1 point of 39,59%", abs(rate - 39.59) <= 1.0, str(rate))
        check("rate is poor / households", abs(100.0 * poor / households - rate) < 0.006, str((poor, rate)))
    communes = [l for l in lines if (l.startswith("Xã ") or l.startswith("Thị trấn ")) and not l.startswith("Xã /")]
    check("21 communes and towns listed", len(communes) == 21, str(len(communes)))
    check("the seed's figure is quoted", "5.546 hộ nghèo, chiếm tỷ lệ 39,59%" in p.stdout)
    summary = list(csv.DictReader(open(os.path.join(out, "summary.csv"), encoding="utf-8")))
    star = [r for r in summary if r["unit_code"] == "*"][0]
    check("summary.csv total matches the printed one",
          total and int(star["households"]) == households and int(star["poor"]) == poor)
    with open(os.path.join(out, "assessments.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    check("assessments carry a Vietnamese reason",
          all(r["reason"] for r in rows) and any("hộ nghèo" in r["reason"] for r in rows))

    p = subprocess.run([GNBV, "--lang", "en", "demo", "--out", out, "--households", "2000"],
                       capture_output=True, text=True)
    check("English demo exits 0", p.returncode == 0, p.stderr)
    check("English labels and number format", "Whole district" in p.stdout and "2,000" in p.stdout, p.stdout)

failed = results.count(False)
print("%d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
