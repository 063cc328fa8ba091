#!/usr/bin/env python3
"""`gnbv standards` (Python 3 standard library only).

Usage: python3 tests/cli/standards_cli.py PATH/TO/gnbv     (ctest sets GNBV_SOURCE_DIR)

- The list names every built-in standard with its validity, its number of
  indicators and its title, in Vietnamese ("12 chỉ số", the Vietnamese title),
  and in English with `gnbv --lang en` ("12 indicators", the English title); the
  titles and dates are the data files' own (data/standards/*.json).
- `gnbv standards NAME` prints the data file byte for byte; an unknown name is
  an error naming it (exit 1).
"""
import json
import os
import subprocess
import sys

GNBV = os.path.abspath(sys.argv[1])
ROOT = os.environ.get("GNBV_SOURCE_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from checks import check, results  # noqa: E402


def run(*args):
    return subprocess.run([GNBV, *args], capture_output=True, timeout=60)


def line(name, en):
    """The list's line for data/standards/NAME.json, built from the file itself."""
    s = json.load(open(os.path.join(ROOT, "data", "standards", name + ".json"), encoding="utf-8"))
    n = len(s["indicators"])
    return "%-14s %s..%s  %d %s  %s" % (name, s["applies"]["from"], s["applies"]["to"], n,
                                         "indicators" if en else "chỉ số", s["title"]["en" if en else "vi"])


names = ("vn-2022-2026", "vn-2027-2030")
p = run("standards")
out = p.stdout.decode("utf-8")
check("the list, in Vietnamese", p.returncode == 0 and out == "".join(line(n, False) + "\n" for n in names), out)
p = run("--lang", "en", "standards")
out = p.stdout.decode("utf-8")
check("the list, in English with --lang en", p.returncode == 0 and out == "".join(line(n, True) + "\n" for n in names),
      out)
p = run("standards", "vn-2027-2030")
want = open(os.path.join(ROOT, "data", "standards", "vn-2027-2030.json"), "rb").read()
check("one standard's data file, byte for byte", p.returncode == 0 and p.stdout == want, p.stderr)
p = run("standards", "vn-1999")
check("an unknown standard: exit 1, named", p.returncode == 1 and b"vn-1999" in p.stderr, p.stderr)

print("%d checks, %d failed" % (len(results), results.count(False)))
sys.exit(0 if all(results) else 1)
