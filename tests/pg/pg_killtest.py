#!/usr/bin/env python3
"""The server killed under a writing workload (quality.md R5), Python 3 standard library only.

Usage: python3 tests/pg/pg_killtest.py PATH/TO/gnbv DIR [--cycles 10] [--seed 1]

The workload of tests/cli/killtest.py (R1) on PostgreSQL: a registry schema gets the
built-in units (as the migration role) and a pool of 10 households; then, CYCLES times, a
child commits `gnbv import` transactions in a loop as the application role (25 new
households and an edit of the whole pool each, "ACK n" printed after each import that
exited 0), and after a random delay the *server* is killed: SIGKILL to the postmaster
and every one of its processes (no shutdown, no checkpoint), then the child. The server
is started again (crash recovery from the WAL) and:
  - every index of the schema passes amcheck's bt_index_check (heapallindexed);
  - every acknowledged transaction is present (its 25 households), none is half-applied,
    and the pool carries the income of the last committed transaction;
  - the audit log has one import record per committed transaction and its hash chain
    verifies (recomputed here from docs/store.md's encoding);
  - the application role is neither superuser nor owner of anything.
The time from the restart to the first command that succeeds is printed, not asserted.

DIR is a server of its own (tests/pg/pg-test-server start DIR), not the one other tests
share: it is killed.
"""
import argparse
import hashlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
import killtest as kt  # noqa: E402  (the workload: files, child loop)

SERVER = os.path.join(HERE, "pg-test-server")


def env_of(text):
    return {k: v.strip("'") for k, v in (l.split("=", 1) for l in text.splitlines() if "=" in l)}


def start(d):
    return env_of(subprocess.run(["bash", SERVER, "start", d], capture_output=True, text=True,
                                 check=True).stdout)


def psql(env, schema, sql):
    url = env["GNBV_PG_ADMIN_URL"] + "&options=-csearch_path%3D" + schema
    p = subprocess.run([os.path.join(env["GNBV_PG_BIN"], "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                        "-F", "\x1f", "-R", "\x1e", url], input=sql + ";\n", capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip())
    return [tuple(r.lstrip("\n").split("\x1f")) for r in p.stdout.rstrip("\n").split("\x1e") if r.strip("\n")]


def kill_server(d):
    """SIGKILL to the postmaster and all its children, by their ids."""
    base = open(os.path.join(d, "base")).read().strip()
    with open(os.path.join(base, "data", "postmaster.pid")) as f:
        pm = int(f.readline())
    pids = [pm]
    for e in os.listdir("/proc"):
        if e.isdigit():
            try:
                with open(f"/proc/{e}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pm:
                        pids.append(int(e))
            except (OSError, ValueError, IndexError):
                pass
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    # Gone, not only dead: pg_ctl takes a zombie postmaster for a running one.
    deadline = time.time() + 10
    while time.time() < deadline and any(os.path.exists(f"/proc/{p}") for p in pids):
        time.sleep(0.02)


def chain_ok(rows):
    prev, expect = "0" * 64, 1
    for seq, at, actor, action, obj, detail, prev_hash, h in rows:
        if int(seq) != expect or prev_hash != prev:
            return False
        md = hashlib.sha256()
        for field in (prev, seq, at, actor, action, obj, detail):
            b = field.encode("utf-8")
            md.update(f"{len(b)}:".encode() + b)
        if md.hexdigest() != h:
            return False
        prev, expect = h, expect + 1
    return True


def inspect(env, schema, acked):
    probs = []
    psql(env, schema, "SELECT count(public.bt_index_check(c.oid, true)) FROM pg_index i "
                      "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                      "WHERE a.amname = 'btree' AND c.relnamespace = "
                      "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())")
    per_tx = {}
    for code, in psql(env, schema, "SELECT code FROM household WHERE code LIKE 'T%'"):
        n = int(code[1:].split("-")[0])
        per_tx[n] = per_tx.get(n, 0) + 1
    for n, c in per_tx.items():
        if c != kt.K:
            probs.append(f"transaction {n} is half-applied: {c} of {kt.K} households")
    committed = sorted(per_tx)
    for n in acked:
        if n not in per_tx:
            probs.append(f"acknowledged transaction {n} is missing")
    pool = psql(env, schema, "SELECT h.code, s.income_month FROM survey s JOIN household h USING (household_id) "
                             "WHERE h.code LIKE 'E%' AND s.replaced_by IS NULL AND s.period = 'periodic:2021'")
    incomes = {int(i) for _, i in pool}
    want = 2000000 + (committed[-1] if committed else 0)
    if len(pool) != len(kt.POOL) or incomes != {want}:
        probs.append(f"pool households: {len(pool)} with incomes {sorted(incomes)[:5]}, expected {want}")
    (imports,), = psql(env, schema, "SELECT count(*) FROM audit_log WHERE action = 'import'")
    if int(imports) != 1 + len(committed):
        probs.append(f"{imports} import records for {len(committed)} committed transactions (+1 setup)")
    if not chain_ok(psql(env, schema, "SELECT seq, at, actor, action, object, detail, prev_hash, hash "
                                      "FROM audit_log ORDER BY seq")):
        probs.append("the audit hash chain does not verify")
    return probs, committed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gnbv")
    ap.add_argument("dir")
    ap.add_argument("--cycles", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    gnbv = os.path.abspath(a.gnbv)
    d = os.path.abspath(a.dir)
    rnd = random.Random(a.seed)
    schema = "kill"
    failed = total_acked = 0
    restart_max = 0.0
    t0 = time.time()
    env = start(d)
    urls = env_of(subprocess.run(["bash", SERVER, "schema", d, schema], capture_output=True, text=True,
                                 check=True).stdout)
    with tempfile.TemporaryDirectory(prefix="gnbv-pgkill-") as tmp:
        subprocess.run([gnbv, "--db", urls["GNBV_PG_MIGRATE_URL"], "init"], check=True, capture_output=True)
        subprocess.run(["bash", SERVER, "seal", d, schema], check=True, capture_output=True)
        (su, owns), = psql(env, schema, "SELECT rolsuper, (SELECT count(*) FROM pg_class WHERE relowner = r.oid) "
                                       "+ (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid) "
                                       "FROM pg_roles r WHERE rolname = 'gnbv_app'")
        if su != "f" or owns != "0":
            print(f"FAIL the application role is superuser ({su}) or owns {owns} objects")
            failed += 1
        h, m = kt.write_tx(tmp, 0)
        with open(h, "w", encoding="utf-8") as f:  # the pool alone
            f.write(kt.HH_HEADER + "".join(kt.household(c, kt.VILLAGES[i % len(kt.VILLAGES)], 2000000)
                                           for i, c in enumerate(kt.POOL)))
        with open(m, "w", encoding="utf-8") as f:
            f.write(kt.MM_HEADER + "".join(kt.members(c) for c in kt.POOL))
        subprocess.run([gnbv, "--db", urls["GNBV_PG_URL"], "import", "--round", "2021", h, m], check=True,
                       capture_output=True)
        acked, next_n = set(), 1
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        for cycle in range(1, a.cycles + 1):
            p = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "cli", "killtest.py"), gnbv, "--child",
                                  urls["GNBV_PG_URL"], str(next_n), work],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
            time.sleep(rnd.uniform(0.1, 1.0))
            kill_server(d)
            os.killpg(p.pid, signal.SIGKILL)
            out, _ = p.communicate()
            new = [int(l.split()[1]) for l in out.decode().splitlines() if l.startswith("ACK ")]
            acked.update(new)
            total_acked += len(new)
            t = time.time()
            env = start(d)  # crash recovery
            urls = env_of(subprocess.run(["bash", SERVER, "env", d], capture_output=True, text=True,
                                         check=True).stdout)
            url = urls["GNBV_PG_URL"] + "&options=-csearch_path%3D" + schema
            r = subprocess.run([gnbv, "--db", url, "audit", "verify"], capture_output=True)
            restart = time.time() - t
            restart_max = max(restart_max, restart)
            probs, committed = inspect(env, schema, acked)
            if r.returncode != 0:
                probs.append("the registry does not open after the kill: " + r.stderr.decode().strip())
            if probs:
                failed += 1
                print(f"FAIL cycle {cycle}")
                for pr in probs:
                    print("  " + pr)
            else:
                print(f"ok cycle {cycle}: {len(new)} acknowledged, {len(committed)} committed in all, "
                      f"server back and registry verified in {restart * 1000:.0f} ms")
            urls = {"GNBV_PG_URL": url, "GNBV_PG_MIGRATE_URL": urls["GNBV_PG_MIGRATE_URL"]}
            next_n = max((committed[-1] + 1) if committed else next_n, max(acked) + 1 if acked else 1)
    subprocess.run(["bash", SERVER, "drop", d, schema], capture_output=True)
    subprocess.run(["bash", SERVER, "stop", d], capture_output=True)
    print(f"{a.cycles - failed} cycles passed, {failed} failed; {total_acked} transactions acknowledged; "
          f"slowest restart {restart_max * 1000:.0f} ms; {time.time() - t0:.1f} s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
