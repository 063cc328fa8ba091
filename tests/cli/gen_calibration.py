#!/usr/bin/env python3
"""Calibration and contract checks for `gnbv gen` (Python 3 standard library only).

Usage: python3 tests/cli/gen_calibration.py PATH/TO/gnbv     (ctest sets GNBV_SOURCE_DIR)

For each profile it generates a round with a fixed seed, classifies it with the engine
(`gnbv classify --as-of 2021-10-01 --standard vn-2022-2026`: the 2021 review round,
assessed under the 2022-2026 standard, domain.md §1.7) and checks the summary's `*` row
against the profile's targets (src/gen/profiles.c, docs/gen.md): poor rate within 1 point,
near-poor within 2 points, mean household size within 0.2, every class and every indicator
present. Then the files themselves: the exchange-format columns, NFC names, members grouped
in household order, households in unit order, unique ids, a small share of empty cells,
both income columns used, reproducibility (same seed: same bytes; other seed: other bytes),
and that classify with its default options reads the output. One line per check, then
exactly `N passed, M failed`; exit status 1 on any failure.
"""
import csv
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from numfmt import num  # noqa: E402

# The profiles' targets, as in src/gen/profiles.c (sources in docs/gen.md).
PROFILES = {
    "poor-district": {"households": 20000, "poor": 39.59, "near_poor": 8.0, "size": 4.2},
    "nation": {"households": 50000, "poor": 4.03, "near_poor": 3.5, "size": 3.6},
}
SEED = 20211001
CLASSES = ("poor", "near_poor", "average", "not_poor", "incomplete")
INDICATORS = ("employment", "dependants", "nutrition", "health_insurance", "adult_education",
              "child_schooling", "housing_quality", "housing_area", "water", "sanitation",
              "telecom", "info_devices")
HOUSEHOLD_COLUMNS = ("household_id,unit_code,area,income_month,income_score,floor_durable,"
                     "walls_durable,roof_durable,living_area_m2,water_safe,toilet_hygienic,"
                     "waste_treated,devices").split(",")
MEMBER_COLUMNS = ("household_id,member_no,name,sex,birth_date,relation,ethnicity,able_to_work,"
                  "work,health_insurance,stunted,underweight,in_school,school_level,"
                  "uses_internet,social_allowance").split(",")
# Northern midlands and mountains, 2022 (domain.md §4): the nation's regional spread.
NMM_PROVINCES = {"02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "24", "25"}
NMM_POOR = 14.23

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def gen(gnbv, profile, households, seed, out, lang=None):
    return run([gnbv, *(["--lang", lang] if lang else []), "gen", "--households", str(households),
                "--profile", profile, "--seed", str(seed), "--out", out])


def gen_said(err, households, members, out, en=False):
    """gen's line on stderr: counts in the language's format, sizes in MB with one decimal."""
    group, decimal = (",", r"\.") if en else (r"\.", ",")
    units = r"\d{1,3}(%s\d{3})*" % group
    mb = r"%s(%s\d)? MB" % (units, decimal)
    words = ("households", "members in", "units") if en else ("hộ", "thành viên trong", "đơn vị")
    return re.fullmatch(r"gnbv: gen: %s %s, %s %s %s %s -> %s \(households\.csv %s, members\.csv %s\)\n"
                        % (re.escape(num(households, en)), words[0], re.escape(num(members, en)), words[1],
                           units, words[2], re.escape(out), mb, mb), err) is not None


def classify(gnbv, d, out, *extra):
    os.makedirs(out, exist_ok=True)
    return run([gnbv, "classify", os.path.join(d, "households.csv"),
                os.path.join(d, "members.csv"), "--out", out, *extra])


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r)
        return header, list(r)


def summary_rows(out):
    with open(os.path.join(out, "summary.csv"), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def check_profile(gnbv, tmp, profile, t):
    n = t["households"]
    d = os.path.join(tmp, profile)
    r = gen(gnbv, profile, n, SEED, d)
    check(f"{profile}: gen exits 0", r.returncode == 0, r.stderr.strip())
    if r.returncode:
        return
    gen_err = r.stderr
    out = os.path.join(tmp, profile + "-classified")
    r = classify(gnbv, d, out, "--as-of", "2021-10-01", "--standard", "vn-2022-2026")
    check(f"{profile}: classify exits 0", r.returncode == 0, r.stderr.strip())
    if r.returncode:
        return
    check(f"{profile}: classify prints no warning", "warning" not in r.stderr, r.stderr.strip())
    rows = summary_rows(out)
    total = rows[-1]
    check(f"{profile}: summary ends with the * row", total["unit_code"] == "*", total["unit_code"])
    hh = int(total["households"])
    check(f"{profile}: {n} households classified", hh == n, str(hh))
    poor = 100.0 * int(total["poor"]) / hh
    near = 100.0 * int(total["near_poor"]) / hh
    size = int(total["members"]) / hh
    print(f"     {profile}: poor {poor:.2f}% (target {t['poor']}), near-poor {near:.2f}% "
          f"(target {t['near_poor']}), size {size:.3f} (target {t['size']}); "
          + ", ".join(f"{c} {total[c]}" for c in CLASSES))
    check(f"{profile}: poor rate within 1 point of {t['poor']}%", abs(poor - t["poor"]) <= 1.0,
          f"{poor:.2f}%")
    check(f"{profile}: near-poor rate within 2 points of {t['near_poor']}%",
          abs(near - t["near_poor"]) <= 2.0, f"{near:.2f}%")
    check(f"{profile}: mean household size within 0.2 of {t['size']}",
          abs(size - t["size"]) <= 0.2, f"{size:.3f}")
    for c in CLASSES:
        check(f"{profile}: class {c} occurs", int(total[c]) > 0, total[c])
    for i in INDICATORS:
        check(f"{profile}: indicator {i} occurs", int(total.get(i) or 0) > 0, str(total.get(i)))

    hh_header, households = read_csv(os.path.join(d, "households.csv"))
    m_header, members = read_csv(os.path.join(d, "members.csv"))
    check(f"{profile}: gen says what it wrote in Vietnamese ({num(n)} hộ, {num(len(members))} thành viên)",
          gen_said(gen_err, n, len(members), d), gen_err)
    check(f"{profile}: households.csv has the exchange-format columns",
          hh_header == HOUSEHOLD_COLUMNS, ",".join(hh_header))
    check(f"{profile}: members.csv has the exchange-format columns",
          m_header == MEMBER_COLUMNS, ",".join(m_header))
    ids = [h[0] for h in households]
    check(f"{profile}: household ids are unique", len(set(ids)) == len(ids))
    prefix = "HQ-" if profile == "poor-district" else "VN-"
    check(f"{profile}: ids look like {prefix}COMMUNE-NNNNNN",
          all(i.startswith(prefix) and i.rsplit("-", 1)[1].isdigit() for i in ids), ids[0])
    units = [h[1] for h in households]
    check(f"{profile}: households come in unit order",
          all(units[k].encode() <= units[k + 1].encode() for k in range(len(units) - 1)))
    # Members grouped in household order, numbered 1, 2, ... within each.
    seen, numbered, last, expect = [], True, None, 0
    for m in members:
        if m[0] != last:
            seen.append(m[0])
            last, expect = m[0], 1
        numbered &= m[1] == str(expect)
        expect += 1
    check(f"{profile}: members grouped in household order", seen == ids)
    check(f"{profile}: member numbers run 1, 2, ... in each household", numbered)
    names = [m[2] for m in members]
    check(f"{profile}: names are NFC UTF-8",
          all(unicodedata.is_normalized("NFC", s) for s in names))
    check(f"{profile}: names look Vietnamese (diacritics present)",
          sum(1 for s in names if any(ord(ch) > 127 for ch in s)) > len(names) // 2)
    eth = {m[6] for m in members} - {""}
    want_eth = {"Tày", "Nùng", "H'Mông", "Dao", "Kinh"}
    check(f"{profile}: ethnic groups include {', '.join(sorted(want_eth))}",
          want_eth <= eth, ", ".join(sorted(eth)))
    # Unknowns: a small share of empty cells, and both income columns used.
    cells_m = empty_m = 0
    for m in members:
        for k in (3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15):
            cells_m += 1
            empty_m += m[k] == ""
    share = 100.0 * empty_m / cells_m
    check(f"{profile}: 0.3-1.5% of member cells are empty", 0.3 <= share <= 1.5, f"{share:.2f}%")
    amount = sum(1 for h in households if h[3])
    score = sum(1 for h in households if h[4])
    neither = sum(1 for h in households if not h[3] and not h[4])
    check(f"{profile}: income_month for most households", amount > 0.8 * n, str(amount))
    check(f"{profile}: income_score for 5-20% of households", 0.05 * n <= score <= 0.2 * n, str(score))
    check(f"{profile}: a few households without income", 0 < neither < 0.02 * n, str(neither))

    # Reproducibility.
    again = os.path.join(tmp, profile + "-again")
    other = os.path.join(tmp, profile + "-other")
    r1, r2 = gen(gnbv, profile, n, SEED, again), gen(gnbv, profile, n, SEED + 1, other)
    same = r1.returncode == 0 and all(
        filecmp.cmp(os.path.join(d, f), os.path.join(again, f), shallow=False)
        for f in ("households.csv", "members.csv"))
    check(f"{profile}: same seed gives byte-identical files", same, r1.stderr.strip())
    differ = r2.returncode == 0 and all(
        not filecmp.cmp(os.path.join(d, f), os.path.join(other, f), shallow=False)
        for f in ("households.csv", "members.csv"))
    check(f"{profile}: another seed gives other files", differ, r2.stderr.strip())

    if profile == "poor-district":
        written = sum(1 for h in households if h[2])
        check(f"{profile}: area left empty for most households", written < 0.1 * n, str(written))
        # Default options: the standard in force on the date, the built-in units.
        r = classify(gnbv, d, os.path.join(tmp, "defaults"), "--as-of", "2022-01-01")
        check(f"{profile}: classify with default options reads it", r.returncode == 0,
              r.stderr.strip())
        towns = [row for row in rows if row["unit_code"][:5] in ("01363", "01392")]
        town_poor = sum(int(x["poor"]) for x in towns) / max(1, sum(int(x["households"]) for x in towns))
        check(f"{profile}: the towns (urban) are less poor than the district",
              0 < 100 * town_poor < poor, f"{100 * town_poor:.1f}%")
    else:
        upath = os.path.join(d, "units.csv")
        check(f"{profile}: units.csv written for the synthesised units", os.path.exists(upath))
        if not os.path.exists(upath):
            return
        with open(upath, newline="", encoding="utf-8") as f:
            units_rows = list(csv.DictReader(f))
        parent = {u["code"]: u["parent_code"] for u in units_rows}
        provinces = {u["code"] for u in units_rows if u["level"] == "province"}
        check(f"{profile}: 63 provinces", len(provinces) == 63, str(len(provinces)))

        def province(code):
            for _ in range(8):
                if code in provinces or not parent.get(code):
                    return code
                code = parent[code]
            return code

        nh = npoor = 0
        for row in rows[:-1]:
            if province(row["unit_code"]) in NMM_PROVINCES:
                nh += int(row["households"])
                npoor += int(row["poor"])
        nmm = 100.0 * npoor / max(1, nh)
        print(f"     {profile}: northern midlands and mountains {nmm:.2f}% poor ({nh} households)")
        check(f"{profile}: northern midlands and mountains within 2 points of {NMM_POOR}%",
              abs(nmm - NMM_POOR) <= 2.0, f"{nmm:.2f}%")
        r = classify(gnbv, d, os.path.join(tmp, "with-units"), "--as-of", "2021-10-01",
                     "--standard", "vn-2022-2026", "--units", upath)
        same_summary = r.returncode == 0 and filecmp.cmp(
            os.path.join(out, "summary.csv"), os.path.join(tmp, "with-units", "summary.csv"),
            shallow=False)
        check(f"{profile}: classify --units units.csv gives the same summary", same_summary,
              r.stderr.strip())


def main():
    if len(sys.argv) != 2:
        print("usage: gen_calibration.py PATH/TO/gnbv", file=sys.stderr)
        return 2
    gnbv = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="gnbv-gen-")
    try:
        for profile, t in PROFILES.items():
            check_profile(gnbv, tmp, profile, t)
        r = run([gnbv, "gen", "--households", "10", "--out", os.path.join(tmp, "x"),
                 "--profile", "atlantis"])
        check("unknown profile is a usage error (exit 2)", r.returncode == 2, r.stderr.strip())
        r = run([gnbv, "gen", "--households", "ten", "--out", os.path.join(tmp, "x")])
        check("non-numeric --households is a usage error (exit 2)", r.returncode == 2,
              r.stderr.strip())
        src = os.environ.get("GNBV_SOURCE_DIR")
        if src:
            # The same units from a file: the same households as the built-in ones.
            r1 = run([gnbv, "gen", "--households", "500", "--out", os.path.join(tmp, "file"),
                      "--units", os.path.join(src, "data", "units", "ha-quang.csv")])
            r2 = gen(gnbv, "poor-district", 500, 1, os.path.join(tmp, "builtin"), lang="en")
            with open(os.path.join(tmp, "builtin", "members.csv"), encoding="utf-8") as f:
                nm = sum(1 for _ in f) - 1
            check("gen says what it wrote in English with --lang en",
                  gen_said(r2.stderr, 500, nm, os.path.join(tmp, "builtin"), en=True), r2.stderr)
            same = r1.returncode == 0 and r2.returncode == 0 and filecmp.cmp(
                os.path.join(tmp, "file", "households.csv"),
                os.path.join(tmp, "builtin", "households.csv"), shallow=False)
            check("--units data/units/ha-quang.csv gives the built-in units' households", same,
                  (r1.stderr + r2.stderr).strip())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
