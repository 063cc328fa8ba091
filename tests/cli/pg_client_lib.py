#!/usr/bin/env python3
"""PostgreSQL's client library is loaded when a postgresql:// store is
first opened, not linked (src/store/pg.c): the binary does not map libpq,
a store on SQLite never loads it, and a machine without it gets a message
that says what to install. GNBV_LIBPQ names another file.

No server is needed: a refused connection is libpq's own message, so it
shows that the library was loaded and called.

Usage: pg_client_lib.py PATH/TO/gnbv
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from checks import check, results  # noqa: E402

GNBV = sys.argv[1]
URL = "postgresql://gnbv@127.0.0.1:1/none?connect_timeout=2"


def gnbv(*args, env=None):
    e = dict(os.environ)
    e.pop("GNBV_LIBPQ", None)
    e.update(env or {})
    return subprocess.run([GNBV, "--lang", "en"] + list(args), capture_output=True, text=True,
                          env=e, timeout=60)


ldd = subprocess.run(["ldd", GNBV], capture_output=True, text=True)
check("the binary does not link libpq (nor, through it, Kerberos and LDAP)",
      ldd.returncode == 0 and "libpq" not in ldd.stdout and "libldap" not in ldd.stdout
      and "libsqlite3" in ldd.stdout, ldd.stdout)

r = gnbv("--db", URL, "audit", "verify")
check("a postgresql:// store loads libpq: the refusal is libpq's own message",
      r.returncode != 0 and "cannot connect" in r.stderr and "127.0.0.1" in r.stderr
      and "port 1" in r.stderr, r.stderr)

r = gnbv("--db", URL, "audit", "verify", env={"GNBV_LIBPQ": "/nonexistent/libpq.so.5"})
check("without the library: a message naming it and the package to install",
      r.returncode != 0 and "cannot load PostgreSQL's client library" in r.stderr
      and "/nonexistent/libpq.so.5" in r.stderr and "libpq5" in r.stderr, r.stderr)
check("... and nothing else tried", "cannot connect" not in r.stderr, r.stderr)

vi = subprocess.run([GNBV, "--db", URL, "audit", "verify"], capture_output=True, text=True,
                    env=dict(os.environ, GNBV_LIBPQ="/nonexistent/libpq.so.5"), timeout=60)
check("... in Vietnamese by default",
      "không nạp được thư viện máy khách của PostgreSQL" in vi.stderr and "libpq5" in vi.stderr,
      vi.stderr)

r = gnbv("--db", URL, "audit", "verify", env={"GNBV_LIBPQ": "libsqlite3.so.0"})
check("a file that is not libpq: the missing function is named",
      r.returncode != 0 and "libsqlite3.so.0 has no PQ" in r.stderr, r.stderr)

with tempfile.TemporaryDirectory() as d:
    db = os.path.join(d, "s.db")
    r = gnbv("--db", db, "init", env={"GNBV_LIBPQ": "/nonexistent/libpq.so.5"})
    check("a store on SQLite never needs it", r.returncode == 0, r.stderr)

print("%d/%d checks passed" % (sum(results), len(results)))
sys.exit(0 if all(results) else 1)
