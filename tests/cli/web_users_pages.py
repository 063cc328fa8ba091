#!/usr/bin/env python3
"""The administrator's user list in pages (docs/web.md, "The list and its
CSV"), over HTTP, with `page_size = 10` and more accounts than a page in
each of two districts:

- the district's administrator pages through its accounts with the pager's
  links: each page holds at most a page of them, page 2 the ten after the
  first ten, and the pages together hold every account of the district
  once, none missing, in the list's order (by unit in the tree's order,
  then by name in Vietnamese order: in the district's own unit "adm045"
  before "cuong" before "Hai" before "Zed", which byte order would not
  give), with the district's count and the number of pages;
- no page, asked for by number or reached by the links, ever shows an
  account of the other district or the administrator of everything; the
  other district's administrator sees its own the same way; the
  administrator of everything sees everyone, the accounts without a unit
  first;
- a bad page number (0, -1, letters, "2x") is 400, as the household list
  answers it, and a page after the last is an empty page, also as the
  household list answers it;
- the household list pages through the same pager (the shared partial):
  its links keep the filters and go forward and back;
- the CSV is still the whole list, in the same order, whatever ?page= says,
  and each download is still one access.export record with its row count;
- the unit filter (?unit=CODE, as the household list's): exactly the
  accounts of the unit's subtree, across pages whose links keep it, the
  household list's select to choose it; a unit of another district, an
  unknown code and the unit above answered as the household list answers
  them (404), with none of its accounts; the CSV of the unit, audited as
  `users:CODE`;
- the role and state filters (?role=NAME, ?state=enabled|disabled): exactly
  those accounts, with the unit or without, across pages whose links keep
  them, the selects showing the choice, the CSV of the same accounts
  audited with the filters; an unknown role or state is 400;
- the pager in English.

Usage: web_users_pages.py PATH/TO/gnbv
"""
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from webtest import (q, COMMUNE_A, COMMUNE_B, DISTRICT, OTHER_COMMUNE, OTHER_DISTRICT,  # noqa: E402
                     Client, Server, add_user, fixture, run)

GNBV = sys.argv[1]
PAGE = 10
from checks import check, results  # noqa: E402

# Names in the district: mixed case, so that the order is the collation's
# ("adm045" < "cuong" < "Hai" < "Zed" in the district's own unit), not the
# bytes' ("Hai" < "Zed" < "adm045" < "cuong").
OURS = ["Zed", "an", "Binh", "cuong", "Dung", "giang", "Hai", "khanh", "Linh", "minh", "Nam",
        "phuong", "Quang", "son", "Thao", "uyen", "Viet", "xuan", "Yen", "bao", "Chi", "duc",
        "em", "Phuc", "tam"]
THEIRS = ["khac%02d" % i for i in range(1, 13)]


def shown(body):
    """The accounts of a user list page, in the page's order."""
    return re.findall(r'<a href="/user/\d+">([^<]+)</a>', body)


def pager(body):
    """The pager's previous and next links and its "N / M"."""
    m = re.search(r'<p class="pager">(.*?)</p>', body, re.S)
    if not m:
        return None
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', m.group(1))
    at = re.search(r"<span>[^<]* (\d+) / (\d+)</span>", m.group(1))
    return {"links": links, "at": (int(at.group(1)), int(at.group(2))) if at else None}


def link(body, which):
    """The href of the pager's previous (0) or next (1) link, or None."""
    p = pager(body)
    for href, text in (p or {"links": []})["links"]:
        if (which == 0) == ("‹" in text):
            return href.replace("&amp;", "&")
    return None


def expected(db, where, *args):
    """The accounts of a scope in the list's order: unit path (none first),
    name without case (the vi collation for letters and digits), number."""
    rows = q(db, "SELECT a.user_id, a.name, coalesce(u.path, '') FROM app_user a "
                 "LEFT JOIN unit u ON u.unit_id = a.unit_id " + where, *args)
    return [r[1] for r in sorted(rows, key=lambda r: (r[2], r[1].lower(), r[0]))]


def walk(c, start="/users"):
    """Follows the pager's next links from start: the pages' accounts."""
    pages, path, seen = [], start, set()
    while path and path not in seen and len(pages) < 50:
        seen.add(path)
        st, _, body = c.req("GET", path)
        if st != 200:
            pages.append(("status", st))
            break
        pages.append((path, shown(body), pager(body), body))
        path = link(body, 1)
    return pages


with tempfile.TemporaryDirectory() as d:
    db, _ = fixture(GNBV, d)
    add_user(GNBV, db, "root", "admin", None)
    add_user(GNBV, db, "adm045", "admin", DISTRICT)
    add_user(GNBV, db, "adm099", "admin", OTHER_DISTRICT)
    units = (DISTRICT, COMMUNE_A, COMMUNE_B)
    for i, name in enumerate(OURS):
        add_user(GNBV, db, name, "viewer" if i % 2 else "commune", units[i % 3])
    for i, name in enumerate(THEIRS):
        add_user(GNBV, db, name, "viewer", (OTHER_DISTRICT, OTHER_COMMUNE)[i % 2])
    path045 = q(db, "SELECT path FROM unit WHERE code = ?", DISTRICT)[0][0]
    path099 = q(db, "SELECT path FROM unit WHERE code = ?", OTHER_DISTRICT)[0][0]
    ours = expected(db, "WHERE u.path LIKE ?", path045 + "%")
    theirs = expected(db, "WHERE u.path LIKE ?", path099 + "%")
    everyone = expected(db, "")
    check("fixture: more accounts than two pages in the district, more than one in the other",
          len(ours) == len(OURS) + 1 > 2 * PAGE and len(theirs) == len(THEIRS) + 1 > PAGE,
          (len(ours), len(theirs)))
    check("fixture: the list's order is not the bytes' order",
          ours.index("adm045") < ours.index("cuong") < ours.index("Hai") < ours.index("Zed"), ours)

    ini = os.path.join(d, "gnbv.ini")
    with open(ini, "w") as f:
        f.write("page_size = %d\n" % PAGE)
    srv = Server(GNBV, db, os.path.join(d, "serve.log"), config=ini)
    try:
        adm = Client(srv.port)
        check("the district's administrator logs in", adm.login("adm045")[0] == 303)

        # ---- the pages, by the pager's links ----
        pages = walk(adm)
        npages = -(-len(ours) // PAGE)
        check("every page answered", all(p[0] != "status" for p in pages), pages[-1][:2])
        pages = [p for p in pages if p[0] != "status"]
        got = [n for p in pages for n in p[1]]
        check("%d pages reached by the next links" % npages, len(pages) == npages,
              [p[0] for p in pages])
        check("at most a page on each page, the last the rest",
              all(len(p[1]) == PAGE for p in pages[:-1]) and 0 < len(pages[-1][1]) <= PAGE,
              [len(p[1]) for p in pages])
        check("no account twice across the pages", len(got) == len(set(got)),
              sorted(n for n in got if got.count(n) > 1))
        check("no account missing", set(got) == set(ours), sorted(set(ours) - set(got)))
        check("in the list's order: by unit, then by name in Vietnamese order", got == ours,
              list(zip(got, ours))[:12])
        first = pages[0]
        check("the first page counts the district's accounts and its pages",
              ('<b id="found">%d</b>' % len(ours)) in first[3] and first[2]["at"] == (1, npages),
              first[2])
        check("... has a next link to page 2 and no previous one",
              link(first[3], 1) == "/users?page=2" and link(first[3], 0) is None, first[2])
        st, _, body = adm.req("GET", "/users?page=2")
        check("page 2 shows the ten after the first ten", st == 200 and shown(body) == ours[PAGE:2 * PAGE],
              shown(body))
        check("... with links to pages 1 and 3", link(body, 0) == "/users?page=1"
              and link(body, 1) == "/users?page=3" and pager(body)["at"] == (2, npages), pager(body))
        last = pages[-1]
        check("the last page has no next link and links back",
              link(last[3], 1) is None and link(last[3], 0) == "/users?page=%d" % (npages - 1), last[2])
        check("the pager is the households' one (the shared partial)",
              'class="pager"' in first[3] and "Trang sau ›" in first[3] and "‹ Trang trước" in body)

        # ---- scope on every page ----
        outside = set(theirs) | {"root"}
        leaks = []
        for n in range(1, npages + 2):
            st, _, body = adm.req("GET", "/users?page=%d" % n)
            leaks += [x for x in shown(body) if x not in ours]
            leaks += [x for x in outside if (">%s<" % x) in body]
        check("no page shows another district's account or the administrator of everything",
              not leaks, leaks[:5])
        other = Client(srv.port)
        other.login("adm099")
        opages = [p for p in walk(other) if p[0] != "status"]
        ogot = [n for p in opages for n in p[1]]
        check("the other district's administrator pages through exactly its own accounts",
              ogot == theirs and len(opages) == -(-len(theirs) // PAGE), ogot)
        check("... and never sees ours", not set(ogot) & set(ours))
        rootc = Client(srv.port)
        rootc.login("root")
        rpages = [p for p in walk(rootc) if p[0] != "status"]
        rgot = [n for p in rpages for n in p[1]]
        check("the administrator of everything pages through everyone, the accounts without a unit first",
              rgot == everyone and rgot[0] == "root" and len(rpages) == -(-len(everyone) // PAGE),
              rgot[:5])

        # ---- bad page numbers: as the household list answers them ----
        for bad in ("0", "-1", "abc", "2x", "1.5", "%20"):
            su, _, bu = adm.req("GET", "/users?page=" + bad)
            sh, _, _ = adm.req("GET", "/households?page=" + bad)
            check("page=%s: %d, as the household list (%d)" % (bad, su, sh),
                  su == sh == 400 and not shown(bu), (su, sh))
        past = 100000  # after the last page of either list
        su, _, bu = adm.req("GET", "/users?page=%d" % past)
        sh, _, bh = adm.req("GET", "/households?page=%d" % past)
        check("a page after the last: 200 and empty, as the household list",
              su == sh == 200 and not shown(bu) and 'id="households"' not in bh, (su, sh))
        check("... the pager says where it is and links back",
              pager(bu)["at"] == (past, npages) and link(bu, 0) == "/users?page=%d" % (past - 1)
              and link(bu, 1) is None, pager(bu))
        su, _, bu = adm.req("GET", "/users?page=")
        check("an empty page number is the first page", su == 200 and shown(bu) == ours[:PAGE], su)

        # ---- the household list through the same pager ----
        st, _, body = adm.req("GET", "/households?round=2022&class=poor")
        nxt = link(body, 1)
        check("the household list's next link keeps its filters",
              st == 200 and nxt == "/households?round=2022&class=poor&page=2" and link(body, 0) is None
              and pager(body)["at"][0] == 1, (st, nxt, pager(body)))
        codes1 = re.findall(r'<a href="/household/([^"?]+)\?', body)
        st, _, body2 = adm.req("GET", nxt)
        codes2 = re.findall(r'<a href="/household/([^"?]+)\?', body2)
        check("... to page 2, other households, and back to page 1",
              st == 200 and len(codes1) == PAGE and codes2 and not set(codes1) & set(codes2)
              and link(body2, 0) == "/households?round=2022&class=poor&page=1"
              and pager(body2)["at"][0] == 2, (st, pager(body2)))

        # ---- the CSV: the whole list, audited ----
        def exports():
            return [json.loads(r[0]) for r in q(db, "SELECT detail FROM audit_log WHERE action = 'access.export' "
                                                    "AND object = 'users:045' AND actor = 'web:adm045' ORDER BY seq")]
        for path in ("/users.csv", "/users.csv?page=2"):
            before = len(exports())
            st, _, body = adm.req("GET", path)
            rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]
            names = [r[0].lstrip("'") for r in rows]
            check("%s: every account of the district, in the list's order" % path,
                  st == 200 and names == ours, names[:5])
            ex = exports()
            check("%s: one access.export record with its rows" % path,
                  len(ex) == before + 1 and ex[-1].get("rows") == len(ours), ex[-1:])

        # ---- the unit filter ----
        path_a = q(db, "SELECT path FROM unit WHERE code = ?", COMMUNE_A)[0][0]
        of_a = expected(db, "WHERE u.path LIKE ?", path_a + "%")
        check("fixture: commune A has accounts, fewer than the district",
              0 < len(of_a) < len(ours), of_a)
        st, _, body = adm.req("GET", "/users?unit=" + COMMUNE_A)
        check("?unit=commune A: exactly its accounts, in the list's order, counted",
              st == 200 and shown(body) == of_a and ('<b id="found">%d</b>' % len(of_a)) in body,
              (st, shown(body)))
        sel = re.search(r'<select name="unit">(.*?)</select>', body, re.S)
        opts = re.findall(r'<option value="([^"]*)"( selected)?>', sel.group(1)) if sel else []
        check("... the household list's select: the district and its communes, commune A chosen",
              opts and opts[0][0] == DISTRICT and (COMMUNE_A, " selected") in opts
              and (COMMUNE_B, "") in opts and OTHER_DISTRICT not in [o[0] for o in opts], opts)
        sh, _, bh = adm.req("GET", "/households?unit=" + COMMUNE_A + "&round=2022")
        hsel = re.search(r'<select name="unit">(.*?)</select>', bh, re.S)
        check("... the same select as the household list's", sh == 200 and hsel and sel
              and hsel.group(1) == sel.group(1), (sh, hsel and hsel.group(1)[:200]))
        check("... and its CSV link keeps the unit", 'href="/users.csv?unit=%s"' % COMMUNE_A in body)
        # Across pages: the administrator of everything asks for the district.
        upages = walk(rootc, "/users?unit=" + DISTRICT)
        ugot = [n for p in upages if p[0] != "status" for n in p[1]]
        check("?unit=the district, for the administrator of everything: its accounts across %d pages"
              % npages, all(p[0] != "status" for p in upages) and len(upages) == npages and ugot == ours,
              (len(upages), ugot[:5]))
        check("... every pager link keeps the unit",
              [p[0] for p in upages] == ["/users?unit=%s" % DISTRICT]
              + ["/users?unit=%s&page=%d" % (DISTRICT, n) for n in range(2, npages + 1)]
              and link(upages[-1][3], 0) == "/users?unit=%s&page=%d" % (DISTRICT, npages - 1),
              [p[0] for p in upages])
        check("... none of the other district, nor the accounts without a unit",
              not set(ugot) & (set(theirs) | {"root"}))
        for what, code in (("another district's unit", OTHER_DISTRICT),
                           ("another district's commune", OTHER_COMMUNE),
                           ("the province above", q(db, "SELECT p.code FROM unit u JOIN unit p "
                                                        "ON p.unit_id = u.parent_id WHERE u.code = ?",
                                                    DISTRICT)[0][0]),
                           ("an unknown code", "ZZ999")):
            su, _, bu = adm.req("GET", "/users?unit=" + code)
            sh, _, _ = adm.req("GET", "/households?unit=%s&round=2022" % code)
            leaks = [x for x in theirs + ["root"] if (">%s<" % x) in bu]
            check("?unit=%s (%s): %d, as the household list (%d), none of its accounts"
                  % (code, what, su, sh), su == sh == 404 and not shown(bu) and not leaks,
                  (su, sh, leaks))

        def unit_exports(code):
            return [json.loads(r[0]) for r in q(db, "SELECT detail FROM audit_log WHERE "
                                                    "action = 'access.export' AND object = ? "
                                                    "AND actor = 'web:adm045' ORDER BY seq",
                                                "users:" + code)]
        before = len(unit_exports(COMMUNE_A))
        st, _, body = adm.req("GET", "/users.csv?unit=" + COMMUNE_A)
        names = [r[0].lstrip("'") for r in list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]]
        check("the CSV of commune A: exactly its accounts, in the list's order",
              st == 200 and names == of_a, (st, names))
        ex = unit_exports(COMMUNE_A)
        check("... one access.export record naming the unit, with its rows",
              len(ex) == before + 1 and ex[-1].get("rows") == len(of_a), ex[-1:])
        nexp = len(q(db, "SELECT seq FROM audit_log WHERE action = 'access.export'"))
        su, _, bu = adm.req("GET", "/users.csv?unit=" + OTHER_DISTRICT)
        sh, _, _ = adm.req("GET", "/households.csv?unit=%s&round=2022" % OTHER_DISTRICT)
        check("the CSV of another district's unit: %d, as the household CSV (%d), none of its accounts"
              % (su, sh), su == sh == 404 and not any(x in bu for x in theirs), (su, sh))
        check("... and no export recorded",
              len(q(db, "SELECT seq FROM audit_log WHERE action = 'access.export'")) == nexp)

        # ---- the role and state filters ----
        for name in ("Dung", "khanh", "Quang"):  # disabled from the command line
            run(GNBV, db, "user", "disable", name)
        path_a = q(db, "SELECT path FROM unit WHERE code = ?", COMMUNE_A)[0][0]
        viewers = expected(db, "WHERE u.path LIKE ? AND a.role = 'viewer'", path045 + "%")
        pages = walk(adm, "/users?role=viewer")
        got = [n for p in pages for n in p[1]]
        check("?role=viewer: exactly the district's viewers, in the list's order, across pages",
              len(viewers) > PAGE and got == viewers, (got, viewers))
        check("... every pager link keeps the role",
              all("role=viewer" in href for p in pages for href, _ in (p[2] or {"links": []})["links"]),
              [p[2] for p in pages])
        st, _, body = adm.req("GET", "/users?role=viewer")
        check("... the role's select shows it chosen, and the CSV link keeps it",
              '<option value="viewer" selected>' in body and 'href="/users.csv?role=viewer"' in body, st)
        communes_a = expected(db, "WHERE u.path LIKE ? AND a.role = 'commune'", path_a + "%")
        st, _, body = adm.req("GET", "/users?unit=%s&role=commune" % COMMUNE_A)
        check("?unit=commune A&role=commune: exactly those", st == 200 and shown(body) == communes_a
              and len(communes_a) > 0, (shown(body), communes_a))
        off = expected(db, "WHERE u.path LIKE ? AND a.disabled = 1", path045 + "%")
        on = expected(db, "WHERE u.path LIKE ? AND a.disabled = 0", path045 + "%")
        got_off = [n for p in walk(adm, "/users?state=disabled") for n in p[1]]
        got_on = [n for p in walk(adm, "/users?state=enabled") for n in p[1]]
        check("?state=disabled: exactly the disabled accounts", got_off == off and len(off) == 3, (got_off, off))
        check("?state=enabled: exactly the others", got_on == on and len(on) + len(off) == len(ours),
              (len(got_on), len(on)))
        st, _, body = adm.req("GET", "/users?state=disabled&role=viewer")
        check("?state=disabled&role=viewer: both at once",
              shown(body) == [n for n in off if n in viewers], (shown(body), off))
        for bad in ("role=mayor", "state=gone", "role=ADMIN"):
            su, _, bu = adm.req("GET", "/users?" + bad)
            check("?%s is a bad request (400), listing nothing" % bad, su == 400 and not shown(bu), su)
        before = len(unit_exports(DISTRICT))
        st, _, body = adm.req("GET", "/users.csv?role=viewer&state=enabled")
        names = [r[0].lstrip("'") for r in list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]]
        check("the CSV of the enabled viewers: exactly them",
              st == 200 and names == [n for n in viewers if n in on], (st, names))
        ex = unit_exports(DISTRICT)
        check("... recorded with its filters and rows",
              len(ex) == before + 1 and ex[-1].get("role") == "viewer" and ex[-1].get("state") == "enabled"
              and ex[-1].get("rows") == len(names), ex[-1:])

        # the same filters on the command line (`gnbv user list`)
        def cli_list(*opts):
            out = run(GNBV, db, "user", "list", *opts)
            return [line.split(",")[0] for line in out.splitlines()[1:]]
        check("gnbv user list --role viewer --state enabled: the web's accounts, in its order",
              cli_list("--unit", DISTRICT, "--role", "viewer", "--state", "enabled")
              == [n for n in viewers if n in on], cli_list("--role", "viewer"))
        check("gnbv user list --unit commune A --role commune: the web's",
              cli_list("--unit", COMMUNE_A, "--role", "commune") == communes_a)
        check("gnbv user list --state disabled: the three", cli_list("--state", "disabled") == off)
        p = subprocess.run([GNBV, "--db", db, "user", "list", "--role", "mayor"],
                                         capture_output=True, text=True)
        check("gnbv user list --role mayor: a usage error", p.returncode == 2 and "--role" in p.stderr, p.stderr)

        # ---- English ----
        st, _, body = adm.req("GET", "/users?page=2&lang=en")
        check("the pager in English", st == 200 and "Page 2 / %d" % npages in body and "Next ›" in body
              and "‹ Previous" in body, pager(body))
        adm.req("GET", "/users?lang=vi")
    finally:
        rc = srv.stop()
        check("graceful stop", rc == 0, rc)

print("%d checks, %d failed" % (len(results), results.count(False)))
sys.exit(0 if all(results) else 1)
