#!/usr/bin/env python3
"""End-to-end over HTTP: a demo commune's 2023 review round run from the
list to recognition through the web forms (/review/CODE/YEAR, each form
fetched and posted with its CSRF token), with the refusals: steps out of
order, the 50% rule at exactly 50% (stands) and just below (back to the
survey, surveyed again through the household edit form, voted again),
posting refused while a vote does not stand, submission refused with an
unresolved complaint, the submitter refused recognition, an edit after
recognition refused with nothing changed, reopening refused to the
commune (the route) and to an office user of the commune (the store: not
the level above) and accepted from the district; then the round is run
to recognition again and the summary form (`gnbv review summary`) matches
the store's own counts. Also an ad-hoc request recorded and flagged
overdue on the dashboard, and the expected-to-escape page.

Only the 2023 surveys go in by import (the field survey of step 2, as a
commune officer uploads it); every review step is an HTTP form.

Usage: web_review.py PATH/TO/gnbv
"""
import csv
import io
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from webtest import q, Client, Server, add_user, run  # noqa: E402

GNBV = sys.argv[1]
COMMUNE, YEAR = "01367", 2023  # the demo's smallest commune (Cần Nông)
BASE = "/review/%s/%d" % (COMMUNE, YEAR)
from checks import check, results  # noqa: E402


def step(c, action, form=None, page=BASE):
    """Fetches the round page, posts one of its forms with the page's token."""
    _, _, html = c.req("GET", page)
    f = dict(form or {})
    f["csrf"] = c.csrf(html)
    return c.req("POST", "%s/%s" % (BASE, action), f)


def state(c):
    _, _, html = c.req("GET", BASE)
    m = re.search(r'<dt>[^<]*</dt><dd><b class="[^"]*">([^<]*)</b>', html)
    return (m.group(1) if m else ""), html


with tempfile.TemporaryDirectory() as d:
    db = os.path.join(d, "demo", "demo.db")
    p = subprocess.run([GNBV, "demo", "--out", os.path.join(d, "demo")], capture_output=True, text=True)
    check("demo database", p.returncode == 0, p.stderr)
    # The commune's 2023 field survey: its 2022 households, one poorer.
    src = os.path.join(d, "demo", "round-2022")
    out = os.path.join(d, "r23")
    os.makedirs(out)
    with open(os.path.join(src, "households.csv"), encoding="utf-8") as f:
        rows = list(csv.reader(f))
    hh = [rows[0]] + [r for r in rows[1:] if r[1].startswith(COMMUNE + "-")]
    codes = {r[0] for r in hh[1:]}
    with open(os.path.join(out, "households.csv"), "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(hh)
    with open(os.path.join(src, "members.csv"), encoding="utf-8") as f:
        mm = list(csv.reader(f))
    with open(os.path.join(out, "members.csv"), "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([mm[0]] + [r for r in mm[1:] if r[0] in codes])
    run(GNBV, db, "import", "--round", str(YEAR), os.path.join(out, "households.csv"),
        os.path.join(out, "members.csv"))
    check("the 2023 survey imported (%d households)" % len(codes), len(codes) > 50)

    add_user(GNBV, db, "canbo", "commune", COMMUNE)     # the commune officer
    add_user(GNBV, db, "chutich", "commune", COMMUNE)   # the commune chairman
    add_user(GNBV, db, "phong_xa", "office", COMMUNE)   # an office user scoped to the commune
    add_user(GNBV, db, "phong", "office", "045")        # the district's standing office
    add_user(GNBV, db, "xa_khac", "commune", "01366")   # another commune's officer
    srv = Server(GNBV, db, os.path.join(d, "serve.log"))
    try:
        cb, ct, px, ph, xk = (Client(srv.port) for _ in range(5))
        for c, n in ((cb, "canbo"), (ct, "chutich"), (px, "phong_xa"), (ph, "phong"), (xk, "xa_khac")):
            check("login " + n, c.login(n)[0] == 303)

        st, _, html = cb.req("GET", BASE)
        check("round page: imported only, the open form shown",
              st == 200 and 'id="f-open"' in html and "Chỉ nhập số liệu" in html, st)
        st, _, html = xk.req("GET", BASE)
        check("another commune's officer: refused, nothing shown", st in (403, 404) and "f-open" not in html, st)
        st, _, _ = step(xk, "open", page="/review/01366/2023")
        after = q(db, "SELECT count(*) FROM audit_log WHERE action LIKE 'review.%' AND actor LIKE '%xa_khac%'")[0][0]
        check("another commune's officer cannot open it (403), nothing written", st == 403 and after == 0, (st, after))

        # Out of order before the round runs.
        st, _, html = step(cb, "survey")
        check("close the list before opening: 409 in Vietnamese",
              st == 409 and "Chưa làm được bước này" in html and 'id="refusal"' in html, st)
        st, hdr, _ = step(cb, "open")
        check("step 1 opened (303 back to the page)", st == 303 and hdr["location"][0].startswith(BASE), st)
        s, html = state(cb)
        check("state: listing, with the list", s == "1. Lập danh sách" and 'id="list"' in html, s)
        st, _, html = step(cb, "meeting", {"village": COMMUNE + "-01", "date": "2023-10-20", "chair": "A",
                                            "participants": "10"})
        check("a meeting during the listing: 409", st == 409 and "Chưa làm được" in html, st)
        one = sorted(codes)[0]
        new = re.findall(r'<tr><td><a href="/household/([^"?]+)\?round=%d">[^<]*</a></td><td>[^<]*</td>'
                         r'<td>Được điều tra' % YEAR, html)
        check("surveyed households not on the current lists are shown", len(new) > 0)
        applicant = new[0] if new else one
        st, _, html = step(cb, "apply", {"household": one, "date": "2023-13-40", "applicant": "X"})
        check("an application with a bad date: 400, named", st == 400 and "năm-tháng-ngày" in html, st)
        st, _, html = step(cb, "apply", {"household": applicant, "date": "2023-09-10", "applicant": "Chủ hộ <b>"})
        check("application recorded", st == 303, re.findall(r'class="detail">([^<]*)', html))
        st, _, _ = step(cb, "survey")
        check("list closed: step 2", st == 303 and state(cb)[0] == "2. Điều tra, phân loại", st)

        # Step 3: a meeting per village, with a vote for each of its households.
        _, _, html = cb.req("GET", BASE)
        votable = re.findall(r'<tr><td>([^<]+)</td><td data-unit="([^"]+)">[^<]*</td><td class="n"><input name="v_', html)
        by_village = {}
        for code, village in votable:
            by_village.setdefault(village, []).append(code)
        check("every surveyed household is to vote on", len(votable) == len(codes), (len(votable), len(codes)))
        villages = sorted(v for v in by_village if v != COMMUNE)
        exact, below = by_village[villages[0]][0], by_village[villages[0]][1]
        for v in villages:
            form = {"village": v, "date": "2023-10-20", "chair": "Trưởng thôn " + v, "participants": "10"}
            for code in by_village[v]:
                form["v_" + code] = "8"
            if v == villages[0]:
                form["v_" + exact], form["v_" + below] = "5", "4"
            st, hdr, _ = step(cb, "meeting", form)
            if v == villages[0]:
                check("5 of 10 stands, 4 of 10 goes back (back=1)", st == 303 and "back=1" in hdr["location"][0],
                      (st, hdr.get("location")))
            elif not check("meeting of " + v, st == 303, st):
                break
        s, html = state(cb)
        check("state: the meeting step", s == "3. Họp thôn", s)
        check("exactly 50% stands, just below does not",
              re.search(r">%s</a>.*?vote-agreed.*?\(5/10\)" % re.escape(exact), html) is not None
              and re.search(r">%s</a>.*?vote-resurvey.*?\(4/10\)" % re.escape(below), html) is not None)
        st, _, html = step(cb, "post", {"start": "2023-11-01", "end": "2023-11-10"})
        check("posting refused while a vote is below 50%: 409",
              st == 409 and "Chưa niêm yết được" in html and below in html, st)
        meeting = re.search(r'<select name="meeting"><option value="(\d+)"', html).group(1)
        st, _, html = step(cb, "vote", {"meeting": meeting, "household": below, "in_favour": "9"})
        check("voting again without a new survey: 409", st == 409 and "điều tra lại trước" in html, st)
        _, _, ehtml = cb.req("GET", "/household/%s/edit?round=%d" % (below, YEAR))
        st, _, _ = cb.req("POST", "/household/%s/edit" % below,
                          {"csrf": cb.csrf(ehtml), "round": str(YEAR), "income_month": "777000"})
        check("surveyed again through the household form", st == 303, st)
        st, hdr, _ = step(cb, "vote", {"meeting": meeting, "household": below, "in_favour": "5"})
        check("voted again: 5 of 10 stands", st == 303 and "back=0" in hdr["location"][0], st)

        # Step 4: posting, a complaint, its resolution.
        st, _, _ = step(cb, "post", {"start": "2023-11-10", "end": "2023-11-01"})
        check("posting that ends before it starts: 400", st == 400, st)
        st, _, _ = step(cb, "post", {"start": "2023-11-01", "end": "2023-11-10"})
        check("posted: step 4", st == 303 and state(cb)[0] == "4. Niêm yết", st)
        st, _, _ = step(cb, "complain", {"household": one, "date": "2023-11-05", "by": "Hộ " + one,
                                          "text": "Đề nghị xem xét lại <script>"})
        check("complaint recorded", st == 303, st)
        st, _, html = step(cb, "submit")
        check("submission refused with the complaint open: 409",
              st == 409 and "còn khiếu nại chưa giải quyết" in html, st)
        check("the complaint's text escaped", "&lt;script&gt;" in html and "<script>" not in html)
        cid = re.search(r'name="complaint" value="(\d+)"', html).group(1)
        st, _, _ = step(cb, "resolve", {"complaint": cid, "date": "2023-11-08", "resolution": "Giữ nguyên"})
        check("complaint resolved", st == 303, st)
        st, _, _ = step(cb, "submit")
        check("submitted: step 5, locked", st == 303 and state(cb)[0] == "5. Đã trình", st)

        # Step 5: recognition, not by the submitter.
        rec = {"decision": "25/QĐ-UBND", "date": "2023-12-15", "signer": "Chủ tịch UBND xã Cần Nông"}
        _, _, html = cb.req("GET", BASE)
        st, _, html = cb.req("POST", BASE + "/recognise", dict(rec, csrf=cb.csrf(html)))
        check("the submitter cannot recognise: 403 with the reason",
              st == 403 and "Người đã trình không được đồng thời công nhận" in html, st)
        st, _, _ = step(ct, "recognise", rec)
        s, html = state(ct)
        check("recognised by the chairman", st == 303 and s == "Đã công nhận" and "25/QĐ-UBND" in html, (st, s))

        # The lock: an edit after recognition is refused and changes nothing.
        before = q(db, "SELECT count(*), max(s.survey_id) FROM survey s JOIN household h ON "
                       "h.household_id = s.household_id WHERE h.code = ?", one)
        _, _, ehtml = cb.req("GET", "/household/%s/edit?round=%d" % (one, YEAR))
        st, _, html = cb.req("POST", "/household/%s/edit" % one,
                             {"csrf": cb.csrf(ehtml) or cb.session_csrf(), "round": str(YEAR),
                              "income_month": "123456"})
        after = q(db, "SELECT count(*), max(s.survey_id) FROM survey s JOIN household h ON "
                      "h.household_id = s.household_id WHERE h.code = ?", one)
        check("an edit after recognition: 409, nothing changed", st == 409 and before == after, (st, before, after))
        st, _, _ = step(cb, "remove", {"household": one, "reason": "x"})
        check("withdrawing from the list after recognition: 409", st == 409, st)

        # Reopening: the level above only.
        st, _, _ = step(cb, "reopen", {"reason": "Sai sót"})
        check("reopen by the commune officer: 403 (the route)", st == 403, st)
        st, _, html = step(px, "reopen", {"reason": "Sai sót"})
        check("reopen by an office user of the commune itself: 403 (not the level above)",
              st == 403 and "Chỉ cấp trên của xã" in html, st)
        st, _, _ = step(ph, "reopen", {"reason": "Kiểm tra lại hộ " + below})
        check("reopen by the district: back to step 2", st == 303 and state(ph)[0] == "2. Điều tra, phân loại", st)

        # To recognition again: the votes still stand, so post, submit, recognise.
        st, _, html = step(cb, "post", {"start": "2023-11-01", "end": "2023-11-10"})
        check("after reopening, posting needs the meeting step again: 409", st == 409, st)
        st, _, _ = step(cb, "meeting", {"village": villages[0], "date": "2023-11-20", "chair": "Trưởng thôn",
                                         "participants": "12"})
        check("a meeting without votes: the votes still standing count", st == 303, st)
        st, _, html = step(cb, "post", {"start": "2023-11-21", "end": "2023-11-30"})
        check("posted again", st == 303, re.findall(r'class="detail">([^<]*)', html))
        st, _, html = step(cb, "submit")
        check("submitted again", st == 303, re.findall(r'class="detail">([^<]*)', html))
        st, _, _ = step(ct, "recognise", rec)
        check("recognised again", st == 303 and state(ct)[0] == "Đã công nhận", st)

        # Ad-hoc: a request past its deadline is flagged on the dashboard.
        st, _, _ = step(cb, "adhoc", {"household": one, "date": "2024-01-02", "reason": "Ốm đau"})
        check("ad-hoc request recorded", st == 303, st)
        _, _, html = cb.req("GET", "/dashboard")
        check("the overdue ad-hoc request flagged on the dashboard",
              'id="overdue"' in html and one in html, "")
        _, _, html = cb.req("GET", BASE)
        check("and on the round page", 'id="overdue"' in html and "Ốm đau" in html)
        # Its survey in the ad-hoc round of 2024-01-10 (imported), then the decision by form.
        rid = re.search(r'<table id="overdue">.*?<td class="n">(\d+)</td><td>%s</td>' % re.escape(one), html, re.S)
        adir = os.path.join(d, "adhoc")
        os.makedirs(adir)
        for name, key in (("households.csv", 0), ("members.csv", 0)):
            with open(os.path.join(out, name), encoding="utf-8") as f:
                rr = list(csv.reader(f))
            with open(os.path.join(adir, name), "w", encoding="utf-8", newline="") as f:
                csv.writer(f).writerows([rr[0]] + [x for x in rr[1:] if x[key] == one])
        run(GNBV, db, "import", "--round", "2024", "--kind", "adhoc", "--as-of", "2024-01-10",
            os.path.join(adir, "households.csv"), os.path.join(adir, "members.csv"))
        st, _, html = step(cb, "decide", {"request": rid.group(1) if rid else "0", "round_date": "2024-01-10",
                                          "date": "2024-01-12", "decision": "3/QĐ-UBND", "signer": "Chủ tịch"})
        check("the ad-hoc decision recorded through the form", st == 303, re.findall(r'class="detail">([^<]*)', html))
        _, _, html = cb.req("GET", "/dashboard")
        check("and the request is no longer flagged overdue", 'id="overdue"' not in html)

        # Expected to escape in 2024 (M8), from the 2023 round just recognised.
        poor = q(db, "SELECT h.code FROM survey s JOIN household h ON h.household_id = s.household_id JOIN "
                     "unit u ON u.unit_id = s.unit_id WHERE s.replaced_by IS NULL AND s.period = ? AND "
                     "s.class = 'poor' AND u.code LIKE ? ORDER BY h.code LIMIT 1", "periodic:2023", COMMUNE + "%")[0][0]
        notpoor = q(db, "SELECT h.code FROM survey s JOIN household h ON h.household_id = s.household_id JOIN "
                        "unit u ON u.unit_id = s.unit_id WHERE s.replaced_by IS NULL AND s.period = ? AND "
                        "s.class = 'not_poor' AND u.code LIKE ? ORDER BY h.code LIMIT 1", "periodic:2023", COMMUNE + "%")[0][0]
        esc = "/review/%s/2024/escape" % COMMUNE

        def epost(action, form):
            _, _, h = cb.req("GET", esc)
            return cb.req("POST", "/review/%s/2024/%s" % (COMMUNE, action), dict(form, csrf=cb.csrf(h)))
        st, _, html = epost("escape-mark", {"household": notpoor})
        check("marking a household that is not poor: refused with the reason",
              st in (400, 409) and "Chưa ghi được" in html, st)
        st, _, _ = epost("escape-mark", {"household": poor})
        check("a poor household marked expected to escape in 2024", st == 303, st)
        st, _, _ = epost("escape-assign", {"household": poor, "helper": "Hoàng Thị Mai", "position": "Chủ tịch Hội Phụ nữ"})
        check("its helper assigned", st == 303, st)
        st, _, _ = epost("escape-support", {"household": poor, "what": "Giống ngô", "date": "2024-03-15",
                                            "amount": "5000000", "component": "DA3.1"})
        check("support recorded", st == 303, st)
        views = lambda obj: q(db, "SELECT count(*) FROM audit_log WHERE action = 'access.view' "
                                  "AND object = ?", obj)[0][0]
        n_esc, n_list = views("escape:%s:2024" % COMMUNE), views("review_list:%s:%d" % (COMMUNE, YEAR))
        st, _, html = cb.req("GET", esc)
        check("a view of the expected-to-escape list writes its access record",
              views("escape:%s:2024" % COMMUNE) == n_esc + 1, n_esc)
        cb.req("GET", BASE)
        check("a view of the round page (its households) writes its access record",
              views("review_list:%s:%d" % (COMMUNE, YEAR)) == n_list + 1, n_list)
        check("the 2024 list shows the household, its helper, the support and a component",
              st == 200 and poor in html and "Hoàng Thị Mai" in html and "5.000.000" in html and "DA3.1" in html, st)
        st, _, html = cb.req("GET", "/review/%s/%d/escape" % (COMMUNE, YEAR))
        check("expected-to-escape page: households with deficits, components and helpers",
              st == 200 and 'id="escape"' in html and "DA" in html and "Người giúp đỡ" in html, st)
        # The summary form on screen, against the store.
        st, _, html = cb.req("GET", "/summary/%s/%d" % (COMMUNE, YEAR))
        end = q(db, "SELECT count(*), sum(s.class = 'poor') FROM survey s JOIN unit u ON "
                    "u.unit_id = s.unit_id WHERE s.replaced_by IS NULL AND s.period = ? AND u.code LIKE ?",
                "periodic:%d" % YEAR, COMMUNE + "%")[0]
        vn = lambda x: "{:,}".format(x).replace(",", ".")
        row = re.search(r'<tr class="total"><td>[^<]*</td><td>[^<]*</td><td class="n">([\d.]+)</td>'
                        r'(?:<td class="n">[^<]*</td>){8}<td class="n">([\d.]+)</td>', html)
        check("the summary form on screen: households and poor at the end as the store has them (%s)"
              % (end,), st == 200 and row and (row.group(1), row.group(2)) == (vn(end[0]), vn(end[1])),
              (st, row and row.groups()))
    finally:
        check("server stopped cleanly", srv.stop() == 0)

    # The summary form against the store.
    p = subprocess.run([GNBV, "--db", db, "review", "summary", "--commune", COMMUNE, "--year", str(YEAR),
                        "--format", "csv", "--as", "check", "--unit", COMMUNE], capture_output=True, text=True)
    sm = [r for r in csv.DictReader(io.StringIO(p.stdout)) if r["unit_code"] == COMMUNE and r["area"] == "total"]
    if check("summary form of the commune", p.returncode == 0 and len(sm) == 1, p.stdout[:300] + p.stderr):
        t = sm[0]
        def counts(year):
            return q(db, "SELECT count(*), sum(s.class = 'poor') FROM survey s JOIN unit u ON "
                         "u.unit_id = s.unit_id WHERE s.replaced_by IS NULL AND s.period = ? AND u.code LIKE ?",
                     "periodic:%d" % year, COMMUNE + "%")
        n23, n22 = counts(2023), counts(2022)
        check("summary: households and poor at the end match the store (%s)" % (n23,),
              (int(t["households_end"]), int(t["poor_end"])) == tuple(n23[0]), (t, n23))
        check("summary: at the start per the 2022 decision (%s)" % (n22,),
              (int(t["households_start"]), int(t["poor_start"])) == tuple(n22[0]), (t, n22))
    p = subprocess.run([GNBV, "--db", db, "audit", "verify"], capture_output=True, text=True)
    check("audit chain intact", p.returncode == 0, p.stderr)
    n = q(db, "SELECT count(*) FROM audit_log WHERE action LIKE 'review.%' AND actor LIKE '%canbo%'")[0][0]
    check("the officer's steps audited under their name", n >= 8, n)

print("%d passed, %d failed" % (results.count(True), results.count(False)))
sys.exit(0 if all(results) else 1)
