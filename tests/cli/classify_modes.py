#!/usr/bin/env python3
"""End-to-end: gnbv classify gives byte-identical outputs whether members are
read on one thread or two (GNBV_THREADS), in parts on two or three threads
(GNBV_CLASSIFY_PART cuts these small files into many), grouped (streaming)
or shuffled (indexed mode), over a file large enough to span many read
buffers and feed batches; and an error near the end of a large file leaves
no output behind.

Usage: classify_modes.py PATH/TO/gnbv
"""
import os
import random
import subprocess
import sys
import tempfile

GNBV = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from checks import check, results  # noqa: E402


def make_round(d, n):
    rnd = random.Random(7)
    hh = ["household_id,unit_code,area,income_month,income_score,floor_durable,walls_durable,"
          "roof_durable,living_area_m2,water_safe,toilet_hygienic,waste_treated,devices,deficit_water"]
    mm = ["household_id,member_no,name,sex,birth_date,relation,ethnicity,able_to_work,work,"
          "health_insurance,stunted,underweight,in_school,school_level,uses_internet,social_allowance"]
    works = ["contract", "no_contract", "self", "unemployed", "student", "none", ""]
    levels = ["none", "preschool", "primary", "lower_secondary", "upper_secondary",
              "vocational", "college", "university", ""]
    b = lambda: rnd.choice(["0", "1", "1", "1", ""])
    for i in range(n):
        hid = "HQ-%06d" % i
        unit = "%05d-%02d" % (1363 + 3 * (i % 21), 1 + i % 5)
        income = rnd.choice([str(rnd.randint(300000, 4000000)), "", str(rnd.randint(300000, 4000000))])
        score = rnd.choice(["", "", "", str(rnd.randint(80, 220))])
        area = rnd.choice(["rural", "urban", "rural"])
        devices = rnd.choice(["", "tv", "phone", "tv;smartphone", "radio;phone", "computer"])
        hh.append(",".join([hid, unit, area, income, score, b(), b(), b(),
                            rnd.choice(["12", "25.5", "\"30,5\"", "60", ""]), b(), b(), b(),
                            devices, rnd.choice(["", "", "", "0", "1"])]))
        for k in range(1, rnd.randint(1, 8) + 1):
            name = rnd.choice(["Nguyễn Văn An", "Hoàng Thị Lan", "Nông Đức Mạnh",
                               "\"Lục, Thị\"", "\"Bế\nVăn Ba\"", "Đàm \"\"Út\"\" Tư"])
            if '""' in name:
                name = '"' + name + '"'
            y = rnd.randint(1935, 2021)
            birth = rnd.choice(["%d-%02d-%02d" % (y, rnd.randint(1, 12), rnd.randint(1, 28)),
                                str(y), ""])
            mm.append(",".join([hid, str(k), name, rnd.choice(["M", "F", ""]), birth,
                                rnd.choice(["head", "spouse", "child", ""]), "Tày", b(),
                                rnd.choice(works), b(), b(), b(), b(), rnd.choice(levels),
                                b(), b()]))
    return hh, mm


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(rows) + "\n")


# Threads settings: one pass on one thread or two, and parts of 64 KiB of
# members.csv on two or three threads ("2p", "3p").
MODES = (1, 2, "2p", "3p")


def classify(d, h, m, out, threads):
    env = dict(os.environ, GNBV_THREADS=str(threads).rstrip("p"))
    if str(threads).endswith("p"):
        env["GNBV_CLASSIFY_PART"] = "65536"
    os.makedirs(out, exist_ok=True)
    p = subprocess.run([GNBV, "classify", h, m, "--as-of", "2025-10-01", "--out", out],
                       env=env, capture_output=True, text=True)
    return p


def read_outputs(out):
    return {f: open(os.path.join(out, f), "rb").read()
            for f in ("assessments.csv", "summary.csv", "workers.csv")}


with tempfile.TemporaryDirectory() as d:
    hh, mm = make_round(d, 30000)
    h = os.path.join(d, "households.csv")
    m = os.path.join(d, "members.csv")
    ms = os.path.join(d, "members_shuffled.csv")
    write(h, hh)
    write(m, mm)
    body = mm[1:]
    random.Random(3).shuffle(body)
    write(ms, [mm[0]] + body)

    runs = {}
    for label, mf, t in [("grouped-%s" % t, m, t) for t in MODES] + \
            [("shuffled-%s" % t, ms, t) for t in MODES]:
        p = classify(d, h, mf, os.path.join(d, label), t)
        check("classify %s exits 0" % label, p.returncode == 0, p.stderr)
        check("classify %s says what it did, in Vietnamese number format" % label,
              p.stdout.startswith("Đã phân loại 30.000 hộ (vn-2022-2026): nghèo "), p.stdout)
        if p.returncode == 0:
            runs[label] = read_outputs(os.path.join(d, label))
    base = runs.get("grouped-1")
    for label, outs in runs.items():
        for f in outs:
            check("%s %s equals grouped-1" % (label, f), base is not None and outs[f] == base[f])
    if base:
        rows = base["assessments.csv"].decode().splitlines()
        check("one assessment per household", len(rows) == 30001, str(len(rows)))
        classes = {r.split(",")[3] for r in rows[1:] if not r.startswith('"')}
        check("every class occurs", classes >= {"poor", "near_poor", "average", "not_poor", "incomplete"},
              str(classes))

    # A bad cell in the last member row: the error must name it, and no
    # output may appear, even though most of the run had been written.
    bad = mm + ["HQ-029999,99,Lò Văn Cuối,X,1990-01-01,other,Tày,1,self,1,0,0,0,primary,1,0"]
    mb = os.path.join(d, "members_bad.csv")
    write(mb, bad)
    for t in MODES:
        out = os.path.join(d, "bad-%s" % t)
        p = classify(d, h, mb, out, t)
        lines = [l for l in p.stderr.splitlines() if "error:" in l]
        check("late error exits 1 (threads=%s)" % t, p.returncode == 1, p.stderr)
        check("late error names column 'sex' (threads=%s)" % t,
              len(lines) == 1 and "members_bad.csv:" in lines[0] and "'sex'" in lines[0], p.stderr)
        check("late error leaves no file (threads=%s)" % t, os.listdir(out) == [], str(os.listdir(out)))

    # Runs into a folder that holds outputs already: each replaces them
    # whole (the old files let go of by a child process once the new ones
    # are in place, io/outfile.c), and a failed run leaves the last good
    # ones as they were.
    if base:
        out = os.path.join(d, "again")
        names = sorted(base)
        for t in MODES + (1,):
            p = classify(d, h, m if t != "2p" else ms, out, t)
            check("run again into the same folder exits 0 (threads=%s)" % t, p.returncode == 0, p.stderr)
            check("... its outputs replace the last run's (threads=%s)" % t, read_outputs(out) == base)
            check("... nothing else is left there (threads=%s)" % t, sorted(os.listdir(out)) == names,
                  str(os.listdir(out)))
        for t in MODES:
            p = classify(d, h, mb, out, t)
            check("a failed run into the same folder exits 1 (threads=%s)" % t, p.returncode == 1, p.stderr)
            check("... the last good outputs are kept whole (threads=%s)" % t, read_outputs(out) == base)
            check("... and nothing else (threads=%s)" % t, sorted(os.listdir(out)) == names,
                  str(os.listdir(out)))

    # A household given twice, its members given twice too, so that both
    # files stay in step: the ids are in order up to the repeat, so the
    # duplicate check must not take the order for proof (dupcheck.c). Once
    # an early id, once the last (equal to the one before it).
    for label, rep, line0 in [("early", 5, 7), ("last", 29999, 30001)]:
        hid = "HQ-%06d" % rep
        hrow = [r for r in hh if r.startswith(hid + ",")][0]
        hd = os.path.join(d, "households_dup_%s.csv" % label)
        md = os.path.join(d, "members_dup_%s.csv" % label)
        write(hd, hh + [hrow])
        write(md, mm + [hid + ",50,Lò Văn Hai,M,1990-01-01,other,Tày,1,self,1,0,0,0,primary,1,0"])
        for t in MODES:
            out = os.path.join(d, "dup-%s-%s" % (label, t))
            p = classify(d, hd, md, out, t)
            lines = [l for l in p.stderr.splitlines() if "error:" in l]
            want = "households_dup_%s.csv:30002:1: cột 'household_id': household_id '%s' bị trùng (lần đầu ở dòng %d)" % (
                label, hid, line0)
            check("duplicate %s id refused (threads=%s)" % (label, t),
                  p.returncode == 1 and len(lines) == 1 and want in lines[0], p.stderr)
            check("duplicate %s id leaves no file (threads=%s)" % (label, t),
                  os.listdir(out) == [], str(os.listdir(out)))

    # Ids out of order without a repeat: the last 10,000 households first
    # (members alike, still in step). The duplicate check had only counted
    # the ids while they came in order, so at the break it reads the
    # households file again for them (classify.c, replay_ids); the outputs
    # are the same, rows in the file's order.
    if base:
        groups = {}
        for r in mm[1:]:
            groups.setdefault(r.split(",", 1)[0], []).append(r)
        order = [r.split(",", 1)[0] for r in hh[1:]]
        order = order[20000:] + order[:20000]
        by_id = {r.split(",", 1)[0]: r for r in hh[1:]}
        hr = os.path.join(d, "households_rotated.csv")
        mr = os.path.join(d, "members_rotated.csv")
        write(hr, [hh[0]] + [by_id[i] for i in order])
        write(mr, [mm[0]] + [x for i in order for x in groups[i]])
        rows = base["assessments.csv"].decode().split("\n")
        body = [x for x in rows[1:] if x]
        # (a quoted reason never holds a newline here: no --explain)
        want = "\n".join([rows[0]] + body[20000:] + body[:20000]) + "\n"
        for t in MODES:
            out = os.path.join(d, "rotated-%s" % t)
            p = classify(d, hr, mr, out, t)
            check("ids out of order, no repeat: exits 0 (threads=%s)" % t, p.returncode == 0, p.stderr)
            if p.returncode == 0:
                o = read_outputs(out)
                check("... the same assessments in the file's order (threads=%s)" % t,
                      o["assessments.csv"].decode() == want)
                check("... the same summary (threads=%s)" % t, o["summary.csv"] == base["summary.csv"])
                check("... the same workers (threads=%s)" % t,
                      sorted(o["workers.csv"].split(b"\n")) == sorted(base["workers.csv"].split(b"\n")))
        # Through pipes (`<(cat ...)`): a pipe cannot be read twice, so the
        # ids are kept as they come; the same outputs.
        out = os.path.join(d, "rotated-pipe")
        os.makedirs(out, exist_ok=True)
        p = subprocess.run(["bash", "-c", 'exec "$0" classify <(cat "$1") <(cat "$2") --as-of 2025-10-01 --out "$3"',
                            GNBV, hr, mr, out], capture_output=True, text=True)
        check("ids out of order through pipes: exits 0", p.returncode == 0, p.stderr)
        if p.returncode == 0:
            check("... the same assessments", read_outputs(out)["assessments.csv"].decode() == want)

failed = results.count(False)
print("%d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
