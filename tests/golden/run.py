#!/usr/bin/env python3
"""Golden-case driver for `gnbv classify` (Python 3 standard library only).

Usage: python3 tests/golden/run.py PATH/TO/gnbv tests/golden/classify [--filter SUBSTR] [--keep]

Each *.case file holds one case:

    # comment lines (before the first section); the first names the rule
    as_of: YYYY-MM-DD                 required
    standard: vn-2022-2026            optional: passed as --standard
    args: --explain --lang en         optional: extra arguments (shell-like split)
    input_eol: crlf                   optional: write the two input files with CRLF
    [households.csv]
    ...input...
    [members.csv]
    ...input...
    [assessments.csv]
    ...expected output...
    [summary.csv]                     optional
    [workers.csv]                     optional

A section runs to the next section line or the end of the file; trailing empty lines
are dropped and every line ends with LF (CRLF for inputs when input_eol is crlf).
Expected outputs are compared byte for byte, except that in a `reason` column a cell
holding exactly `*` accepts any non-empty text.  Every case runs twice: as written,
then with the data records of members.csv shuffled (fixed seed, header first); both
runs must give the same expected outputs. A third run rotates the columns of both
inputs (the first column moved to the end), so that the row parsers' path for any
column order is checked on every case as well as the path for the order that
`gnbv gen` writes.
"""
import argparse
import csv
import difflib
import io
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

INPUTS = ("households.csv", "members.csv")
OUTPUTS = ("assessments.csv", "summary.csv", "workers.csv")
SECTION_RE = re.compile(r"^\[([a-z_]+\.csv)\]$")
SEED = 20251001


class CaseError(Exception):
    pass


def parse_case(path):
    with open(path, "r", encoding="utf-8", newline="") as f:
        text = f.read()
    if "\r" in text:
        raise CaseError("case file must use LF line ends")
    meta, sections, current = {}, {}, None
    for lineno, line in enumerate(text.split("\n"), 1):
        m = SECTION_RE.match(line)
        if m:
            current = m.group(1)
            if current not in INPUTS + OUTPUTS:
                raise CaseError(f"{path}:{lineno}: unknown section [{current}]")
            if current in sections:
                raise CaseError(f"{path}:{lineno}: duplicate section [{current}]")
            sections[current] = []
            continue
        if current is None:
            if line.startswith("#") or not line.strip():
                continue
            key, sep, value = line.partition(":")
            if not sep:
                raise CaseError(f"{path}:{lineno}: expected 'key: value'")
            meta[key.strip()] = value.strip()
        else:
            sections[current].append(line)
    for name in list(sections):
        lines = sections[name]
        while lines and lines[-1] == "":
            lines.pop()
        sections[name] = "".join(l + "\n" for l in lines)
    for need in ("as_of",):
        if need not in meta:
            raise CaseError(f"{path}: missing '{need}:'")
    for need in INPUTS + ("assessments.csv",):
        if need not in sections:
            raise CaseError(f"{path}: missing section [{need}]")
    unknown = set(meta) - {"as_of", "standard", "args", "input_eol"}
    if unknown:
        raise CaseError(f"{path}: unknown keys {sorted(unknown)}")
    return meta, sections


def split_records(text):
    """Split CSV text (LF) into records, keeping quoted line breaks inside a record."""
    records, cur, in_quotes = [], [], False
    for line in text.split("\n"):
        cur.append(line)
        if line.count('"') % 2:
            in_quotes = not in_quotes
        if not in_quotes:
            records.append("\n".join(cur))
            cur = []
    if cur:
        records.append("\n".join(cur))
    while records and records[-1] == "":
        records.pop()
    return records


def shuffled_members(text):
    recs = split_records(text)
    header, body = recs[:1], recs[1:]
    if len(body) > 1:
        rng = random.Random(SEED)
        orig = list(body)
        rng.shuffle(body)
        if body == orig:
            body.reverse()
    return "".join(r + "\n" for r in header + body)


def rotated_columns(text):
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    rows = list(csv.reader(io.StringIO(text[len(bom):], newline="")))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    for r in rows:
        w.writerow(r[1:] + r[:1])
    return bom + out.getvalue()


def to_eol(text, eol):
    return text if eol == "\n" else text.replace("\n", eol)


def has_star_reason(expected):
    rows = list(csv.reader(io.StringIO(expected, newline="")))
    return bool(rows) and rows[0] and rows[0][-1] == "reason" and any(
        len(r) == len(rows[0]) and r[-1] == "*" for r in rows[1:])


def compare(name, expected, actual_bytes):
    """Return None when equal, else a printable explanation."""
    try:
        actual = actual_bytes.decode("utf-8")
    except UnicodeDecodeError as e:
        return f"{name}: output is not UTF-8 ({e})"
    if not has_star_reason(expected):
        if actual == expected:
            return None
        return "".join(difflib.unified_diff(
            expected.splitlines(True), actual.splitlines(True),
            f"expected/{name}", f"actual/{name}"))
    # Reason cells marked `*`: structural comparison, plus the byte-level rules.
    problems = []
    if actual.startswith("\ufeff"):
        problems.append("output starts with a BOM")
    if "\r" in actual:
        problems.append("output contains CR")
    if actual and not actual.endswith("\n"):
        problems.append("output does not end with LF")
    exp_rows = list(csv.reader(io.StringIO(expected, newline="")))
    act_rows = list(csv.reader(io.StringIO(actual, newline="")))
    if len(exp_rows) != len(act_rows):
        problems.append(f"{len(act_rows)} rows, expected {len(exp_rows)}")
    ri = len(exp_rows[0]) - 1
    for i, (e, a) in enumerate(zip(exp_rows, act_rows), 1):
        if len(e) != len(a):
            problems.append(f"row {i}: {len(a)} fields, expected {len(e)}: {a!r}")
            continue
        for j, (ec, ac) in enumerate(zip(e, a)):
            if i > 1 and j == ri and ec == "*":
                if ac == "":
                    problems.append(f"row {i}: empty reason")
            elif ec != ac:
                problems.append(f"row {i} column {exp_rows[0][j]!r}: got {ac!r}, expected {ec!r}")
    if not problems:
        return None
    return f"{name}:\n  " + "\n  ".join(problems) + "\n--- actual ---\n" + actual


def run_once(gnbv, meta, hh, mm, expected, workdir, label):
    if os.path.exists(workdir):
        shutil.rmtree(workdir)
    indir, outdir = os.path.join(workdir, "in"), os.path.join(workdir, "out")
    os.makedirs(indir)
    os.makedirs(outdir)
    eol = "\r\n" if meta.get("input_eol", "").lower() == "crlf" else "\n"
    hpath, mpath = os.path.join(indir, "households.csv"), os.path.join(indir, "members.csv")
    with open(hpath, "wb") as f:
        f.write(to_eol(hh, eol).encode("utf-8"))
    with open(mpath, "wb") as f:
        f.write(to_eol(mm, eol).encode("utf-8"))
    cmd = [gnbv, "classify", hpath, mpath, "--as-of", meta["as_of"]]
    if meta.get("standard"):
        cmd += ["--standard", meta["standard"]]
    cmd += shlex.split(meta.get("args", ""))
    cmd += ["--out", outdir]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return [f"[{label}] timed out: {' '.join(cmd)}"]
    if p.returncode != 0:
        return [f"[{label}] exit {p.returncode}: {' '.join(cmd)}\n"
                + p.stderr.decode("utf-8", "replace")]
    fails = []
    for name in OUTPUTS:
        if name not in expected:
            continue
        path = os.path.join(outdir, name)
        if not os.path.exists(path):
            fails.append(f"[{label}] {name} was not written")
            continue
        with open(path, "rb") as f:
            diff = compare(name, expected[name], f.read())
        if diff:
            fails.append(f"[{label}] {diff}")
    return fails


def main():
    ap = argparse.ArgumentParser(description="run gnbv classify golden cases")
    ap.add_argument("gnbv")
    ap.add_argument("casedir")
    ap.add_argument("--filter", default="")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = ap.parse_args()
    gnbv = os.path.abspath(a.gnbv)
    files = sorted(f for f in os.listdir(a.casedir) if f.endswith(".case") and a.filter in f)
    tmp = tempfile.mkdtemp(prefix="gnbv-golden-")
    passed = failed = 0
    try:
        for n, fname in enumerate(files, 1):
            name = fname[:-len(".case")]
            try:
                meta, sec = parse_case(os.path.join(a.casedir, fname))
            except CaseError as e:
                print(f"FAIL {n} {name}\n  bad case file: {e}")
                failed += 1
                continue
            expected = {k: v for k, v in sec.items() if k in OUTPUTS}
            hh, mm = sec["households.csv"], sec["members.csv"]
            fails = run_once(gnbv, meta, hh, mm, expected, os.path.join(tmp, name), "as written")
            if not fails:
                fails = run_once(gnbv, meta, hh, shuffled_members(mm), expected,
                                 os.path.join(tmp, name + ".shuffled"), "members shuffled")
            if not fails:
                fails = run_once(gnbv, meta, rotated_columns(hh), rotated_columns(mm), expected,
                                 os.path.join(tmp, name + ".rotated"), "columns rotated")
            if fails:
                failed += 1
                print(f"FAIL {n} {name}")
                for f in fails:
                    print("  " + f.rstrip("\n").replace("\n", "\n  "))
            else:
                passed += 1
                print(f"ok {n} {name}")
    finally:
        if a.keep:
            print(f"# kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
