#!/usr/bin/env python3
"""Accounts on the web (docs/web.md "Accounts on the web"), over HTTP only;
the database is read with sqlite3 to see what was (not) written.

- an administrator of the district adds a user through the form, and that
  user logs in; a duplicate name, a weak password, mismatched passwords, a
  bad name and a missing unit are refused with the form shown again and
  nothing written;
- disabling ends a live session of that user at once (their next request
  goes to the login page); a reset ends every session, the new password
  works and the old one does not;
- an administrator of one district cannot add, disable or reset a user of
  another district, nor an account without a unit, by a crafted POST: the
  store is unchanged; the standing office has no user screens at all;
- changing one's own password renews the session (the old cookie no longer
  works, the new one does) and ends the user's other sessions;
- the users CSV lists exactly the accounts in scope, and its cells are
  inert in a spreadsheet (a name starting with '-', a unit named
  '=HYPERLINK(...)');
- every change has its audit record, the chain verifies, and no password
  reaches the server's log;
- the pages in Vietnamese and with ?lang=en, and the navigation links.

Usage: web_users.py PATH/TO/gnbv
"""
import csv
import io
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from webtest import (q, COMMUNE_A, DISTRICT, HERE, OTHER_COMMUNE, OTHER_DISTRICT, PASSWORD,  # noqa: E402
                     Client, Server, add_user, run)

GNBV = sys.argv[1]
from checks import check, results  # noqa: E402
NEW_PW = "Mật khẩu mới của Hoa 1"
RESET_PW = "Đặt lại cho Hoa 2"
OWN_PW = "Mật khẩu riêng của Hoa 3"
HOSTILE_UNIT = '=HYPERLINK("http://x.example/","bấm")'


def snapshot(db):
    """Everything an account change touches."""
    return (q(db, "SELECT user_id, name, role, unit_id, pw_hash, disabled, pw_changed_at FROM app_user "
                  "ORDER BY user_id"),
            q(db, "SELECT count(*) FROM audit_log WHERE action LIKE 'user.%'")[0][0])


def user_id(db, name):
    return q(db, "SELECT user_id FROM app_user WHERE name = ?", name)[0][0]


def sessions(db, name):
    return q(db, "SELECT count(*) FROM app_session x JOIN app_user a ON a.user_id = x.user_id "
                 "WHERE a.name = ?", name)[0][0]


def audits(db, action, name, actor):
    return q(db, "SELECT count(*) FROM audit_log WHERE action = ? AND object = ? AND actor = ?",
             action, "user:" + name, "web:" + actor)[0][0]


def err_texts(body):
    return re.findall(r'class="err"[^>]*>([^<]*)<', body)


def to_login(c):
    st, h, _ = c.req("GET", "/dashboard")
    return st == 303 and h.get("location", [""])[0] == "/login"


with tempfile.TemporaryDirectory() as d:
    db = os.path.join(d, "t.db")
    run(GNBV, db, "init")
    run(GNBV, db, "units", "import", os.path.join(HERE, "data", "units-other-district.csv"))
    # A commune of the district whose name is a spreadsheet formula.
    hostile = os.path.join(d, "units-hostile.csv")
    with open(hostile, "w", encoding="utf-8") as f:
        f.write("code,name,level,parent_code,area,valid_from,valid_to,successor_code,flags\n"
                '04599,"%s",commune,045,rural,2020-02-01,,,\n' % HOSTILE_UNIT.replace('"', '""'))
    run(GNBV, db, "units", "import", hostile)
    for name, role, unit in (("root", "admin", None), ("adm045", "admin", DISTRICT),
                             ("adm099", "admin", OTHER_DISTRICT), ("off045", "office", DISTRICT),
                             ("lan099", "commune", OTHER_COMMUNE)):
        add_user(GNBV, db, name, role, unit)
    log = os.path.join(d, "serve.log")
    srv = Server(GNBV, db, log)
    try:
        adm = Client(srv.port)
        check("the district's administrator logs in", adm.login("adm045")[0] == 303)

        # ---- adding ----
        st, _, form = adm.req("GET", "/users/new")
        check("add form", st == 200 and 'id="f-add"' in form, st)
        opts = re.findall(r'<option value="([^"]*)"', form)
        check("the unit select holds the district's units", DISTRICT in opts and COMMUNE_A in opts
              and "04599" in opts, opts[:10])
        check("... and no unit of another district, no village, no whole tree",
              OTHER_COMMUNE not in opts and OTHER_DISTRICT not in opts and "01366-01" not in opts
              and not any(o == "" for o in opts[7:]), opts)
        csrf = adm.csrf(form)
        good = {"csrf": csrf, "name": "hoa", "role": "commune", "unit": COMMUNE_A,
                "password": NEW_PW, "password2": NEW_PW}
        st, h, _ = adm.req("POST", "/users/new", good)
        loc = h.get("location", [""])[0]
        check("a user added: to their page", st == 303 and re.match(r"^/user/\d+\?done=added$", loc),
              "%d %s" % (st, loc))
        hoa_id = user_id(db, "hoa")
        st, _, page = adm.req("GET", loc)
        check("their page says so", st == 200 and "Đã thêm tài khoản" in page and "Xã Cần Yên" in page,
              st)
        row = q(db, "SELECT a.role, u.code, a.disabled FROM app_user a JOIN unit u ON u.unit_id = a.unit_id "
                    "WHERE a.name = 'hoa'")
        check("stored with role and unit", row == [("commune", COMMUNE_A, 0)], row)
        check("user.add audited", audits(db, "user.add", "hoa", "adm045") == 1)
        hoa = Client(srv.port)
        check("the new user logs in", hoa.login("hoa", NEW_PW)[0] == 303)
        st, _, page = hoa.req("GET", "/account")
        check("their account page", st == 200 and ">hoa<" in page and "Cán bộ xã" in page
              and "Xã Cần Yên (01366)" in page and 'action="/account/password"' in page, st)

        before = snapshot(db)
        bad_cases = [
            ("a duplicate name", dict(good), 409, "Tên đăng nhập này đã có người dùng"),
            ("a name of another district", dict(good, name="lan099"), 409, "Tên đăng nhập này đã có"),
            ("a weak password", dict(good, name="mai", password="12345678", password2="12345678"), 400,
             "Mật khẩu chưa đạt"),
            ("a short password", dict(good, name="mai", password="ngắn", password2="ngắn"), 400,
             "Mật khẩu chưa đạt"),
            ("mismatched passwords", dict(good, name="mai", password2=NEW_PW + "x"), 400,
             "Hai lần nhập mật khẩu không giống nhau"),
            ("a bad name", dict(good, name="mai lan"), 400, "Tên đăng nhập không hợp lệ"),
            ("a commune user without a unit", dict(good, name="mai", unit=""), 400,
             "Vai trò này cần một đơn vị"),
            ("no role", dict(good, name="mai", role="boss"), 400, "Hãy chọn vai trò"),
        ]
        for what, f, want, text in bad_cases:
            st, _, body = adm.req("POST", "/users/new", f)
            check("refused, %s: %d and the form again" % (what, want),
                  st == want and 'id="f-add"' in body and any(text in e for e in err_texts(body)),
                  "%d %s" % (st, err_texts(body)))
            check("... with what was typed, never the password (%s)" % what,
                  ('value="%s"' % f["name"]) in body and f["password"] not in body)
        check("refusals wrote nothing", snapshot(db) == before)
        st, _, body = adm.req("POST", "/users/new?lang=en", dict(good, name="mai", password2="x" * 9))
        check("a refusal in English", st == 400 and "The two passwords differ." in body, st)
        adm.req("GET", "/account?lang=vi")

        # ---- disabling ----
        st, h, _ = adm.req("POST", "/user/%d/disable" % hoa_id, {"csrf": csrf})
        check("disabled", st == 303 and h.get("location", [""])[0] == "/user/%d?done=disabled" % hoa_id,
              st)
        check("the disabled user's live session ends at once", to_login(hoa))
        check("... and no session is left", sessions(db, "hoa") == 0)
        check("... nor can they log in", hoa.login("hoa", NEW_PW)[0] == 401)
        check("user.disable audited", audits(db, "user.disable", "hoa", "adm045") == 1)
        st, _, page = adm.req("GET", "/user/%d" % hoa_id)
        check("their page shows the state, without the disable form",
              st == 200 and "Đã khóa" in page and 'id="f-disable"' not in page and 'id="f-reset"' in page,
              "%d %s" % (st, page[-1500:]))
        st, _, _ = adm.req("POST", "/user/%d/disable" % hoa_id, {"csrf": csrf})
        check("disabling twice: 409", st == 409, st)

        # ---- resetting ----
        before = snapshot(db)
        for what, f, want in (("mismatched", {"password": RESET_PW, "password2": RESET_PW + "!"}, 400),
                              ("weak", {"password": "password", "password2": "password"}, 400)):
            st, _, body = adm.req("POST", "/user/%d/reset" % hoa_id, dict(f, csrf=csrf))
            check("a %s reset refused with the page again" % what,
                  st == want and 'id="f-reset"' in body and err_texts(body), st)
        check("refused resets wrote nothing", snapshot(db) == before)
        st, h, _ = adm.req("POST", "/user/%d/reset" % hoa_id,
                           {"csrf": csrf, "password": RESET_PW, "password2": RESET_PW})
        check("reset", st == 303 and h.get("location", [""])[0] == "/user/%d?done=reset" % hoa_id, st)
        check("a reset enables the account", q(db, "SELECT disabled FROM app_user WHERE name = 'hoa'") == [(0,)])
        h1, h2 = Client(srv.port), Client(srv.port)
        check("the new password works", h1.login("hoa", RESET_PW)[0] == 303 and h2.login("hoa", RESET_PW)[0] == 303)
        adm.req("POST", "/user/%d/reset" % hoa_id, {"csrf": csrf, "password": NEW_PW, "password2": NEW_PW})
        check("a reset ends every session of the user", to_login(h1) and to_login(h2)
              and sessions(db, "hoa") == 0)
        check("the old password no longer works", Client(srv.port).login("hoa", RESET_PW)[0] == 401)
        check("the new one does", hoa.login("hoa", NEW_PW)[0] == 303)
        check("user.reset audited", audits(db, "user.reset", "hoa", "adm045") == 2)

        # ---- scope: crafted POSTs ----
        before = snapshot(db)
        other_id, root_id, own_id = user_id(db, "lan099"), user_id(db, "root"), user_id(db, "adm045")
        crafted = [
            ("add a user to another district's commune", "/users/new",
             dict(good, name="mai", unit=OTHER_COMMUNE), 404),
            ("add a user to the district itself of another", "/users/new",
             dict(good, name="mai", unit=OTHER_DISTRICT), 404),
            ("add an administrator of everything", "/users/new", dict(good, name="mai", role="admin", unit=""), 403),
            ("disable another district's user", "/user/%d/disable" % other_id, {"csrf": csrf}, 404),
            ("reset another district's user", "/user/%d/reset" % other_id,
             {"csrf": csrf, "password": RESET_PW, "password2": RESET_PW}, 404),
            ("disable the administrator of everything", "/user/%d/disable" % root_id, {"csrf": csrf}, 404),
            ("reset the administrator of everything", "/user/%d/reset" % root_id,
             {"csrf": csrf, "password": RESET_PW, "password2": RESET_PW}, 404),
            ("disable oneself", "/user/%d/disable" % own_id, {"csrf": csrf}, 409),
            ("reset oneself (My account is the way)", "/user/%d/reset" % own_id,
             {"csrf": csrf, "password": RESET_PW, "password2": RESET_PW}, 409),
        ]
        for what, path, f, want in crafted:
            st, _, _ = adm.req("POST", path, f)
            check("refused: %s (%d)" % (what, want), st == want, st)
        for path in ("/user/%d" % other_id, "/user/%d" % root_id, "/user/0", "/user/abc", "/user/99999"):
            st, _, _ = adm.req("GET", path)
            check("no page out of scope or unknown: " + path, st == 404, st)
        other = Client(srv.port)
        other.login("adm099")
        ocsrf = other.session_csrf()
        st, _, _ = other.req("POST", "/user/%d/disable" % hoa_id, {"csrf": ocsrf})
        check("the other district cannot disable ours", st == 404, st)
        st, _, _ = other.req("POST", "/users/new", dict(good, csrf=ocsrf, name="mai"))
        check("... nor add to ours", st == 404, st)
        office = Client(srv.port)
        office.login("off045")
        fcsrf = office.session_csrf()
        for m, path, f in (("GET", "/users", None), ("GET", "/users.csv", None), ("GET", "/users/new", None),
                           ("POST", "/users/new", dict(good, csrf=fcsrf, name="mai")),
                           ("GET", "/user/%d" % hoa_id, None),
                           ("POST", "/user/%d/disable" % hoa_id, {"csrf": fcsrf})):
            st, _, _ = office.req(m, path, f)
            check("the standing office has no user screens: %s %s" % (m, path), st == 403, st)
        st, _, _ = adm.req("POST", "/user/%d/disable" % hoa_id, {"name": "hoa"})
        check("a POST without its CSRF token is refused", st == 403, st)
        check("the crafted POSTs changed nothing", snapshot(db) == before)
        check("the other district's user is untouched",
              q(db, "SELECT disabled FROM app_user WHERE name = 'lan099'") == [(0,)]
              and Client(srv.port).login("lan099")[0] == 303)

        # ---- my own password ----
        hoa2 = Client(srv.port)
        hoa2.login("hoa", NEW_PW)
        st, _, page = hoa.req("GET", "/account")
        hcsrf = hoa.csrf(page)
        old_cookie = hoa.cookies["gnbv_session"]
        before = snapshot(db)
        for what, f, want, text in (
                ("a wrong current password", {"current": "not it at all", "password": OWN_PW, "password2": OWN_PW},
                 403, "Mật khẩu hiện tại không đúng"),
                ("mismatched", {"current": NEW_PW, "password": OWN_PW, "password2": OWN_PW + "!"}, 400,
                 "Hai lần nhập mật khẩu không giống nhau"),
                ("the same as now", {"current": NEW_PW, "password": NEW_PW, "password2": NEW_PW}, 400,
                 "Mật khẩu mới phải khác"),
                ("weak", {"current": NEW_PW, "password": "qwerty123", "password2": "qwerty123"}, 400,
                 "Mật khẩu chưa đạt")):
            st, _, body = hoa.req("POST", "/account/password", dict(f, csrf=hcsrf))
            check("own change refused, %s: %d with the form" % (what, want),
                  st == want and 'id="f-password"' in body and any(text in e for e in err_texts(body)),
                  "%d %s" % (st, err_texts(body)))
        check("refused own changes wrote nothing", snapshot(db) == before)
        check("... and ended no session", hoa.cookies["gnbv_session"] == old_cookie and not to_login(hoa2))
        st, h, _ = hoa.req("POST", "/account/password",
                           {"csrf": hcsrf, "current": NEW_PW, "password": OWN_PW, "password2": OWN_PW})
        new_cookie = hoa.cookies.get("gnbv_session")
        check("own password changed: back to the account page",
              st == 303 and h.get("location", [""])[0] == "/account?done=password", st)
        check("... with a new session cookie", new_cookie and new_cookie != old_cookie
              and any(c.startswith("gnbv_session=") and "HttpOnly" in c and "SameSite=Strict" in c
                      for c in h.get("set-cookie", [])))
        st, _, page = hoa.req("GET", "/account?done=password")
        check("the new cookie works", st == 200 and "Đã đổi mật khẩu" in page, st)
        stale = Client(srv.port)
        stale.cookies["gnbv_session"] = old_cookie
        check("the old cookie no longer works", to_login(stale))
        check("the user's other session has ended", to_login(hoa2))
        check("one session left", sessions(db, "hoa") == 1)
        st, _, _ = hoa.req("POST", "/logout", {"csrf": hcsrf})
        check("the old session's CSRF token is dead too", st == 403, st)
        check("user.password audited", audits(db, "user.password", "hoa", "hoa") == 1)
        check("the old password no longer logs in", Client(srv.port).login("hoa", NEW_PW)[0] == 401)
        check("the new one does", Client(srv.port).login("hoa", OWN_PW)[0] == 303)

        # ---- the list and its CSV ----
        adm.req("POST", "/users/new", dict(good, name="-2-3", unit="04599", role="viewer"))
        check("a user of the hostile commune", q(db, "SELECT count(*) FROM app_user WHERE name = '-2-3'") == [(1,)])
        path045 = q(db, "SELECT path FROM unit WHERE code = ?", DISTRICT)[0][0]
        in_scope = {r[0] for r in q(db, "SELECT a.name FROM app_user a JOIN unit u ON u.unit_id = a.unit_id "
                                        "WHERE u.path LIKE ?", path045 + "%")}
        check("scope fixture", in_scope == {"adm045", "off045", "hoa", "-2-3"}, in_scope)
        st, h, body = adm.req("GET", "/users.csv")
        check("CSV download", st == 200 and h.get("content-type", [""])[0].startswith("text/csv")
              and "attachment" in h.get("content-disposition", [""])[0] and body.startswith("\ufeff"), st)
        rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
        check("CSV header", rows[0] == ["name", "role", "unit_code", "unit_name", "state", "created_at",
                                        "last_login_at", "password_changed_at"], rows[0])
        names = {r[0].lstrip("'") for r in rows[1:]}
        check("the CSV lists exactly the accounts in scope", names == in_scope and len(rows) - 1 == len(in_scope),
              names)
        check("CSV cells are inert: no cell starts with = + - @",
              all(not cell or cell[0] not in "=+-@\t\r" for r in rows for cell in r),
              [c for r in rows for c in r if c and c[0] in "=+-@"])
        check("... the formula kept, quoted", ('"\'-2-3"' in body) and ("\"'=HYPERLINK(" in body), body[-300:])
        hoa_row = [r for r in rows if r[0] == "hoa"][0]
        check("CSV row: role, unit, state, ISO times", hoa_row[1:5] == ["commune", COMMUNE_A, "Xã Cần Yên", "enabled"]
              and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", hoa_row[6]), hoa_row)
        n = q(db, "SELECT count(*) FROM audit_log WHERE action = 'access.export' AND object = 'users:045' "
                  "AND actor = 'web:adm045'")[0][0]
        check("the export is recorded", n == 1, n)
        st, _, page = adm.req("GET", "/users")
        check("the list shows the accounts in scope only",
              st == 200 and all((">%s<" % x) in page for x in in_scope) and "lan099" not in page
              and "adm099" not in page and ">root<" not in page, st)
        table = page[page.find('<table id="users">'):]  # (the state filter's select names both)
        check("... with their state", "Đã khóa" not in table and "Đang dùng" in table, page[-2000:])
        rootc = Client(srv.port)
        rootc.login("root")
        st, _, body = rootc.req("GET", "/users.csv")
        all_names = {r[0] for r in q(db, "SELECT name FROM app_user")}
        got = {r[0].lstrip("'") for r in list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]}
        check("the administrator of everything lists everyone", st == 200 and got == all_names, got)
        st, _, form = rootc.req("GET", "/users/new")
        check("... and may add an account without a unit", 'value=""' in form and "Toàn bộ (mọi đơn vị)" in form)

        # ---- language and navigation ----
        st, _, page = adm.req("GET", "/users?lang=en")
        check("the list in English", st == 200 and "User accounts" in page and "Download the list (CSV)" in page
              and "Enabled" in page and 'lang="en"' in page, st)
        st, _, page = adm.req("GET", "/account")
        check("the account page in English (the cookie)", st == 200 and "My account" in page
              and "Change my password" in page, st)
        st, _, page = adm.req("GET", "/user/%d" % hoa_id)
        check("an account's page in English", "Reset the password" in page and "Disable the account" in page)
        adm.req("GET", "/account?lang=vi")
        st, _, page = adm.req("GET", "/account")
        check("the account page in Vietnamese", "Tài khoản của tôi" in page and "Đổi mật khẩu" in page
              and "Mật khẩu hiện tại" in page)
        check("nav: the account link and, for the administrator, the users link",
              'href="/account"' in page and 'href="/users"' in page)
        st, _, page = hoa.req("GET", "/account")
        check("nav: no users link for a commune officer", 'href="/account"' in page and 'href="/users"' not in page)
        st, _, _ = hoa.req("GET", "/users")
        check("... nor the page", st == 403, st)
    finally:
        rc = srv.stop()
        check("graceful stop", rc == 0, rc)
    with open(log, encoding="utf-8", errors="replace") as f:
        text = f.read()
    check("no password in the server's log", not any(p in text for p in (NEW_PW, RESET_PW, OWN_PW, PASSWORD)))
    check("no user name in a logged path", "/user/%d" % hoa_id not in text and "hoa" not in text)
    out = subprocess.run([GNBV, "--db", db, "audit", "verify"], capture_output=True, text=True)
    check("audit chain intact", out.returncode == 0, out.stderr)

print("%d checks, %d failed" % (len(results), results.count(False)))
sys.exit(0 if all(results) else 1)
