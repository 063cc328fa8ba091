#!/usr/bin/env python3
"""End-to-end: an empty `area` is resolved from the unit (built-in units of
the seed's district, or --units FILE; villages inherit their commune's area),
and a household whose area cannot be resolved is an input error naming the
file, line and column.

Usage: units_area.py PATH/TO/gnbv
"""
import os
import subprocess
import sys
import tempfile

GNBV = sys.argv[1]
# Below the line with the other inputs unknown: poor, near-poor or undecided, never average.
BELOW = ("near_poor", "poor", "incomplete")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from checks import check, results  # noqa: E402


H = "household_id,unit_code,area,income_month\n"
M = "household_id,member_no,birth_date\n"


def run(d, households, members, *extra):
    h = os.path.join(d, "households.csv")
    m = os.path.join(d, "members.csv")
    open(h, "w").write(households)
    open(m, "w").write(members)
    out = os.path.join(d, "out")
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        os.unlink(os.path.join(out, f))
    p = subprocess.run([GNBV, "classify", h, m, "--as-of", "2025-10-01", "--out", out, *extra],
                       capture_output=True, text=True)
    rows = {}
    if p.returncode == 0:
        for line in open(os.path.join(out, "assessments.csv")).read().splitlines()[1:]:
            f = line.split(",")
            rows[f[0]] = f[3]
    return p, rows


with tempfile.TemporaryDirectory() as d:
    # 1,800,000 VND: above the rural line (1.5 M), below the urban one (2.0 M).
    # 01392 is the town (thị trấn) Xuân Hòa: urban; 01366 the commune Cần Yên: rural.
    p, rows = run(d, H + "T1,01392,,1800000\nT2,01392-01,,1800000\nC1,01366-01,,1800000\nG1,01366-01,urban,1800000\n",
                  M + "T1,1,1980\nT2,1,1980\nC1,1,1980\nG1,1,1980\n")
    check("built-in units resolve areas", p.returncode == 0, p.stderr)
    check("town household is urban (below the 2.0 M urban line)", rows.get("T1") in BELOW, str(rows))
    check("village of a town inherits urban", rows.get("T2") in BELOW, str(rows))
    check("village of a commune inherits rural (above 1.5 M)", rows.get("C1") == "average", str(rows))
    check("a given area wins over the unit's", rows.get("G1") in BELOW, str(rows))

    p, rows = run(d, H + "A,01366-01,,1000000\nB,99999-01,,1000000\n", M + "A,1,1980\nB,1,1980\n")
    err = [l for l in p.stderr.splitlines() if "error:" in l]
    check("unknown unit with empty area is an error", p.returncode == 1, p.stderr)
    check("the error names line 3 and column 'area', in Vietnamese",
          len(err) == 1 and "households.csv:3:3: cột 'area': ô area để trống mà chưa biết khu vực của đơn vị "
          "'99999-01'" in err[0], p.stderr)
    check("no output after the error", os.listdir(os.path.join(d, "out")) == [])

    units = os.path.join(d, "units.csv")
    open(units, "w").write("code,name,level,parent_code,area\n88,Tỉnh Thử,province,,\n88001,Phường Một,commune,88,urban\n"
                           "88001-01,Tổ 1,village,88001,\n")
    p, rows = run(d, H + "U,88001-01,,1800000\n", M + "U,1,1980\n", "--units", units)
    check("--units FILE resolves a village through its commune", p.returncode == 0 and rows.get("U") in BELOW,
          p.stderr + str(rows))

failed = results.count(False)
print("%d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
