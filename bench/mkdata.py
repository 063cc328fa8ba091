#!/usr/bin/env python3
"""mkdata.py - test inputs for bench/classify without `gnbv gen`: the golden cases'
households and members (tests/golden/classify/*.case), copied N times under new ids,
with a share of the cells rewritten at random to other valid spellings (yes/có/Không,
spaces around values, decimal commas, year-only dates, empty = unknown, empty area with
a village code of data/units/ha-quang.csv, ...). Seeded and reproducible. For
differential checks of bench/classify_duckdb.js against gnbv (both must agree on any
valid input), not for timings: use `gnbv gen` data for those.

Usage: python3 bench/mkdata.py OUTDIR --households N [--seed 1] [--mutate 0.3] [--shuffle-members]
Writes OUTDIR/households.csv and OUTDIR/members.csv (members grouped in household
order unless --shuffle-members).
"""
import argparse
import csv
import glob
import io
import os
import random
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECTION_RE = re.compile(r"^\[([a-z_]+\.csv)\]$")

H_COLS = ["household_id", "unit_code", "area", "income_month", "income_score", "floor_durable",
          "walls_durable", "roof_durable", "living_area_m2", "water_safe", "toilet_hygienic",
          "waste_treated", "devices"]
M_COLS = ["household_id", "member_no", "name", "sex", "birth_date", "relation", "ethnicity",
          "able_to_work", "work", "health_insurance", "stunted", "underweight", "in_school",
          "school_level", "uses_internet", "social_allowance"]
H_BOOL = ["floor_durable", "walls_durable", "roof_durable", "water_safe", "toilet_hygienic", "waste_treated"]
M_BOOL = ["able_to_work", "health_insurance", "stunted", "underweight", "in_school", "uses_internet",
          "social_allowance"]
TRUE_WORDS = ["1", "yes", "YES", "Yes", "có", "Có", "CÓ"]
FALSE_WORDS = ["0", "no", "No", "NO", "không", "Không", "KHÔNG"]
WORK = ["contract", "no_contract", "self", "unemployed", "student", "none"]
LEVELS = ["none", "preschool", "primary", "lower_secondary", "upper_secondary", "vocational",
          "college", "university"]
DEVICES = ["tv", "radio", "computer", "phone", "smartphone"]


def read_sections(path):
    sections, cur = {}, None
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    for line in text.split("\n"):
        m = SECTION_RE.match(line)
        if m:
            cur = m.group(1)
            sections[cur] = []
        elif cur:
            sections[cur].append(line)
    return {k: "\n".join(v).strip("\n") + "\n" for k, v in sections.items()}


def load_cases():
    cases = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests/golden/classify/*.case"))):
        s = read_sections(path)
        hh = list(csv.DictReader(io.StringIO(s["households.csv"])))
        mm = list(csv.DictReader(io.StringIO(s["members.csv"])))
        cases.append((hh, mm))
    return cases


def villages():
    out = []
    with open(os.path.join(ROOT, "data/units/ha-quang.csv"), encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["level"] in ("village", "commune") and not r["area"] or r["level"] == "commune":
                out.append(r["code"])
    return out


def pad(rng, v):
    r = rng.random()
    if r < 0.05:
        return " " + v
    if r < 0.10:
        return v + "\t"
    return v


def rand_bool(rng):
    r = rng.random()
    if r < 0.1:
        return ""
    return rng.choice(TRUE_WORDS if rng.random() < 0.5 else FALSE_WORDS)


def rand_date(rng):
    y = rng.randint(1930, 2026)
    r = rng.random()
    if r < 0.08:
        return ""
    if r < 0.2:
        return str(y)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28) if rng.random() < 0.9 else {2: 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28}.get(m, 30)
    return f"{y:04d}-{m:02d}-{d:02d}"


def rand_dec(rng, lo, hi):
    v = rng.uniform(lo, hi)
    r = rng.random()
    if r < 0.3:
        return str(int(v))
    s = f"{v:.{rng.randint(1, 3)}f}"
    if rng.random() < 0.3:
        s = s.replace(".", ",")
    return s


def mutate_household(rng, h, vill):
    col = rng.choice(H_COLS[2:] + ["unit_code"])
    if col == "unit_code":
        h["unit_code"] = rng.choice(vill)
        h["area"] = "" if rng.random() < 0.7 else rng.choice(["rural", "urban", "Rural", "URBAN", "nông thôn", "thành thị"])
    elif col == "area":
        h["area"] = rng.choice(["rural", "urban", "Rural", "nông thôn", "thành thị", ""])
        if not h["area"]:
            h["unit_code"] = rng.choice(vill)
    elif col == "income_month":
        h[col] = rng.choice(["", str(rng.randint(0, 4000000)), "1500000", "2000000", "2250000", "3000000",
                             "1500001", "2000001", "2250001", "3000001", "0"])
    elif col == "income_score":
        h[col] = rng.choice(["", rand_dec(rng, 50, 250), "140", "175", "140,0", "175.5", "139.9"])
    elif col in H_BOOL:
        h[col] = rand_bool(rng)
    elif col == "living_area_m2":
        h[col] = rng.choice(["", rand_dec(rng, 0, 120), "8", "16", "24", "32"])
    elif col == "devices":
        k = rng.randint(0, 3)
        devs = [rng.choice(DEVICES + [d.upper() for d in DEVICES]) for _ in range(k)]
        sep = rng.choice([";", "; ", " ;"])
        h[col] = sep.join(devs)
    if col != "area" and col != "unit_code":
        h[col] = pad(rng, h[col]) if h[col] else h[col]


def mutate_member(rng, m):
    col = rng.choice(M_COLS[3:])
    if col == "sex":
        m[col] = rng.choice(["M", "F", "m", "f", "", "nam", "nữ", "Nữ", "NAM"])
    elif col == "birth_date":
        m[col] = rand_date(rng)
    elif col in M_BOOL:
        m[col] = rand_bool(rng)
    elif col == "work":
        m[col] = rng.choice(WORK + ["", "Unemployed", "NO_CONTRACT"])
    elif col == "school_level":
        m[col] = rng.choice(LEVELS + ["", "University", "LOWER_SECONDARY"])
    elif col == "relation":
        m[col] = rng.choice(["head", "spouse", "child", "parent", "grandchild", "other", "", "Child"])
    elif col == "name":
        m[col] = rng.choice(["Nông Văn A", 'Hà "Tám", Văn', "Lý\nThị B", ""])
    if col not in ("name",) and m[col]:
        m[col] = pad(rng, m[col])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--households", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mutate", type=float, default=0.3)
    ap.add_argument("--shuffle-members", action="store_true")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    cases = load_cases()
    vill = villages()
    os.makedirs(a.out, exist_ok=True)
    hf = open(os.path.join(a.out, "households.csv"), "w", encoding="utf-8", newline="")
    mf = open(os.path.join(a.out, "members.csv"), "w", encoding="utf-8", newline="")
    hw = csv.DictWriter(hf, H_COLS, lineterminator="\n", extrasaction="ignore")
    mw = csv.DictWriter(mf, M_COLS, lineterminator="\n", extrasaction="ignore")
    hw.writeheader()
    mw.writeheader()
    members_out = []
    n = 0
    k = 0
    while n < a.households:
        for hh, mm in cases:
            by_h = {}
            for m in mm:
                by_h.setdefault(m["household_id"], []).append(m)
            for h in hh:
                if n >= a.households:
                    break
                ms = by_h.get(h["household_id"])
                if not ms:
                    continue
                h = {c: (h.get(c) or "") for c in H_COLS}
                new_id = f"{h['household_id'].strip()}~{k}"
                h["household_id"] = new_id
                while rng.random() < a.mutate:
                    mutate_household(rng, h, vill)
                hw.writerow(h)
                for m in ms:
                    m = {c: (m.get(c) or "") for c in M_COLS}
                    m["household_id"] = new_id
                    while rng.random() < a.mutate:
                        mutate_member(rng, m)
                    if a.shuffle_members:
                        members_out.append(m)
                    else:
                        mw.writerow(m)
                n += 1
        k += 1
    if a.shuffle_members:
        rng.shuffle(members_out)
        for m in members_out:
            mw.writerow(m)
    hf.close()
    mf.close()


if __name__ == "__main__":
    main()
