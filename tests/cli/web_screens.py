#!/usr/bin/env python3
"""The review and plan screens of pages_more.c over HTTP, on the demo
database (`gnbv demo`: the 2021 and 2022 rounds of 21 communes recognised,
the seed's plan), each against what the CLI prints for the same data:

- the summary form's CSV is byte for byte `gnbv review summary --format
  csv`, its XLSX has the same sheet as the one the CLI writes, is a
  workbook (xl/workbook.xml) and LibreOffice opens it;
- the transitions page counts what `gnbv review transitions` lists, kind by
  kind, lists exactly the households whose list or place changed, and its
  CSV is the command's output; a year without two recognised rounds says
  so, its CSV is 404;
- a household's certificate is the certificate `gnbv review certificate`
  writes for it, the commune's page has one per poor and near-poor
  household, the style sheet the page links is the one the CLI inlines and
  Chromium prints one A4 page per certificate without the application's
  header; a household outside the user's commune is not found, a household
  not on a list has none, roles without personal data are refused, an
  unrecognised round says so (409);
- the CSV of every list (the rounds, a round's list, the expected-to-
  escape list, the plans, a plan's budget lines) is what the CLI prints,
  each list screen links its CSV, and every download of households writes
  an access.export record with the number of rows;
- the plan page shows the document's number, date, signer, status, outputs
  and targets as `gnbv plan show` and `plan export --json` have them; its
  form changes them through the store (audited), and a bad date or status
  is refused with 400 and nothing written; refused to the roles without
  plan_edit;
- Vietnamese by default, English with ?lang=en.

Usage: web_screens.py PATH/TO/gnbv
"""
import collections
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from webtest import q, Client, Server, add_user, run  # noqa: E402

GNBV = sys.argv[1]
COMMUNE, OTHER, YEAR = "01366", "01367", 2022  # Cần Yên, and Cần Nông beside it
from checks import check, results  # noqa: E402


def cli(db, *args, unit=None):
    """A CLI command's standard output (review commands scoped like the user)."""
    extra = ["--as", "check", "--unit", unit] if unit else []
    p = subprocess.run([GNBV, "--db", db, *args, *extra], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("gnbv %s: %s" % (" ".join(args), p.stderr))
    return p.stdout


def csv_body(hdrs, body):
    """A CSV download's text: it must be CSV, named, with the byte order mark."""
    ok = (hdrs.get("content-type", [""])[0].startswith("text/csv")
          and "attachment" in hdrs.get("content-disposition", [""])[0] and body.startswith("\ufeff"))
    return body[1:] if ok else None


def exports(db, obj, actor):
    return q(db, "SELECT detail FROM audit_log WHERE action = 'access.export' AND object = ? AND actor = ?",
             obj, "web:" + actor)


def sheet(xlsx_bytes):
    """The first sheet's XML and shared strings of a workbook, and its names."""
    z = zipfile.ZipFile(io.BytesIO(xlsx_bytes))
    names = z.namelist()
    return names, z.read("xl/worksheets/sheet1.xml"), z.read("xl/sharedStrings.xml")


def get_bytes(port, cookies, path):
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("GET", path, headers={"Host": "127.0.0.1:%d" % port,
                                    "Cookie": "; ".join("%s=%s" % kv for kv in cookies.items())})
    r = c.getresponse()
    data = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, hdrs, data


def concerned(t):
    """A household the transitions screen lists: its list or its place changed."""
    return (t["poverty"] not in ("none", "stayed_poor") or t["near_poverty"] not in ("none", "stayed_near_poor")
            or t["move"] != "stayed")


with tempfile.TemporaryDirectory() as d:
    p = subprocess.run([GNBV, "demo", "--out", os.path.join(d, "demo")], capture_output=True, text=True)
    check("demo database", p.returncode == 0, p.stderr)
    db = os.path.join(d, "demo", "demo.db")
    add_user(GNBV, db, "phong", "office", "045")      # the district's standing office
    add_user(GNBV, db, "canbo", "commune", COMMUNE)   # Cần Yên's officer
    add_user(GNBV, db, "taichinh", "finance", "045")  # the district's finance office
    add_user(GNBV, db, "giamsat", "viewer", "045")    # a viewer (HĐND)
    add_user(GNBV, db, "coquan", "agency", "045")     # an implementing agency

    srv = Server(GNBV, db, os.path.join(d, "serve.log"))
    try:
        ph, cb, tc, gs, cq = (Client(srv.port) for _ in range(5))
        for c, n in ((ph, "phong"), (cb, "canbo"), (tc, "taichinh"), (gs, "giamsat"), (cq, "coquan")):
            check("login " + n, c.login(n)[0] == 303)

        # ---- the summary form: CSV and XLSX ----
        for c, unit, who in ((ph, "045", "the district"), (cb, COMMUNE, "the commune")):
            st, h, body = c.req("GET", "/summary/%s/%d/csv" % (unit, YEAR))
            want = cli(db, "review", "summary", "--commune", unit, "--year", str(YEAR), "--format", "csv",
                       unit=unit)
            check("summary CSV of %s is what `gnbv review summary --format csv` prints" % who,
                  st == 200 and csv_body(h, body) == want, (st, (body or "")[:200], want[:200]))
        st, _, html = ph.req("GET", "/summary/045/%d" % YEAR)
        check("the summary page links its CSV and XLSX",
              'href="/summary/045/2022/csv"' in html and 'href="/summary/045/2022/xlsx"' in html, st)
        st, h, data = get_bytes(srv.port, ph.cookies, "/summary/045/%d/xlsx" % YEAR)
        cli_xlsx = os.path.join(d, "summary-cli.xlsx")
        cli(db, "review", "summary", "--commune", "045", "--year", str(YEAR), "--format", "xlsx", "--out",
            cli_xlsx, unit="045")
        try:
            names, ws, ss = sheet(data)
            _, cws, css = sheet(open(cli_xlsx, "rb").read())
            check("summary XLSX: a workbook (zip with xl/workbook.xml)",
                  st == 200 and "xl/workbook.xml" in names
                  and "spreadsheetml" in h.get("content-type", ""), (st, names))
            check("summary XLSX: the same sheet as `gnbv review summary --format xlsx` writes",
                  ws == cws and ss == css)
        except (zipfile.BadZipFile, KeyError) as e:
            check("summary XLSX: a workbook", False, e)
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if soffice and shutil.which("pdftotext"):
            web_xlsx = os.path.join(d, "summary-web.xlsx")
            with open(web_xlsx, "wb") as f:
                f.write(data)
            profile = "file://" + os.path.join(d, "lo-profile")
            try:
                r = subprocess.run([soffice, "-env:UserInstallation=" + profile, "--headless", "--convert-to",
                                    "pdf", "--outdir", os.path.join(d, "pdf"), web_xlsx],
                                   capture_output=True, text=True, timeout=300)
                pdf = os.path.join(d, "pdf", "summary-web.pdf")
                text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout \
                    if os.path.isfile(pdf) else ""
                check("LibreOffice opens the summary XLSX (its title in the PDF)",
                      r.returncode == 0 and "BIỂU TỔNG HỢP KẾT QUẢ RÀ SOÁT" in text, r.stderr[-300:])
            except subprocess.TimeoutExpired:
                check("LibreOffice converts the summary XLSX within 300 s", False)
        else:
            print("skip: LibreOffice or pdftotext missing: the XLSX is not opened")
        st, _, _ = cb.req("GET", "/summary/%s/%d/csv" % (OTHER, YEAR))
        check("another commune's summary CSV: not found for a commune officer", st == 404, st)

        # ---- transitions ----
        base = "/review/%s/%d" % (COMMUNE, YEAR)
        want = cli(db, "review", "transitions", "--commune", COMMUNE, "--year", str(YEAR), unit=COMMUNE)
        rows = list(csv.DictReader(io.StringIO(want)))
        st, _, html = cb.req("GET", base + "/transitions")
        check("transitions page: 200, compared with 2021", st == 200 and 'id="basis"' in html
              and "So với kết quả rà soát được công nhận năm <b>2021</b>" in html, st)
        for table, col in (("tr-kinds", "poverty"), ("tr-nears", "near_poverty"), ("tr-moves", "move")):
            tally = collections.Counter(r[col] for r in rows)
            shown = dict(re.findall(r'<tr data-kind="([a-z_]+)"><td>[^<]*</td><td class="n">([\d.]+)</td>',
                                    html.split('id="%s"' % table, 1)[-1].split("</table>", 1)[0]))
            expect = {k: "{:,}".format(tally.get(k, 0)).replace(",", ".") for k in shown}
            check("transitions page: the %s counts are the command's rows (%s)" % (col, dict(tally)),
                  shown and shown == expect and sum(tally.values()) == len(rows)
                  and all(k in shown for k in tally if k not in ("none",)), (shown, expect))
        listed = re.findall(r'<tr class="[^"]*"><td>(?:<a href="/household/[^"]+">)?([^<]+)<',
                            html.split('id="transitions"', 1)[-1])
        check("transitions page: exactly the households whose list or place changed (%d)"
              % sum(map(concerned, rows)), listed == [r["household_code"] for r in rows if concerned(r)],
              (len(listed), sum(map(concerned, rows))))
        check("transitions page: escaped and newly poor in Vietnamese",
              "Thoát nghèo, không là hộ cận nghèo" in html and "Hộ nghèo phát sinh mới" in html)
        st, _, en = cb.req("GET", base + "/transitions?lang=en")
        check("transitions page in English",
              st == 200 and "Changes in the poor and near-poor lists" in en and "Escaped poverty, not near-poor" in en
              and "Compared with the recognised round of" in en, st)
        cb.req("GET", base + "/transitions?lang=vi")
        st, h, body = cb.req("GET", base + "/transitions.csv")
        check("transitions CSV is what `gnbv review transitions` prints", st == 200 and csv_body(h, body) == want,
              (st, body[:200]))
        rec = exports(db, "transitions:%s:%d" % (COMMUNE, YEAR), "canbo")
        check("the transitions CSV is an audited export, with its rows",
              len(rec) == 1 and json.loads(rec[0][0]).get("rows") == len(rows), rec)
        check("the transitions page view is recorded",
              q(db, "SELECT count(*) FROM audit_log WHERE action = 'access.view' AND object = ? AND actor = ?",
                "transitions:%s:%d" % (COMMUNE, YEAR), "web:canbo")[0][0] >= 2)
        st, _, html = cb.req("GET", "/review/%s/2023/transitions" % COMMUNE)
        check("a year without two recognised rounds: the page says so", st == 200 and 'id="missing"' in html, st)
        st, _, _ = cb.req("GET", "/review/%s/2023/transitions.csv" % COMMUNE)
        check("and there is no CSV (404)", st == 404, st)
        st, _, html = cb.req("GET", "/review/%s/%d/transitions" % (OTHER, YEAR))
        st2, _, _ = cb.req("GET", "/review/%s/%d/transitions.csv" % (OTHER, YEAR))
        check("another commune's transitions: not found, page and CSV, nothing exported",
              st == 404 and st2 == 404 and not exports(db, "transitions:%s:%d" % (OTHER, YEAR), "canbo")
              and "HQ-%s" % OTHER not in html, (st, st2))
        for c, n in ((gs, "viewer"), (cq, "agency"), (tc, "finance")):
            st, _, _ = c.req("GET", base + "/transitions")
            st2, _, _ = c.req("GET", base + "/transitions.csv")
            check("transitions refused to the %s (403)" % n, st == 403 and st2 == 403, (st, st2))
        st, _, html = cb.req("GET", base)
        check("the round page links the transitions, the certificates and its list's CSV",
              'href="%s/transitions"' % base in html and 'href="%s/certificates"' % base in html
              and 'href="%s/list.csv"' % base in html)

        # ---- certificates ----
        poor = [r["household_code"] for r in rows if r["class"] == "poor"]
        notpoor = [r["household_code"] for r in rows if r["class"] in ("not_poor", "average")]
        one = poor[0]
        cfile = os.path.join(d, "cert.html")
        cli(db, "review", "certificate", "--commune", COMMUNE, "--year", str(YEAR), "--household", one,
            "--out", cfile, unit=COMMUNE)
        cli_html = open(cfile, encoding="utf-8").read()
        cli_sec = re.findall(r'<section class="cert">.*?</section>', cli_html, re.S)
        st, _, html = cb.req("GET", "/certificate/%s/%d" % (one, YEAR))
        web_sec = re.findall(r'<section class="cert">.*?</section>', html, re.S)
        check("a household's certificate is the one `gnbv review certificate` writes",
              st == 200 and len(web_sec) == 1 and web_sec == cli_sec, (st, web_sec[:1], cli_sec[:1]))
        check("the certificate page links the certificate style sheet",
              '<link rel="stylesheet" href="/static/certificate.css">' in html)
        st, h, css = cb.req("GET", "/static/certificate.css")
        inline = re.search(r"<style>\n(.*)</style>", cli_html, re.S)
        check("the style sheet served is the one the CLI's page inlines (A4)",
              st == 200 and inline and css == inline.group(1) and "size: A4" in css, st)
        st, _, html = cb.req("GET", "/household/%s?round=%d" % (one, YEAR))
        check("a poor household's page links its certificate",
              'href="/certificate/%s/%d"' % (one, YEAR) in html, st)
        st, _, html = cb.req("GET", "/household/%s?round=%d" % (notpoor[0], YEAR))
        check("a household not on a list: no certificate link", st == 200 and "/certificate/" not in html, st)
        st, _, _ = cb.req("GET", "/certificate/%s/%d" % (notpoor[0], YEAR))
        check("a household not on a list has no certificate (404)", st == 404, st)
        other_hh = q(db, "SELECT h.code FROM household h WHERE h.code LIKE ? ORDER BY h.code LIMIT 1",
                     "HQ-%s-%%" % OTHER)[0][0]
        n_before = q(db, "SELECT count(*) FROM audit_log WHERE object = ?", "household:" + other_hh)[0][0]
        st, _, html = cb.req("GET", "/certificate/%s/%d" % (other_hh, YEAR))
        check("a certificate of a household outside the user's commune: 404, nothing of it shown or recorded",
              st == 404 and other_hh not in html and 'class="cert"' not in html
              and q(db, "SELECT count(*) FROM audit_log WHERE object = ?", "household:" + other_hh)[0][0] == n_before,
              st)
        st, _, _ = ph.req("GET", "/certificate/%s/%d" % (other_hh, YEAR))
        check("the district office sees that commune's certificates (200 or 404 if not listed)", st in (200, 404), st)
        for c, n in ((gs, "viewer"), (cq, "agency"), (tc, "finance")):
            st, _, _ = c.req("GET", "/certificate/%s/%d" % (one, YEAR))
            check("a certificate refused to the %s (403)" % n, st == 403, st)
        allfile = os.path.join(d, "certs.html")
        cli(db, "review", "certificate", "--commune", COMMUNE, "--year", str(YEAR), "--out", allfile, unit=COMMUNE)
        cli_all = re.findall(r'<section class="cert">.*?</section>', open(allfile, encoding="utf-8").read(), re.S)
        st, _, html = cb.req("GET", base + "/certificates")
        web_all = re.findall(r'<section class="cert">.*?</section>', html, re.S)
        check("the commune's certificates: one per poor and near-poor household, as the CLI writes (%d)"
              % len(cli_all), st == 200 and web_all == cli_all
              and len(cli_all) == sum(r["class"] in ("poor", "near_poor") for r in rows), (st, len(web_all)))
        check("certificate views recorded",
              q(db, "SELECT count(*) FROM audit_log WHERE action = 'access.view' AND actor = 'web:canbo' AND "
                    "object IN (?, ?)", "household:" + one, "certificates:%s:%d" % (COMMUNE, YEAR))[0][0] >= 2)
        st, _, en = cb.req("GET", "/certificate/%s/%d?lang=en" % (one, YEAR))
        check("the certificate page: English around a Vietnamese certificate",
              "one certificate per A4 page" in en and "GIẤY CHỨNG NHẬN" in en.upper(), st)
        cb.req("GET", "/dashboard?lang=vi")
        # Printed: one A4 page per certificate, without the application's header.
        chromium = shutil.which("chromium")
        if chromium and shutil.which("pdftotext"):
            page = os.path.join(d, "print")
            os.makedirs(page)
            # Thông Nông's (112 certificates), as the district office prints them.
            st, _, html = ph.req("GET", "/review/%s/%d/certificates" % ("01363", YEAR))
            for sheetname in ("app.css", "certificate.css"):
                _, _, text = ph.req("GET", "/static/" + sheetname)
                with open(os.path.join(page, sheetname), "w", encoding="utf-8") as f:
                    f.write(text)
            with open(os.path.join(page, "p.html"), "w", encoding="utf-8") as f:
                f.write(html.replace('href="/static/', 'href="'))
            pdf = os.path.join(page, "p.pdf")
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                            "--print-to-pdf=" + pdf, "file://" + os.path.join(page, "p.html")],
                           capture_output=True, timeout=120)
            raw = open(pdf, "rb").read() if os.path.isfile(pdf) else b""
            pages = len(re.findall(rb"/Type\s*/Page[^s]", raw))
            boxes = set(re.findall(rb"/MediaBox\s*\[([^\]]*)\]", raw))
            text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout if raw else ""
            n = html.count('<section class="cert">')
            check("printed: one A4 page per certificate (%d), no header or links" % n,
                  n > 0 and pages == n and boxes and all(b.split()[2:] in ([b"594.95996", b"841.91998"],
                                                                          [b"595", b"842"]) for b in boxes)
                  and "Đăng xuất" not in text and "Về đợt rà soát" not in text,
                  (pages, n, boxes, text[:200]))
        else:
            print("skip: chromium or pdftotext missing: the certificates are not printed")

        # ---- every list as CSV ----
        st, _, html = ph.req("GET", "/reviews?round=%d" % YEAR)
        check("the rounds page links its CSV", 'href="/reviews.csv?round=2022"' in html, st)
        for c, n in ((ph, "the district office"), (gs, "a viewer")):
            st, h, body = c.req("GET", "/reviews.csv?round=%d" % YEAR)
            check("rounds CSV (%s) is what `gnbv review rounds` prints" % n,
                  st == 200 and csv_body(h, body) == cli(db, "review", "rounds", "--year", str(YEAR), unit="045"),
                  (st, body[:200]))
        st, h, body = cb.req("GET", base + "/list.csv")
        want = cli(db, "review", "list", "--commune", COMMUNE, "--year", str(YEAR), unit=COMMUNE)
        check("a round's list CSV is what `gnbv review list` prints", st == 200 and csv_body(h, body) == want,
              (st, body[:200]))
        rec = exports(db, "review_list:%s:%d" % (COMMUNE, YEAR), "canbo")
        check("and an audited export with its rows",
              len(rec) == 1 and json.loads(rec[0][0])["rows"] == len(want.splitlines()) - 1, rec)
        esc = "/review/%s/2023/escape" % COMMUNE
        st, _, html = cb.req("GET", esc)
        check("the expected-to-escape page links its CSV", 'href="%s.csv"' % esc in html, st)
        st, h, body = cb.req("GET", esc + ".csv")
        want = cli(db, "review", "escape", "progress", "--unit", COMMUNE, "--year", "2023", "--format", "csv",
                   unit=COMMUNE)
        check("the expected-to-escape CSV is what `gnbv review escape progress --format csv` prints",
              st == 200 and csv_body(h, body) == want and len(want.splitlines()) > 1, (st, body[:200]))
        rec = exports(db, "escape:%s:2023" % COMMUNE, "canbo")
        check("and an audited export with its rows",
              len(rec) == 1 and json.loads(rec[0][0])["rows"] == len(want.splitlines()) - 1, rec)
        for path in (base + "/list.csv", esc + ".csv"):
            st, _, _ = gs.req("GET", path)
            check("a list of households refused to a viewer: " + path, st == 403, st)
            st, _, _ = cb.req("GET", path.replace(COMMUNE, OTHER))
            check("another commune's list: not found: " + path, st == 404, st)
        st, _, html = ph.req("GET", "/plans")
        check("the plans page links its CSV", 'href="/plans.csv"' in html, st)
        st, h, body = gs.req("GET", "/plans.csv")
        check("plans CSV is what `gnbv plan list --format csv` prints",
              st == 200 and csv_body(h, body) == cli(db, "plan", "list", "--format", "csv"), (st, body[:200]))
        st, h, body = ph.req("GET", "/plan/045/2023/csv")
        got = csv_body(h, body) or ""
        head_b, *b_lines = cli(db, "plan", "show", "--unit", "045", "--year", "2023", "--format", "csv").splitlines()
        head_a, *a_lines = cli(db, "plan", "show", "--unit", "045", "--year", "2022", "--format", "csv").splitlines()
        lines = got.splitlines()
        check("a plan's CSV: every budget line, as `gnbv plan show --format csv` prints them (%d)"
              % (len(a_lines) + len(b_lines)),
              st == 200 and lines and lines[0] == head_b == head_a and sorted(lines[1:]) == sorted(a_lines + b_lines),
              (st, got[:300]))
        st, _, html = ph.req("GET", "/plan/045/2023")
        check("the plan page links its CSV", 'href="/plan/045/2023/csv"' in html, st)
        n = q(db, "SELECT count(*) FROM audit_log WHERE action = 'access.export' AND actor = 'web:phong'")[0][0]
        check("the lists without personal data (rounds, plans, summary) are not recorded as exports", n == 0, n)

        # ---- the plan document ----
        def doc_fields(html):
            return {k: v for k, v in re.findall(r'<dd id="doc-(number|date|signer|status)">([^<]*)</dd>', html)}

        def exported():
            return json.loads(cli(db, "plan", "export", "--unit", "045", "--year", "2023", "--json", "-"))

        j = exported()
        st, _, html = ph.req("GET", "/plan/045/2023")
        f = doc_fields(html)
        dj = j["document"]
        check("plan page: number, date, signer and status as the store has them (%s)" % f,
              st == 200 and f.get("number") == (dj["number"] or "chưa có") and f.get("date") == (dj["date"] or "chưa có")
              and f.get("signer", "").startswith(dj["signer"]["name"]) and f.get("status") == "Dự thảo"
              and dj.get("status", "draft") == "draft", (f, dj.get("number"), dj.get("date"), dj.get("status")))

        def shown_outputs(html, sec):
            t = html.split('id="outputs-%s"' % sec, 1)[-1].split("</table>", 1)[0]
            return [(a, q_.strip(), u) for a, q_, u in
                    re.findall(r"<tr><td>([^<]*)</td><td>[^<]*</td><td class=\"n\">([^<]*)</td><td>([^<]*)</td></tr>", t)]

        def cli_outputs(year):
            text = cli(db, "plan", "show", "--unit", "045", "--year", str(year))
            block = text.split("Sản phẩm, kết quả:\n", 1)[-1].split("\n\n", 1)[0]
            out = []
            for line in block.splitlines():
                m = re.match(r"  (\S+)\s+(?:([\d.,]+) )?(.*)$", line)
                out.append((m.group(1), m.group(2) or "", m.group(3)))
            return out

        def cli_targets(year):
            text = cli(db, "plan", "show", "--unit", "045", "--year", str(year))
            block = text.split("Chỉ tiêu, mục tiêu:\n", 1)[-1]
            return [line.split()[0] for line in block.strip().splitlines()]

        for sec, year in (("A", 2022), ("B", 2023)):
            check("plan page: section %s's outputs are `plan show --year %d`'s" % (sec, year),
                  shown_outputs(html, sec) == cli_outputs(year) and cli_outputs(year),
                  (shown_outputs(html, sec), cli_outputs(year)))
        ids = re.findall(r'<tr><td>([A-Z][A-Z0-9-]+)</td><td class="n">2023</td>', html)
        check("plan page: the targets for 2023 are `plan show --year 2023`'s", ids == cli_targets(2023),
              (ids, cli_targets(2023)))

        def post_doc(c, form):
            _, _, h = c.req("GET", "/plan/045/2023")
            return c.req("POST", "/plan/045/2023/document", dict(form, csrf=c.csrf(h)))

        audits = lambda: q(db, "SELECT count(*) FROM audit_log WHERE action LIKE 'plan.%'")[0][0]  # noqa: E731
        n0 = audits()
        # The dates the store refuses (gnbv_plan_date_check), refused by the form first.
        for bad, field in (({"date": "2022-02-30"}, "date"), ({"date": "15/08/2022"}, "date"),
                           ({"date": "2023-02-29"}, "date"), ({"date": "1899-08-15"}, "date"),
                           ({"status": "signed"}, "status")):
            form = dict({"number": "456/KH-UBND", "date": "2022-08-15", "signer": "Nông Văn A",
                         "status": "submitted"}, **bad)
            st, _, html = post_doc(tc, form)
            check("plan form: a bad %s (%s) is refused with 400 and named" % (field, bad[field]),
                  st == 400 and 'id="doc-refused"' in html and '<span class="err">' in html, st)
        check("and nothing was written (no audit record, the plan unchanged)",
              audits() == n0 and exported() == j, (audits(), n0))
        form = {"number": "456/KH-UBND", "date": "2022-08-15", "signer": "Nông Văn Á", "status": "submitted"}
        for c, n in ((gs, "viewer"), (cq, "agency"), (cb, "commune officer")):
            st, _, _ = post_doc(c, form)
            check("plan form refused to the %s (403)" % n, st == 403, st)
        check("nothing written by them", audits() == n0)
        st, hdr, _ = post_doc(tc, form)
        check("plan form by the finance office: saved (303)",
              st == 303 and hdr.get("location", [""])[0] == "/plan/045/2023?doc=1", (st, hdr.get("location")))
        dj = exported()["document"]
        check("the store has the new fields, as `gnbv plan set` would set them",
              (dj["number"], dj["date"], dj["signer"]["name"], dj["status"])
              == ("456/KH-UBND", "2022-08-15", "Nông Văn Á", "submitted"), dj)
        rec = q(db, "SELECT action, object FROM audit_log WHERE actor = 'web:taichinh' AND action LIKE 'plan.%'")
        check("the change is audited (plan.replace of plan:045:2023)", rec == [("plan.replace", "plan:045:2023")], rec)
        st, _, html = tc.req("GET", "/plan/045/2023?doc=1")
        f = doc_fields(html)
        check("the page shows them, with the checks",
              f.get("number") == "456/KH-UBND" and f.get("date") == "2022-08-15" and f.get("status") == "Đã trình"
              and 'id="doc-saved"' in html and "Kiểm tra số liệu" in html, f)
        st, hdr, _ = post_doc(tc, form)
        check("the same fields again: nothing changed (doc=0), no new record",
              st == 303 and hdr.get("location", [""])[0].endswith("doc=0") and audits() == n0 + 1, st)
        st, _, en = tc.req("GET", "/plan/045/2023?lang=en")
        check("plan page in English: the document's fields",
              "The plan document" in en and doc_fields(en).get("status") == "Submitted" and "Outputs" in en, st)
        tc.req("GET", "/plans?lang=vi")

        # An unrecognised round: reopened by the district, its certificates wait.
        cli(db, "review", "reopen", "--commune", OTHER, "--year", str(YEAR), "--reason", "kiểm tra", unit="045")
        st, _, html = ph.req("GET", "/review/%s/%d/certificates" % (OTHER, YEAR))
        check("certificates of a reopened round: 409, saying it is not recognised",
              st == 409 and 'id="unrecognised"' in html and 'class="cert"' not in html, st)
    finally:
        check("server stopped cleanly", srv.stop() == 0)
    p = subprocess.run([GNBV, "--db", db, "audit", "verify"], capture_output=True, text=True)
    check("audit chain intact", p.returncode == 0, p.stderr)

print("%d passed, %d failed" % (results.count(True), results.count(False)))
sys.exit(0 if all(results) else 1)
