#!/usr/bin/env python3
"""The household edit form of `gnbv serve` over HTTP: server-side validation
(a bad number, a bad date, a bad choice: 400, the form again, nothing saved),
re-classification on save with its audit record and a new survey kept as
history, adding and removing members, refusing a household without members,
and editing another round than the latest.

Usage: web_edit.py PATH/TO/gnbv
"""
import os
import re
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from webtest import COMMUNE_A, Client, Server, add_user, fixture  # noqa: E402

GNBV = sys.argv[1]
from checks import check, results  # noqa: E402


def form_of(html):
    """The edit form's fields as a browser would post them."""
    f = dict(re.findall(r'<input (?:type="hidden" )?name="([^"]+)"[^>]*value="([^"]*)"', html))
    for m in re.finditer(r'<select name="([^"]+)">(.*?)</select>', html, re.S):
        sel = re.search(r'<option value="([^"]*)" selected', m.group(2))
        f[m.group(1)] = sel.group(1) if sel else ""
    return f


with tempfile.TemporaryDirectory() as d:
    db, homes = fixture(GNBV, d)
    add_user(GNBV, db, "lan", "commune", COMMUNE_A)
    code = homes[COMMUNE_A][1]
    srv = Server(GNBV, db, os.path.join(d, "serve.log"))
    con = sqlite3.connect(db)

    def surveys():
        return con.execute("SELECT count(*) FROM survey s JOIN household h ON h.household_id = s.household_id "
                           "WHERE h.code = ?", (code,)).fetchone()[0]

    def members():
        return [r[0] for r in con.execute(
            "SELECT m.name FROM member m JOIN survey s ON s.survey_id = m.survey_id JOIN household h "
            "ON h.household_id = s.household_id WHERE h.code = ? AND s.replaced_by IS NULL "
            "AND s.period = 'periodic:2022' ORDER BY m.member_no", (code,))]

    try:
        c = Client(srv.port)
        c.login("lan")
        url = "/household/%s/edit" % code
        st, _, html = c.req("GET", url + "?round=2022")
        check("the edit form", st == 200 and 'name="mnew_name"' in html, st)
        base = form_of(html)
        n0, names0 = surveys(), members()
        for field, value, why in (("income_month", "12abc", "a number with letters"),
                                  ("income_month", "-5", "a negative income"),
                                  ("living_area_m2", "1e9", "an area past its range"),
                                  ("m1_birth", "31/12/1980", "a date in another format"),
                                  ("m1_work", "astronaut", "a work outside the list"),
                                  ("water_safe", "maybe", "a yes/no that is neither")):
            st, _, body = c.req("POST", url, dict(base, **{field: value}))
            check("refused: %s (400, the form again)" % why,
                  st == 400 and 'class="err"' in body and 'name="mnew_name"' in body, st)
        check("and nothing was saved", surveys() == n0)

        # A valid edit: a new survey, the old one kept, an audit record.
        st, h, _ = c.req("POST", url, dict(base, income_month="7000000"))
        check("saved: 303 to the household page", st == 303 and "saved=1" in h["location"][0], st)
        check("the earlier survey is kept as history", surveys() == n0 + 1)
        st, _, page = c.req("GET", "/household/%s?round=2022" % code)
        check("the page shows the correction in the history", page.count("đã sửa") >= 1)
        check("and the new income", "7.000.000" in page)
        st, h, _ = c.req("POST", url, dict(base, income_month="7000000"))
        check("saving the same again changes nothing (saved=0)", "saved=0" in h["location"][0])

        # Members: add one, then remove it.
        st, _, html = c.req("GET", url + "?round=2022")
        base = form_of(html)
        st, h, _ = c.req("POST", url, dict(base, mnew_name="Nguyễn Thị Mới", mnew_birth="2022-05-01",
                                           mnew_sex="F", mnew_relation="grandchild"))
        check("a member added", st == 303 and members() == names0 + ["Nguyễn Thị Mới"], members())
        st, _, html = c.req("GET", url + "?round=2022")
        base = form_of(html)
        last = len(names0) + 1
        st, h, _ = c.req("POST", url, dict(base, **{"m%d_remove" % last: "1"}))
        check("a member removed", st == 303 and members() == names0, members())
        st, _, html = c.req("GET", url + "?round=2022")
        base = form_of(html)
        allgone = dict(base, **{"m%d_remove" % (i + 1): "1" for i in range(len(names0))})
        st, _, body = c.req("POST", url, allgone)
        check("a household without members is refused", st == 400 and members() == names0, st)

        # Another round than the latest.
        st, _, html = c.req("GET", url + "?round=2021")
        check("no 2021 survey: not found", st == 404, st)
    finally:
        srv.stop()
        con.close()

print("%d checks, %d failed" % (len(results), results.count(False)))
sys.exit(0 if all(results) else 1)
