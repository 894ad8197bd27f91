#!/usr/bin/env python3
"""make_set.py OUT_DIR [--seed N] [--count N]

Writes a synthetic council shared drive under OUT_DIR/drive and the answer key OUT_DIR/answers.json
(outside the drive, so a scan of the drive never reads the key).
Python 3.11 standard library only. Written from /work/shared/DOMAIN.md and CONTRACT.md alone
(see README.md): the word lists, templates and value generators are independent of Sweep.
"""
import argparse, base64, csv, datetime as dt, io, ipaddress, json, os, random, re, sys, zipfile, zlib
from collections import defaultdict, Counter
from email.message import EmailMessage
from email import policy as epolicy
from email.utils import format_datetime
from xml.sax.saxutils import escape as _esc

V0, V1 = "\x01", "\x02"            # invisible brackets round planted values (stripped on output)
def clean(s): return s.replace(V0, "").replace(V1, "")
def x(s): return _esc(clean(s), {'"': "&quot;"})
def W(s): return V0 + s + V1

# ----------------------------------------------------------------------------- checkers
NINO_FIRST, NINO_SECOND = "ABCEGHJKLMNOPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"
NINO_NEVER = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
def nino_ok(s):
    s = s.replace(" ", "").upper()
    return (len(s) == 9 and s[0] in NINO_FIRST and s[1] in NINO_SECOND and s[:2] not in NINO_NEVER
            and s[2:8].isdigit() and s[8] in "ABCD")
def nhs_check(d9):
    c = 11 - sum(int(ch) * w for ch, w in zip(d9, range(10, 1, -1))) % 11
    return 0 if c == 11 else (None if c == 10 else c)
def nhs_ok(s):
    s = re.sub(r"\D", "", s)
    return len(s) == 10 and len(set(s)) > 1 and nhs_check(s[:9]) == int(s[9])
def luhn_ok(s):
    d = [int(c) for c in re.sub(r"\D", "", s)][::-1]
    return sum(v if i % 2 == 0 else (v * 2 - 9 if v > 4 else v * 2) for i, v in enumerate(d)) % 10 == 0
def card_ok(s):
    s = re.sub(r"\D", "", s)
    return 13 <= len(s) <= 19 and luhn_ok(s) and bool(re.match(r"4|5[1-5]|2(22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)|3[47]|6011|6759", s))
IBAN_LEN = {"GB": 22, "IE": 22, "NL": 18, "DE": 22, "FR": 27, "ES": 24}
def iban_mod(s):
    s = s.replace(" ", "").upper()
    return int("".join(str(int(c, 36)) for c in s[4:] + s[:4])) % 97 == 1
def iban_ok(s):
    s = s.replace(" ", "").upper()
    return IBAN_LEN.get(s[:2]) == len(s) and iban_mod(s)
PC_RE = re.compile(r"^(GIR 0AA|[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2})$")
def phone_norm(s):
    d = re.sub(r"\D", "", s.replace("(0)", ""))
    return "0" + d[2:] if d.startswith("44") else d
def phone_ok(s): d = phone_norm(s); return len(d) == 11 and d[:2] in ("01", "02", "03", "07")
LIC_RE = re.compile(r"^[A-Z][A-Z9]{4}\d(0[1-9]|1[0-2]|5[1-9]|6[0-2])(0[1-9]|[12]\d|3[01])\d[A-Z][A-Z9]\d[A-Z0-9]{2}$")
def ip_ok(s):
    try: ipaddress.ip_address(s); return True
    except ValueError: return False
VALID = {
    "nino": nino_ok, "nhs_number": nhs_ok, "payment_card": card_ok, "iban": iban_ok,
    "uk_postcode": lambda v: bool(PC_RE.match(v)), "uk_phone": phone_ok,
    "email": lambda v: bool(re.fullmatch(r"[a-z0-9._'+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+", v)),
    "uk_passport": lambda v: bool(re.fullmatch(r"\d{9}|[A-Z]{2}\d{7}", v)),
    "uk_driving_licence": lambda v: bool(LIC_RE.match(v)),
    "date_of_birth": lambda v: 1904 <= dt.date.fromisoformat(v).year <= 2024,
    "ip_address": ip_ok, "uk_bank_account": lambda v: bool(re.fullmatch(r"\d{14}", v)),
}

# ----------------------------------------------------------------------------- word lists
COUNCIL, DOM = "Wexbridge District Council", "wexbridge.gov.uk"
COUNCIL_PC, COUNCIL_TEL = "DN21 4AB", "01632960000"
FEM = ("Amelia Olivia Isla Ava Emily Sophie Grace Ruby Chloe Lily Megan Hannah Zara Priya Aisha Niamh Fiona "
       "Bethany Joanne Karen Margaret Susan Patricia Deborah Lorraine Agnieszka Mei Farah Gwen Tracey").split()
MAL = ("Oliver Harry George Jack Jacob Noah Charlie Thomas Oscar William James Mohammed Arjun Liam Connor Dylan "
       "Gareth Keith Stephen Graham Derek Tomasz Kwame Ravi Owen Callum Rhys Barry Imran Desmond").split()
SUR = ("Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker White Roberts "
       "Green Hall Wood Jackson Clarke Patel Khan Hughes Edwards Lewis Turner Hill Moore Cooper Ward Morris Price "
       "Bell Kaur Begum Nowak Okafor Murphy O'Neill Fletcher Ashworth Pritchard Dunmore Lee Fox Ng Holloway "
       "Brennan Szymanski Adeyemi Mistry").split()
TOWNS = ["Wexbridge", "Hollins Cross", "Marlow Heath", "Stanton Parva", "Eddisford", "Kirkby Wold", "Ashcombe"]
STREETS = ["Mill Lane", "Church Street", "Victoria Road", "The Crescent", "Orchard Close", "Station Approach",
           "Elm Road", "Beech Grove", "Queens Walk", "Tanners Row", "Park View", "Foundry Street", "Hawthorn Way"]
MONTHS = "January February March April May June July August September October November December".split()
A1 = "BEGLMNSW"
A2 = ("AB AL BA BD BL BN BS CA CB CF CH CM CO CR CT CV DA DE DH DL DN EX GL GU HA HD HG HP HU IP KT LA LE LN LS "
      "LU ME MK NE NG NN NP NR OX PE PL PO PR RG RH RM SA SG SK SL SN SO SP SR SS ST SY TA TF TN TQ TR TS TW UB "
      "WA WD WF WN WR WS WV YO").split()
INWARD = "ABDEFGHJLNPQRSTUWXYZ"
ALPHA, DIG = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"

# ----------------------------------------------------------------------------- value generators
class Gen:
    def __init__(g, seed): g.r = random.Random(seed)
    def digits(g, n): return "".join(g.r.choice(DIG) for _ in range(n))
    def nino(g):
        while True:
            p = g.r.choice(NINO_FIRST) + g.r.choice(NINO_SECOND)
            if p not in NINO_NEVER: return p + g.digits(6) + g.r.choice("ABCD")
    def nhs(g):
        while True:
            d9 = g.r.choice("467") + g.digits(8)
            c = nhs_check(d9)
            if c is not None and len(set(d9)) > 1: return d9 + str(c)
    def card(g):
        k = g.r.choice(["visa", "visa", "mc", "mc2", "amex", "maestro", "discover"])
        pre, n = {"visa": ("4", 16), "mc": (str(g.r.randint(51, 55)), 16), "mc2": (str(g.r.randint(2221, 2720)), 16),
                  "amex": (g.r.choice(["34", "37"]), 15), "maestro": ("6759", 16), "discover": ("6011", 16)}[k]
        body = pre + g.digits(n - len(pre) - 1)
        return next(body + c for c in DIG if luhn_ok(body + c))
    def iban(g, cc=None):
        cc = cc or g.r.choice(["GB", "GB", "GB", "IE", "NL", "DE", "FR", "ES"])
        bank = {"GB": ["NWBK", "BARC", "LOYD", "HBUK", "MIDL"], "IE": ["AIBK", "BOFI"], "NL": ["ABNA", "RABO", "INGB"]}
        bban = (g.r.choice(bank[cc]) if cc in bank else "") + g.digits(IBAN_LEN[cc] - 4 - (4 if cc in bank else 0))
        return cc + iban_check(cc, bban) + bban
    def postcode(g):
        r, s = g.r, g.r.choice(["A9", "A99", "A9A", "AA9", "AA99", "AA9A", "AA9", "AA99"])
        out = {"A9": lambda: r.choice(A1) + str(r.randint(1, 9)), "A99": lambda: r.choice(A1) + str(r.randint(10, 99)),
               "A9A": lambda: r.choice(["E1W", "N1C", "N1P"] + ["W1" + c for c in "ABCDFGHJKSTUW"]),
               "AA9": lambda: r.choice(A2) + str(r.randint(1, 9)), "AA99": lambda: r.choice(A2) + str(r.randint(10, 99)),
               "AA9A": lambda: r.choice(["EC" + str(r.randint(1, 4)) + r.choice("AMNRVY"), "SW1" + r.choice("AEHPVWXY"), "WC1" + r.choice("ABEHNRVX"),
                                         "WC2" + r.choice("ABEHNR"), "NW1W", "SE1P"])}[s]()
        return out + " " + str(r.randint(0, 9)) + r.choice(INWARD) + r.choice(INWARD)
    def mobile(g): return "07" + g.r.choice("3456789") + g.digits(8)
    def landline(g):
        return g.r.choice(["01" + g.r.choice("2345689") + g.digits(8), "011" + g.r.choice("3456") + g.digits(7),
                           "020" + g.r.choice("378") + g.digits(7), "029" + "20" + g.digits(6), "0300" + g.digits(7)])
    def fmt_phone(g, n):
        if n[:2] == "07": grp, alt = [n[:5], n[5:]], [n[:5], n[5:8], n[8:]]
        elif n[:2] == "02": grp = alt = [n[:3], n[3:7], n[7:]]
        elif n[:3] in ("011", "030") or n[3] == "1": grp = alt = [n[:4], n[4:7], n[7:]]
        else: grp = alt = [n[:5], n[5:]]
        c = g.r.randrange(8)
        if c == 6: return "+44 (0) " + " ".join([grp[0][1:]] + grp[1:])
        if c == 7: return "0044 " + " ".join([grp[0][1:]] + grp[1:])
        if c == 0: return n
        if c == 1: return " ".join(alt)
        if c == 2: return "+44 " + " ".join([grp[0][1:]] + grp[1:])
        if c == 3: return "+44 (0)" + " ".join([grp[0][1:]] + grp[1:])
        if c == 4 and n[:2] != "07": return "(" + grp[0] + ") " + " ".join(grp[1:])
        return " ".join(grp)
    def fmt_card(g, n):
        grp = [n[:4], n[4:10], n[10:]] if len(n) == 15 else [n[i:i + 4] for i in range(0, len(n), 4)]
        return [n, " ".join(grp), " ".join(grp), "-".join(grp)][g.r.randrange(4)]
    def fmt_date(g, d):
        return [f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.day} {MONTHS[d.month - 1]} {d.year}", d.isoformat(),
                f"{d.day:02d}.{d.month:02d}.{d.year}", f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}",
                f"{d.day}{'th' if 10 < d.day < 14 else {1: 'st', 2: 'nd', 3: 'rd'}.get(d.day % 10, 'th')} {MONTHS[d.month - 1]} {d.year}"][g.r.randrange(6)]
    def date(g, y0=2019, y1=2024): return dt.date(g.r.randint(y0, y1), g.r.randint(1, 12), g.r.randint(1, 28))
    def ip(g):
        if g.r.random() < 0.25:
            return str(ipaddress.ip_address("2a00:23c5:" + ":".join("%x" % g.r.randrange(65536) for _ in range(6))))
        a = g.r.choice([81, 86, 92, 109, 146, 151, 176, 185, 212, 213, 10, 192])
        return f"{a}.{168 if a == 192 else g.r.randint(0, 255)}.{g.r.randint(0, 255)}.{g.r.randint(1, 254)}"
    def person(g, staff=False, child=False): return Person(g, staff, child)

def iban_check(cc, bban):
    return "%02d" % (98 - int("".join(str(int(c, 36)) for c in bban + cc + "00")) % 97)

class Person:
    def __init__(p, g, staff=False, child=False):
        r = g.r
        p.sex = r.choice("FM")
        p.first, p.last = r.choice(FEM if p.sex == "F" else MAL), r.choice(SUR)
        p.mid = r.choice(ALPHA.replace("Q", "").replace("X", "")) if r.random() < 0.6 else ""
        p.title = r.choice(["Mrs", "Ms", "Miss"]) if p.sex == "F" else "Mr"
        p.full = f"{p.first} {p.last}"
        p.he, p.his, p.him = ("she", "her", "her") if p.sex == "F" else ("he", "his", "him")
        p.dob = dt.date(r.randint(2008, 2021) if child else r.randint(1934, 2003), r.randint(1, 12), r.randint(1, 28))
        base = re.sub(r"[^a-z]", "", p.first.lower()), re.sub(r"[^a-z]", "", p.last.lower())
        if staff: p.email = f"{base[0]}.{base[1]}@{DOM}"
        else: p.email = r.choice([f"{base[0]}.{base[1]}{r.randint(1, 99)}@gmail.com", f"{base[0][0]}{base[1]}@btinternet.com",
                                  f"{base[0]}{base[1]}@hotmail.co.uk", f"{base[1]}.{base[0]}@outlook.com", f"{base[0]}_{base[1]}@yahoo.co.uk"])
        p.mobile, p.landline = g.mobile(), g.landline()
        p.work = "016329" + g.digits(5)
        p.house, p.street, p.town, p.postcode = r.randint(1, 140), r.choice(STREETS), r.choice(TOWNS), g.postcode()
        p.nino, p.nhs, p.card, p.iban = g.nino(), g.nhs(), g.card(), g.iban()
        p.sort = "-".join(["%02d" % r.randint(1, 99)] + [g.digits(2) for _ in range(2)])
        p.acct = str(r.randint(1, 9)) + g.digits(7)
        p.passport = (str(r.randint(1, 9)) + g.digits(8)) if r.random() < 0.85 else r.choice(ALPHA) + r.choice(ALPHA) + g.digits(7)
        sur = re.sub(r"[^A-Z]", "", p.last.upper())[:5].ljust(5, "9")
        y, m = str(p.dob.year), p.dob.month + (50 if p.sex == "F" else 0)
        p.licence = f"{sur}{y[2]}{m:02d}{p.dob.day:02d}{y[3]}{p.first[0]}{p.mid or '9'}9{r.choice(ALPHA)}{r.choice(ALPHA)}"
        p.ip = g.ip()

# ----------------------------------------------------------------------------- special categories
SPECIAL_POS = {
    "health": ["{F} was diagnosed with type 2 diabetes in {Y} and takes metformin twice a day.",
               "{F}'s GP has confirmed a diagnosis of depression and {he} is prescribed sertraline.",
               "{F} has epilepsy and a learning disability; {his} care plan was last reviewed on {D}.",
               "{F} is recovering from a stroke and needs help with washing and dressing; the occupational therapist has recommended a stairlift.",
               "{F} was admitted to hospital after a fall and has since been diagnosed with vascular dementia.",
               "{F} is under the community mental health team for anxiety and attends weekly therapy sessions.",
               "{F} uses a wheelchair following a spinal injury and is registered disabled."],
    "ethnicity": ["{F} describes {him}self as Black British (Caribbean).", "{F}'s ethnic origin is recorded as White Irish.",
                  "{F} and {his} family are Irish Travellers and live on the council's Traveller site.",
                  "{F} is of Pakistani heritage; {his} ethnicity is recorded as Asian British.",
                  "{F} identifies as mixed White and Black African ethnicity."],
    "religion": ["{F} is a practising Muslim and asked that visits avoid Friday prayers.",
                 "{F} is a Jehovah's Witness and does not celebrate birthdays or Christmas.",
                 "{F} is a devout Catholic and the parish priest visits {him} weekly.", "{F} is Sikh and wears a turban and kara.",
                 "{F}'s religion is recorded as Jewish and {he} keeps kosher.", "{F} is a Hindu and attends the mandir most weekends."],
    "sexual_orientation": ["{F} told the worker that {he} is {gay} and lives with {his} same-sex partner.",
                           "{F} identifies as bisexual and asked that this is not shared with {his} family.",
                           "{F} came out as {gay} last year and has since suffered homophobic abuse from neighbours."],
    "trade_union": ["{F} is a UNISON member and was accompanied at the meeting by {his} shop steward.",
                    "{F} was represented at the hearing by a GMB regional organiser.",
                    "{F} has been the Unite workplace representative for the depot since {Y}.",
                    "{F} asked for {his} UNISON trade union representative to attend the investigation interview."],
    "political": ["{F} is an active member of the Green Party and stood as a candidate in the {Y} district elections.",
                  "{F} told staff that {he} is a Labour Party member and a constituency party officer.",
                  "{F} is a member of the Conservative Party and campaigns for the party locally."],
    "biometric": ["{F}'s fingerprint template was enrolled on the depot door-entry system on {D}.",
                  "A facial recognition image of {F} is held on the building access control system.",
                  "{F}'s voiceprint was registered with the payments line for telephone identity checks."],
    "genetic": ["A DNA paternity test ordered by the court confirmed that {F} is the biological {parent} of the child.",
                "{F}'s genetic test results from the regional genetics service are held on file.",
                "{F} carries an inherited genetic variant and {his} relatives have been offered genetic testing."],
    "criminal": ["{F} has a conviction for common assault from {Y}.", "{F} received a police caution for shoplifting in {Y}.",
                 "{F}'s enhanced DBS check disclosed a conviction for drink-driving.",
                 "{F} is managed under MAPPA and is on probation until {D}.",
                 "{F} was arrested on {D} on suspicion of criminal damage and released under investigation.",
                 "{F} has been known to the youth offending team since {Y}."],
}
SPECIAL_NEG = {
    "health": ["All staff must complete the health and safety e-learning module by the end of the quarter.",
               "Cardiac arrest training for staff will run in Committee Room 2 on the first Tuesday of each month.",
               "The Health and Wellbeing Board will next meet in the autumn.", "The public health grant for the district has been confirmed for next year."],
    "ethnicity": ["The equality monitoring form template asks applicants to choose an ethnic group from the 2021 Census list.",
                  "Census tables on ethnic group for the district are published on the council website."],
    "religion": ["The multi-faith room on the second floor can be booked through reception.",
                 "Religion or belief is one of the protected characteristics under the Equality Act 2010."],
    "sexual_orientation": ["The monitoring form includes an optional question on sexual orientation, held separately from applications.",
                           "Pride month events for staff are listed on the intranet."],
    "trade_union": ["The council recognises UNISON, GMB and Unite for collective bargaining.",
                    "The annual trade union facility time report is published in July."],
    "political": ["Some posts are politically restricted under the Local Government and Housing Act 1989.",
                  "Pre-election period guidance will be issued to all managers before the May elections."],
    "biometric": ["The council does not use biometric systems for staff time recording.",
                  "Fingerprint readers are not permitted on council-issued mobile devices."],
    "genetic": ["The allotment society talk this month is on the genetics of heritage tomato varieties."],
    "criminal": ["All new starters complete a six-month probation period.",
                 "DBS checks are required for all posts working with children or adults at risk.",
                 "The Crime and Disorder Act 1998 requires the council to work with the police on community safety.",
                 "The youth offending service annual plan is attached for information."],
}

# ----------------------------------------------------------------------------- markings
OS = "OFFICIAL-SENSITIVE"
MARKS = [  # (as written, normalised, weight)
    ("OFFICIAL-SENSITIVE", OS, 8), ("OFFICIAL – SENSITIVE", OS, 2), ("OFFICIAL SENSITIVE", OS, 2), ("Official-Sensitive", OS, 1),
    ("OFFICIAL: SENSITIVE", OS, 1), ("[OFFICIAL-SENSITIVE]", OS, 1), ("OFFICIAL-SENSITIVE: PERSONAL", OS, 2),
    ("OFFICIAL-SENSITIVE [PERSONAL]", OS, 1), ("OFFICIAL-SENSITIVE PERSONAL DATA", OS, 1), ("OFFICIAL-SENSITIVE: COMMERCIAL", OS, 1),
    ("OFFICIAL-SENSITIVE LOCSEN", OS, 1), ("OFFICIAL-SENSITIVE: LEGAL PROFESSIONAL PRIVILEGE", OS, 1),
    ("OFFICIAL-SENSITIVE – HR/MANAGEMENT", OS, 1), ("OFFICIAL-SENSITIVE: MARKET SENSITIVE", OS, 1),
    ("OFFICIAL", "OFFICIAL", 6), ("[OFFICIAL]", "OFFICIAL", 1), ("OFFICIAL – FOR PUBLIC RELEASE", "OFFICIAL", 1),
    ("OFFICIAL: RECIPIENTS ONLY", "OFFICIAL", 1), ("OFFICIAL – WEXBRIDGE USE ONLY", "OFFICIAL", 1), ("OFFICIAL – EMBARGOED", "OFFICIAL", 1),
    ("SECRET", "SECRET", 1), ("UK SECRET – UK EYES ONLY", "SECRET", 1), ("TOP SECRET", "TOP SECRET", 1),
    ("PROTECT", "PROTECT", 1), ("PROTECT - PERSONAL", "PROTECT", 2), ("RESTRICTED", "RESTRICTED", 1),
    ("RESTRICTED - MANAGEMENT", "RESTRICTED", 1), ("RESTRICTED - STAFF", "RESTRICTED", 1), ("CONFIDENTIAL", "CONFIDENTIAL", 1),
    ("CONFIDENTIAL - COMMERCIAL", "CONFIDENTIAL", 1), ("CONFIDENTIAL - MEDICAL", "CONFIDENTIAL", 1),
    ("UNCLASSIFIED", "UNCLASSIFIED", 1), ("NOT PROTECTIVELY MARKED", "UNCLASSIFIED", 1),
]
SUBJ_MARKS = [("[OFFICIAL-SENSITIVE] ", OS), ("OFFICIAL-SENSITIVE: ", OS), ("[OFFICIAL] ", "OFFICIAL"), ("OFFICIAL: ", "OFFICIAL"),
              ("[SEC=OFFICIAL:Sensitive] ", OS), ("[OFFICIAL-SENSITIVE PERSONAL] ", OS), ("[PROTECT] ", "PROTECT"), ("RESTRICTED: ", "RESTRICTED")]
XHDR_MARKS = [("VER=2018.4, NS=gov.au, SEC=OFFICIAL:Sensitive", OS), ("VER=2018.4, NS=gov.au, SEC=OFFICIAL:Sensitive, CAVEAT=SH:PERSONAL-PRIVACY", OS),
              ("VER=2018.4, NS=gov.au, SEC=OFFICIAL", "OFFICIAL")]
LABELS = [("OFFICIAL-SENSITIVE", OS), ("OFFICIAL", "OFFICIAL"), ("OFFICIAL SENSITIVE Personal", OS)]
LINE_DECOYS = [("PROTECTED", "au_protected"), ("CONFIDENTIAL WASTE – PLEASE USE THE LOCKED BLUE BINS", "caps_confidential_waste"),
               ("RESTRICTED PARKING – PERMIT HOLDERS ONLY", "caps_restricted_parking"), ("SECRET SANTA 2023 – SIGN-UP SHEET", "caps_secret_santa"),
               ("Official opening of the Riverside Library", "title_official_opening"), ("OFFICIAL OPENING OF THE RIVERSIDE LIBRARY", "caps_official_opening")]
PROSE_MARK_DECOYS = [("The official opening of the refurbished leisure centre is planned for the spring.", "official_opening"),
                     ("A council official will attend the residents' meeting.", "council_official"),
                     ("Restricted parking applies on Elm Road while the works are carried out.", "restricted_parking"),
                     ("Please put paper records in the confidential waste bins, not the recycling.", "confidential_waste"),
                     ("Secret Santa names will be drawn on Friday; the limit is £10.", "secret_santa"),
                     ("The bake-off winner has promised to share her top secret recipe.", "top_secret_recipe")]
PLACES = {"txt": ["body_first_line", "body_last_line"], "csv": ["body_first_line"], "html": ["body_first_line", "body_last_line"],
          "docx": ["docx_header", "docx_footer", "docx_header", "body_first_line", "body_last_line", "ooxml_label"],
          "xlsx": ["xlsx_header", "xlsx_footer", "body_first_line"], "pptx": ["pptx_slide_top", "pptx_slide_bottom", "pptx_master"],
          "odt": ["body_first_line", "body_last_line", "odt_header"], "pdf": ["pdf_page_top", "pdf_page_bottom"],
          "rtf": ["body_first_line", "body_last_line"],
          "eml": ["email_subject", "email_x_header", "body_first_line", "body_last_line"]}
PAIRS = {"docx_header": "docx_footer", "pdf_page_top": "pdf_page_bottom", "pptx_slide_top": "pptx_slide_bottom",
         "body_first_line": "body_last_line", "email_subject": "email_x_header"}

# ----------------------------------------------------------------------------- the content model
class Doc:
    def __init__(d, g, dtype):
        d.g, d.r, d.dtype = g, g.r, dtype
        d.title, d.subject, d.blocks = "", None, []
        d.vals, d.special, d.decoys, d.marks, d.place = defaultdict(set), [], [], [], {}
        d.header_text = g.r.choice([None, COUNCIL, f"{COUNCIL} – internal"])
        d.footer_text = g.r.choice([None, "Printed copies are uncontrolled"])
        d.folder, d.stem, d.mail_from, d.mail_to = "Shared", "Document", None, None
        d.enc = "utf-8"
    def put(d, typ, norm, shown):
        assert VALID[typ](norm), (typ, norm)
        d.vals[typ].add(norm)
        return W(shown)
    def p(d, *parts): d.blocks.append(("p", "".join(parts)))
    def table(d, rows):
        n = max(len(r) for r in rows)
        d.blocks.append(("t", [list(r) + [""] * (n - len(r)) for r in rows]))
    def nino(d, p):
        v = p.nino
        return d.put("nino", v, d.r.choice([v, v, f"{v[:2]} {v[2:4]} {v[4:6]} {v[6:8]} {v[8]}"]))
    def nhs(d, p):
        v = p.nhs
        return d.put("nhs_number", v, d.r.choice([f"{v[:3]} {v[3:6]} {v[6:]}", f"{v[:3]} {v[3:6]} {v[6:]}", v, f"{v[:3]}-{v[3:6]}-{v[6:]}"]))
    def card(d, p): return d.put("payment_card", p.card, d.g.fmt_card(p.card))
    def iban(d, p):
        v = p.iban
        return d.put("iban", v, v if d.r.random() < 0.4 else " ".join(v[i:i + 4] for i in range(0, len(v), 4)))
    def bank_cells(d, p):
        d.put("uk_bank_account", p.sort.replace("-", "") + p.acct, "")
        return W(p.sort), W(p.acct)
    def bank(d, p):
        sc, ac = d.bank_cells(p)
        return d.r.choice([f"sort code {sc}, account number {ac}", f"account no. {ac} (sort code {sc})", f"a/c {ac}, s/c {sc}"])
    def postcode(d, p, cell=False): return d.put("uk_postcode", p.postcode, p.postcode.replace(" ", "") if cell and d.r.random() < 0.15 else p.postcode)
    def addr(d, p): return f"{p.house} {p.street}, {p.town} {d.postcode(p)}"
    def phone(d, n): return d.put("uk_phone", n, d.g.fmt_phone(n))
    def email(d, e): return d.put("email", e.lower(), e)
    def passport(d, p): return d.put("uk_passport", p.passport, p.passport)
    def licence(d, p): return d.put("uk_driving_licence", p.licence, p.licence) + (f" {d.r.randint(10, 99)}" if d.r.random() < 0.3 else "")
    def dob(d, p): return d.put("date_of_birth", p.dob.isoformat(), d.g.fmt_date(p.dob))
    def ip(d, v): return d.put("ip_address", str(ipaddress.ip_address(v)), v)
    def fdate(d, day): return d.g.fmt_date(day)
    def special_pos(d, cat, p):
        s = d.r.choice(SPECIAL_POS[cat]).format(F=p.first, he=p.he, his=p.his, him=p.him, Y=d.r.randint(2005, 2023),
                                                D=d.fdate(d.g.date()), gay="a lesbian" if p.sex == "F" else "gay",
                                                parent="mother" if p.sex == "F" else "father")
        d.p(s)
        if cat not in d.special: d.special.append(cat)
    def special_neg(d, cat, i=None):
        d.p(SPECIAL_NEG[cat][i] if i is not None else d.r.choice(SPECIAL_NEG[cat])); d.decoys.append("special_neg:" + cat)
    def mark(d, placement, written, norm):
        d.marks.append((norm, written, placement)); d.place[placement] = written

def flat(d):
    out = [("p", d.place["body_first_line"])] if "body_first_line" in d.place else []
    out += d.blocks
    return out + ([("p", d.place["body_last_line"])] if "body_last_line" in d.place else [])
def lines_of(d, sep=" | ", marks=True):
    out = []
    for kind, v in (flat(d) if marks else d.blocks):
        out += [v] if kind == "p" else [sep.join(row) for row in v]
    return out

# ----------------------------------------------------------------------------- invalid look-alikes (decoys)
def bad_nino(g):
    r = g.r
    k = r.randrange(5)
    if k == 0: return "QQ123456C"
    if k == 1: pre = r.choice(sorted(NINO_NEVER))
    elif k == 2: pre = r.choice("DFIQUV") + r.choice(NINO_SECOND)
    elif k == 3: pre = r.choice(NINO_FIRST) + r.choice("DFIOQUV")
    else: pre = "".join(r.choice("ABCEHJKLMPRSTWY") for _ in range(2)).replace("TN", "TA").replace("NK", "NA").replace("KN", "KA")
    return pre + g.digits(6) + (r.choice("ABCD") if k < 4 else r.choice("EFGZ"))
def bad_nhs(g):
    v = g.nhs()
    return v[:9] + str((int(v[9]) + g.r.randint(1, 9)) % 10)
def bad_card(g):
    v = g.card()
    return v[:-1] + str((int(v[-1]) + g.r.randint(1, 9)) % 10)
def bad_prefix_card(g):
    body = "9" + g.digits(14)
    return next(body + c for c in DIG if luhn_ok(body + c))
def us_phone(g):
    while True:
        s = f"{g.r.randint(201, 989)}-{g.r.randint(201, 989)}-{g.digits(4)}"
        if not nhs_ok(s): return s
def long_number(g):
    while True:
        s = str(g.r.randint(1, 9)) + g.digits(g.r.randint(13, 21))
        if not luhn_ok(s): return s
def b64_blob(g):
    while True:
        raw = base64.b64encode(bytes(g.r.randrange(256) for _ in range(g.r.randint(300, 600)))).decode()
        if not re.search(r"\d{8}|[A-Z]{2}\d{6}|@", raw): return "\n".join(raw[i:i + 76] for i in range(0, len(raw), 76))

DECOYS = {
    "nino_invalid": lambda g, d: f"The NI number quoted on the claim form, {bad_nino(g)}, was rejected by HMRC as not valid.",
    "nhs_bad_check": lambda g, d: f"NHS No {(lambda v: v[:3] + ' ' + v[3:6] + ' ' + v[6:])(bad_nhs(g))} could not be traced on the Spine (check digit error).",
    "card_luhn_fail": lambda g, d: f"Card number keyed as {g.fmt_card(bad_card(g))} was declined as an invalid number.",
    "card_masked": lambda g, d: f"Payment was taken by card ending **** **** **** {g.digits(4)}.",
    "us_phone": lambda g, d: f"The US software supplier can be reached on {us_phone(g)} or toll free on 1-866-555-{g.digits(4)}.",
    "section_heading": lambda g, d: f"{g.r.randint(1, 9)}.{g.r.randint(1, 9)}.{g.r.randint(1, 9)}.{g.r.randint(1, 9)} Scope and responsibilities",
    "version_number": lambda g, d: f"Laptops must run Windows 10.0.19045.{g.r.randint(2000, 4999)} or later with client version {g.r.randint(2, 9)}.{g.r.randint(0, 9)}.{g.r.randint(0, 9)}.{g.r.randint(1, 99)}.",
    "iban_bad_country": lambda g, d: (lambda v: f"Bank details supplied as {'UK' + iban_check('UK', v[4:]) + v[4:]} were returned: unknown country code.")(g.iban("GB")),
    "iban_bad_check": lambda g, d: (lambda v: f"IBAN {v[:2]}{(int(v[2:4]) + 1) % 97 + 2:02d}{v[4:]} failed validation at the bank.")(g.iban("GB")),
    "date_no_context": lambda g, d: f"The inspection took place on {d.fdate(g.date())} and the report was issued on {d.fdate(g.date())}.",
    "sortcode_like_date": lambda g, d: f"Bins will be collected on {g.r.randint(10, 28)}-0{g.r.randint(1, 9)}-24 and {g.r.randint(10, 28)}-1{g.r.randint(0, 2)}-24.",
    "long_number": lambda g, d: f"Transaction reference {long_number(g)} was processed overnight.",
    "decimal_number": lambda g, d: f"The budget variance was {g.r.randint(100000, 9999999)}.{g.digits(2)} against a forecast ratio of 0.{g.digits(5)}.",
    "passport_no_context": lambda g, d: f"Order number {g.r.randint(1, 9)}{g.digits(8)} has been dispatched to the depot.",
    "card_bad_prefix": lambda g, d: f"Library card number {g.fmt_card(bad_prefix_card(g))} has been renewed.",
    "base64_blob": lambda g, d: "Attachment content (base64, image001.png):\n" + b64_blob(g),
}
def add_decoys(g, d, n):
    kinds = [k for k in DECOYS if not (k == "date_no_context" and d.vals.get("date_of_birth"))]
    for k in g.r.sample(kinds, n):
        text = DECOYS[k](g, d)
        if k == "card_bad_prefix": v = re.search(r"9[\d -]+\d", text).group(); assert luhn_ok(v) and not card_ok(v)
        if k == "iban_bad_check": assert not iban_mod(re.search(r"GB\d\d\w+", text).group())
        if k == "nino_invalid": assert not nino_ok(re.search(r"[A-Z]{2}\d{6}[A-Z]", text).group())
        if k == "base64_blob": d.blocks += [("p", l) for l in text.split("\n")]
        else: d.p(text)
        d.decoys.append(k)

# ----------------------------------------------------------------------------- document types
def letterhead(g, d, dept):
    d.p(f"{COUNCIL} – {dept}")
    d.p(f"Civic Offices, Market Square, Wexbridge {d.put('uk_postcode', COUNCIL_PC, COUNCIL_PC)}")
    if g.r.random() < 0.5: d.p(f"Telephone: {d.phone(COUNCIL_TEL)}   www.{DOM}")
def signoff(g, d, w, role, letter=True):
    d.p(g.r.choice(["Yours sincerely", "Yours faithfully"]) if letter else g.r.choice(["Kind regards", "Many thanks", "Best wishes"]))
    d.p(w.full); d.p(f"{role}, {COUNCIL}")
    if g.r.random() < 0.6: d.p(f"Tel: {d.phone(w.work)}   Email: {d.email(w.email)}")

def t_case_note(g, d):
    r, p, w = g.r, g.person(), g.person(True)
    housing = r.random() < 0.45
    dept = "Housing – Tenancy Support" if housing else "Adult Social Care"
    visit = g.date()
    d.folder = ("Housing/Tenancy Support/" if housing else "Adult Social Care/Case Notes/") + str(visit.year)
    d.title = f"{dept} – Case Note"; d.stem = f"Case note - {p.last} {p.first[0]} - {visit.isoformat()}"
    d.p(d.title); d.p(f"Name: {p.title} {p.full}")
    d.p(r.choice(["Date of birth: ", "DOB: ", "D.O.B. "]) + d.dob(p))
    if not housing or r.random() < 0.4: d.p(f"NHS number: {d.nhs(p)}")
    if r.random() < 0.5: d.p(f"NI number: {d.nino(p)}")
    d.p(f"Address: {d.addr(p)}")
    d.p(f"Contact number: {d.phone(p.mobile)}" + (f" / {d.phone(p.landline)}" if r.random() < 0.3 else ""))
    if r.random() < 0.3: d.p(f"Email: {d.email(p.email)}")
    d.p(f"Visit on {d.fdate(visit)} by {w.full} ({'Tenancy Support Officer' if housing else 'Social Worker'}).")
    d.p(r.choice(["{F} called the office to report damp in the bathroom and asked about a transfer.",
                  "Visited {F} at home to discuss rent arrears and the condition of the property.",
                  "{F} was seen at home with {his} daughter present.", "Telephone contact with {F} to follow up the last visit."]).format(F=p.first, his=p.his))
    cats = ([] if housing else ["health"]) + r.sample(sorted(SPECIAL_POS), r.choice([0, 0, 1, 1, 2]))
    for c in dict.fromkeys(cats): d.special_pos(c, p)
    d.p(r.choice(["Next visit booked in four weeks.", "Referral made to the welfare benefits team.", "Will liaise with the landlord about repairs."]))
    d.p(f"Recorded by {w.full}" + (f", {d.email(w.email)}" if r.random() < 0.4 else ""))

def t_hr_letter(g, d):
    r, p, w = g.r, g.person(), g.person(True)
    kind = r.choice(["offer", "disciplinary", "sickness"])
    d.folder = f"HR/Employee Relations/{kind.title()}"; d.stem = f"{kind.title()} letter - {p.last} {p.first}"
    d.title = {"offer": "Offer of employment", "disciplinary": "Outcome of disciplinary hearing", "sickness": "Attendance management – long-term absence"}[kind]
    letterhead(g, d, "Human Resources"); d.p(d.fdate(g.date()))
    d.p(f"{p.title} {p.full}"); d.p(d.addr(p)); d.p(f"Dear {p.first},"); d.p(d.title)
    if kind == "offer":
        d.p(f"I am pleased to offer you the post of {r.choice(['Waste Services Operative', 'Planning Officer', 'Finance Assistant', 'Customer Services Adviser'])} starting on {d.fdate(g.date(2024, 2025))}.")
        d.special_neg("criminal", 0)
        if r.random() < 0.5: d.p("Your appointment is subject to satisfactory references and a DBS check."); d.decoys.append("special_neg:criminal")
        d.special_neg("health", 0)
        d.p(f"Payroll have recorded your National Insurance number as {d.nino(p)} and will pay your salary into {d.bank(p)}.")
        if r.random() < 0.4: d.p(f"For right to work purposes we hold a copy of your passport, number {d.passport(p)}.")
    elif kind == "disciplinary":
        d.p(f"The hearing was held on {d.fdate(g.date())}. Employee number {r.randint(1000, 99999):06d}.")
        d.special_pos("trade_union", p)
        if r.random() < 0.4: d.special_pos("criminal", p)
        d.p("Having considered the evidence, the panel decided to issue a final written warning, which will remain on file for 12 months.")
    else:
        d.p(f"You have been absent from work since {d.fdate(g.date())}. NI number: {d.nino(p)}.")
        d.special_pos("health", p)
        d.p("We would like to meet to discuss a phased return and any reasonable adjustments.")
        if r.random() < 0.4: d.special_pos(r.choice(["trade_union", "religion", "genetic"]), p)
    if r.random() < 0.3: d.p(f"If you have any questions please call me on {d.phone(w.work)} or your mobile contact {d.phone(p.mobile)} will be used.")
    signoff(g, d, w, "HR Business Partner")

def t_declaration(g, d):
    r, p = g.r, g.person(True)
    d.folder = f"HR/Declarations/{g.date().year}"; d.stem = f"Declaration of interests - {p.last} {p.first[0]}"
    d.title = "Staff declaration of interests and personal information"; d.p(d.title)
    d.p(f"Name: {p.full}   Employee no: {r.randint(1000, 99999):06d}"); d.p(f"Home address: {d.addr(p)}"); d.p(f"Personal email: {d.email(p.email)}")
    if r.random() < 0.5: d.p(f"National Insurance number: {d.nino(p)}")
    if r.random() < 0.5: d.p("Political party membership: " + r.choice(["Green Party (member since 2016)", "Labour Party", "Liberal Democrats, ward branch secretary"])); d.special.append("political")
    else: d.p("Political party membership: none"); d.decoys.append("special_neg:political")
    if r.random() < 0.4: d.p(f"Trade union: {r.choice(['UNISON', 'GMB', 'Unite'])} (branch steward)" if r.random() < 0.5 else "Trade union: UNISON member"); d.special.append("trade_union")
    if r.random() < 0.4: d.special_pos("biometric", p)
    if r.random() < 0.2: d.special_pos("genetic", p)
    d.p(f"Signed: {p.full}   Date: {d.fdate(g.date())}")

def t_shortlist(g, d):
    r = g.r
    post = r.choice(["Housing Officer", "Environmental Health Technician", "Payroll Assistant", "Parks Team Leader"])
    mon = r.random() < 0.35
    d.folder = f"HR/Recruitment/{g.date().year}/{post}"; d.stem = f"{post} - {'equality monitoring' if mon else 'shortlisting'}"
    d.title = f"Recruitment – {post} – {'Equality monitoring returns' if mon else 'Shortlisting matrix'}"
    d.p(d.title)
    if mon:
        rows = [["Candidate", "Name", "Email", "Date of Birth", "Ethnic origin", "Religion or belief", "Sexual orientation", "Disability"]]
        eth = ["White British", "Black British – African", "Asian British – Indian", "Mixed – White and Asian", "White – Polish", "Prefer not to say"]
        rel = ["Christian", "Muslim", "No religion", "Hindu", "Sikh", "Prefer not to say"]
        ori = ["Heterosexual", "Gay man", "Lesbian", "Bisexual", "Prefer not to say"]
        for i in range(r.randint(4, 10)):
            p = g.person()
            rows.append([f"C{i + 1:03d}", p.full, d.email(p.email), d.dob(p), r.choice(eth), r.choice(rel), r.choice(ori), r.choice(["No", "No", "Yes"])])
        d.table(rows)
        for cat, ci, neutral in [("ethnicity", 4, {"Prefer not to say"}), ("religion", 5, {"Prefer not to say"}),
                                 ("sexual_orientation", 6, {"Prefer not to say"}), ("health", 7, {"No"})]:
            if any(row[ci] not in neutral for row in rows[1:]): d.special.append(cat)
    else:
        rows = [["Candidate", "Name", "Email", "Phone", "Postcode", "Criteria met", "Score", "Shortlist?"]]
        for i in range(r.randint(4, 12)):
            p = g.person()
            rows.append([f"C{i + 1:03d}", p.full, d.email(p.email), d.phone(p.mobile), d.postcode(p, True), f"{r.randint(3, 8)}/8", str(r.randint(10, 40)), r.choice(["Yes", "No"])])
        d.table(rows)
        d.p("Panel: Head of Service, HR Adviser. Interviews to be held in Committee Room 1.")

def t_payroll(g, d):
    r = g.r
    month = g.date(2020, 2024)
    d.folder = f"Finance/Payroll/{month.year}"; d.stem = f"Payroll {MONTHS[month.month - 1]} {month.year} - BACS"
    d.title = f"Payroll – {MONTHS[month.month - 1]} {month.year} – BACS submission"
    d.p(d.title)
    cols = ["Employee No", "Surname", "Forename", "NI Number", "Tax Code"]
    dob, start, union, iban = r.random() < 0.5, r.random() < 0.4, r.random() < 0.25, r.random() < 0.2
    cols += ["Sort Code", "Account Number"] + (["IBAN"] if iban else []) + ["Gross Pay"] + (["Date of Birth"] if dob else []) + (["Start Date"] if start else []) + (["Union"] if union else [])
    rows = [cols]; unions = []
    for i in range(r.randint(5, 14)):
        p = g.person()
        sc, ac = d.bank_cells(p)
        row = [str(r.randint(1000, 9999)), p.last, p.first, d.nino(p), r.choice(["1257L", "BR", "1257L M1", "K475"]), sc, ac]
        row += ([d.iban(p) if r.random() < 0.5 else ""] if iban else []) + [f"{r.randint(1200, 5200)}.{r.randint(0, 99):02d}"]
        row += ([d.dob(p)] if dob else []) + ([d.fdate(g.date(2005, 2023))] if start else [])
        if union:
            u = r.choice(["", "", "UNISON", "GMB"]); row.append(u)
            if u: unions.append(u)
        rows.append(row)
    d.table(rows)
    if unions: d.special.append("trade_union")
    d.p("Prepared by Payroll Services. Check totals against the BACS report before release.")

def t_finance(g, d):
    r = g.r
    d.folder = "Finance/Refunds"; d.stem = f"Council Tax refunds {g.date().isoformat()}"
    d.title = "Council Tax refunds – payment run"; d.p(d.title)
    rows = [["Account Ref", "Payee", "Postcode", "Amount", "Sort Code", "Account No", "IBAN", "Card Number"]]
    for _ in range(r.randint(3, 9)):
        p = g.person(); how = r.choice(["bacs", "bacs", "card", "iban"])
        sc, ac = d.bank_cells(p) if how == "bacs" else ("", "")
        rows.append([f"CT{g.digits(8)}", p.full, d.postcode(p, True), f"£{r.randint(20, 900)}.{g.digits(2)}", sc, ac,
                     d.iban(p) if how == "iban" else "", d.card(p) if how == "card" else ""])
    d.table(rows)
    d.p("Refunds over £500 need a second authoriser.")
def t_complaint(g, d):
    r, p, w = g.r, g.person(), g.person(True)
    issue = r.choice(["missed bin collections", "the state of the play area on Elm Road", "a parking fine", "the handling of my housing repair", "noise from the pub next door"])
    d.folder = f"Customer Services/Complaints/{g.date().year}"; d.stem = f"Complaint - {p.last} - {issue[:20]}"
    d.title = d.subject = f"Formal complaint – {issue}"
    d.mail_from, d.mail_to = p, [("Customer Services", f"complaints@{DOM}")]
    d.p("Dear Sir or Madam,")
    d.p(f"I wish to make a formal complaint about {issue}. This has been going on for several weeks and nobody has called me back.")
    if r.random() < 0.35: d.special_pos("health", p)
    if r.random() < 0.25: d.p(f"I paid the fee of £{r.randint(25, 80)} by card ({d.card(p)}) but it has not been refunded.")
    if r.random() < 0.25:
        c = g.person(child=True); d.p(f"My son {c.first} (born {d.dob(c)}) has been affected as well.")
    d.p("Yours faithfully,"); d.p(f"{p.title} {p.full}"); d.p(d.addr(p)); d.p(f"Tel: {d.phone(r.choice([p.mobile, p.landline]))}")
    if r.random() < 0.6: d.p(f"Email: {d.email(p.email)}")
    if r.random() < 0.3: d.p(f"[Submitted via online form from IP address {d.ip(p.ip)} at {r.randint(8, 22)}:{r.randint(10, 59)}]")

def t_minutes(g, d):
    r = g.r
    com = r.choice(["Licensing Committee", "Planning Committee", "Overview and Scrutiny Committee", "Audit Committee"])
    day = g.date(2015, 2024)
    d.folder = f"Democratic Services/{com}/{day.year}"; d.stem = f"{com} minutes {day.isoformat()}"
    d.title = f"Minutes of the {com} held on {d.fdate(day)}"; d.p(d.title)
    d.p("Present: Councillors " + ", ".join(f"{r.choice(FEM + MAL)[0]}. {r.choice(SUR)}" for _ in range(5)) + " (Chair).")
    d.p("1. Apologies for absence were received from two members.")
    d.p("2. Declarations of interest: none." if r.random() < 0.8 else f"2. Declarations of interest: Councillor {r.choice(SUR)} declared an interest as a member of UNISON.")
    d.p("3. The minutes of the previous meeting were approved as a correct record.")
    for t, k in r.sample(PROSE_MARK_DECOYS, 2): d.p("4. " + t); d.decoys.append(k)
    d.p(f"5. The committee noted the report and agreed the recommendations set out in section {r.randint(2, 9)}.{r.randint(1, 9)}.")
    d.p(f"The meeting closed at {r.randint(19, 21)}:{r.randint(10, 59)}.")

def t_referral(g, d):
    r, c, m, w = g.r, g.person(child=True), g.person(), g.person(True)
    d.folder = f"Childrens Services/MASH Referrals/{g.date().year}"; d.stem = f"MASH referral - {c.last} {c.first[0]}"
    d.title = d.subject = "Multi-Agency Referral Form – Children's Services"
    d.p(d.title); d.p(f"Child: {c.full}"); d.p("Date of birth: " + d.dob(c))
    if r.random() < 0.6: d.p(f"NHS No: {d.nhs(c)}")
    d.p(f"Address: {d.addr(m)}"); d.p(f"School: {r.choice(TOWNS)} Primary Academy")
    d.p(f"Parent/carer: {m.title} {m.full}, mobile {d.phone(m.mobile)}")
    d.p(f"Referrer: {w.full}, Designated Safeguarding Lead, {d.email(w.email)}")
    d.p(f"Concerns: {c.first} arrived at school hungry on several occasions and disclosed that there was shouting at home.")
    for cat in r.sample(["health", "ethnicity", "religion", "criminal", "health"], r.choice([0, 1, 1, 2])):
        d.special_pos(cat, c if cat != "criminal" else m)
    if r.random() < 0.3: d.special_neg("health")

def t_planning(g, d):
    r, p, w = g.r, g.person(), g.person(True)
    ref = f"{r.randint(18, 24)}/{r.randint(100, 2999):05d}/{r.choice(['FUL', 'HOU', 'LBC', 'OUT'])}"
    d.folder = f"Planning/Correspondence/{ref[:2]}"; d.stem = f"{ref.replace('/', '-')} {r.choice(['objection', 'decision notice', 'consultation reply'])}"
    d.title = d.subject = f"Planning application {ref} – {r.choice(['two-storey rear extension', 'change of use to HMO', 'replacement windows'])}"
    if r.random() < 0.5:
        letterhead(g, d, "Planning Services"); d.p(f"{p.title} {p.full}"); d.p(d.addr(p)); d.p(d.title)
        d.p(f"Dear {p.title} {p.last}, permission is GRANTED subject to the conditions below.")
        d.p("1. The development shall begin within three years of the date of this permission.")
        signoff(g, d, w, "Principal Planning Officer")
    else:
        d.mail_from = p; d.p(f"Objection to {d.title}"); d.p(f"From: {p.full}, {d.addr(p)}")
        d.p("I object because the extension will overlook our garden and there is already restricted parking in the street.")
        d.decoys.append("restricted_parking")
        d.p(f"Please contact me at {d.email(p.email)}" + (f" or on {d.phone(p.mobile)}." if r.random() < 0.5 else "."))

def t_newsletter(g, d):
    r = g.r
    day = g.date()
    d.folder = f"Communications/Staff News/{day.year}"; d.stem = f"Staff news {MONTHS[day.month - 1]} {day.year}"
    d.title = d.subject = f"Staff News – {MONTHS[day.month - 1]} {day.year}"; d.p(d.title)
    for t, k in r.sample(PROSE_MARK_DECOYS, 3): d.p(t); d.decoys.append(k)
    d.special_neg(r.choice(["health", "trade_union", "sexual_orientation", "genetic"]))
    d.p("Well done to the waste services crews for completing every round during the snow.")
    if r.random() < 0.6: d.p(f"Send your stories to the communications team at {d.email('comms@' + DOM)}.")
    if r.random() < 0.5: d.p("Follow us on social media @WexbridgeDC and @WexbridgeLibs."); d.decoys.append("social_handle")

POLICY_KINDS = {
    "Health and Safety Policy": ["health", "health"], "Recruitment and Selection Policy": ["criminal", "criminal"],
    "Equality Monitoring Form (template)": ["ethnicity", "religion", "sexual_orientation"],
    "Trade Union Facility Time Policy": ["trade_union"], "Political Restriction of Posts": ["political"],
    "Building Access Policy": ["biometric"], "Information Handling and Protective Marking Guidance": [],
    "ICT Acceptable Use Policy": [],
}
def t_policy(g, d):
    r = g.r
    name = r.choice(sorted(POLICY_KINDS))
    d.folder = "Policies and Procedures"; d.stem = f"{name} v{r.randint(1, 6)}.{r.randint(0, 9)}"
    d.title = name; d.p(name); d.p(f"Version {r.randint(1, 6)}.{r.randint(0, 9)} – approved by the Corporate Management Team")
    d.p("1. Purpose"); d.p(f"1.1 This document sets out how {COUNCIL} meets its obligations.")
    for cat in POLICY_KINDS[name]: d.special_neg(cat)
    if "Monitoring" in name:
        d.p("Name: ______________________   Date of birth: __/__/____"); d.decoys.append("dob_placeholder")
        d.p("Ethnic group: ☐ White British ☐ White Irish ☐ Mixed ☐ Asian or Asian British ☐ Black or Black British ☐ Other")
        d.p("Religion or belief: ☐ None ☐ Christian ☐ Muslim ☐ Hindu ☐ Sikh ☐ Jewish ☐ Buddhist ☐ Other")
        d.p("Sexual orientation: ☐ Heterosexual ☐ Gay or lesbian ☐ Bisexual ☐ Prefer not to say")
    if "Marking" in name:
        d.p("Most council information is Official and needs no visible marking. Mark documents containing sensitive personal data as OFFICIAL-SENSITIVE in the header and footer.")
        d.p("Older files may still carry Protect or Restricted from the old scheme; they do not need to be re-marked.")
        d.decoys.append("marking_talk")
    if "ICT" in name: d.decoys.append("version_number"); d.p(DECOYS["version_number"](g, d))
    d.p(f"2.{r.randint(1, 9)}.{r.randint(1, 9)}.{r.randint(1, 9)} Monitoring and review"); d.decoys.append("section_heading")
    d.p("This policy will be reviewed every three years or sooner if legislation changes.")
    if r.random() < 0.4: d.p(f"Queries to the policy owner: {d.email(r.choice(['hr', 'information.governance', 'health.safety']) + '@' + DOM)}")

def t_it_log(g, d):
    r = g.r
    day = g.date()
    d.folder = "ICT/Logs"; d.stem = f"vpn-auth-{day.isoformat()}"
    d.title = f"Remote access authentication log {day.isoformat()}"; d.p(d.title)
    rows = [["Timestamp", "User", "Source IP", "Result", "Client"]]
    for _ in range(r.randint(5, 15)):
        p = g.person(True)
        rows.append([f"{day.isoformat()}T{r.randint(6, 22):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z",
                     (p.first[0] + re.sub(r"[^a-z]", "", p.last.lower())), d.ip(g.ip()), r.choice(["OK", "OK", "FAIL"]),
                     f"Windows 10.0.19045.{r.randint(2000, 4999)}"])
    d.table(rows); d.decoys.append("version_number")

def t_contacts(g, d):
    r = g.r
    d.folder = "Housing/Tenant Participation"; d.stem = f"Tenants forum attendance {g.date().isoformat()}"
    d.title = "Tenants' forum – attendance and contact list"; d.p(d.title)
    rows = [["Name", "Address", "Postcode", "Phone", "Email"]]
    for _ in range(r.randint(4, 12)):
        p = g.person()
        rows.append([p.full, f"{p.house} {p.street}", d.postcode(p, True), d.phone(r.choice([p.mobile, p.landline])), d.email(p.email) if r.random() < 0.7 else ""])
    d.table(rows)

def t_budget(g, d):
    r = g.r
    d.folder = "Finance/Budget Monitoring"; d.stem = f"Budget monitoring P{r.randint(1, 12)} {r.randint(2019, 2024)}"
    d.title = "Revenue budget monitoring"; d.p(d.title)
    rows = [["Cost centre", "Description", "Budget", "Actual", "Variance"]]
    for _ in range(r.randint(5, 12)):
        b = r.randint(10000, 900000)
        rows.append([f"R{r.randint(1000, 9999)}", r.choice(["Waste collection", "Street lighting", "Parks", "Libraries", "Leisure"]), f"{b}.00", f"{b + r.randint(-5000, 5000)}.{g.digits(2)}", f"{r.randint(-5000, 5000)}.{g.digits(2)}"])
    d.table(rows)

def t_notice(g, d):
    r = g.r
    t, k = r.choice(LINE_DECOYS)
    d.folder = "Facilities/Notices"; d.stem = f"Notice - {t[:24].title()}"
    d.title = t; d.p(t); d.decoys.append(k)
    d.p("Thank you for your co-operation. Facilities Management.")

def t_id_check(g, d):
    r, p, w = g.r, g.person(), g.person(True)
    d.folder = "HR/Right to Work Checks"; d.stem = f"RTW check - {p.last} {p.first}"
    d.title = d.subject = "Right to work and identity check"; d.p(d.title)
    d.p(f"Name: {p.full}"); d.p(f"Date of birth: {d.dob(p)}"); d.p(f"Home address: {d.addr(p)}")
    d.p(f"Passport number: {d.passport(p)} (seen, copy taken)")
    if r.random() < 0.6: d.p(f"Driving licence: {d.licence(p)}")
    if r.random() < 0.6: d.p(f"National Insurance No: {d.nino(p)}")
    d.p(f"Checked by {w.full} on {d.fdate(g.date())}.")

def t_general(g, d):
    r, w = g.r, g.person(True)
    d.folder = "Team Admin"; d.stem = "Team meeting arrangements"
    d.title = d.subject = r.choice(["Team meeting moved to Thursday", "Office move – desk allocations", "Christmas lunch booking", "Training dates"])
    d.p("Hi all,"); d.p(f"{d.title}. We will meet in Committee Room {r.randint(1, 4)} at {r.randint(9, 15)}:00.")
    if r.random() < 0.4: t, k = r.choice(PROSE_MARK_DECOYS); d.p(t); d.decoys.append(k)
    if r.random() < 0.3: d.special_neg(r.choice(["health", "criminal", "religion"]))
    signoff(g, d, w, r.choice(["Team Manager", "Business Support Officer"]), letter=False)

def t_blue_badge(g, d):
    r, p = g.r, g.person()
    d.folder = f"Adult Social Care/Blue Badge/{g.date().year}"; d.stem = f"Blue Badge application - {p.last} {p.first[0]}"
    d.title = d.subject = "Blue Badge application – eligibility assessment"; d.p(d.title)
    d.p(f"Applicant: {p.title} {p.full}"); d.p(f"Date of birth: {d.dob(p)}"); d.p(f"NHS number: {d.nhs(p)}")
    d.p(f"Address: {d.addr(p)}   Tel: {d.phone(r.choice([p.mobile, p.landline]))}")
    if r.random() < 0.5: d.p(f"Proof of identity: driving licence {d.licence(p)}")
    else: d.p(f"Proof of identity: passport number {d.passport(p)}")
    d.special_pos("health", p)
    d.p(r.choice(["Decision: eligible (walking assessment).", "Decision: refer for independent mobility assessment."]))

def t_briefing(g, d):
    r = g.r
    d.folder = "Corporate/Performance"; d.stem = f"Q{r.randint(1, 4)} performance briefing"
    d.title = "Quarterly performance briefing"; d.p(d.title)
    for s in ["Recycling rate up to 47.2%", "Planning applications determined in time: 88%", "Calls answered within 60 seconds: 71%",
              "Council Tax collection on target", "Sickness absence 8.4 days per FTE"]: d.p(s)

def t_case_review(g, d):
    r, c = g.r, g.person(child=True)
    d.folder = "Childrens Services/Case Reviews"; d.stem = f"Case review - {c.first[0]}{c.last[0]}"
    d.title = f"Safeguarding case review – {c.full}"; d.p(d.title)
    d.p(f"{c.full}, DOB {d.dob(c)}, NHS {d.nhs(c)}"); d.p(f"Family home: {d.addr(g.person())}")
    for cat in r.sample(["health", "ethnicity", "religion", "criminal"], 2): d.special_pos(cat, c)
    d.p("Learning: agencies did not share information early enough.")

DOC_TYPES = {  # name: (function, formats)
    "case_note": (t_case_note, "txt docx pdf odt rtf"), "hr_letter": (t_hr_letter, "docx pdf odt rtf txt"),
    "shortlist": (t_shortlist, "xlsx csv docx"), "payroll": (t_payroll, "xlsx csv"), "finance": (t_finance, "xlsx csv pdf eml"),
    "complaint": (t_complaint, "txt html docx eml"), "minutes": (t_minutes, "docx pdf html odt rtf txt"),
    "referral": (t_referral, "docx pdf eml"), "planning": (t_planning, "pdf docx txt html eml"),
    "newsletter": (t_newsletter, "html pdf pptx docx eml"), "policy": (t_policy, "pdf docx odt html rtf pptx txt"),
    "it_log": (t_it_log, "txt csv"), "contacts": (t_contacts, "csv xlsx docx"), "budget": (t_budget, "csv xlsx"),
    "notice": (t_notice, "txt docx pdf html eml"), "id_check": (t_id_check, "docx pdf eml"), "general": (t_general, "eml txt"),
    "briefing": (t_briefing, "pptx"), "declaration": (t_declaration, "docx pdf odt txt"), "blue_badge": (t_blue_badge, "docx pdf eml txt"), "case_review": (t_case_review, "pptx pdf"),
}

def make_doc(g, fmt, dtype=None):
    ks = [k for k, (_, f) in DOC_TYPES.items() if fmt in f.split()]
    dtype = dtype or g.r.choices(ks, [{"notice": 0.4, "general": 0.7}.get(k, 1) for k in ks])[0]
    d = Doc(g, dtype); DOC_TYPES[dtype][0](g, d)
    if g.r.random() < 0.4: add_decoys(g, d, g.r.choice([1, 1, 2]))
    return d

def assign_marking(g, d, fmt):
    r, roll = g.r, g.r.random()
    if roll < 0.45:
        pl = r.choice(PLACES[fmt])
        pls = [pl] + ([PAIRS[pl]] if pl in PAIRS and r.random() < 0.4 else [])
        if pl == "email_subject":
            w, n = r.choice(SUBJ_MARKS); d.mark(pl, w, n)
            xs = [m for m in XHDR_MARKS if m[1] == n]
            if len(pls) > 1 and xs: d.mark("email_x_header", r.choice(xs)[0], n)
            return
        if pl == "email_x_header": w, n = r.choice(XHDR_MARKS)
        elif pl == "ooxml_label": w, n = r.choice(LABELS)
        else: w, n, _ = r.choices(MARKS, [m[2] for m in MARKS])[0]
        for q in pls: d.mark(q, w, n)
    elif roll < 0.55 and fmt not in ("csv",):
        if fmt == "eml":
            if r.random() < 0.5: d.place["email_subject"] = "[SEC=PROTECTED] "
            else: d.place["email_x_header"] = "VER=2018.4, NS=gov.au, SEC=PROTECTED"
            d.decoys.append("au_protected")
        else:
            t, k = r.choice(LINE_DECOYS[:1] * 2 + LINE_DECOYS)
            key = {"docx": "docx_header", "pdf": "pdf_page_top", "pptx": "pptx_slide_top", "xlsx": "xlsx_header"}.get(fmt, "body_first_line")
            d.place[key] = t; d.decoys.append(k)

# ----------------------------------------------------------------------------- renderers
XMLH = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
RELNS, ODR = "http://schemas.openxmlformats.org/package/2006/relationships", "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OXT = "application/vnd.openxmlformats-officedocument"
def zbytes(parts):
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w") as z:
        for name, data in parts:
            zi = zipfile.ZipInfo(name, (2023, 6, 1, 9, 0, 0))
            zi.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            z.writestr(zi, data.encode() if isinstance(data, str) else data)
    return bio.getvalue()
def rels(items): return XMLH + f'<Relationships xmlns="{RELNS}">' + "".join(f'<Relationship Id="{i}" Type="{t}" Target="{tg}"/>' for i, t, tg in items) + "</Relationships>"
def ctypes(over):
    return (XMLH + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>' + "".join(f'<Override PartName="{p}" ContentType="{c}"/>' for p, c in over) + "</Types>")
def safe_spaces(t):
    inside, out = False, []
    for i, ch in enumerate(t):
        if ch == V0: inside = True
        elif ch == V1: inside = False
        elif ch == " " and not inside: out.append(i)
    return out
def run_chunks(r, t):
    sp = safe_spaces(t); cuts = sorted(r.sample(sp, min(len(sp), r.choice([0, 1, 2])))); out, prev = [], 0
    for c in cuts: out.append(t[prev:c + 1]); prev = c + 1
    return out + [t[prev:]]
def wrap(t, width=88):
    sp, out, start, last = safe_spaces(t) + [len(t)], [], 0, None
    for s in sp:
        if len(clean(t[start:s])) > width and last is not None: out.append(t[start:last]); start = last + 1
        last = s
    out.append(t[start:])
    return [clean(l) for l in out]

def render_txt(d):
    text = "\n".join(clean(l) for l in lines_of(d, d.r.choice(["\t", " | "]))) + "\n"
    d.enc = "cp1252" if d.r.random() < 0.15 else "utf-8"
    return text.encode(d.enc, errors="replace")
def render_csv(d):
    d.enc = "utf-8-sig"
    s = io.StringIO(); w = csv.writer(s)
    for kind, v in flat(d):
        for row in ([[v]] if kind == "p" else v): w.writerow([clean(c) for c in row])
    return s.getvalue().encode("utf-8-sig" if d.r.random() < 0.3 else "utf-8")
def nbsp(t, on): return re.sub(V0 + "(.*?)" + V1, lambda m: V0 + m.group(1).replace(" ", "\x03") + V1, t) if on else t
def render_html(d, email=False):
    cls, on = (' class="MsoNormal"' if email else ""), email and d.r.random() < 0.4
    x = lambda t: _esc(clean(nbsp(t, on)), {'"': "&quot;"}).replace("\x03", "&nbsp;")
    body = []
    for kind, v in flat(d):
        if kind == "p": body.append(f"<p{cls}>{x(v)}</p>")
        else: body.append('<table border="1">' + "".join("<tr>" + "".join(f"<td>{x(c)}</td>" for c in row) + "</tr>" for row in v) + "</table>")
    if email: body.insert(-1 if "body_last_line" in d.place else len(body), '<p><img src="cid:image001.png@01DA7C2B.5E3F1A20" alt="Wexbridge District Council"></p>')
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{x(d.title)}</title><style>p{{margin:0}} td{{padding:2px}}</style></head>\n'
            f"<body>\n" + "\n".join(body) + "\n</body></html>\n")
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
def w_p(r, t):
    out = []
    for c in run_chunks(r, t):
        if V0 in c and r.random() < 0.2:
            i = c.index(V0) + 1 + r.randint(1, max(1, c.index(V1) - c.index(V0) - 2))
            out += [f'<w:r><w:t xml:space="preserve">{x(c[:i])}</w:t></w:r>', f'<w:r><w:rPr><w:lang w:val="en-GB"/></w:rPr><w:t xml:space="preserve">{x(c[i:])}</w:t></w:r>']
        elif "@" in c and r.random() < 0.5: out.append(f'<w:hyperlink w:anchor="_top" w:history="1"><w:r><w:t xml:space="preserve">{x(c)}</w:t></w:r></w:hyperlink>')
        else: out.append(f'<w:r><w:t xml:space="preserve">{x(c)}</w:t></w:r>')
    return "<w:p>" + "".join(out) + "</w:p>"
def render_docx(d):
    r, body = d.r, []
    for kind, v in flat(d):
        if kind == "p": body.append(w_p(r, v))
        else: body.append('<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid>' + '<w:gridCol w:w="1600"/>' * len(v[0]) + "</w:tblGrid>"
                          + "".join("<w:tr>" + "".join(f"<w:tc>{w_p(r, c)}</w:tc>" for c in row) + "</w:tr>" for row in v) + "</w:tbl>")
    hdr, ftr = d.place.get("docx_header", d.header_text), d.place.get("docx_footer", d.footer_text)
    sect, prels, over, parts = "", [], [("/word/document.xml", f"{OXT}.wordprocessingml.document.main+xml")], []
    for tag, kind, txt in (("hdr", "header", hdr), ("ftr", "footer", ftr)):
        if txt:
            n = r.choice([1, 1, 2, 3])
            parts.append((f"word/{kind}{n}.xml", XMLH + f"<w:{tag} {W_NS}>{w_p(r, txt)}</w:{tag}>"))
            prels.append((f"rId{len(prels) + 1}", f"{ODR}/{kind}", f"{kind}{n}.xml")); over.append((f"/word/{kind}{n}.xml", f"{OXT}.wordprocessingml.{kind}+xml"))
            sect += f'<w:{kind}Reference w:type="default" r:id="rId{len(prels)}"/>'
    root = [("rId1", f"{ODR}/officeDocument", "word/document.xml")]
    if "ooxml_label" in d.place:
        guid = "%08x-%04x-%04x-%04x-%012x" % tuple(r.getrandbits(b) for b in (32, 16, 16, 16, 48))
        props = [("Enabled", "true"), ("SetDate", "2023-05-11T10:02:13Z"), ("Method", r.choice(["Standard", "Privileged"])), ("Name", d.place["ooxml_label"]),
                 ("SiteId", "2b6f1e2c-5a4d-4b8e-9c1f-7d3e8a6b5c4d"), ("ActionId", "%032x" % r.getrandbits(128)), ("ContentBits", "0")]
        parts.append(("docProps/custom.xml", XMLH + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
                      + "".join(f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{i + 2}" name="MSIP_Label_{guid}_{k}"><vt:lpwstr>{x(v)}</vt:lpwstr></property>' for i, (k, v) in enumerate(props)) + "</Properties>"))
        root.append(("rId2", f"{ODR}/custom-properties", "docProps/custom.xml")); over.append(("/docProps/custom.xml", f"{OXT}.custom-properties+xml"))
    doc = XMLH + f"<w:document {W_NS}><w:body>{''.join(body)}<w:sectPr>{sect}</w:sectPr></w:body></w:document>"
    return zbytes([("[Content_Types].xml", ctypes(over)), ("_rels/.rels", rels(root)), ("word/document.xml", doc),
                   ("word/_rels/document.xml.rels", rels(prels))] + parts)
def col(i): return chr(65 + i) if i < 26 else chr(64 + i // 26) + chr(65 + i % 26)
def xlsx_hf(r, t): return r.choice([f"&C{t}", f'&C&"Arial,Bold"{t}', f"&L{t}&RPage &P of &N", f"&C&12{t}"]) if t[0] not in DIG else f"&C{t}"
def render_xlsx(d):
    r = d.r
    rows = ([[d.place["body_first_line"]]] if "body_first_line" in d.place else [])
    for kind, v in d.blocks: rows += [[v]] if kind == "p" else v
    mode, ss, ssi, out = r.choice(["shared", "inline", "mixed"]), [], {}, []
    for ri, row in enumerate(rows, 1):
        cells = []
        for ci, c in enumerate(row):
            t, ref = clean(c), f"{col(ci)}{ri}"
            if not t: continue
            if re.fullmatch(r"[1-9]\d{0,14}|\d+\.\d+", t) and r.random() < 0.7: cells.append(f'<c r="{ref}"><v>{t}</v></c>')
            elif mode == "inline" or (mode == "mixed" and ri > 2 and r.random() < 0.5):
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{x(t)}</t></is></c>')
            else:
                if t not in ssi: ssi[t] = len(ss); ss.append(t)
                cells.append(f'<c r="{ref}" t="s"><v>{ssi[t]}</v></c>')
        out.append(f'<row r="{ri}">{"".join(cells)}</row>')
    hf = "".join(f"<{tag}>{x(xlsx_hf(r, d.place[k]))}</{tag}>" for k, tag in (("xlsx_header", "oddHeader"), ("xlsx_footer", "oddFooter")) if k in d.place)
    SM = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = XMLH + f'<worksheet {SM}><sheetData>{"".join(out)}</sheetData>' + (f"<headerFooter>{hf}</headerFooter>" if hf else "") + "</worksheet>"
    sst = XMLH + f'<sst {SM} count="{len(ss)}" uniqueCount="{len(ss)}">' + "".join(f'<si><t xml:space="preserve">{x(s)}</t></si>' for s in ss) + "</sst>"
    wb = XMLH + f'<workbook {SM} xmlns:r="{ODR}"><sheets><sheet name="{x(d.stem[:28]) if r.random() < 0.5 else "Sheet1"}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    return zbytes([("[Content_Types].xml", ctypes([("/xl/workbook.xml", f"{OXT}.spreadsheetml.sheet.main+xml"), ("/xl/worksheets/sheet1.xml", f"{OXT}.spreadsheetml.worksheet+xml"),
                                                   ("/xl/sharedStrings.xml", f"{OXT}.spreadsheetml.sharedStrings+xml")])),
                   ("_rels/.rels", rels([("rId1", f"{ODR}/officeDocument", "xl/workbook.xml")])), ("xl/workbook.xml", wb),
                   ("xl/_rels/workbook.xml.rels", rels([("rId1", f"{ODR}/worksheet", "worksheets/sheet1.xml"), ("rId2", f"{ODR}/sharedStrings", "sharedStrings.xml")])),
                   ("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", sst)])
P_NS = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
GRP = '<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>'
def sp(r, i, y, cy, paras):
    ps = "".join("<a:p>" + "".join(f'<a:r><a:rPr lang="en-GB"/><a:t>{x(c)}</a:t></a:r>' for c in run_chunks(r, t)) + "</a:p>" for t in paras)
    return (f'<p:sp><p:nvSpPr><p:cNvPr id="{i}" name="TextBox {i}"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr><p:spPr><a:xfrm><a:off x="457200" y="{y}"/>'
            f'<a:ext cx="11277600" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr><p:txBody><a:bodyPr wrap="square"/><a:lstStyle/>{ps}</p:txBody></p:sp>')
def theme():
    clr = "".join(f'<a:{n}><a:srgbClr val="{v}"/></a:{n}>' for n, v in zip("dk1 lt1 dk2 lt2 accent1 accent2 accent3 accent4 accent5 accent6 hlink folHlink".split(),
                                                                         "000000 FFFFFF 1F497D EEECE1 4F81BD C0504D 9BBB59 8064A2 4BACC6 F79646 0000FF 800080".split()))
    font = '<a:latin typeface="Calibri"/><a:ea typeface=""/><a:cs typeface=""/>'
    fill = '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
    return (XMLH + '<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Office"><a:themeElements>'
            f'<a:clrScheme name="Office">{clr}</a:clrScheme><a:fontScheme name="Office"><a:majorFont>{font}</a:majorFont><a:minorFont>{font}</a:minorFont></a:fontScheme>'
            f'<a:fmtScheme name="Office"><a:fillStyleLst>{fill * 3}</a:fillStyleLst><a:lnStyleLst>{("<a:ln>" + fill + "</a:ln>") * 3}</a:lnStyleLst>'
            f'<a:effectStyleLst>{"<a:effectStyle><a:effectLst/></a:effectStyle>" * 3}</a:effectStyleLst><a:bgFillStyleLst>{fill * 3}</a:bgFillStyleLst></a:fmtScheme></a:themeElements></a:theme>')
def render_pptx(d):
    r, lines = d.r, lines_of(d, " | ", marks=False)
    title, lines = lines[0], lines[1:]
    chunks = [lines[i:i + 6] for i in range(0, len(lines), 6)] or [[]]
    parts, over, prel = [], [], [("rId1", f"{ODR}/slideMaster", "slideMasters/slideMaster1.xml")]
    for n, ch in enumerate(chunks, 1):
        shapes = []
        if "pptx_slide_top" in d.place: shapes.append(sp(r, 9, 60000, 300000, [d.place["pptx_slide_top"]]))
        shapes += [sp(r, 2, 400000, 900000, [title if n == 1 else title + " (continued)"]), sp(r, 3, 1400000, 4600000, ch)]
        if "pptx_slide_bottom" in d.place: shapes.append(sp(r, 10, 6450000, 300000, [d.place["pptx_slide_bottom"]]))
        parts += [(f"ppt/slides/slide{n}.xml", XMLH + f'<p:sld {P_NS}><p:cSld><p:spTree>{GRP}{"".join(shapes)}</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>'),
                  (f"ppt/slides/_rels/slide{n}.xml.rels", rels([("rId1", f"{ODR}/slideLayout", "../slideLayouts/slideLayout1.xml")]))]
        over.append((f"/ppt/slides/slide{n}.xml", f"{OXT}.presentationml.slide+xml")); prel.append((f"rId{n + 1}", f"{ODR}/slide", f"slides/slide{n}.xml"))
    prel.append((f"rId{len(chunks) + 2}", f"{ODR}/theme", "theme/theme1.xml"))
    msp = sp(r, 2, 6450000, 300000, [d.place["pptx_master"]]) if "pptx_master" in d.place else ""
    cmap = 'bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" accent3="accent3" accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" folHlink="folHlink"'
    pres = (XMLH + f'<p:presentation {P_NS}><p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/></p:sldMasterIdLst><p:sldIdLst>'
            + "".join(f'<p:sldId id="{255 + n}" r:id="rId{n + 1}"/>' for n in range(1, len(chunks) + 1))
            + '</p:sldIdLst><p:sldSz cx="12192000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>')
    parts += [("ppt/presentation.xml", pres), ("ppt/_rels/presentation.xml.rels", rels(prel)),
              ("ppt/slideMasters/slideMaster1.xml", XMLH + f'<p:sldMaster {P_NS}><p:cSld><p:spTree>{GRP}{msp}</p:spTree></p:cSld><p:clrMap {cmap}/><p:sldLayoutIdLst><p:sldLayoutId id="2147483649" r:id="rId1"/></p:sldLayoutIdLst></p:sldMaster>'),
              ("ppt/slideMasters/_rels/slideMaster1.xml.rels", rels([("rId1", f"{ODR}/slideLayout", "../slideLayouts/slideLayout1.xml"), ("rId2", f"{ODR}/theme", "../theme/theme1.xml")])),
              ("ppt/slideLayouts/slideLayout1.xml", XMLH + f'<p:sldLayout {P_NS} type="blank"><p:cSld name="Blank"><p:spTree>{GRP}</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>'),
              ("ppt/slideLayouts/_rels/slideLayout1.xml.rels", rels([("rId1", f"{ODR}/slideMaster", "../slideMasters/slideMaster1.xml")])), ("ppt/theme/theme1.xml", theme())]
    over += [("/ppt/presentation.xml", f"{OXT}.presentationml.presentation.main+xml"), ("/ppt/slideMasters/slideMaster1.xml", f"{OXT}.presentationml.slideMaster+xml"),
             ("/ppt/slideLayouts/slideLayout1.xml", f"{OXT}.presentationml.slideLayout+xml"), ("/ppt/theme/theme1.xml", f"{OXT}.theme+xml")]
    return zbytes([("[Content_Types].xml", ctypes(over)), ("_rels/.rels", rels([("rId1", f"{ODR}/officeDocument", "ppt/presentation.xml")]))] + parts)
ODF = {"office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0", "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
       "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0", "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0"}
def render_odt(d):
    ns = " ".join(f'xmlns:{k}="{v}"' for k, v in ODF.items())
    body = []
    for kind, v in flat(d):
        if kind == "p": body.append(f"<text:p>{x(v)}</text:p>")
        else: body.append(f'<table:table table:name="Table{len(body)}"><table:table-column table:number-columns-repeated="{len(v[0])}"/>' + "".join(
            "<table:table-row>" + "".join(f'<table:table-cell office:value-type="string"><text:p>{x(c)}</text:p></table:table-cell>' for c in row) + "</table:table-row>" for row in v) + "</table:table>")
    content = XMLH + f'<office:document-content {ns} office:version="1.2"><office:body><office:text>{"".join(body)}</office:text></office:body></office:document-content>'
    hdr = d.place.get("odt_header")
    styles = XMLH + f'<office:document-styles {ns} office:version="1.2"><office:master-styles><style:master-page style:name="Standard">' + (
        f"<style:header><text:p>{x(hdr)}</text:p></style:header>" if hdr else "") + "</style:master-page></office:master-styles></office:document-styles>"
    man = XMLH + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">' + "".join(
        f'<manifest:file-entry manifest:full-path="{p}" manifest:media-type="{t}"/>' for p, t in [("/", "application/vnd.oasis.opendocument.text"), ("content.xml", "text/xml"), ("styles.xml", "text/xml")]) + "</manifest:manifest>"
    return zbytes([("mimetype", "application/vnd.oasis.opendocument.text"), ("META-INF/manifest.xml", man), ("content.xml", content), ("styles.xml", styles)])
def pdf_str(s):
    out = []
    for b in clean(s).encode("cp1252", errors="replace"):
        out.append("\\%03o" % b if b > 126 or b < 32 else ("\\" + chr(b) if chr(b) in "\\()" else chr(b)))
    return "(" + "".join(out) + ")"
def pdf_show(r, l):
    if r.random() > 0.3 or len(l) < 8: return f"{pdf_str(l)} Tj"
    cuts = sorted(r.sample(range(1, len(l)), min(3, len(l) - 1)))
    segs = [l[a:b] for a, b in zip([0] + cuts, cuts + [len(l)])]
    return "[" + " ".join(f"{pdf_str(sg)} {r.randint(-25, 40)}" for sg in segs[:-1]) + f" {pdf_str(segs[-1])}] TJ"
def render_pdf(d):
    lines = [l for t in lines_of(d, "   ", marks=False) for l in wrap(t)]
    pages, zflag = [lines[i:i + 46] for i in range(0, len(lines), 46)] or [[]], d.r.random() < 0.5
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages))), len(pages)),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    for i, pg in enumerate(pages):
        ops = []
        if "pdf_page_top" in d.place: ops.append(f"BT /F1 10 Tf 230 812 Td {pdf_str(d.place['pdf_page_top'])} Tj ET")
        ops.append("BT /F1 10 Tf 14 TL 50 780 Td " + " T* ".join(pdf_show(d.r, l) for l in pg) + " ET")
        ops.append(f"BT /F1 8 Tf 50 52 Td (Page {i + 1} of {len(pages)}) Tj ET")
        if "pdf_page_bottom" in d.place: ops.append(f"BT /F1 10 Tf 230 30 Td {pdf_str(d.place['pdf_page_bottom'])} Tj ET")
        stream, flt = "\n".join(ops).encode("latin-1"), ""
        if zflag: stream, flt = zlib.compress(stream), " /Filter /FlateDecode"
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>")
        objs.append(b"<< /Length %d%s >>\nstream\n" % (len(stream), flt.encode()) + stream + b"\nendstream")
    out, offs = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", []
    for i, o in enumerate(objs, 1):
        offs.append(len(out)); out += b"%d 0 obj\n" % i + (o.encode("latin-1") if isinstance(o, str) else o) + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offs)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
def rtf_esc(s):
    return "".join("\\tab " if ch == "\t" else "\\" + ch if ch in "\\{}" else ch if ord(ch) < 128 else f"\\u{ord(ch)}?" for ch in clean(s))
def render_rtf(d):
    body = "\\par\n".join(rtf_esc(l) for l in lines_of(d, "\t"))
    return ("{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}\\f0\\fs22\n" + body + "\\par\n}\n").encode("ascii")
RENDER = {"txt": render_txt, "csv": render_csv, "html": lambda d: render_html(d).encode(), "docx": render_docx, "xlsx": render_xlsx,
          "pptx": render_pptx, "odt": render_odt, "pdf": render_pdf, "rtf": render_rtf}
MIME = {"docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"), "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "pdf": ("application", "pdf"), "txt": ("text", "plain"), "csv": ("text", "csv")}

# ----------------------------------------------------------------------------- answer key and writers
class Key:
    def __init__(k, root): k.root, k.items = root, {}
    def add(k, path, fmt, nesting, d=None, parent=None, container=False, hdr_emails=()):
        assert path not in k.items, path
        e = {"format": fmt, "nesting": nesting, "container": container, "parent": parent, "doc_type": d.dtype if d else None,
             "markings": [], "placements": [], "pii": {}, "pii_header_only": {}, "special_category": [], "decoys": []}
        if d:
            if fmt == "eml": hdr = {a.lower() for a in hdr_emails}; e["pii_header_only"] = {"email": len(hdr - d.vals["email"])} if hdr - d.vals["email"] else {}; d.vals["email"] |= hdr
            e["pii"] = {t: len(v) for t, v in sorted(d.vals.items()) if v}
            e["markings"] = list(dict.fromkeys(n for n, _, _ in d.marks))
            e["placements"] = [{"marking": n, "written": w, "placement": ("email_" + p if fmt == "eml" and p.startswith("body_") else p)} for n, w, p in d.marks]
            e["special_category"], e["decoys"] = sorted(d.special), d.decoys
        k.items[path] = e

def safe(s): return re.sub(r'[\\/:*?"<>|]', "-", s).strip()
def build_message(g, key, path, nesting, parent, html_bias=0.3, depth=0):
    r = g.r
    d = make_doc(g, "eml"); assign_marking(g, d, "eml")
    staff = g.person(True)
    frm = d.mail_from or staff
    to = d.mail_to or [(p.full, p.email) for p in (g.person(True) for _ in range(r.randint(1, 2)))]
    if d.dtype in ("referral", "finance", "id_check", "newsletter") and r.random() < 0.7: signoff(g, d, frm, "Officer", letter=False)
    if r.random() < 0.5:
        d.p("This email and any attachments are confidential and intended solely for the addressee. If you have received it in error please notify the sender."); d.decoys.append("disclaimer")
    m = EmailMessage()
    m["From"] = f'"{frm.full}" <{frm.email}>'; m["To"] = ", ".join(f'"{n}" <{a}>' for n, a in to)
    hdr = [frm.email] + [a for _, a in to]
    if r.random() < 0.25: cc = g.person(True); m["Cc"] = f'"{cc.full}" <{cc.email}>'; hdr.append(cc.email)
    reply = r.choice(["RE: ", "Re: ", "FW: "]) if r.random() < 0.3 else ""
    m["Subject"] = reply + d.place.get("email_subject", "") + (d.subject or d.title)
    m["Date"] = format_datetime(dt.datetime(2017 + r.randrange(8), r.randint(1, 12), r.randint(1, 28), r.randint(7, 19), r.randrange(60), tzinfo=dt.timezone.utc))
    m["Message-ID"] = f"<DB9PR03MB{r.getrandbits(64):016X}@DB9PR03MB{r.randint(1000, 9999)}.eurprd03.prod.outlook.com>"; d.decoys.append("message_id")
    if reply:
        ref = f"<CAF{r.getrandbits(80):020x}+{r.getrandbits(40):x}@mail.gmail.com>"
        m["In-Reply-To"] = ref; m["References"] = ref
    if "email_x_header" in d.place: m["X-Protective-Marking"] = d.place["email_x_header"]
    text = "\n".join(clean(l) for l in lines_of(d, "\t")) + "\n"
    style = r.choices(["plain", "alt", "html"], [1 - html_bias, 0.4, html_bias + 0.2])[0]
    cte = r.choice(["8bit", "quoted-printable", "base64"])
    if style != "html": m.set_content(text, cte=cte)
    if style == "alt": m.add_alternative(render_html(d, email=True), subtype="html", cte=r.choice(["quoted-printable", "base64"]))
    if style == "html": m.set_content(render_html(d, email=True), subtype="html", cte=cte)
    if style != "plain": d.decoys.append("cid_reference")
    atts, names = [], set()
    if r.random() < 0.4:
        for _ in range(r.choice([1, 1, 2])):
            fmt = r.choice(["docx", "docx", "pdf", "txt", "csv", "xlsx"])
            ad = make_doc(g, fmt); assign_marking(g, ad, fmt)
            name = safe(ad.stem) + "." + fmt
            while name in names: name = "copy of " + name
            names.add(name); data = RENDER[fmt](ad)
            if MIME[fmt][0] == "text": m.add_attachment(data.decode(ad.enc), subtype=MIME[fmt][1], filename=name)
            else: m.add_attachment(data, maintype=MIME[fmt][0], subtype=MIME[fmt][1], filename=name)
            atts.append((name, fmt, ad))
    key.add(path, "eml", nesting, d, parent=parent, hdr_emails=hdr)
    for name, fmt, ad in atts: key.add(path + "!/" + name, fmt, "attachment", ad, parent=path)
    return m, frm.email, m["Date"].datetime

def mbox_bytes(g, key, path, n, html_bias):
    out = b""
    for i in range(1, n + 1):
        m, frm, when = build_message(g, key, f"{path}!/{i}", "mbox_message", path, html_bias)
        raw = m.as_bytes(policy=epolicy.default.clone(linesep="\n"))
        raw = re.sub(rb"(?m)^(>*From )", rb">\1", raw)
        out += f"From {frm} {when.strftime('%a %b %d %H:%M:%S %Y')}\n".encode() + raw + (b"" if raw.endswith(b"\n") else b"\n") + b"\n"
    return out

def zip_bytes(g, key, path, nesting):
    parts, names = [], set()
    for _ in range(g.r.randint(2, 6)):
        mf = g.r.choice(["docx", "docx", "xlsx", "pdf", "txt", "csv", "odt", "pptx", "rtf", "html", "eml", "zip"])
        if mf == "zip" and nesting == "zip_member":
            name = unique(f"Older/{g.r.choice(['backup', 'old files', 'transfer'])}-{g.r.randint(2008, 2014)}.zip", names)
            key.add(f"{path}!/{name}", "zip", nesting, parent=path, container=True)
            parts.append((name, zip_bytes(g, key, f"{path}!/{name}", "zip_in_zip_member"))); continue
        if mf == "zip": mf = "docx"
        if mf == "eml":
            name = unique(f"Mail/msg-{g.r.randint(100, 999)}.eml", names)
            m, _, _ = build_message(g, key, f"{path}!/{name}", nesting, path)
            parts.append((name, m.as_bytes(policy=epolicy.default.clone(linesep="\r\n")))); continue
        d = make_doc(g, mf); assign_marking(g, d, mf)
        name = unique(f"{d.folder.split('/')[0]}/{safe(d.stem)}.{mf}", names)
        key.add(f"{path}!/{name}", mf, nesting, d, parent=path)
        parts.append((name, RENDER[mf](d)))
    return zbytes(parts)

TOP = [("txt", 10), ("csv", 7), ("html", 6), ("docx", 16), ("xlsx", 8), ("pptx", 5), ("odt", 5), ("pdf", 11), ("rtf", 5), ("eml", 13), ("mbox", 4), ("zip", 6)]
def unique(path, used):
    base, ext = os.path.splitext(path); n = 1
    while path in used: n += 1; path = f"{base} ({n}){ext}"
    used.add(path); return path

def build(out, seed, count):
    random.seed(seed)          # email boundaries use the global generator
    g, root = Gen(seed), os.path.join(os.path.abspath(out), "drive")
    key, used = Key(root), set()
    os.makedirs(root, exist_ok=True)
    for _ in range(count):
        fmt = g.r.choices([f for f, _ in TOP], [w for _, w in TOP])[0]
        if fmt == "eml":
            path = unique(os.path.join(root, "Mail", "Saved messages", f"msg-{g.r.randint(10000, 99999)}.eml"), used)
            m, _, _ = build_message(g, key, path, "file", None)
            data = m.as_bytes(policy=epolicy.default.clone(linesep=g.r.choice(["\r\n", "\n"])))
        elif fmt == "mbox":
            path = unique(os.path.join(root, "Mail", "Exports", f"{g.person(True).last.lower()}-{g.r.randint(2017, 2024)}.mbox"), used)
            key.add(path, "mbox", "file", container=True)
            data = mbox_bytes(g, key, path, g.r.randint(3, 8), g.r.choice([0.1, 0.3, 0.75]))
        elif fmt == "zip":
            path = unique(os.path.join(root, "Archive", f"archive-{g.r.randint(2012, 2022)}-{g.r.randint(100, 999)}.zip"), used)
            key.add(path, "zip", "file", container=True)
            data = zip_bytes(g, key, path, "zip_member")
        else:
            d = make_doc(g, fmt); assign_marking(g, d, fmt)
            path = unique(os.path.join(root, *d.folder.split("/"), safe(d.stem) + "." + fmt), used)
            key.add(path, fmt, "file", d)
            data = RENDER[fmt](d)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f: f.write(data)
        t = dt.datetime(2014 + g.r.randrange(11), g.r.randint(1, 12), g.r.randint(1, 28)).timestamp()
        os.utime(path, (t, t))
    return key

CONVENTIONS = {
    "paths": "Absolute paths as CONTRACT.md names them: OUTER!/INNER for zip members, MBOX!/N (1-based) for mbox messages, MESSAGE!/filename for attachments.",
    "pii": "Count of DISTINCT valid values per type in the item's OWN text. A message counts its body (plain and HTML parts) and the addresses in its From/To/Cc headers (pii_header_only gives how many addresses appear only there); attachment values belong to the attachment item, never to the message. Zip and mbox container items are not scored.",
    "uk_bank_account": "One value per sort-code + account-number pair (prose with 'sort code'/'account'/'a/c' context, or adjacent table columns headed Sort Code / Account Number).",
    "markings": "Only markings planted in the item itself; attachments and zip members do not inherit from their container, and a message does not inherit from its attachments. NOT PROTECTIVELY MARKED is scored as UNCLASSIFIED.",
    "special_category": "Item-level: a category is expected when a passage describes an identifiable person (name plus identifiers in the same item). Keyword-only passages describing no person are recorded as decoys (special_neg:*).",
}

def verify(key):
    """Re-open every written file and check containers parse; return a list of problems."""
    import xml.dom.minidom, email, subprocess, shutil
    probs = []
    for path, e in key.items.items():
        if "!/" in path: continue
        with open(path, "rb") as f: data = f.read()
        try:
            if e["format"] in ("docx", "xlsx", "pptx", "odt", "zip"):
                z = zipfile.ZipFile(io.BytesIO(data)); assert z.testzip() is None
                for n in z.namelist():
                    if n.endswith((".xml", ".rels")): xml.dom.minidom.parseString(z.read(n))
            elif e["format"] == "pdf":
                sx = int(data[data.rindex(b"startxref") + 9:].split()[0]); assert data[sx:sx + 4] == b"xref"
                for i, off in enumerate(re.findall(rb"(\d{10}) 00000 n", data[sx:]), 1): assert data[int(off):].startswith(b"%d 0 obj" % i)
                if shutil.which("pdftotext"): assert subprocess.run(["pdftotext", path, "-"], capture_output=True).returncode == 0
            elif e["format"] == "eml": assert email.message_from_bytes(data)["Subject"] is not None
        except Exception as ex: probs.append(f"{path}: {ex!r}")
    return probs

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out"); ap.add_argument("--seed", type=int, default=1); ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--no-verify", action="store_true")
    a = ap.parse_args()
    key = build(a.out, a.seed, a.count)
    probs = [] if a.no_verify else verify(key)
    with open(os.path.join(os.path.abspath(a.out), "answers.json"), "w") as f:
        json.dump({"root": key.root, "seed": a.seed, "count": a.count, "conventions": CONVENTIONS, "items": key.items}, f, indent=1, ensure_ascii=False)
    byfmt = Counter((e["format"], e["nesting"]) for e in key.items.values())
    vals = Counter()
    for e in key.items.values(): vals.update(e["pii"])
    print(f"wrote {len(key.items)} items under {key.root}", file=sys.stderr)
    print("items: " + ", ".join(f"{f}/{n}={c}" for (f, n), c in sorted(byfmt.items())), file=sys.stderr)
    print("values: " + ", ".join(f"{t}={c}" for t, c in sorted(vals.items())), file=sys.stderr)
    for p in probs: print("VERIFY FAILED: " + p, file=sys.stderr)
    sys.exit(1 if probs else 0)

if __name__ == "__main__":
    main()
