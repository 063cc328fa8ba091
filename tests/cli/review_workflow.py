"""End-to-end: `gnbv review` runs a commune's periodic round from the list
to recognition through the CLI (list, application, survey by import,
village meetings with the 50% rule at exactly 50% and just below, posting,
a complaint and its resolution, submission, recognition by another user),
refuses steps out of order, locks the round against import (data
unchanged) and household edits, lets only the district reopen it, tracks
the ad-hoc deadline (day 15 on time, day 16 overdue), prints the
transitions and a summary form that matches the store's own counts (text,
CSV and XLSX), keeps the expected-to-escape list with deficits, components
and helpers, writes escaped HTML certificates, and keeps the audit chain.
Every step says what it did in Vietnamese, in English with `gnbv --lang en`
(whole lines compared).

The refusals are checked in Vietnamese, the CLI's default language.

Usage: review_workflow.py PATH/TO/gnbv [--pg DIR]

With --pg DIR the database is a fresh schema on the PostgreSQL server of
tests/pg/pg-test-server in DIR (`init` as the migration role, the rest as
the application role, the audit log append-only for it).
"""
import csv
import io
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import zipfile

GNBV = sys.argv[1]
PG_DIR = sys.argv[sys.argv.index("--pg") + 1] if "--pg" in sys.argv else None
PG_SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg", "pg-test-server")
PG_SCHEMA = "w_%d" % os.getpid()
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from checks import check, results  # noqa: E402


def count(db, sql):
    """A count(*) on either backend."""
    if not PG_DIR:
        con = sqlite3.connect(db)
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()
    url = os.environ["GNBV_PG_ADMIN_URL"] + "&options=-csearch_path%3D" + PG_SCHEMA
    out = subprocess.run([os.path.join(os.environ["GNBV_PG_BIN"], "psql"), "-X", "-A", "-t", url, "-c", sql],
                         capture_output=True, text=True).stdout
    return int(out.strip() or -1)


HH = ("household_id,unit_code,area,income_month,income_score,floor_durable,walls_durable,"
      "roof_durable,living_area_m2,water_safe,toilet_hygienic,waste_treated,devices\n")
MM = ("household_id,member_no,name,sex,birth_date,relation,ethnicity,able_to_work,work,"
      "health_insurance,stunted,underweight,in_school,school_level,uses_internet,social_allowance\n")


def row(code, village, kind, head, eth="Tày"):
    poor = kind == "poor"
    inc = "5000000" if kind == "not_poor" else "1000000"
    ok = "0" if poor else "1"
    h = "%s,%s,,%s,,%s,%s,%s,30,%s,%s,1,smartphone\n" % (code, village, inc, ok, ok, ok, ok, ok)
    name = '"' + head.replace('"', '""') + '"' if any(c in head for c in ',"') else head
    m = "%s,1,%s,F,1980-05-01,head,%s,1,self,1,,,0,upper_secondary,1,0\n" % (code, name, eth)
    return h, m


def write_round(d, name, rows):
    folder = os.path.join(d, name)
    os.makedirs(folder, exist_ok=True)
    hs, ms = HH, MM
    for r in rows:
        h, m = row(*r)
        hs += h
        ms += m
    with open(os.path.join(folder, "households.csv"), "w", encoding="utf-8") as f:
        f.write(hs)
    with open(os.path.join(folder, "members.csv"), "w", encoding="utf-8") as f:
        f.write(ms)
    return os.path.join(folder, "households.csv"), os.path.join(folder, "members.csv")


with tempfile.TemporaryDirectory() as d:
    db = init_db = os.path.join(d, "r.db")
    if PG_DIR:
        env = dict(l.split("=", 1) for l in subprocess.run(
            ["bash", PG_SERVER, "schema", PG_DIR, PG_SCHEMA], capture_output=True, text=True,
            check=True).stdout.splitlines() if "=" in l)
        db, init_db = env["GNBV_PG_URL"].strip("'"), env["GNBV_PG_MIGRATE_URL"].strip("'")

    def g(*args):
        return subprocess.run([GNBV, "--db", db] + list(args), capture_output=True, text=True)

    def rv(*args, who="officer", unit="01366", lang=None):
        a = (["--lang", lang] if lang else []) + ["review"] + list(args) + ["--as", who]
        if unit:
            a += ["--unit", unit]
        return g(*a)

    def said(p, line):
        """Succeeded and printed exactly `line`."""
        return p.returncode == 0 and p.stdout == line + "\n"

    C = ["--commune", "01366"]
    check("init", subprocess.run([GNBV, "--db", init_db, "init"], capture_output=True).returncode == 0)
    if PG_DIR:
        subprocess.run(["bash", PG_SERVER, "seal", PG_DIR, PG_SCHEMA], capture_output=True, check=True)
    # 2021: A poor, B near-poor, C not poor; 2022: A near-poor, B poor (newly), C not poor, D poor (moved in).
    h21, m21 = write_round(d, "r21", [("A", "01366-01", "poor", "Nguyễn <Thị> & \"A\""),
                                       ("B", "01366-02", "near", "Lý Văn B"),
                                       ("C", "01366-02", "not_poor", "Hoàng Văn C", "Kinh")])
    p = g("import", "--round", "2021", h21, m21)
    check("import 2021", p.returncode == 0, p.stderr)

    # Out of order before the round runs.
    p = rv("survey", *C, "--year", "2021")
    check("survey before open: refused, exit 1", p.returncode == 1 and "chưa bắt đầu: hãy bắt đầu bằng 'review open' (bước 1)" in p.stderr, p.stderr)
    p = rv("open", *C, "--year", "2021")
    check("open 2021", said(p, "01366 Xã Cần Yên, năm 2021: bước 1 (lập danh sách): 0 hộ trong danh sách hiện hành"),
          p.stdout + p.stderr)
    p = rv("meeting", *C, "--year", "2021", "--village", "01366-01", "--date", "2021-10-20",
           "--chair", "Trưởng xóm", "--participants", "10")
    check("meeting before the survey step: refused", p.returncode == 1 and "đang ở bước 'lập danh sách'" in p.stderr, p.stderr)
    p = rv("apply", *C, "--year", "2021", "--household", "C", "--date", "2021-09-10",
           "--applicant", "Hoàng Văn C")
    check("application recorded", said(p, "Đã ghi đơn đề nghị của hộ C (bước 1)"), p.stdout + p.stderr)
    p = rv("survey", *C, "--year", "2021")
    check("list closed (step 2)", said(p, "Đã chốt danh sách: bước 2, điều tra và phân loại "
                                        "('gnbv import --round 2021 ...')"), p.stdout + p.stderr)

    votes1 = os.path.join(d, "v1.csv")
    with open(votes1, "w") as f:
        f.write("household_code,in_favour\nA,5\n")
    p = rv("meeting", *C, "--year", "2021", "--village", "01366-01", "--date", "2021-10-20",
           "--chair", "Nông Văn Trưởng", "--participants", "10", "--votes", votes1)
    check("5 of 10 (exactly 50%) stands",
          p.returncode == 0 and re.fullmatch(r"Đã ghi cuộc họp số \d+ \(bước 3\): 1 hộ biểu quyết, 1 hộ đạt, "
                                             r"0 hộ phải điều tra lại\n", p.stdout), p.stdout + p.stderr)
    votes2 = os.path.join(d, "v2.csv")
    with open(votes2, "w") as f:
        f.write("B,49\nC,80\n")
    p = rv("meeting", *C, "--year", "2021", "--village", "01366-02", "--date", "2021-10-21",
           "--chair", "Hoàng Thị Trưởng", "--participants", "100", "--votes", votes2)
    m = re.fullmatch(r"Đã ghi cuộc họp số (\d+) \(bước 3\): 2 hộ biểu quyết, 1 hộ đạt, 1 hộ phải điều tra lại\n"
                     r"  B: 49 / 100 người đồng ý, dưới 50%: điều tra lại\n", p.stdout)
    check("49 of 100 (just below) goes back to the survey", p.returncode == 0 and m, p.stdout + p.stderr)
    meeting2 = m.group(1) if m else "0"
    p = rv("post", *C, "--year", "2021", "--start", "2021-11-01", "--end", "2021-11-10")
    check("posting refused while B has no standing result", p.returncode == 1 and "B" in p.stderr, p.stderr)
    p = rv("vote", *C, "--year", "2021", "--meeting", meeting2, "--household", "B", "--in-favour", "50")
    check("B is not put to the same meeting again without a new survey",
          p.returncode == 1 and "hãy khảo sát lại" in p.stderr, p.stdout + p.stderr)
    hb, mb = write_round(d, "r21-B", [("B", "01366-02", "near", "Lý Văn Bình")])
    p = g("import", "--round", "2021", hb, mb)
    check("B surveyed again (step 2)", p.returncode == 0, p.stderr)
    p = rv("vote", *C, "--year", "2021", "--meeting", meeting2, "--household", "B", "--in-favour", "50", lang="en")
    check("B voted again: 50 of 100 stands (said in English)", said(p, "B: the result stands"), p.stdout + p.stderr)
    p = rv("post", *C, "--year", "2021", "--start", "2021-11-01", "--end", "2021-11-10")
    check("posted (step 4)", said(p, "Đã niêm yết công khai từ 2021-11-01 đến 2021-11-10 (bước 4)"),
          p.stdout + p.stderr)
    p = rv("complain", *C, "--year", "2021", "--household", "C", "--date", "2021-11-05",
           "--text", "Đề nghị xem xét lại", "--by", "Hoàng Văn C")
    m = re.fullmatch(r"Đã ghi khiếu nại số (\d+)\n", p.stdout)
    check("complaint recorded", p.returncode == 0 and m, p.stdout + p.stderr)
    cid = m.group(1) if m else "0"
    p = rv("submit", *C, "--year", "2021")
    check("submission refused with an unresolved complaint", p.returncode == 1 and "khiếu nại chưa giải quyết" in p.stderr, p.stderr)
    p = rv("resolve", *C, "--year", "2021", "--complaint", cid, "--date", "2021-11-08",
           "--text", "Giữ nguyên kết quả")
    check("complaint resolved", said(p, "Đã ghi kết quả giải quyết khiếu nại số " + cid), p.stdout + p.stderr)
    p = rv("submit", *C, "--year", "2021")
    check("submitted (step 5)", said(p, "Đã trình công nhận, người trình officer (bước 5); danh sách đã khóa"),
          p.stdout + p.stderr)
    p = rv("recognise", *C, "--year", "2021", "--decision", "12/QĐ-UBND", "--date", "2021-12-15",
           "--signer", "Chủ tịch UBND xã")
    check("the submitter cannot recognise", p.returncode == 1 and "không thể tự công nhận" in p.stderr, p.stderr)
    p = rv("recognise", *C, "--year", "2021", "--decision", "12/QĐ-UBND", "--date", "2021-12-15",
           "--signer", "Chủ tịch UBND xã", who="chair")
    check("recognised by the chair", said(p, "Đã công nhận theo quyết định số 12/QĐ-UBND ngày 2021-12-15; danh sách "
                                           "của đợt rà soát đã khóa"), p.stdout + p.stderr)
    p = rv("status", *C, "--year", "2021")
    check("status: recognised with the decision", said(p, "\n".join((
        "đợt rà soát: 01366 Xã Cần Yên, năm 2021 (chuẩn vn-2022-2026)", "bước: Đã công nhận",
        "trong danh sách: 1 (có đơn đề nghị 1); đã điều tra: 3; đã thống nhất: 3; phải điều tra lại: 0; "
        "chưa biểu quyết: 0", "khiếu nại: 1 (chưa giải quyết 0)", "người lập danh sách: officer",
        "niêm yết: từ 2021-11-01 đến 2021-11-10", "người trình: officer",
        "công nhận theo quyết định số 12/QĐ-UBND ngày 2021-12-15, người ký Chủ tịch UBND xã (ghi nhận bởi chair)"))),
        p.stdout + p.stderr)
    p = rv("status", *C, "--year", "2021", lang="en")
    check("status in English with --lang en", said(p, "\n".join((
        "round: 01366 Xã Cần Yên, 2021 (standard vn-2022-2026)", "step: recognised",
        "listed: 1 (applications 1); surveyed: 3; agreed: 3; to survey again: 0; without a standing vote: 0",
        "complaints: 1 (unresolved 0)", "opened by: officer", "posting: 2021-11-01 to 2021-11-10",
        "submitted by: officer",
        "recognised by decision 12/QĐ-UBND of 2021-12-15, signed Chủ tịch UBND xã (recorded by chair)"))),
        p.stdout + p.stderr)

    # The lock, by every path.
    ex1 = os.path.join(d, "ex1")
    check("export before", g("export", "--round", "2021", "--out", ex1).returncode == 0)
    before = open(db, "rb").read() if not PG_DIR else None
    h21b, m21b = write_round(d, "r21b", [("A", "01366-01", "not_poor", "Nguyễn Thị A"),
                                        ("E", "01366-01", "poor", "Mới E")])
    p = g("import", "--round", "2021", h21b, m21b)
    check("import into the recognised round refused", p.returncode == 1 and "đã khoá" in p.stderr, p.stderr)
    ex2 = os.path.join(d, "ex2")
    g("export", "--round", "2021", "--out", ex2)
    same = all(open(os.path.join(ex1, n), "rb").read() == open(os.path.join(ex2, n), "rb").read()
               for n in ("households.csv", "members.csv"))
    check("the round's data unchanged", same)
    p = rv("remove", *C, "--year", "2021", "--household", "A", "--reason", "x")
    check("delete from the list refused", p.returncode == 1 and "đã khoá" in p.stderr, p.stderr)
    p = rv("vote", *C, "--year", "2021", "--meeting", meeting2, "--household", "B", "--in-favour", "1")
    check("vote after the lock refused", p.returncode == 1, p.stderr)
    p = rv("reopen", *C, "--year", "2021", "--reason", "sai sót")
    check("reopen by the commune refused", p.returncode == 1 and "chỉ tài khoản của cấp trên" in p.stderr, p.stderr)
    p = rv("reopen", *C, "--year", "2021", "--reason", "sai sót", who="province", unit="04")
    check("reopen by the province refused (one level by default)", p.returncode == 1, p.stderr)
    p = rv("reopen", *C, "--year", "2021", "--reason", "Kiểm tra lại", who="district", unit="045")
    check("reopen by the district", said(p, "Đã mở lại đợt rà soát: quay lại bước 2 (điều tra)"), p.stdout + p.stderr)
    p = g("import", "--round", "2021", h21, m21)
    check("writable again after reopening (B's survey corrected back)", p.returncode == 0, p.stderr)
    vb = os.path.join(d, "vb.csv")
    with open(vb, "w") as f:
        f.write("B,3\n")
    for args in (("meeting", *C, "--year", "2021", "--village", "01366", "--date", "2021-12-20",
                  "--chair", "T", "--participants", "3", "--votes", vb),
                 ("post", *C, "--year", "2021", "--start", "2021-12-21", "--end", "2021-12-22"),
                 ("submit", *C, "--year", "2021")):
        p = rv(*args)
        check("again: " + args[0], p.returncode == 0, p.stderr)
    p = rv("recognise", *C, "--year", "2021", "--decision", "13/QĐ-UBND", "--date", "2021-12-23",
           "--signer", "Chủ tịch UBND xã", who="chair")
    check("recognised again", p.returncode == 0, p.stderr)

    # 2022 through the whole workflow.
    h22, m22 = write_round(d, "r22", [("A", "01366-01", "near", "Nguyễn Thị A"),
                                       ("B", "01366-02", "poor", "Lý Văn B"),
                                       ("C", "01366-02", "not_poor", "Hoàng Văn C", "Kinh"),
                                       ("D", "01366-01", "poor", "Đặng Văn D", "Dao")])
    p = rv("open", *C, "--year", "2022")
    check("open 2022 lists the 2021 poor and near-poor",
          said(p, "01366 Xã Cần Yên, năm 2022: bước 1 (lập danh sách): 2 hộ trong danh sách hiện hành"),
          p.stdout + p.stderr)
    p = g("import", "--round", "2022", h22, m22)
    check("import 2022", p.returncode == 0, p.stderr)
    p = rv("list", *C, "--year", "2022")
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    check("list: 2 current, 2 surveyed only", sorted(r["source"] for r in rows) == ["current", "current", "survey", "survey"], rows)
    rv("survey", *C, "--year", "2022")
    allv = os.path.join(d, "all.csv")
    with open(allv, "w") as f:
        f.write("A,9\nB,9\nC,9\nD,9\n")
    for args in (("meeting", *C, "--year", "2022", "--village", "01366", "--date", "2022-10-20",
                  "--chair", "T", "--participants", "10", "--votes", allv),
                 ("post", *C, "--year", "2022", "--start", "2022-11-01", "--end", "2022-11-10"),
                 ("submit", *C, "--year", "2022")):
        p = rv(*args)
        check("2022: " + args[0], p.returncode == 0, p.stderr)
    p = rv("recognise", *C, "--year", "2022", "--decision", "20/QĐ-UBND", "--date", "2022-12-15",
           "--signer", "Chủ tịch", who="chair")
    check("2022 recognised", p.returncode == 0, p.stderr)

    p = rv("transitions", *C, "--year", "2022")
    tr = {r["household_code"]: r for r in csv.DictReader(io.StringIO(p.stdout))}
    check("transitions: A escaped to near-poor", tr.get("A", {}).get("poverty") == "escaped_to_near_poor", tr)
    check("transitions: B near-poor to poor, newly poor",
          tr.get("B", {}).get("poverty") == "newly_poor" and tr["B"]["near_poverty"] == "near_to_poor", tr)
    check("transitions: D moved in", tr.get("D", {}).get("move") == "moved_in", tr)

    # The summary against the store.
    p = rv("summary", *C, "--year", "2022", "--format", "csv")
    sm = list(csv.DictReader(io.StringIO(p.stdout)))
    tot = [r for r in sm if r["unit_code"] == "01366" and r["area"] == "total"]
    check("summary csv has the commune's total row", len(tot) == 1, p.stdout + p.stderr)
    ex22 = os.path.join(d, "ex22")
    g("classify", h22, m22, "--as-of", "2022-10-01", "--standard", "vn-2022-2026", "--out", ex22)
    star = [r for r in csv.DictReader(open(os.path.join(ex22, "summary.csv"), encoding="utf-8"))
            if r["unit_code"] == "*"][0]
    if tot:
        t = tot[0]
        check("summary: households and poor at the end match the store",
              t["households_end"] == star["households"] and t["poor_end"] == star["poor"], (t, star))
        check("summary: start of the year per the 2021 decision (1 poor of 3)",
              t["poor_start"] == "1" and t["households_start"] == "3" and t["poor_start_pct"] == "33.33", t)
        check("summary: 1 escaped, 1 newly poor, 1 arrived",
              (t["poor_escaped"], t["poor_newly"], t["poor_arrived"]) == ("1", "1", "1"), t)
        check("summary: ethnic-minority poor at the end (B Tày, D Dao)", t["poor_end_minority"] == "2", t)
    p = rv("summary", "--commune", "045", "--year", "2022", unit="045", who="district")
    check("district summary text, Vietnamese numbers",
          p.returncode == 0 and "Huyện Hà Quảng" in p.stdout and "50,00%" in p.stdout, p.stdout + p.stderr)
    xl = os.path.join(d, "s.xlsx")
    p = rv("summary", "--commune", "045", "--year", "2022", "--format", "xlsx", "--out", xl, unit="045")
    check("the XLSX summary says where it went", re.fullmatch(re.escape(xl) + r": \d+ dòng\n", p.stdout), p.stdout)
    ok = p.returncode == 0 and zipfile.is_zipfile(xl)
    strings = zipfile.ZipFile(xl).read("xl/sharedStrings.xml").decode() if ok else ""
    check("XLSX summary with Vietnamese headings", ok and "Hộ nghèo cuối năm" in strings, p.stderr)
    p = rv("summary", "--commune", "01367", "--year", "2022")
    check("a summary outside the user's scope is refused", p.returncode == 1 and "nằm ngoài phạm vi" in p.stderr, p.stderr)

    # Ad-hoc: day 15 on time, day 16 overdue.
    p = rv("adhoc", "request", *C, "--household", "C", "--date", "2023-03-01", "--reason", "Ốm nặng")
    check("ad-hoc request", p.returncode == 0 and re.fullmatch(
        r"Đã ghi đề nghị rà soát đột xuất số \d+: hạn quyết định trong 15 ngày theo lịch\n", p.stdout),
        p.stdout + p.stderr)
    p = rv("overdue", "--on", "2023-03-16")
    check("day 15: not overdue", p.returncode == 0 and len(p.stdout.splitlines()) == 1, p.stdout)
    p = rv("overdue", "--on", "2023-03-17")
    lines = p.stdout.splitlines()
    check("day 16: overdue by 1 day", len(lines) == 2 and ",2023-03-16,1," in lines[1], p.stdout)

    # Expected to escape in 2023 (from the 2022 list).
    p = rv("escape", "mark", *C, "--year", "2023", "--household", "B")
    check("escape mark", said(p, "B: dự kiến thoát nghèo năm 2023"), p.stdout + p.stderr)
    p = rv("escape", "mark", *C, "--year", "2023", "--household", "C")
    check("a household not on the list cannot be marked", p.returncode == 1, p.stderr)
    p = rv("escape", "assign", "--year", "2023", "--household", "B", "--helper", "Hoàng Văn Cán",
           "--position", "Phó Chủ tịch UBND xã", lang="en")
    check("escape assign (said in English)", said(p, "B: helper Hoàng Văn Cán"), p.stdout + p.stderr)
    p = rv("escape", "support", "--year", "2023", "--household", "B", "--what", "Hỗ trợ nhà ở",
           "--date", "2023-04-01", "--amount", "40000000", "--component", "DA5")
    check("escape support", said(p, "B: đã ghi hỗ trợ"), p.stdout + p.stderr)
    p = rv("escape", "progress", *C, "--year", "2023")
    check("progress shows deficits with components and the helper",
          "housing_quality  -> DA5" in p.stdout and "Hoàng Văn Cán" in p.stdout and "40.000.000" in p.stdout,
          p.stdout + p.stderr)

    # Certificates, escaped.
    html = os.path.join(d, "c.html")
    p = rv("certificate", *C, "--year", "2021", "--out", html)
    check("certificates written", said(p, "Đã ghi tệp " + html), p.stdout + p.stderr)
    text = open(html, encoding="utf-8").read() if p.returncode == 0 else ""
    check("certificates: one per poor or near-poor household", text.count('class="cert"') == 2, p.stderr)
    check("certificates: names are escaped",
          "Nguyễn &lt;Thị&gt; &amp; &quot;A&quot;" in text and "<Thị>" not in text)
    check("certificates: decision, validity year, address",
          "13/QĐ-UBND" in text and "Năm 2022" in text and "Xã Cần Yên" in text)

    p = g("audit", "verify")
    check("the audit chain holds", p.returncode == 0, p.stderr)
    n = count(db, "SELECT count(*) FROM audit_log WHERE action = 'review.recognise' "
                  "AND actor LIKE 'chair (%'")
    reopen = count(db, "SELECT count(*) FROM audit_log WHERE action = 'review.reopen' "
                       "AND actor LIKE 'district (%' AND detail LIKE '%Kiểm tra lại%'")
    check("recognitions and the reopening are audited with the acting user and the reason",
          n == 3 and reopen == 1, (n, reopen))

if PG_DIR:
    subprocess.run(["bash", PG_SERVER, "drop", PG_DIR, PG_SCHEMA], capture_output=True)
failed = results.count(False)
print("%d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
