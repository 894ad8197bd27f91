#!/usr/bin/env python3
"""Generate a per-format corpus of council-like documents for the extraction benchmark (bench/extract.sh).

Usage: bench/make_corpus.py DEST [MB]      (MB per family, default 64)

Writes one folder per format family under DEST, each about MB megabytes on disk in all, its files spread
over eight department subfolders (Sweep schedules work by folder, so one flat folder would not show how it
uses several cores):

  text/    .txt letters and notes, ~100 KB each
  html/    .html pages (headings, paragraphs, tables, entities)
  docx/    minimal valid Office Open XML documents (document, header, core properties), runs split as Word does
  xlsx/    workbooks with a shared-strings table and one worksheet of text and number cells
  pdf/     PDF 1.4 files of 20-50 pages, FlateDecode content streams with TJ kerning arrays, two standard fonts
  eml/     MIME messages (multipart/mixed: a quoted-printable body, base64 .csv/.docx/.pdf attachments)
  mbox/    four mailboxes of many messages each (one per subfolder), some with a base64 attachment
  zip/     zip archives of .txt, .csv and .docx members in dated subfolders
  legacy/  renamed copies of the committed fixtures/formats/legacy/*.doc/.xls/.ppt (min(MB, 4) MB in all;
           identical content, so they also form duplicate sets; two of the five are password-protected)

The prose is drawn from a council vocabulary with, now and then, a planted published test value (NINO
JK123456C, NHS number 943 476 5919, addresses @example.org, the Ofcom drama number 07700 900123, postcode
SW1A 1AA). Python standard library only; deterministic (seeded per family; zip and PDF dates are fixed).
The marker DEST.done-MB beside DEST skips regeneration.
"""
import base64
import glob
import io
import os
import quopri
import random
import shutil
import sys
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
LEGACY = os.path.join(HERE, "..", "fixtures", "formats", "legacy")
DEPTS = ["Housing", "Planning", "Adult Social Care", "Childrens Services", "Finance", "Highways",
         "Environmental Health", "Democratic Services"]
WORDS = ("the council resident officer application decision housing budget meeting report review planning care "
         "payment contract agreed action notes please find attached regards dear committee date reference case team "
         "manager service request approved pending visit tenancy repair complaint assessment support plan family "
         "school transport licence premises inspection waste collection highways footpath streetlight parking permit "
         "benefit council-tax arrears account invoice supplier procurement tender contract variation cabinet member "
         "ward councillor scrutiny minutes agenda item recommendation consultation response objection appeal hearing "
         "safeguarding referral strategy discussion outcome review protection allocation waiting list bedroom "
         "adaptation occupational therapist equipment delivery hospital discharge package provider domiciliary "
         "residential placement fee uplift grant funding bid allocation capital programme revenue forecast variance "
         "overspend underspend reserves audit risk register mitigation owner deadline quarter year annual monthly "
         "weekly update progress milestone project board sponsor lead officer head director chief executive "
         "monitoring officer section report legal advice data protection freedom information request disclosure "
         "exemption public interest test redaction retention schedule archive records management policy procedure "
         "guidance training staff employee absence sickness return work interview recruitment vacancy post grade "
         "salary pension payroll overtime allowance mileage claim expenses receipt approval signed authorised "
         "emergency flood drainage gully tree preservation order enforcement notice breach compliance visit evidence "
         "photograph letter email telephone call voicemail follow-up chased outstanding resolved closed open new "
         "address property landlord tenant leaseholder service-charge estimate actual statement refund credit debit "
         "direct debit standing order instalment reminder final notice summons liability order bailiff hardship "
         "discretionary relief exemption discount single person student empty homes premium valuation band").split()
OPENERS = ["Dear Ms Example,", "Dear Mr Sample,", "Dear Resident,", "To whom it may concern,", "Hi all,",
           "Further to our conversation,", "Please see below.", "Thank you for your email."]
PLANTS = ["National Insurance number JK123456C", "NI no. JK 12 34 56 C", "NHS number 943 476 5919",
          "NHS No: 9434765919", "email jane.example@example.org", "contact housing.team@example.org",
          "mobile 07700 900123", "postcode SW1A 1AA", "reply to j.bloggs@example.org"]
MARKINGS = ["OFFICIAL", "OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE PERSONAL"]
FIXED_DATE = (2021, 6, 14, 9, 30, 0)
CT_DOCX = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
           '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
           '<Default Extension="xml" ContentType="application/xml"/>'
           '<Override PartName="/word/document.xml" '
           'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
           '<Override PartName="/word/header1.xml" '
           'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>'
           '<Override PartName="/docProps/core.xml" '
           'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>')
CT_XLSX = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
           '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
           '<Default Extension="xml" ContentType="application/xml"/>'
           '<Override PartName="/xl/workbook.xml" '
           'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
           '<Override PartName="/xl/worksheets/sheet1.xml" '
           'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
           '<Override PartName="/xl/sharedStrings.xml" '
           'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


class Prose:
    """Sentences and lines of council correspondence with an occasional planted test value."""

    def __init__(self, rng, plant_rate=0.03):
        self.rng, self.plant_rate = rng, plant_rate

    def sentence(self):
        rng = self.rng
        words = rng.choices(WORDS, k=rng.randint(6, 18))
        words[0] = words[0].capitalize()
        s = " ".join(words)
        if rng.random() < self.plant_rate:
            s += ", " + rng.choice(PLANTS)
        return s + rng.choice(".....?")

    def paragraph(self, lo=2, hi=6):
        return " ".join(self.sentence() for _ in range(self.rng.randint(lo, hi)))

    def line(self, width=95):
        """One line of running text about `width` characters long (for PDF pages)."""
        out, n = [], 0
        while n < width - 12:
            w = self.rng.choice(WORDS)
            out.append(w)
            n += len(w) + 1
        s = " ".join(out)
        if self.rng.random() < self.plant_rate:
            s = s[: width // 2] + " " + self.rng.choice(PLANTS)
        return s

    def title(self):
        return " ".join(w.capitalize() for w in self.rng.choices(WORDS, k=self.rng.randint(3, 7)))

    def text(self, size):
        parts, n = [], 0
        if self.rng.random() < 0.2:
            parts.append(self.rng.choice(MARKINGS))
        parts.append(self.rng.choice(OPENERS))
        while n < size:
            p = self.paragraph()
            parts.append(p)
            n += len(p) + 2
        return "\n\n".join(parts)


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def zinfo(name):
    info = zipfile.ZipInfo(name, FIXED_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


# ---- builders: each returns the bytes of one file ----

def make_text(rng, prose):
    return prose.text(rng.randint(60_000, 140_000)).encode()


def make_html(rng, prose):
    title = prose.title()
    out = [f"<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{title}</title>"
           "<style>body{font-family:Arial} td{padding:4px}</style></head><body>",
           f"<h1>{title} &ndash; {rng.choice(DEPTS)}</h1>"]
    target, n = rng.randint(30_000, 150_000), 0
    while n < target:
        r = rng.random()
        if r < 0.1:
            chunk = f"<h2>{prose.title()}</h2>"
        elif r < 0.2:
            rows = "".join(f"<tr><td>{rng.randint(1000, 99999)}</td><td>{xml_escape(prose.sentence())}</td>"
                           f"<td>&pound;{rng.randint(10, 99999)}.{rng.randint(0, 99):02d}</td></tr>"
                           for _ in range(rng.randint(3, 12)))
            chunk = f"<table><tr><th>Ref</th><th>Detail</th><th>Amount</th></tr>{rows}</table>"
        elif r < 0.3:
            chunk = "<ul>" + "".join(f"<li>{xml_escape(prose.sentence())}</li>" for _ in range(rng.randint(2, 6))) + "</ul>"
        else:
            chunk = f"<p>{xml_escape(prose.paragraph())} &amp; <em>{rng.choice(WORDS)}</em>&nbsp;&mdash;</p>"
        out.append(chunk)
        n += len(chunk)
    out.append("</body></html>\n")
    return "\n".join(out).encode()


def docx_bytes(rng, prose, size):
    body, n = [], 0
    while n < size:
        if rng.random() < 0.08:
            p = f'<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>{xml_escape(prose.title())}</w:t></w:r></w:p>'
        else:
            # Word splits a paragraph into runs at edits and formatting changes.
            text = xml_escape(prose.paragraph())
            cuts = sorted(rng.sample(range(1, len(text)), min(3, len(text) - 1)))
            pieces = [text[a:b] for a, b in zip([0] + cuts, cuts + [len(text)])]
            p = "<w:p>" + "".join(f'<w:r><w:rPr><w:lang w:val="en-GB"/></w:rPr><w:t xml:space="preserve">{t}</w:t></w:r>'
                                  for t in pieces) + "</w:p>"
        body.append(p)
        n += len(p)
    header = rng.choice(MARKINGS) if rng.random() < 0.3 else "Council document"
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dc:title>{xml_escape(prose.title())}</dc:title><dc:creator>Jane Example</dc:creator>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">20{rng.randint(10, 23)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}'
            'T09:00:00Z</dcterms:created></cp:coreProperties>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zinfo("[Content_Types].xml"), CT_DOCX)
        z.writestr(zinfo("_rels/.rels"), f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_REL}">'
                   f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
                   f'<Relationship Id="rId2" Type="{PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/></Relationships>')
        z.writestr(zinfo("word/_rels/document.xml.rels"), f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/header" Target="header1.xml"/></Relationships>')
        z.writestr(zinfo("word/document.xml"), f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W} '
                   f'xmlns:r="{REL}"><w:body>{"".join(body)}<w:sectPr><w:headerReference w:type="default" r:id="rId1"/>'
                   '</w:sectPr></w:body></w:document>')
        z.writestr(zinfo("word/header1.xml"), f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr {W}>'
                   f'<w:p><w:r><w:t>{header}</w:t></w:r></w:p></w:hdr>')
        z.writestr(zinfo("docProps/core.xml"), core)
    return buf.getvalue()


def make_docx(rng, prose):
    return docx_bytes(rng, prose, rng.randint(80_000, 400_000))


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def make_xlsx(rng, prose, rows=None):
    strings, index = [], {}

    def sst(s):
        if s not in index:
            index[s] = len(strings)
            strings.append(s)
        return index[s]

    rows_wanted = rows or rng.randint(300, 2500)
    headers = ["Reference", "Name", "Address", "Notes", "Officer", "Amount", "Balance", "Status"]
    rows = [[("s", sst(h)) for h in headers]]
    for r in range(rows_wanted):
        rows.append([("n", rng.randint(100000, 999999)),
                     ("s", sst(f"{rng.choice(['Jane', 'John', 'Sam', 'Alex', 'Priya', 'Mohammed'])} "
                               f"{rng.choice(['Example', 'Sample', 'Bloggs', 'Doe', 'Test'])}")),
                     ("s", sst(f"{rng.randint(1, 240)} {rng.choice(WORDS).capitalize()} Road")),
                     ("s", sst(prose.sentence())),
                     ("s", sst(rng.choice(["J. Example", "S. Sample", "A. Officer", "P. Manager"]))),
                     ("n", round(rng.uniform(0, 5000), 2)),
                     ("n", round(rng.uniform(-500, 5000), 2)),
                     ("s", sst(rng.choice(["Open", "Closed", "Pending", "Escalated"])))])
    sheet = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(f'<c r="{col(c)}{r}" t="s"><v>{v}</v></c>' if t == "s" else f'<c r="{col(c)}{r}"><v>{v}</v></c>'
                        for c, (t, v) in enumerate(row))
        sheet.append(f'<row r="{r}">{cells}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zinfo("[Content_Types].xml"), CT_XLSX)
        z.writestr(zinfo("_rels/.rels"), f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_REL}">'
                   f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr(zinfo("xl/workbook.xml"), f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {ns} '
                   f'xmlns:r="{REL}"><sheets><sheet name="Cases" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr(zinfo("xl/_rels/workbook.xml.rels"), f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        z.writestr(zinfo("xl/sharedStrings.xml"), f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {ns} '
                   f'count="{len(strings)}" uniqueCount="{len(strings)}">'
                   + "".join(f"<si><t>{xml_escape(s)}</t></si>" for s in strings) + "</sst>")
        z.writestr(zinfo("xl/worksheets/sheet1.xml"), f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {ns}>'
                   f'<sheetData>{"".join(sheet)}</sheetData><headerFooter><oddHeader>&amp;C{rng.choice(MARKINGS)}</oddHeader>'
                   '</headerFooter></worksheet>')
    return buf.getvalue()


def pdf_escape(s):
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_page(rng, prose, marking, number):
    """One A4 page's content stream: a marking at top and bottom, a heading, ~44 lines of body text set
    as TJ arrays with kerning between word groups (as word processors write them)."""
    ops = ["BT", "/F2 9 Tf", "72 810 Td", f"({pdf_escape(marking)}) Tj", "ET",
           "BT", "/F2 13 Tf", "72 780 Td", f"({pdf_escape(prose.title())}) Tj", "/F1 10 Tf", "12 TL", "0 -22 Td"]
    for _ in range(rng.randint(40, 48)):
        words = prose.line().split(" ")
        groups, i = [], 0
        while i < len(words):
            k = rng.randint(1, 4)
            groups.append(" ".join(words[i:i + k]) + (" " if i + k < len(words) else ""))
            i += k
        arr = "".join(f"({pdf_escape(g)}){rng.choice([-12, -6, 4, 8, 15])}" for g in groups[:-1]) + f"({pdf_escape(groups[-1])})"
        ops.append(f"[{arr}]TJ T*")
    ops += ["ET", "BT", "/F1 9 Tf", "72 30 Td", f"({pdf_escape(marking)} - page {number}) Tj", "ET"]
    return ("\n".join(ops) + "\n").encode("latin-1")


def make_pdf(rng, prose, pages=None):
    pages = pages or rng.randint(20, 50)
    marking = rng.choice(MARKINGS) if rng.random() < 0.5 else "Council report"
    objects = []

    def add(body):
        objects.append(body)
        return len(objects)

    catalog, tree = add(None), add(None)
    f1 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    f2 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    kids = []
    for n in range(1, pages + 1):
        stream = zlib.compress(pdf_page(rng, prose, marking, n), 6)
        contents = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
                        b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> /Contents %d 0 R >>" % (tree, f1, f2, contents)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids)
    info = add(b"<< /Title (%s) /Author (Jane Example) /Creator (Sweep bench corpus) /Producer (make_corpus.py) "
               b"/CreationDate (D:20210614093000Z) >>" % pdf_escape(prose.title()).encode("latin-1"))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, info, xref)
    return bytes(out)


def make_csv(rng, prose, rows):
    lines = ["ref,name,email,amount,notes"]
    for _ in range(rows):
        lines.append(f"{rng.randint(10000, 99999)},{rng.choice(['Jane', 'John', 'Sam'])} {rng.choice(['Example', 'Sample'])},"
                     f"{rng.choice(WORDS)}.{rng.choice(WORDS)}@example.org,{rng.randint(1, 9999)}.{rng.randint(0, 99):02d},"
                     f"\"{prose.sentence()}\"")
    return ("\r\n".join(lines) + "\r\n").encode()


def message(rng, prose, n, attachments, body_size):
    date = (f"{rng.choice(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])}, {rng.randint(1, 28)} "
            f"{rng.choice(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Sep', 'Oct', 'Nov'])} "
            f"20{rng.randint(12, 23)} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} +0000")
    subject = prose.title()
    if rng.random() < 0.15:
        subject = f"[{rng.choice(MARKINGS)}] {subject}"
    sender = f"{rng.choice(WORDS)}.{rng.choice(WORDS)}@example.org"
    head = (f"From: {sender}\nTo: {rng.choice(WORDS)}.team@example.org\nSubject: {subject}\nDate: {date}\n"
            f"Message-ID: <{rng.getrandbits(64):016x}.{n}@mail.example.org>\nMIME-Version: 1.0\n")
    body = quopri.encodestring(prose.text(body_size).encode()).decode()
    if not attachments:
        return head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" + body + "\n"
    boundary = f"=_sweep_bench_{rng.getrandbits(48):012x}"
    parts = [head + f'Content-Type: multipart/mixed; boundary="{boundary}"\n\nThis is a multi-part message in MIME format.\n',
             f"--{boundary}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n{body}\n"]
    for name, ctype, data in attachments:
        parts.append(f"--{boundary}\nContent-Type: {ctype}; name=\"{name}\"\nContent-Transfer-Encoding: base64\n"
                     f"Content-Disposition: attachment; filename=\"{name}\"\n\n" + base64.encodebytes(data).decode())
    parts.append(f"--{boundary}--\n")
    return "\n".join(parts)


def attachment(rng, prose):
    kind = rng.random()
    stem = "-".join(rng.choices(WORDS, k=3))
    if kind < 0.4:
        return f"{stem}.csv", "text/csv", make_csv(rng, prose, rng.randint(100, 1500))
    if kind < 0.75:
        return (f"{stem}.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                docx_bytes(rng, prose, rng.randint(30_000, 200_000)))
    return f"{stem}.pdf", "application/pdf", make_pdf(rng, prose, pages=rng.randint(3, 8))


def make_eml(rng, prose):
    atts = [attachment(rng, prose) for _ in range(rng.randint(1, 3))]
    return message(rng, prose, rng.randint(1, 10**6), atts, rng.randint(2_000, 20_000)).encode()


def make_zip(rng, prose):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in range(rng.randint(12, 30)):
            folder = f"{rng.choice(['2019', '2020', '2021', '2022'])}/{rng.choice(DEPTS)}"
            stem = "-".join(rng.choices(WORDS, k=3))
            r = rng.random()
            if r < 0.5:
                z.writestr(zinfo(f"{folder}/{stem}-{i}.txt"), prose.text(rng.randint(20_000, 150_000)))
            elif r < 0.7:
                z.writestr(zinfo(f"{folder}/{stem}-{i}.csv"), make_csv(rng, prose, rng.randint(200, 2000)))
            else:
                z.writestr(zinfo(f"{folder}/{stem}-{i}.docx"), docx_bytes(rng, prose, rng.randint(50_000, 300_000)))
    return buf.getvalue()


FAMILIES = [("text", "txt", make_text), ("html", "html", make_html), ("docx", "docx", make_docx),
            ("xlsx", "xlsx", make_xlsx), ("pdf", "pdf", make_pdf), ("eml", "eml", make_eml), ("zip", "zip", make_zip)]


def fill(dest, family, ext, build, target, seed):
    rng = random.Random(f"{family}-{seed}")
    prose = Prose(rng)
    total = files = 0
    while total < target:
        dept = DEPTS[files % len(DEPTS)]
        os.makedirs(os.path.join(dest, family, dept), exist_ok=True)
        data = build(rng, prose)
        stem = "-".join(rng.choices(WORDS, k=2))
        with open(os.path.join(dest, family, dept, f"{stem}-{files:05d}.{ext}"), "wb") as f:
            f.write(data)
        total += len(data)
        files += 1
    return files, total


def fill_mbox(dest, target, seed):
    rng = random.Random(f"mbox-{seed}")
    prose = Prose(rng)
    boxes, total, n = 4, 0, 0
    for b in range(boxes):
        folder = os.path.join(dest, "mbox", DEPTS[b])
        os.makedirs(folder, exist_ok=True)
        size = 0
        with open(os.path.join(folder, f"{DEPTS[b].lower().replace(' ', '-')}-archive.mbox"), "w") as f:
            while size < target // boxes:
                atts = [attachment(rng, prose)] if rng.random() < 0.1 else []
                msg = message(rng, prose, n, atts, rng.randint(1_500, 10_000))
                # mboxrd quoting of body lines that begin with "From " (the prose never does, but be safe).
                msg = "\n".join(">" + l if l.startswith("From ") else l for l in msg.split("\n"))
                chunk = f"From MAILER-DAEMON Mon Jun 14 09:30:00 2021\n{msg}\n"
                f.write(chunk)
                size += len(chunk)
                n += 1
        total += size
    return boxes, total


def fill_legacy(dest, target):
    sources = sorted(p for p in glob.glob(os.path.join(LEGACY, "*")) if p.endswith((".doc", ".xls", ".ppt")))
    if not sources:
        sys.exit(f"make_corpus: no legacy fixtures in {LEGACY}")
    total = files = 0
    while total < target:
        for src in sources:
            dept = DEPTS[files % len(DEPTS)]
            os.makedirs(os.path.join(dest, "legacy", dept), exist_ok=True)
            stem, ext = os.path.splitext(os.path.basename(src))
            shutil.copyfile(src, os.path.join(dest, "legacy", dept, f"{stem}-{files:05d}{ext}"))
            total += os.path.getsize(src)
            files += 1
    return files, total


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    dest = sys.argv[1].rstrip("/")
    mb = int(sys.argv[2]) if len(sys.argv) == 3 else 64
    marker = f"{dest}.done-{mb}"
    if os.path.exists(marker):
        print(f"make_corpus: {dest} already holds {mb} MB per family, reusing it")
        return
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    target = mb << 20
    for family, ext, build in FAMILIES:
        files, total = fill(dest, family, ext, build, target, mb)
        print(f"make_corpus: {family}: {files} files, {total / 2**20:.1f} MB")
    files, total = fill_mbox(dest, target, mb)
    print(f"make_corpus: mbox: {files} files, {total / 2**20:.1f} MB")
    files, total = fill_legacy(dest, min(mb, 4) << 20)
    print(f"make_corpus: legacy: {files} files, {total / 2**20:.1f} MB")
    open(marker, "w").close()


if __name__ == "__main__":
    main()
