#!/usr/bin/env python3
"""Sessions, CSRF, headers, limits and errors of `gnbv serve` (quality.md
S4, S5, S7, F2), over real HTTP on a loopback port:

- cookies HttpOnly and SameSite=Strict; a new session token at each login;
  logout, disable and password reset end sessions;
- a POST with a foreign Origin, with no Origin or Referer, or without a
  valid CSRF token changes nothing; the login form has its own token;
- five failed logins throttle the name (429), known or not;
- security headers and a generic page on errors (404, 405, 413), also on
  civetweb's own errors (oversized headers);
- a body over max_body_bytes is refused unread; a slow client is cut off
  after request_timeout_ms while others are answered;
- the settings file is read, and a bad one refused.
- `gnbv user add`, `reset` and `disable` say what they did in Vietnamese,
  and in English with `gnbv --lang en`.

Usage: web_security.py PATH/TO/gnbv
"""
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from webtest import COMMUNE_A, PASSWORD, Client, Server, add_user, fixture, run  # noqa: E402

GNBV = sys.argv[1]
from checks import check, results  # noqa: E402


def changes(db):
    con = sqlite3.connect(db)
    n = con.execute("SELECT count(*) FROM audit_log WHERE action LIKE 'survey.%'").fetchone()[0]
    con.close()
    return n


with tempfile.TemporaryDirectory() as d:
    db, homes = fixture(GNBV, d)
    out = add_user(GNBV, db, "lan", "commune", COMMUNE_A)
    check("gnbv user add says it in Vietnamese", out == "Đã thêm tài khoản lan (vai trò commune, đơn vị %s)\n"
          % COMMUNE_A, out)
    out = add_user(GNBV, db, "hoa", "commune", COMMUNE_A, lang="en")
    check("and in English with --lang en", out == "user hoa added (commune, unit %s)\n" % COMMUNE_A, out)
    code = homes[COMMUNE_A][0]
    cfg = os.path.join(d, "serve.ini")
    with open(cfg, "w") as f:
        f.write("[server]\nrequest_timeout_ms = 1500\nmax_body_bytes = 4096\nthreads = 4\n")
    bad = os.path.join(d, "bad.ini")
    with open(bad, "w") as f:
        f.write("max_body_byte = 4096\n")
    p = subprocess.run([GNBV, "--db", db, "serve", "--config", bad], capture_output=True, text=True, timeout=10)
    check("a misspelt setting is refused", p.returncode != 0 and "max_body_byte" in p.stderr, p.stderr)

    # In-process TLS (tls_certificate) has its own test: web_tls.py.
    prox = os.path.join(d, "proxy.ini")
    with open(prox, "w") as f:
        f.write("secure_cookies = 1\npublic_origin = https://gnbv.example\n")
    ps = Server(GNBV, db, os.path.join(d, "proxy.log"), config=prox)
    try:
        pc = Client(ps.port)
        st, h, body = pc.req("GET", "/login")
        pre = [v for v in h.get("set-cookie", []) if v.startswith("gnbv_pre=")]
        check("behind a TLS proxy: Secure cookies and HSTS",
              pre and "; Secure" in pre[0] and "max-age" in h.get("strict-transport-security", [""])[0], h)
        st, _, _ = pc.req("POST", "/login", {"csrf": pc.csrf(body), "name": "lan", "password": PASSWORD})
        check("behind a proxy the Origin must be public_origin", st == 403, st)
        st, _, _ = pc.req("POST", "/login", {"csrf": pc.csrf(body), "name": "lan", "password": PASSWORD},
                          origin="https://gnbv.example")
        check("and with it the login goes through", st == 303, st)
    finally:
        ps.stop()

    srv = Server(GNBV, db, os.path.join(d, "serve.log"), config=cfg)
    try:
        c = Client(srv.port)
        st, h, body = c.req("GET", "/login")
        pre = [v for v in h.get("set-cookie", []) if v.startswith("gnbv_pre=")]
        check("the login form sets its CSRF cookie HttpOnly, SameSite=Strict",
              pre and "HttpOnly" in pre[0] and "SameSite=Strict" in pre[0], pre)
        st, h, _ = c.req("POST", "/login", {"csrf": "x" * 43, "name": "lan", "password": PASSWORD})
        check("a login with a wrong form token is refused", st == 403, st)
        st, h, _ = c.login("lan")
        sess = [v for v in h.get("set-cookie", []) if v.startswith("gnbv_session=")]
        check("login sets the session cookie HttpOnly, SameSite=Strict, no Secure on plain HTTP",
              st == 303 and sess and "HttpOnly" in sess[0] and "SameSite=Strict" in sess[0]
              and "Secure" not in sess[0], sess)
        t1 = c.cookies.get("gnbv_session")
        fix = Client(srv.port)
        fix.cookies = {"gnbv_session": "P" * 43}  # a token planted before login (fixation)
        fix.login("lan")
        check("a new token at every login", fix.cookies.get("gnbv_session") not in (None, t1, "P" * 43))
        old = Client(srv.port)
        old.cookies = {"gnbv_session": t1}
        check("the earlier session still works until it ends",
              old.req("GET", "/dashboard")[0] == 200)
        csrf = c.session_csrf()

        # CSRF and Origin.
        n0 = changes(db)
        edit = "/household/%s/edit" % code
        form = {"csrf": csrf, "round": "2022", "income_month": "123456"}
        st, _, _ = c.req("POST", edit, form, origin="http://evil.example")
        check("a foreign Origin is refused", st == 403, st)
        st, _, _ = c.req("POST", edit, form, origin=None)
        check("no Origin and no Referer is refused", st == 403, st)
        st, _, _ = c.req("POST", edit, form, origin=None,
                         headers={"Referer": "http://evil.example/x"})
        check("a foreign Referer is refused", st == 403, st)
        st, _, _ = c.req("POST", edit, dict(form, csrf="A" * 43))
        check("a wrong CSRF token is refused", st == 403, st)
        st, _, _ = c.req("POST", edit, {"round": "2022", "income_month": "123456"})
        check("a missing CSRF token is refused", st == 403, st)
        other = Client(srv.port)
        other.login("hoa")
        st, _, _ = c.req("POST", edit, dict(form, csrf=other.session_csrf()))
        check("another session's CSRF token is refused", st == 403, st)
        check("and nothing changed", changes(db) == n0, changes(db) - n0)
        st, h, _ = c.req("POST", edit, form, origin=None,
                         headers={"Referer": "http://127.0.0.1:%d/household/x" % srv.port})
        check("a same-origin Referer with the token is accepted", st == 303, st)
        check("and the edit is recorded", changes(db) == n0 + 1)
        st, _, _ = c.req("GET", "/household/%s/edit?income_month=1" % code)
        check("GET changes nothing", st == 200 and changes(db) == n0 + 1)

        # Headers and generic errors.
        for method, path, want in (("GET", "/nope", 404), ("DELETE", "/dashboard", 405),
                                   ("GET", "/household/NOPE-1", 404), ("GET", "/static/../x", 404),
                                   ("GET", "/households?class=bogus", 400)):
            st, h, body = c.req(method, path)
            main = body.split("<main>")[-1]
            ok = st == want and "frame-ancestors 'none'" in h.get("content-security-policy", [""])[0] \
                and h.get("x-content-type-options") == ["nosniff"] \
                and "charset=utf-8" in h.get("content-type", [""])[0] \
                and ("Lỗi %d" % want) in main and "NOPE" not in main and "class:" not in main \
                and "sqlite" not in main.lower()
            check("%s %s: %d with headers and a generic page" % (method, path, want), ok, st)
        st, h, _ = c.req("GET", "/static/app.css")
        check("the style sheet may be cached, with nosniff", st == 200 and "max-age" in h["cache-control"][0]
              and h["x-content-type-options"] == ["nosniff"], h.get("cache-control"))
        st, h, _ = c.req("GET", "/dashboard")
        check("pages are not cached", h["cache-control"] == ["no-store"], h.get("cache-control"))

        # Limits.
        st, _, _ = c.req("POST", "/search", {"csrf": csrf, "q": "x" * 5000})
        check("a body over max_body_bytes is 413", st == 413, st)
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n")
        resp = b""
        s.settimeout(5)
        try:
            while True:
                k = s.recv(4096)
                if not k:
                    break
                resp += k
        except OSError:
            pass
        resp = resp.decode("latin-1")
        s.close()
        check("oversized headers get a 4xx with the security headers",
              resp[9:10] == "4" and "nosniff" in resp, resp[:200])
        slow = socket.create_connection(("127.0.0.1", srv.port))
        slow.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        t0 = time.time()
        check("others are answered while a slow client hangs", Client(srv.port).req("GET", "/login")[0] == 200)
        slow.settimeout(10)
        try:
            data = slow.recv(4096)
        except OSError:
            data = b""
        check("the slow client is cut off after the request timeout", time.time() - t0 < 8, time.time() - t0)
        slow.close()

        # F2: pipelining, malformed framing; the server keeps answering.
        def raw(data, wait=3):
            s = socket.create_connection(("127.0.0.1", srv.port))
            s.sendall(data)
            s.settimeout(wait)
            got = b""
            try:
                while True:
                    k = s.recv(65536)
                    if not k:
                        break
                    got += k
            except OSError:
                pass
            s.close()
            return got.decode("latin-1")
        two = raw(b"GET /login HTTP/1.1\r\nHost: x\r\n\r\nGET /static/app.css HTTP/1.1\r\nHost: x\r\n"
                  b"Connection: close\r\n\r\n")
        check("pipelined requests get both answers, in order",
              two.count("HTTP/1.1 200") == 2 and two.index("text/html") < two.index("text/css"), two[:120])
        for what, data in (("a bad Content-Length", b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
                           ("a negative Content-Length", b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"),
                           ("a garbage request line", b"\x00\x01\x02 / HTTP/9.9\r\n\r\n"),
                           ("a huge chunked body", b"POST /search HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + b"2000\r\n" + b"a" * 0x2000 + b"\r\n0\r\n\r\n")):
            resp = raw(data)
            check("%s: a 4xx (or the connection closed)" % what, resp == "" or resp[9:10] == "4", resp[:60])
        check("and the server still answers", Client(srv.port).req("GET", "/login")[0] == 200)

        # Sessions end.
        st, _, _ = c.req("POST", "/logout", {"csrf": c.session_csrf()})
        check("logout", st == 303)
        old.cookies = {"gnbv_session": t1}
        cc = Client(srv.port)
        cc.cookies = {"gnbv_session": c.cookies.get("gnbv_session", "") or "gone"}
        check("after logout the session is gone", c.req("GET", "/dashboard")[0] == 303)
        out = run(GNBV, db, "user", "reset", "lan", stdin="Một mật khẩu mới 1\n")
        check("gnbv user reset says it in Vietnamese", out == "Tài khoản lan: đã đặt mật khẩu mới và mở khóa; "
              "các phiên đăng nhập của tài khoản đã kết thúc\n", out)
        check("a password reset ends the other sessions", old.req("GET", "/dashboard")[0] == 303)
        st, _, _ = other.req("GET", "/dashboard")
        check("(other users' sessions live on)", st == 200, st)
        out = run(GNBV, db, "--lang", "en", "user", "disable", "hoa")
        check("gnbv --lang en user disable says it in English", out == "user hoa disabled; their sessions ended\n", out)
        check("disabling ends the user's sessions", other.req("GET", "/dashboard")[0] == 303)
        check("a disabled user cannot log in", other.login("hoa")[0] == 401)

        # Throttling.
        t = Client(srv.port)
        sts = [t.login("lan", "wrong password!")[0] for _ in range(6)]
        check("five failures, then throttled (429)", sts[:5] == [401] * 5 and sts[5] == 429, sts)
        check("throttled even with the right password", t.login("lan", "Một mật khẩu mới 1")[0] == 429)
        sts = [t.login("no-such-user", "wrong password!")[0] for _ in range(6)]
        check("unknown names are throttled the same way", sts[:5] == [401] * 5 and sts[5] == 429, sts)
    finally:
        rc = srv.stop()
    check("SIGTERM stops the server cleanly", rc == 0, rc)

print("%d checks, %d failed" % (len(results), results.count(False)))
sys.exit(0 if all(results) else 1)
