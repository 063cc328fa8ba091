#!/usr/bin/env python3
"""End-to-end: summary.csv's counts for units with many households in a row.

classify adds a unit's indicator counts in byte-wide lanes and flushes them
to the unit's row before a lane can pass 255 (classify.c, flush_pending):
here one unit has 700 households in a row with the water deficit, another
follows, and the first comes back, so that a lane would overflow twice, a
flush happens on each change of unit, and a unit's counts are added from
two stretches. The expected counts are worked out here from the rows
written, in one pass, in parts on two threads, and from a shuffled members
file (indexed mode).

Usage: classify_counts.py PATH/TO/gnbv
"""
import csv
import io
import os
import random
import subprocess
import sys
import tempfile

GNBV = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from checks import check, results  # noqa: E402

H_HEAD = ("household_id,unit_code,area,income_month,income_score,floor_durable,walls_durable,"
          "roof_durable,living_area_m2,water_safe,toilet_hygienic,waste_treated,devices")
M_HEAD = ("household_id,member_no,name,sex,birth_date,relation,ethnicity,able_to_work,work,"
          "health_insurance,stunted,underweight,in_school,school_level,uses_internet,social_allowance")

# (unit, households, water_safe of each): 700 without safe water in A (two
# lanes' worth and more), 300 in B with every fourth one safe, A again.
STRETCHES = [("01363-01", 700, lambda i: "0"), ("01363-02", 300, lambda i: "1" if i % 4 == 0 else "0"),
             ("01363-01", 400, lambda i: "0" if i % 2 else "1")]

hh, mm = [H_HEAD], [M_HEAD]
want_water = {}
want_households = {}
k = 0
for unit, n, water in STRETCHES:
    for i in range(n):
        hid = "HQ-%06d" % k
        k += 1
        w = water(i)
        hh.append(",".join([hid, unit, "rural", "1500000", "", "1", "1", "1", "60", w, "1", "1", "tv;smartphone"]))
        for no in range(1, 4):
            mm.append(",".join([hid, str(no), "Lò Văn Một", "M", "1980-05-0%d" % no, "head" if no == 1 else "child",
                                "Tày", "1", "self", "1", "0", "0", "0", "upper_secondary", "1", "0"]))
        want_water[unit] = want_water.get(unit, 0) + (w == "0")
        want_households[unit] = want_households.get(unit, 0) + 1


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(rows) + "\n")


def summary(out):
    with open(os.path.join(out, "summary.csv"), encoding="utf-8", newline="") as f:
        return {r["unit_code"]: r for r in csv.DictReader(io.StringIO(f.read()))}


with tempfile.TemporaryDirectory() as d:
    h, m, ms = (os.path.join(d, x) for x in ("households.csv", "members.csv", "members_shuffled.csv"))
    write(h, hh)
    write(m, mm)
    body = mm[1:]
    random.Random(5).shuffle(body)
    write(ms, [mm[0]] + body)
    for label, members, env in [("one pass", m, {"GNBV_THREADS": "1"}),
                                ("parts", m, {"GNBV_THREADS": "2", "GNBV_CLASSIFY_PART": "65536"}),
                                ("indexed", ms, {"GNBV_THREADS": "2"})]:
        out = os.path.join(d, label.replace(" ", "-"))
        p = subprocess.run([GNBV, "classify", h, members, "--as-of", "2025-10-01", "--out", out],
                           env=dict(os.environ, **env), capture_output=True, text=True)
        check("%s: exits 0" % label, p.returncode == 0, p.stderr)
        if p.returncode:
            continue
        s = summary(out)
        for unit in want_water:
            row = s.get(unit, {})
            check("%s: unit %s has its %d households" % (label, unit, want_households[unit]),
                  row.get("households") == str(want_households[unit]), row)
            check("%s: unit %s counts %d without safe water" % (label, unit, want_water[unit]),
                  row.get("water") == str(want_water[unit]), row)
            check("%s: unit %s: no other deficit of the house" % (label, unit),
                  row.get("housing_quality") == "0" and row.get("sanitation") == "0", row)
        total = s.get("*", {})
        check("%s: the total row adds them" % label,
              total.get("water") == str(sum(want_water.values())) and total.get("households") == str(k), total)

failed = results.count(False)
print("%d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
