#!/usr/bin/env python3
"""The CLI's help in Vietnamese (the default) and in English (--lang en):
the overview, every command's help and the review's subcommands. Both
languages come from the same table rows (src/cli/commands.c,
src/cli/cmd_review.c), so the check is that they say the same thing: the
same commands, the same options and subcommands on every help page, each
line translated (not left in English), and the usage line unchanged.

Usage: help_vi.py PATH/TO/gnbv
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from checks import check, results  # noqa: E402

GNBV = sys.argv[1]
VIET = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)


def out(*args):
    p = subprocess.run([GNBV] + list(args), capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def options(text):
    """What a help page names: options, and the words that start its lines."""
    return (set(re.findall(r"--[a-z][a-z-]*", text)),
            set(re.findall(r"^  ([a-z][a-z-]*)(?: [A-Z.]+)? {2,}", text, re.M)))


rc_vi, vi = out("help")
rc_en, en = out("--lang", "en", "help")
check("help answers in both languages", rc_vi == 0 and rc_en == 0, (rc_vi, rc_en))
check("the overview is Vietnamese by default",
      vi.startswith("gnbv - Chương trình mục tiêu quốc gia giảm nghèo bền vững")
      and "cách dùng: gnbv [--db PATH] [--lang vi|en] LỆNH" in vi, vi[:300])
check("... and English with --lang en", en.startswith("gnbv - the National Target Program"), en[:200])
names_vi = re.findall(r"^  ([a-z]+) ", vi, re.M)
names_en = re.findall(r"^  ([a-z]+) ", en, re.M)
check("the same commands in both", names_vi == names_en and len(names_en) >= 10, (names_vi, names_en))
check("... each summary translated",
      all(VIET.search(l) for l in vi.splitlines() if re.match(r"^  [a-z]+ ", l)), vi)

for name in names_en:
    rv, hv = out("help", name)
    re_, he = out("--lang", "en", "help", name)
    check("help %s answers" % name, rv == 0 and re_ == 0, (rv, re_))
    uv, ue = hv.splitlines()[0], he.splitlines()[0]
    check("help %s: the usage line is the same" % name,
          uv.startswith("cách dùng: gnbv %s" % name) and ue.startswith("usage: gnbv %s" % name)
          and uv[len("cách dùng: "):] == ue[len("usage: "):], (uv, ue))
    check("help %s: the same options and subcommands" % name, options(hv) == options(he),
          (options(hv), options(he)))
    body_vi = [l for l in hv.splitlines()[1:] if l.strip()]
    body_en = [l for l in he.splitlines()[1:] if l.strip()]
    check("help %s: every line translated" % name,
          len(body_vi) == len(body_en)
          and all(a != b or not re.search(r"[a-z]{4,} [a-z]{4,}", re.sub(r"--[a-z][a-z-]*(?: \S+)?", "", b))
                  for a, b in zip(body_vi, body_en)),
          list(zip(body_vi, body_en)))
    check("help %s: the summary is Vietnamese" % name, bool(body_vi) and bool(VIET.search(body_vi[0])),
          body_vi[:1])

# --help after a command: that command's help, in the language asked for
rc, h = out("classify", "--help")
check("classify --help is its help in Vietnamese", rc == 0 and h.startswith("cách dùng: gnbv classify"), h[:200])
rc, h = out("--lang", "en", "classify", "--help")
check("... and in English", rc == 0 and h.startswith("usage: gnbv classify"), h[:200])

# the review's subcommands
rv, hv = out("review", "help")
re_, he = out("--lang", "en", "review", "help")
check("review help answers in both", rv == 0 and re_ == 0, (rv, re_))
subs_vi = re.findall(r"^  ([a-z]+) {2,}\S", hv, re.M)
subs_en = re.findall(r"^  ([a-z]+) {2,}\S", he, re.M)
check("review: the same subcommands", subs_vi == subs_en and len(subs_en) >= 20, (subs_vi, subs_en))
check("review: the same options", options(hv)[0] == options(he)[0], (options(hv)[0], options(he)[0]))
lines_vi = [l for l in hv.splitlines() if re.match(r"^  [a-z]+ {2,}\S", l)]
check("review: every subcommand's line is Vietnamese", all(VIET.search(l) for l in lines_vi), lines_vi)
check("review: usage in Vietnamese", hv.startswith("cách dùng: gnbv [--db PATH] review"), hv[:100])

print("%d/%d checks passed" % (sum(results), len(results)))
sys.exit(0 if all(results) else 1)
