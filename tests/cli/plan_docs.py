#!/usr/bin/env python3
"""The plan's documents through the real CLI: the seed's plan
(data/demo/ha-quang-plan-2023.json) is stored with `gnbv plan import` and
exported with `gnbv plan export --xlsx --docx`. The XLSX is read as a zip:
TỔNG CỘNG and subtotals are SUM formulas whose cached values are the seed's
totals, every formula has a cached value, the header is frozen, the page is
A4 landscape fitted to one page wide with repeated header rows. Both files
are converted to PDF by LibreOffice headless (a private profile, a
timeout) and the PDF text must hold the seed's totals in Vietnamese format
(84.249 = 71.283 + 12.966; 133.086 = 73.913 + 59.173; 375 mobilised) and
the headings of a Decree 30 document. A failed export leaves nothing.
Skips (exit 0) only when LibreOffice is not installed.

Usage: plan_docs.py PATH/TO/gnbv
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
import zipfile

GNBV = sys.argv[1]
ROOT = os.environ.get("GNBV_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
SEED = os.path.join(ROOT, "data", "demo", "ha-quang-plan-2023.json")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from checks import check, results  # noqa: E402


def run(args, timeout=120):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


def nfc(s):
    return unicodedata.normalize("NFC", s)


def main():
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print("skip: LibreOffice (soffice) is not installed")
        return 0
    tmp = tempfile.mkdtemp(prefix="gnbv-plan-docs-")
    try:
        return body(soffice, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def body(soffice, tmp):
    db = os.path.join(tmp, "plan.db")
    out = os.path.join(tmp, "out")
    os.mkdir(out)
    r = run([GNBV, "--db", db, "init"])
    check("init", r.returncode == 0, r.stderr)
    r = run([GNBV, "--db", db, "plan", "import", SEED])
    check("plan import of the seed", r.returncode == 0, r.stderr)
    xlsx = os.path.join(out, "bieu-chi-tiet-2023.xlsx")
    docx = os.path.join(out, "ke-hoach-2023.docx")
    r = run([GNBV, "--db", db, "plan", "export", "--unit", "045", "--year", "2023",
             "--xlsx", xlsx, "--docx", docx])
    check("plan export --xlsx --docx", r.returncode == 0, r.stderr)
    check("both files written", os.path.isfile(xlsx) and os.path.isfile(docx), os.listdir(out))
    check("no temporary file left", not [f for f in os.listdir(out) if ".tmp-" in f],
          os.listdir(out))
    if not (os.path.isfile(xlsx) and os.path.isfile(docx)):
        return finish()

    # A failed export leaves nothing behind.
    bad = os.path.join(tmp, "missing", "x.docx")
    r = run([GNBV, "--db", db, "plan", "export", "--unit", "045", "--year", "2023", "--docx", bad])
    check("export into a missing folder fails", r.returncode != 0, r.returncode)
    check("and leaves nothing", not os.path.exists(os.path.dirname(bad)))

    check_xlsx(xlsx)
    check_docx_zip(docx)

    # An edit reaches the documents: the number, the date (Decree 30: a day
    # below 10 takes a leading zero) and a line, whose change moves the totals.
    r1 = run([GNBV, "--db", db, "plan", "set", "--unit", "045", "--year", "2023", "--number",
              "215/KH-UBND", "--date", "2022-08-05"])
    r2 = run([GNBV, "--db", db, "plan", "set", "--unit", "045", "--year", "2023", "--line",
              "B-DA2", "--amount", "15000000000"])
    edited = os.path.join(tmp, "edited.docx")
    r3 = run([GNBV, "--db", db, "plan", "export", "--unit", "045", "--year", "2023", "--docx",
              edited])
    check("plan set and export again", r1.returncode == r2.returncode == r3.returncode == 0,
          r1.stderr + r2.stderr + r3.stderr)
    if os.path.isfile(edited):
        doc = zipfile.ZipFile(edited).read("word/document.xml").decode("utf-8")
        check("edited: Số: 215/KH-UBND", "Số: 215/KH-UBND" in doc)
        check("edited: ngày 05 tháng 8 năm 2022", "Hà Quảng, ngày 05 tháng 8 năm 2022" in doc)
        check("edited: the total follows the line (134.086)",
              "Dự kiến 134.086 triệu đồng. Trong đó: vốn đầu tư phát triển 73.913 triệu đồng, "
              "vốn sự nghiệp 60.173 triệu đồng." in doc)

    # LibreOffice headless: a private profile so that parallel runs do not
    # share (and lock) one.
    pdf = os.path.join(tmp, "pdf")
    profile = "file://" + os.path.join(tmp, "lo-profile")
    try:
        r = run([soffice, "-env:UserInstallation=" + profile, "--headless", "--convert-to", "pdf",
                 "--outdir", pdf, xlsx, docx], timeout=300)
        check("soffice converts both", r.returncode == 0, r.stderr)
    except subprocess.TimeoutExpired:
        check("soffice converts both within 300 s", False)
        return finish()
    xpdf = os.path.join(pdf, "bieu-chi-tiet-2023.pdf")
    dpdf = os.path.join(pdf, "ke-hoach-2023.pdf")
    check("XLSX -> PDF", os.path.isfile(xpdf))
    check("DOCX -> PDF", os.path.isfile(dpdf))
    if not (os.path.isfile(xpdf) and os.path.isfile(dpdf)):
        return finish()

    totals = ["84.249", "71.283", "12.966", "133.086", "73.913", "59.173", "375"]
    dtext = nfc(run(["pdftotext", dpdf, "-"]).stdout)
    for t in totals:
        check("Kế hoạch PDF states %s" % t, re.search(r"(?<![\d.,])%s(?![\d]|[.,]\d)" % re.escape(t),
                                                    dtext))
    check("Kế hoạch PDF: 133.086 triệu đồng", "133.086 triệu đồng" in dtext)
    for h in ["KẾ HOẠCH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
              "ỦY BAN NHÂN DÂN", "HUYỆN HÀ QUẢNG", "Số:", "/KH-UBND", "tháng 8 năm 2022",
              "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Phạm Xuân Tùng", "Nơi nhận:",
              "Tổng nhu cầu vốn thực hiện", "Phòng Lao động - Thương binh và Xã hội"]:
        check("Kế hoạch PDF has '%s'" % h, h in dtext)
    xtext = nfc(run(["pdftotext", "-layout", xpdf, "-"]).stdout)
    for t in totals + ["80.420,35", "95,46%"]:
        check("biểu PDF shows %s (Vietnamese separators whatever the locale)" % t, t in xtext)
    for h in ["BIỂU CHI TIẾT", "TỔNG CỘNG", "Đơn vị tính: triệu đồng", "Dự án 1", "Tiểu dự án 1"]:
        check("biểu PDF has '%s'" % h, h in xtext)
    xinfo = run(["pdfinfo", xpdf]).stdout
    dinfo = run(["pdfinfo", dpdf]).stdout
    check("biểu: one page", re.search(r"Pages:\s+1\n", xinfo), xinfo)
    check("biểu: A4 landscape", re.search(r"Page size:\s+841\.[89]\d* x 595\.", xinfo), xinfo)
    check("Kế hoạch: A4 portrait", re.search(r"Page size:\s+595\.\d+ x 841\.[89]", dinfo), dinfo)
    return finish()


def cell(sheet, ref):
    m = re.search(r'<c r="%s"[^>]*>(.*?)</c>' % ref, sheet)
    return m.group(1) if m else ""


def check_xlsx(path):
    z = zipfile.ZipFile(path)
    sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    book = z.read("xl/workbook.xml").decode("utf-8")
    styles = z.read("xl/styles.xml").decode("utf-8")
    # Row 9 is TỔNG CỘNG; D Tổng NSNN, E ĐTPT, F SN, G huy động of 2022;
    # J, K, L of 2023 and P its mobilised money.
    want = {"D9": "84249", "E9": "71283", "F9": "12966", "G9": "1000", "J9": "133086",
            "K9": "73913", "L9": "59173", "P9": "375"}
    for ref, v in want.items():
        c = cell(sheet, ref)
        check("TỔNG CỘNG %s is a SUM with cached value %s" % (ref, v),
              re.match(r"<f>SUM\([^<]+\)</f><v>%s</v>$" % v, c), c)
    est = cell(sheet, "H9")
    check("2022 estimated disbursement cached 80420.35", "<v>80420.35" in est, est)
    pct = cell(sheet, "I9")
    check("the rate is a formula", pct.startswith("<f>IF(D9=0") and "<v>0.954" in pct, pct)
    check("every formula has a cached value", not re.search(r"</f></c>", sheet))
    n_formulas = len(re.findall(r"<f>", sheet))
    check("subtotals are formulas (%d)" % n_formulas, n_formulas > 100, n_formulas)
    check("frozen below the header", re.search(r'<pane xSplit="2" ySplit="8"[^>]*state="frozen"',
                                               sheet))
    check("A4 landscape", re.search(r'<pageSetup[^>]*paperSize="9"[^>]*orientation="landscape"',
                                    sheet), re.findall(r"<pageSetup[^>]*>", sheet))
    check("fit to one page wide", 'fitToPage="1"' in sheet and 'fitToHeight="0"' in sheet)
    check("header rows repeat on every page", "_xlnm.Print_Titles" in book)
    check("Vietnamese number format", "[$-42A]#,##0" in styles)
    check("Times New Roman", "Times New Roman" in styles)


def check_docx_zip(path):
    z = zipfile.ZipFile(path)
    names = z.namelist()
    for part in ["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml",
                 "word/settings.xml", "word/_rels/document.xml.rels", "docProps/core.xml",
                 "docProps/app.xml"]:
        check("DOCX part %s" % part, part in names, names)
    for part in names:
        if part.endswith(".xml") or part.endswith(".rels"):
            try:
                ET.fromstring(z.read(part))
                ok = True
            except ET.ParseError as e:
                ok = e
            check("DOCX part %s is well-formed XML" % part, ok is True, ok)
    doc = z.read("word/document.xml").decode("utf-8")
    check("A4 portrait, Decree 30 margins",
          '<w:pgSz w:w="11906" w:h="16838"/>' in doc and 'w:left="1701"' in doc, doc[-600:])
    check("recipients escaped (Sở LĐ-TB&amp;XH)", "Sở LĐ-TB&amp;XH tỉnh" in doc)
    check("no unescaped ampersand", not re.search(r"&(?!amp;|lt;|gt;|quot;|apos;)", doc))


def finish():
    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
