#!/usr/bin/env python3
"""kill -9 test of the store (quality.md R1), Python 3 standard library only.

Usage: python3 tests/cli/killtest.py PATH/TO/gnbv [--cycles 50] [--seed 1] [--keep]

A database gets the built-in units and a pool of 10 households E01..E10 (round 2021).
Then, CYCLES times: a child process (this script with --child) commits transactions in
a loop, each one `gnbv import --round 2021` of a file that adds 25 new households T<n>-01..25
(income 1,000,000 + n) and edits the whole pool (income 2,000,000 + n), and prints
"ACK n" (flushed) after each import that exited 0. After a random delay the child and its
gnbv are killed with SIGKILL. Then:
  - PRAGMA integrity_check is ok and PRAGMA foreign_key_check is empty;
  - every acknowledged transaction is present (its 25 households);
  - none is half-applied: each transaction's households are all there or none is, and the
    10 pool households all carry the income of the same transaction, the last one whose
    households are present (add and edit are one transaction);
  - the audit log has one import record per committed transaction and its hash chain
    verifies (recomputed here from docs/store.md's encoding);
  - the database opens again (the time to the first command after the kill is printed;
    quality.md wants < 2 s, a figure, not an assertion).
"""
import argparse
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HH_HEADER = ("household_id,unit_code,area,income_month,income_score,floor_durable,walls_durable,"
             "roof_durable,living_area_m2,water_safe,toilet_hygienic,waste_treated,devices\n")
MM_HEADER = ("household_id,member_no,name,sex,birth_date,relation,ethnicity,able_to_work,work,"
             "health_insurance,stunted,underweight,in_school,school_level,uses_internet,social_allowance\n")
VILLAGES = ["01366-01", "01366-02", "01375-01", "01363-01", "01438-01"]
K = 25
POOL = [f"E{i:02d}" for i in range(1, 11)]


def household(code, unit, income):
    return f"{code},{unit},,{income},,1,0,1,30,1,1,1,tv\n"


def members(code):
    return (f"{code},1,Nguyễn Văn Kiên,M,1980-01-01,head,Tày,1,no_contract,1,,,0,primary,1,0\n"
            f"{code},2,Lò Thị Hương,F,1983-05-05,spouse,Tày,1,self,0,,,0,primary,0,0\n"
            f"{code},3,Nguyễn Thị Thu,F,2015,child,Tày,0,student,1,0,0,1,primary,0,0\n")


def write_tx(d, n):
    hh, mm = [HH_HEADER], [MM_HEADER]
    for j in range(1, K + 1):
        code = f"T{n}-{j:02d}"
        hh.append(household(code, VILLAGES[j % len(VILLAGES)], 1000000 + n))
        mm.append(members(code))
    for i, code in enumerate(POOL):
        hh.append(household(code, VILLAGES[i % len(VILLAGES)], 2000000 + n))
        mm.append(members(code))
    h, m = os.path.join(d, "households.csv"), os.path.join(d, "members.csv")
    with open(h, "w", encoding="utf-8") as f:
        f.write("".join(hh))
    with open(m, "w", encoding="utf-8") as f:
        f.write("".join(mm))
    return h, m


def child(gnbv, db, first, work):
    n = first
    while True:
        h, m = write_tx(work, n)
        p = subprocess.run([gnbv, "--db", db, "import", "--round", "2021", h, m], capture_output=True)
        if p.returncode == 0:
            sys.stdout.write(f"ACK {n}\n")
            sys.stdout.flush()
        else:
            sys.stdout.write(f"ERR {n} {p.stderr.decode('utf-8', 'replace').strip()}\n")
            sys.stdout.flush()
            time.sleep(0.05)
        n += 1


def chain_ok(con):
    prev, expect = "0" * 64, 1
    for seq, at, actor, action, obj, detail, prev_hash, h in con.execute(
            "SELECT seq, at, actor, action, object, detail, prev_hash, hash FROM audit_log ORDER BY seq"):
        if seq != expect or prev_hash != prev:
            return False
        md = hashlib.sha256()
        for field in (prev, str(seq), at, actor, action, obj, detail):
            b = field.encode("utf-8")
            md.update(f"{len(b)}:".encode() + b)
        if md.hexdigest() != h:
            return False
        prev, expect = h, expect + 1
    return True


def inspect(db, acked):
    """Returns (problems, committed transaction numbers)."""
    probs = []
    con = sqlite3.connect(db)
    try:
        ic = con.execute("PRAGMA integrity_check").fetchall()
        if ic != [("ok",)]:
            probs.append(f"integrity_check: {ic[:3]}")
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            probs.append(f"foreign_key_check: {fk[:3]}")
        per_tx = {}
        for code, in con.execute("SELECT code FROM household WHERE code LIKE 'T%'"):
            n = int(code[1:].split("-")[0])
            per_tx[n] = per_tx.get(n, 0) + 1
        for n, c in per_tx.items():
            if c != K:
                probs.append(f"transaction {n} is half-applied: {c} of {K} households")
        committed = sorted(per_tx)
        for n in acked:
            if n not in per_tx:
                probs.append(f"acknowledged transaction {n} is missing")
        pool = con.execute(
            "SELECT h.code, s.income_month FROM survey s JOIN household h USING (household_id) "
            "WHERE h.code LIKE 'E%' AND s.replaced_by IS NULL AND s.period = 'periodic:2021'").fetchall()
        incomes = {i for _, i in pool}
        want = 2000000 + (committed[-1] if committed else 0)
        if len(pool) != len(POOL) or incomes != {want}:
            probs.append(f"pool households: {len(pool)} with incomes {sorted(incomes)[:5]}, expected {want}")
        imports = con.execute("SELECT count(*) FROM audit_log WHERE action = 'import'").fetchone()[0]
        if imports != 1 + len(committed):
            probs.append(f"{imports} import records for {len(committed)} committed transactions (+1 setup)")
        if not chain_ok(con):
            probs.append("the audit hash chain does not verify")
        return probs, committed
    finally:
        con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gnbv")
    ap.add_argument("--cycles", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--child", nargs=3, metavar=("DB", "FIRST", "WORK"))
    a = ap.parse_args()
    gnbv = os.path.abspath(a.gnbv)
    if a.child:
        child(gnbv, a.child[0], int(a.child[1]), a.child[2])
        return
    rnd = random.Random(a.seed)
    tmp = tempfile.mkdtemp(prefix="gnbv-kill-")
    db = os.path.join(tmp, "t.db")
    failed = 0
    total_acked = 0
    restart_max = 0.0
    t0 = time.time()
    try:
        subprocess.run([gnbv, "--db", db, "init"], check=True, capture_output=True)
        h, m = write_tx(tmp, 0)
        with open(h, "w", encoding="utf-8") as f:  # the pool alone
            f.write(HH_HEADER + "".join(household(c, VILLAGES[i % len(VILLAGES)], 2000000)
                                        for i, c in enumerate(POOL)))
        with open(m, "w", encoding="utf-8") as f:
            f.write(MM_HEADER + "".join(members(c) for c in POOL))
        subprocess.run([gnbv, "--db", db, "import", "--round", "2021", h, m], check=True, capture_output=True)
        acked = set()
        next_n = 1
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        for cycle in range(1, a.cycles + 1):
            p = subprocess.Popen([sys.executable, os.path.abspath(__file__), gnbv, "--child", db, str(next_n), work],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
            time.sleep(rnd.uniform(0.02, 0.6))
            os.killpg(p.pid, signal.SIGKILL)
            out, _ = p.communicate()
            new = [int(l.split()[1]) for l in out.decode().splitlines() if l.startswith("ACK ")]
            errs = [l for l in out.decode().splitlines() if l.startswith("ERR ")]
            acked.update(new)
            total_acked += len(new)
            # The first command after the kill opens the database (and recovers its log).
            t = time.time()
            r = subprocess.run([gnbv, "--db", db, "units", "list"], capture_output=True)
            restart = time.time() - t
            restart_max = max(restart_max, restart)
            probs, committed = inspect(db, acked)
            if r.returncode != 0:
                probs.append("the database does not open after the kill: " + r.stderr.decode().strip())
            if errs:
                probs.append("an import failed without being killed: " + errs[0])
            if probs:
                failed += 1
                print(f"FAIL cycle {cycle}")
                for pr in probs:
                    print("  " + pr)
            else:
                print(f"ok cycle {cycle}: {len(new)} acknowledged, {len(committed)} committed in all, "
                      f"reopened in {restart * 1000:.0f} ms")
            next_n = (committed[-1] + 1) if committed else next_n
            next_n = max(next_n, max(acked) + 1 if acked else 1)
    finally:
        if a.keep:
            print(f"# kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{a.cycles - failed} cycles passed, {failed} failed; {total_acked} transactions acknowledged; "
          f"slowest reopen {restart_max * 1000:.0f} ms; {time.time() - t0:.1f} s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
