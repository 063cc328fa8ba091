#!/usr/bin/env python3
"""The seed's plan as data (data/demo/ha-quang-plan-2023.json) against the
program structure (data/programs/gnbv-2021-2025.json): every line names a
known component, capital type, source and stage, every capital type is one
its component may use, and the totals product.md quotes from the seed come
out of the lines exactly (2022: 84,249 = ĐTPT 71,283 + SN 12,966; 2023:
133,086 = ĐTPT 73,913 + SN 59,173, plus 375 mobilised). The document's own
stated totals are compared with the lines they cover, so the fixture that
`plan check` uses is itself checked, independently of gnbv's code (the same
figures through gnbv are tests/cli/plan_cli.py). It takes the gnbv path for
symmetry and ignores it.
"""
import json
import os
import sys

ROOT = os.environ.get("GNBV_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
plan = json.load(open(os.path.join(ROOT, "data/demo/ha-quang-plan-2023.json"), encoding="utf-8"))
prog = json.load(open(os.path.join(ROOT, "data/programs/gnbv-2021-2025.json"), encoding="utf-8"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from checks import check, results  # noqa: E402


def codes(items):
    return {i["code"] if isinstance(i, dict) else i for i in items}


components = {}
for p in prog["projects"]:
    components[p["code"]] = p
    for sp in p.get("sub_projects", []):
        components[sp["code"]] = sp
capital = codes(prog["capital_types"])
sources = codes(prog["fund_sources"])
stages = codes(prog["stages"])
check("7 projects", len(prog["projects"]) == 7, len(prog["projects"]))

lines = plan["sections"]["A"]["lines"] + plan["sections"]["B"]["lines"]
for ln in lines:
    c = ln.get("component")
    if c is not None:
        check("%s: known component %s" % (ln["id"], c), c in components)
        allowed = components.get(c, {}).get("capital_types", {})
        allowed = allowed.get("value", allowed) if isinstance(allowed, dict) else allowed
        if ln.get("capital_type") and allowed:
            check("%s: %s allowed for %s" % (ln["id"], ln["capital_type"], c), ln["capital_type"] in allowed, allowed)
    if ln.get("capital_type"):
        check("%s: known capital type" % ln["id"], ln["capital_type"] in capital, ln["capital_type"])
    check("%s: known source" % ln["id"], ln["source"] in sources, ln["source"])
    check("%s: known stage" % ln["id"], ln["stage"] in stages, ln["stage"])
    check("%s: whole VND" % ln["id"], isinstance(ln["amount_vnd"], int) or ln.get("derived"), ln["amount_vnd"])


def total(**f):
    s = 0
    for ln in lines:
        if all(ln.get(k) == v for k, v in f.items()):
            s += ln["amount_vnd"]
    return s


M = 1000000
check("2022 allocated ĐTPT 71,283", total(year=2022, stage="allocated", capital_type="DTPT") == 71283 * M)
check("2022 allocated SN 12,966", total(year=2022, stage="allocated", capital_type="SN") == 12966 * M)
check("2022 allocated central 84,249",
      total(year=2022, stage="allocated", source="central_budget") == 84249 * M)
check("2023 proposed ĐTPT 73,913", total(year=2023, stage="proposed", capital_type="DTPT") == 73913 * M)
check("2023 proposed SN 59,173", total(year=2023, stage="proposed", capital_type="SN") == 59173 * M)
check("2023 mobilised 375", total(year=2023, stage="proposed", source="mobilised") == 375 * M)

for sec in "AB":
    for st in plan["sections"][sec].get("stated_totals", []):
        f = dict(st["filter"])
        src_in = f.pop("source_in", None)
        prefix = f.pop("component_prefix", None)
        ids = f.pop("line_ids", None)
        s = sum(ln["amount_vnd"] for ln in lines
                if all(ln.get(k) == v for k, v in f.items())
                and (src_in is None or ln.get("source") in src_in)
                and (prefix is None or (ln.get("component") or "").startswith(prefix))
                and (ids is None or ln["id"] in ids))
        check("stated total %s (%s) equals its lines" % (st["id"], st["what"]), s == st["amount_vnd"],
              "%d vs %d" % (s, st["amount_vnd"]))

failed = results.count(False)
print("%d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
