"""Shared by the web tests (not a test itself: no main).

A fixture database (the seed's district from data/units with 200
generated households, plus a test-only second district from
tests/cli/data/units-other-district.csv), a server on a free loopback
port, and a small HTTP client that keeps cookies and sends the Origin a
browser would send.
"""
import http.client
import json
import os
import re
import socket
import sqlite3
import subprocess
import time
import urllib.parse

PASSWORD = "Mật khẩu thử 2022"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # tests/cli
COMMUNE_A, COMMUNE_B, DISTRICT, OTHER_COMMUNE, OTHER_DISTRICT = "01366", "01367", "045", "09901", "099"


def run(gnbv, db, *args, stdin=None):
    p = subprocess.run([gnbv, "--db", db, *args], input=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("gnbv %s: %s" % (" ".join(args), p.stderr))
    return p.stdout


def fixture(gnbv, d):
    """Builds the database; returns its path and {unit: [household codes]}."""
    db = os.path.join(d, "t.db")
    run(gnbv, db, "init")
    run(gnbv, db, "units", "import", os.path.join(HERE, "data", "units-other-district.csv"))
    subprocess.run([gnbv, "gen", "--households", "200", "--profile", "poor-district", "--out",
                    os.path.join(d, "a")], check=True, capture_output=True)
    subprocess.run([gnbv, "gen", "--households", "30", "--profile", "poor-district", "--units",
                    os.path.join(HERE, "data", "units-other-district.csv"), "--seed", "2", "--out",
                    os.path.join(d, "b")], check=True, capture_output=True)
    # The seed's plan for the district, and a copy of it for the other district.
    seed = os.path.join(os.path.dirname(os.path.dirname(HERE)), "data", "demo", "ha-quang-plan-2023.json")
    run(gnbv, db, "plan", "import", seed)
    plan = json.load(open(seed, encoding="utf-8"))
    plan["unit"]["code"], plan["unit"]["name"] = OTHER_DISTRICT, "Huyện Thử Nghiệm (test)"
    other = os.path.join(d, "plan-099.json")
    with open(other, "w", encoding="utf-8") as f:
        json.dump(plan, f, ensure_ascii=False)
    run(gnbv, db, "plan", "import", other)
    homes = {}
    for sub in ("a", "b"):
        run(gnbv, db, "import", "--round", "2022", os.path.join(d, sub, "households.csv"),
            os.path.join(d, sub, "members.csv"))
        for line in open(os.path.join(d, sub, "households.csv"), encoding="utf-8").read().splitlines()[1:]:
            f = line.split(",")
            homes.setdefault(f[1].split("-")[0], []).append(f[0])
    return db, homes


def q(db, sql, *args):
    """The rows of one query on the test's database (a connection of its own,
    closed at once, so the server's writes are never blocked by the test)."""
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def add_user(gnbv, db, name, role, unit, lang=None):
    """`gnbv user add` with PASSWORD on stdin; returns what it printed."""
    args = ["user", "add", name, "--role", role]
    if unit:
        args += ["--unit", unit]
    return run(gnbv, db, *(["--lang", lang] if lang else []), *args, stdin=PASSWORD + "\n")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """`gnbv serve` on a port the system picks (--listen 127.0.0.1:0): the
    server prints the address it bound, so tests running side by side never
    race for a port (a port chosen here and bound later could be taken, and
    the test would talk to another test's server)."""

    def __init__(self, gnbv, db, log_path, config=None, listen=None):
        args = [gnbv, "--db", db, "serve"]
        if listen is not False:
            args += ["--listen", listen or "127.0.0.1:0"]
        if config:
            args += ["--config", config]
        self.log = open(log_path, "w")
        self.p = subprocess.Popen(args, stdout=self.log, stderr=self.log)
        self.port = None
        for _ in range(200):
            with open(log_path, encoding="utf-8", errors="replace") as f:
                m = re.search(r"gnbv serve: .* on https?://[^/]*:(\d+)/", f.read())
            if m:
                self.port = int(m.group(1))
                return
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def stop(self):
        self.p.terminate()
        try:
            rc = self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = -9
        self.log.close()
        if rc != 0:  # show why (a sanitizer report, a crash)
            with open(self.log.name, encoding="utf-8", errors="replace") as f:
                lines = [x for x in f.read().splitlines() if not x.startswith(("GET ", "POST ", "HEAD "))]
            print("\n".join(lines[-60:]))
        return rc


class Client:
    """ssl_context: talk HTTPS (a context trusting the server's certificate);
    the Origin sent as "self" is then https://."""

    def __init__(self, port, ssl_context=None):
        self.port = port
        self.cookies = {}
        self.ctx = ssl_context
        self.scheme = "https" if ssl_context else "http"

    def req(self, method, path, form=None, origin="self", headers=None):
        if self.ctx:
            c = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30, context=self.ctx)
        else:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = {"Host": "127.0.0.1:%d" % self.port}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        if method == "POST" and origin:
            h["Origin"] = "%s://127.0.0.1:%d" % (self.scheme, self.port) if origin == "self" else origin
        if headers:
            h.update(headers)
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read().decode("utf-8", "replace")
        hdrs = {}
        for k, v in r.getheaders():
            hdrs.setdefault(k.lower(), []).append(v)
            if k.lower() == "set-cookie":
                n, _, val = v.split(";")[0].partition("=")
                if "Max-Age=0" in v:
                    self.cookies.pop(n, None)
                else:
                    self.cookies[n] = val
        c.close()
        return r.status, hdrs, data

    @staticmethod
    def csrf(html):
        m = re.search(r'name="csrf" value="([^"]+)"', html)
        return m.group(1) if m else ""

    def login(self, name, password=PASSWORD):
        _, _, b = self.req("GET", "/login")
        return self.req("POST", "/login", {"csrf": self.csrf(b), "name": name, "password": password})

    def session_csrf(self):
        _, _, b = self.req("GET", "/dashboard")
        return self.csrf(b)


def recognise_round(gnbv, db, commune, year):
    """Runs a commune's imported round of `year` through the workflow to its
    recognition with the CLI, as docs/review.md ("A round through the CLI")
    does: an officer lists (withdrawing the listed households without a
    survey in the round), closes the list, holds one meeting per village
    where every result stands, posts and submits; the chairman recognises."""
    import csv
    import io
    import tempfile
    R = ["--commune", commune, "--year", str(year)]
    officer = ["--as", "officer-" + commune, "--unit", commune]
    run(gnbv, db, "review", "open", *R, *officer)
    rows = list(csv.DictReader(io.StringIO(run(gnbv, db, "review", "list", *R, *officer))))
    for r in rows:
        if not r["class"]:
            run(gnbv, db, "review", "remove", *R, "--household", r["household_code"], "--reason",
                "not surveyed", *officer)
    run(gnbv, db, "review", "survey", *R, *officer)
    villages = {}
    for r in rows:
        if r["class"]:
            villages.setdefault(r["unit_code"], []).append(r["household_code"])
    with tempfile.TemporaryDirectory() as d:
        for v, codes in sorted(villages.items()):
            votes = os.path.join(d, "votes-%s.csv" % v)
            with open(votes, "w", encoding="utf-8") as f:
                f.write("".join("%s,8\n" % c for c in codes))
            run(gnbv, db, "review", "meeting", *R, "--village", v, "--date", "%d-10-20" % year,
                "--chair", "Trưởng thôn", "--participants", "10", "--votes", votes, *officer)
    run(gnbv, db, "review", "post", *R, "--start", "%d-11-01" % year, "--end", "%d-11-15" % year, *officer)
    run(gnbv, db, "review", "submit", *R, *officer)
    run(gnbv, db, "review", "recognise", *R, "--decision", "%d/QĐ-UBND" % (year - 2000), "--date",
        "%d-12-15" % year, "--signer", "Chủ tịch UBND xã", "--as", "chair-" + commune, "--unit", commune)
