#!/usr/bin/env python3
"""score.py SET_DIR EXPORT.jsonl  — compare `sweep export --format jsonl` with SET_DIR/answers.json.

Prints a Markdown report. Never prints personal-data values: only paths, types and counts.
"""
import json, os, sys
from collections import Counter, defaultdict

PII_TYPES = ["email", "uk_phone", "uk_postcode", "nino", "nhs_number", "payment_card", "uk_bank_account", "iban",
             "uk_passport", "uk_driving_licence", "date_of_birth", "ip_address"]
CATS = ["health", "ethnicity", "religion", "sexual_orientation", "trade_union", "political", "biometric", "genetic", "criminal"]
PII_DECOY_TYPE = {"nino_invalid": "nino", "nhs_bad_check": "nhs_number", "card_luhn_fail": "payment_card", "card_masked": "payment_card", "card_bad_prefix": "payment_card", "social_handle": "email",
                  "long_number": "payment_card", "us_phone": "uk_phone", "section_heading": "ip_address", "version_number": "ip_address",
                  "iban_bad_country": "iban", "iban_bad_check": "iban", "date_no_context": "date_of_birth", "dob_placeholder": "date_of_birth",
                  "sortcode_like_date": "uk_bank_account", "passport_no_context": "uk_passport", "decimal_number": "*", "base64_blob": "*",
                  "message_id": "email", "cid_reference": "email"}
MARK_DECOYS = {"au_protected", "caps_confidential_waste", "caps_restricted_parking", "caps_secret_santa", "title_official_opening", "caps_official_opening",
               "official_opening", "council_official", "restricted_parking", "confidential_waste", "secret_santa", "top_secret_recipe",
               "marking_talk", "disclaimer"}

def pct(a, b): return "–" if b == 0 else f"{100.0 * a / b:.1f}%"
def prf(tp, fp, fn): return pct(tp, tp + fp), pct(tp, tp + fn)
def table(head, rows): return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + ["| " + " | ".join(str(c) for c in r) + " |" for r in rows])

def main():
    if len(sys.argv) != 3: sys.exit(__doc__)
    setdir, export = sys.argv[1], sys.argv[2]
    ans = json.load(open(os.path.join(setdir, "answers.json")))
    roots = {ans["root"], os.path.realpath(ans["root"])}
    def rel(p):
        for r in roots:
            if p.startswith(r + "/"): return p[len(r) + 1:]
        return None
    key = {rel(p): e for p, e in ans["items"].items()}
    got, outside = {}, 0
    if not os.path.exists(export): print(f"**No export at {export}: every item counts as missing.**\n"); open(export, "w").close()
    for line in open(export, encoding="utf-8"):
        if not line.strip(): continue
        rec = json.loads(line); rp = rel(rec.get("path", ""))
        if rp is None: outside += 1
        else: got[rp] = rec
    missing = [p for p in key if p not in got]
    extra = [p for p in got if p not in key]
    out = [f"# Sweep quality report (independent synthetic set, seed {ans['seed']})", "",
           f"- items in the answer key: **{len(key)}**; export records under the set root: **{len(got)}** (+{outside} elsewhere)",
           f"- key items missing from the export: **{len(missing)}**; export items not in the key: **{len(extra)}**",
           f"- items with an error: **{sum(1 for r in got.values() if r.get('error'))}**",
           "- key composition: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(f"{e['format']}/{e['nesting']}" for e in key.values()).items())), ""]

    pii = {t: [0, 0, 0] for t in PII_TYPES}; fp_neg = Counter()
    by_fmt, by_nest = defaultdict(lambda: [0, 0, 0]), defaultdict(lambda: [0, 0, 0])
    mk = [0, 0, 0]; place = defaultdict(lambda: [0, 0]); mk_fmt = defaultdict(lambda: [0, 0]); mk_nest = defaultdict(lambda: [0, 0])
    mk_fp_items, confusion, mk_decoy = [], Counter(), defaultdict(lambda: [0, 0])
    sc = {c: [0, 0, 0] for c in CATS}; sc_decoy = defaultdict(lambda: [0, 0]); pii_decoy = defaultdict(lambda: [0, 0])
    hdr_only, msg_email_fn = 0, 0
    worst = []
    for p, e in key.items():
        if e["container"]: continue
        rec = got.get(p, {})
        fpii = {k: v for k, v in (rec.get("pii") or {}).items() if isinstance(v, int)}
        badness, diffs = 0, []
        for t in set(e["pii"]) | set(fpii):
            ex, fo = e["pii"].get(t, 0), fpii.get(t, 0)
            tp, fp, fn = min(ex, fo), max(0, fo - ex), max(0, ex - fo)
            if t not in pii: pii[t] = [0, 0, 0]
            for agg in (pii[t], by_fmt[e["format"]], by_nest[e["nesting"]]):
                agg[0] += tp; agg[1] += fp; agg[2] += fn
            if fp and not ex: fp_neg[t] += 1
            if fp or fn: badness += fp + fn; diffs.append(f"{t} {ex}→{fo}")
        if e["format"] == "eml":
            hdr_only += e["pii_header_only"].get("email", 0); msg_email_fn += max(0, e["pii"].get("email", 0) - fpii.get("email", 0))
        for d in set(e["decoys"]):
            t = PII_DECOY_TYPE.get(d)
            if t:
                pii_decoy[d][1] += 1
                if any(fpii.get(k, 0) > e["pii"].get(k, 0) for k in ([t] if t != "*" else fpii)): pii_decoy[d][0] += 1
        E, F = set(e["markings"]), set(rec.get("markings") or [])
        mk[0] += len(E & F); mk[1] += len(F - E); mk[2] += len(E - F)
        for pl in e["placements"]:
            place[pl["placement"]][1] += 1; place[pl["placement"]][0] += pl["marking"] in F
        if E:
            for agg in (mk_fmt[e["format"]], mk_nest[e["nesting"]]): agg[1] += 1; agg[0] += E <= F
        if F - E:
            if not E: mk_fp_items.append((p, sorted(F), [d for d in e["decoys"] if d in MARK_DECOYS]))
            else: confusion.update(f"{'/'.join(sorted(E - F)) or '(all found)'} → extra {x}" for x in F - E)
        for d in set(e["decoys"]) & MARK_DECOYS:
            mk_decoy[d][1] += 1; mk_decoy[d][0] += bool(F - E)
        if E != F: badness += 3 * len(E ^ F); diffs.append(f"markings {sorted(E) or '[]'}→{sorted(F) or '[]'}")
        ES, FS = set(e["special_category"]), set(rec.get("special_category") or [])
        for c in ES | FS:
            if c not in sc: sc[c] = [0, 0, 0]
            sc[c][0] += c in ES and c in FS; sc[c][1] += c in FS and c not in ES; sc[c][2] += c in ES and c not in FS
        for d in e["decoys"]:
            if d.startswith("special_neg:"):
                c = d.split(":")[1]; sc_decoy[c][1] += 1; sc_decoy[c][0] += c in FS and c not in ES
        if ES != FS:
            badness += 2 * len(ES ^ FS); diffs.append("special " + " ".join([f"-{c}" for c in sorted(ES - FS)] + [f"+{c}" for c in sorted(FS - ES)]))
        if p not in got: badness += 1; diffs.insert(0, "NOT IN EXPORT")
        if badness: worst.append((badness, p, e, diffs))

    out += ["## Personal data (count-based: per item and type, TP=min(expected,found))", ""]
    rows = []
    for t, (tp, fp, fn) in pii.items():
        pr, rc = prf(tp, fp, fn); rows.append([t, tp + fn, tp + fp, tp, fp, fn, pr, rc, fp_neg.get(t, 0)])
    T = [sum(v[i] for v in pii.values()) for i in range(3)]
    rows.append(["**all**", T[0] + T[2], T[0] + T[1], T[0], T[1], T[2], *prf(*T), sum(fp_neg.values())])
    out += [table(["type", "expected", "found", "TP", "FP", "FN", "precision", "recall", "items with FP where none expected"], rows), ""]
    out += [f"Messages: {hdr_only} expected email addresses appear only in From/To/Cc headers; email FN on messages: {msg_email_fn}.", ""]
    out += ["### Personal data by container format and by nesting", "",
            table(["format", "TP", "FP", "FN", "precision", "recall"], [[k, *v, *prf(*v)] for k, v in sorted(by_fmt.items())]), "",
            table(["nesting", "TP", "FP", "FN", "precision", "recall"], [[k, *v, *prf(*v)] for k, v in sorted(by_nest.items())]), "",
            "### Invalid look-alikes (decoys): items where the related type was over-reported", "",
            table(["decoy", "related type", "items over-reported", "items carrying it"], [[d, PII_DECOY_TYPE[d], a, b] for d, (a, b) in sorted(pii_decoy.items())]), ""]

    out += ["## Protective markings", "", f"Marking-level: TP {mk[0]}, FP {mk[1]}, FN {mk[2]} — precision {prf(*mk)[0]}, recall {prf(*mk)[1]}.", "",
            "### Recall per placement (a planted marking counts as found when its normalised value is reported for the item)", "",
            table(["placement", "found", "planted", "recall"], [[k, a, b, pct(a, b)] for k, (a, b) in sorted(place.items())]), "",
            "### Item recall (all planted markings found) by format and nesting", "",
            table(["format", "found", "marked items", "recall"], [[k, a, b, pct(a, b)] for k, (a, b) in sorted(mk_fmt.items())]), "",
            table(["nesting", "found", "marked items", "recall"], [[k, a, b, pct(a, b)] for k, (a, b) in sorted(mk_nest.items())]), "",
            f"### Markings reported on items where none was planted: {len(mk_fp_items)} items", "",
            table(["decoy carried", "items with a wrong marking", "items carrying it"], [[d, a, b] for d, (a, b) in sorted(mk_decoy.items())]), ""]
    for p, f, ds in mk_fp_items[:15]: out.append(f"- `{p}` reported {f}; decoys: {', '.join(ds) or 'none'}")
    if confusion: out += ["", "Wrong or extra markings on marked items:", ""] + [f"- {k}: {v}" for k, v in confusion.most_common(10)]

    out += ["", "## Special categories (item level)", "",
            table(["category", "expected", "TP", "FP", "FN", "precision", "recall", "keyword-only decoy items flagged"],
                  [[c, tp + fn, tp, fp, fn, *prf(tp, fp, fn), f"{sc_decoy[c][0]}/{sc_decoy[c][1]}" if c in sc_decoy else "–"] for c, (tp, fp, fn) in sc.items()]), ""]

    out += ["## Coverage", ""]
    ra = defaultdict(Counter)
    for p, e in key.items(): ra[f"{e['format']}/{e['nesting']}"][str(got[p].get("read_as")) if p in got else "MISSING"] += 1
    out += [table(["format/nesting", "read_as (count)"], [[k, ", ".join(f"{a}: {n}" for a, n in v.most_common())] for k, v in sorted(ra.items())]), ""]
    if missing:
        out += [f"Missing from the export ({len(missing)}), by format/nesting: " + ", ".join(f"{k}: {v}" for k, v in Counter(f"{key[p]['format']}/{key[p]['nesting']}" for p in missing).most_common()), ""]
        out += [f"- `{p}`" for p in missing[:10]] + [""]
    if extra: out += [f"Export items not in the key ({len(extra)}), e.g.: " + ", ".join(f"`{p}`" for p in extra[:5]), ""]
    errs = [(p, r["error"]) for p, r in got.items() if r.get("error")]
    if errs: out += [f"Items with an error ({len(errs)}):", ""] + [f"- `{p}`: {str(m)[:160]}" for p, m in errs[:25]] + [""]

    out += ["## Worst misses (expected→found; counts only)", ""]
    for b, p, e, diffs in sorted(worst, key=lambda w: (-w[0], w[1]))[:25]:
        out.append(f"- `{p}` ({e['format']}/{e['nesting']}, {e['doc_type']}): " + "; ".join(diffs))
    print("\n".join(out))
    # The figures themselves, for quality/check.py (QUALITY_JSON=FILE).
    if os.environ.get("QUALITY_JSON"):
        json.dump({"missing": len(missing), "extra": len(extra), "pii": pii, "placements": place, "markings": mk,
                   "special": sc}, open(os.environ["QUALITY_JSON"], "w"), indent=1)

if __name__ == "__main__":
    main()
