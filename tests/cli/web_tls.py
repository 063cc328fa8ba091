#!/usr/bin/env python3
"""HTTPS in the process (`tls_certificate`, src/web/tls.c), over Python's ssl
module trusting a throwaway self-signed certificate made with the openssl CLI:

- the login page answers 200 over https, with HSTS and a Secure pre-login
  cookie; logging in works with the Origin https://127.0.0.1:PORT, and the
  session cookie is Secure, HttpOnly and SameSite=Strict; an http:// Origin
  is refused;
- TLS 1.2 and 1.3 are served; TLS 1.1 is refused by the server (a
  protocol_version alert, from a client that really offers TLS 1.1);
- plain HTTP sent to the TLS port gets no HTTP response; a handshake cut
  mid-way, a client gone mid-response and a burst of 100 connections opened
  and dropped leave the server serving; a silent client is closed;
- over the connection cap (4 x threads) a connection is closed at once, and
  the server serves again once the others are gone; clients that stop
  reading a response are cut and give their slots back;
- a missing certificate file, a file without a key, an encrypted key and a
  certificate with another certificate's key make `serve` exit non-zero
  with a message naming the file;
- SIGTERM stops the server cleanly.

Usage: web_tls.py PATH/TO/gnbv
"""
import os
import re
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from webtest import COMMUNE_A, Client, Server, add_user, fixture  # noqa: E402

GNBV = sys.argv[1]
results = []


def check(name, cond, detail=""):
    results.append(bool(cond))
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)))


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def self_signed(d, name):
    """A P-256 key and a certificate for 127.0.0.1; returns (cert, key) paths."""
    cert, key = os.path.join(d, name + "-cert.pem"), os.path.join(d, name + "-key.pem")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1")
    return cert, key


def concat(path, *parts):
    with open(path, "w") as f:
        for p in parts:
            f.write(open(p).read())
    return path


def ini(d, name, text):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def client_ctx(cafile, lo=None, hi=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile)
    if lo or hi:
        # OpenSSL 3 offers TLS 1.0/1.1 only at security level 0: without it
        # the client would refuse by itself and the check would prove nothing.
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if lo:
                ctx.minimum_version = lo
            if hi:
                ctx.maximum_version = hi
    return ctx


def tls_version(port, ctx):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
            return t.version()


def client_hello():
    """The bytes of a real ClientHello (a client state machine over memory)."""
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ssl.create_default_context().wrap_bio(inc, out, server_hostname="127.0.0.1")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def reset_close(s):
    """Closes with a reset, as a client that vanishes (no FIN, no close_notify)."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def read_all(s, wait):
    s.settimeout(wait)
    got = b""
    try:
        while True:
            k = s.recv(65536)
            if not k:
                return got, "closed"
            got += k
    except socket.timeout:
        return got, "timeout"
    except OSError:
        return got, "reset"


def serving(port, ctx, within=10):
    """The login page answers over https before `within` seconds pass: a
    connection the server has not yet seen close may hold a slot a moment."""
    deadline = time.time() + within
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=max(1, deadline - time.time())) as s:
                with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
                    t.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % port)
                    got = b""
                    while True:
                        k = t.recv(65536)
                        if not k:
                            break
                        got += k
                    if got.startswith(b"HTTP/1.1 200"):
                        return True
        except (OSError, ssl.SSLError):
            pass
        time.sleep(0.2)
    return False


def serve_fails(db, cfg, timeout=120):
    p = subprocess.run([GNBV, "--db", db, "serve", "--listen", "127.0.0.1:0", "--config", cfg],
                       capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return p.returncode, p.stderr


with tempfile.TemporaryDirectory() as d:
    db, homes = fixture(GNBV, d)
    add_user(GNBV, db, "lan", "commune", COMMUNE_A)
    cert, key = self_signed(d, "a")
    other_cert, other_key = self_signed(d, "b")
    pem = concat(os.path.join(d, "server.pem"), cert, key)

    # Certificates that cannot be served: serve refuses at start, naming the file.
    missing = os.path.join(d, "no-such.pem")
    mismatch = concat(os.path.join(d, "mismatch.pem"), cert, other_key)
    keyless = concat(os.path.join(d, "keyless.pem"), cert)
    enc_key = os.path.join(d, "enc-key.pem")
    openssl("pkey", "-in", key, "-aes128", "-passout", "pass:secret", "-out", enc_key)
    encrypted = concat(os.path.join(d, "encrypted.pem"), cert, enc_key)
    for what, path, words in (("a missing certificate file", missing, "No such file"),
                              ("a certificate with another certificate's key", mismatch, "does not match"),
                              ("a file without the private key", keyless, "no private key"),
                              ("an encrypted private key (no passphrase prompt)", encrypted, "no private key")):
        rc, err = serve_fails(db, ini(d, "bad.ini", "tls_certificate = %s\n" % path))
        check("%s: serve exits non-zero naming the file" % what,
              rc != 0 and path in err and words in err and "on https://" not in err, (rc, err))

    cfg = ini(d, "tls.ini", "[server]\ntls_certificate = %s\nrequest_timeout_ms = 2000\n" % pem)
    srv = Server(GNBV, db, os.path.join(d, "tls.log"), config=cfg)
    port = srv.port
    ctx = client_ctx(cert)
    try:
        log = open(os.path.join(d, "tls.log")).read()
        check("the log says which address is TLS and prints https://",
              ("TLS on 127.0.0.1:%d" % port) in log and ("on https://127.0.0.1:%d/" % port) in log, log)

        # Pages, cookies, headers, Origin.
        c = Client(port, ctx)
        st, h, body = c.req("GET", "/login")
        check("the login page answers 200 over https", st == 200, st)
        check("with Strict-Transport-Security", "max-age=" in h.get("strict-transport-security", [""])[0], h)
        pre = [v for v in h.get("set-cookie", []) if v.startswith("gnbv_pre=")]
        check("the login form's cookie is Secure", pre and "; Secure" in pre[0], pre)
        st, h, _ = c.req("POST", "/login", {"csrf": c.csrf(body), "name": "lan",
                                            "password": "Mật khẩu thử 2022"})
        sess = [v for v in h.get("set-cookie", []) if v.startswith("gnbv_session=")]
        check("logging in works with Origin https://127.0.0.1:PORT", st == 303, st)
        check("the session cookie is Secure, HttpOnly, SameSite=Strict",
              sess and "; Secure" in sess[0] and "HttpOnly" in sess[0] and "SameSite=Strict" in sess[0], sess)
        st, h, _ = c.req("GET", "/dashboard")
        check("the dashboard answers with the session, HSTS on it too",
              st == 200 and h.get("strict-transport-security"), (st, h.get("strict-transport-security")))
        st, _, _ = c.req("GET", "/nope")
        check("a 404 over https", st == 404, st)
        plain = Client(port, ctx)
        _, _, body = plain.req("GET", "/login")
        st, _, _ = plain.req("POST", "/login", {"csrf": plain.csrf(body), "name": "lan",
                                                "password": "Mật khẩu thử 2022"},
                             origin="http://127.0.0.1:%d" % port)
        check("an http:// Origin is refused under TLS", st == 403, st)
        st, _, _ = plain.req("POST", "/login", {"csrf": plain.csrf(body), "name": "lan",
                                                "password": "Mật khẩu thử 2022"}, origin=None)
        check("no Origin (and no Referer) is refused", st == 403, st)

        # Protocol versions.
        check("TLS 1.3 is served", tls_version(port, ctx) == "TLSv1.3")
        check("TLS 1.2 is served", tls_version(port, client_ctx(cert, hi=ssl.TLSVersion.TLSv1_2)) == "TLSv1.2")
        old = client_ctx(cert, lo=ssl.TLSVersion.TLSv1, hi=ssl.TLSVersion.TLSv1_1)
        try:
            v = tls_version(port, old)
            check("TLS 1.1 is refused", False, v)
        except ssl.SSLError as e:
            check("TLS 1.1 is refused by the server (protocol_version alert)",
                  "ALERT_PROTOCOL_VERSION" in str(e), e)

        # Plain HTTP on the TLS port.
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        got, how = read_all(s, 20)
        s.close()
        check("plain HTTP on the TLS port gets no HTTP response, and the connection ends",
              not got.startswith(b"HTTP/") and b"<html" not in got.lower() and how != "timeout", (got[:80], how))
        check("and the server still serves", serving(port, ctx))

        # Handshakes cut short.
        hello = client_hello()
        check("(a real ClientHello to cut)", len(hello) > 100 and hello[0] == 0x16, len(hello))
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(hello[: len(hello) // 2])
        s.close()
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(hello)
        s.recv(100)  # the server's flight has begun
        reset_close(s)
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"\x16\x03\x01\xff\xff" + os.urandom(300))  # a record header, then garbage
        read_all(s, 10)
        s.close()
        check("handshakes cut mid-way and garbage leave the server serving", serving(port, ctx))

        # A client gone mid-response: pipelined requests, then a reset.
        cookie = "gnbv_session=" + c.cookies["gnbv_session"]
        for _ in range(3):
            raw = socket.create_connection(("127.0.0.1", port))
            t = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
            req = ("GET /households.csv HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nCookie: %s\r\n\r\n" % (port, cookie)).encode()
            t.sendall(req * 20)
            t.recv(10)
            reset_close(t)  # wrap_socket took raw's descriptor
        check("clients gone mid-response leave the server serving (no SIGPIPE)", serving(port, ctx))
        check("and the session still works", c.req("GET", "/dashboard")[0] == 200)

        # A burst of 100 connections opened and dropped.
        burst = []
        for i in range(100):
            s = socket.create_connection(("127.0.0.1", port))
            if i % 3 == 1:
                s.sendall(hello[:40])
            elif i % 3 == 2:
                s.sendall(hello)
            burst.append(s)
        for i, s in enumerate(burst):
            if i % 2:
                reset_close(s)
            else:
                s.close()
        check("a burst of 100 connections opened and dropped leaves the server serving", serving(port, ctx))

        # A silent client is not kept (the handshake timeout is request_timeout_ms).
        s = socket.create_connection(("127.0.0.1", port))
        got, how = read_all(s, 60)
        s.close()
        check("a client that never says hello is closed by the server", how != "timeout" and got == b"", how)
    finally:
        rc = srv.stop()
    check("SIGTERM stops the TLS server cleanly", rc == 0, rc)

    # The connection cap: threads = 1, so 4 connections at once.
    cap = ini(d, "cap.ini", "tls_certificate = %s\nthreads = 1\nrequest_timeout_ms = 3000\n" % pem)
    srv = Server(GNBV, db, os.path.join(d, "cap.log"), config=cap)
    try:
        check("(the cap server serves)", serving(srv.port, ctx))
        # Four silent connections hold every slot until the handshake limit
        # (request_timeout_ms, 3 s) frees them. A fifth attempt that only got
        # through near that limit says nothing about the cap (a loaded
        # machine, a sanitizer build): that try is discarded and made again.
        # A slot may still be held for a moment by the connection before (the
        # front waits for a client's close after its close_notify): a held
        # connection the front refused is closed at once, so it is replaced
        # until four are open.
        def alive(sock):
            sock.settimeout(0.15)
            try:
                return sock.recv(1, socket.MSG_PEEK) != b""
            except socket.timeout:
                return True
            except OSError:
                return False

        verdict = None
        for _ in range(5):
            t0 = time.monotonic()
            held = []
            while len(held) < 4 and time.monotonic() - t0 < 2.0:
                sock = socket.create_connection(("127.0.0.1", srv.port))
                if alive(sock):
                    held.append(sock)
                else:
                    sock.close()
            try:
                v = tls_version(srv.port, ctx)
                if len(held) == 4 and time.monotonic() - t0 < 2.5:
                    verdict = (False, v)
            except (ssl.SSLError, OSError) as e:
                verdict = (True, e)
            for s in held:
                s.close()
            if verdict:
                break
            time.sleep(3.5)  # let the held slots expire before the next try
        check("over the cap a connection is closed at once (no handshake)",
              verdict is not None and verdict[0], verdict)
        check("and once the others are gone the server serves again", serving(srv.port, ctx))

        # Four clients that ask for 16 MB each and read nothing take every
        # slot; the front cuts each after request_timeout_ms (3 s) without
        # taking a byte, so they give their slots back. Without that cut they
        # would hold them for the idle backstop (60 s), so a new client
        # served within 40 s tells the two apart (civetweb's one worker
        # serves the four in turn: about 4 x 3 s here).
        stalled = []
        for _ in range(4):
            raw = socket.socket()
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            raw.connect(("127.0.0.1", srv.port))
            t = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
            # 2000 style sheets: more than the kernel's buffers hold on loopback.
            t.sendall(("GET /static/app.css HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % srv.port).encode() * 2000)
            stalled.append(t)
        check("clients that stop reading give their slots back: a new one is served (before the idle backstop)",
              serving(srv.port, ctx, within=40))
        for t in stalled:
            t.close()
    finally:
        rc = srv.stop()
    log = open(os.path.join(d, "cap.log")).read()
    check("the refusal is counted in the log at stop",
          re.search(r"refused at the cap: [1-9]", log), log[-300:])
    check("SIGTERM stops the cap server cleanly", rc == 0, rc)

print("%d checks, %d failed" % (len(results), results.count(False)))
sys.exit(0 if all(results) else 1)
