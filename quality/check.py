#!/usr/bin/env python3
"""Checks the figures score.py wrote (QUALITY_JSON) against the goals of issue 15; exits 1 if any is missed.

Usage: check.py METRICS.json [LABEL]
Goals: every item in the key exported; marking recall >= 0.98 for every placement and no marking where none was
planted; precision and recall >= 0.99 for nino, nhs_number, payment_card and iban, >= 0.98 for email, uk_postcode and
uk_phone, >= 0.95 for the context types (uk_bank_account, uk_passport, uk_driving_licence, date_of_birth, ip_address)
and for special categories taken together.
"""
import json, sys

def main():
    if len(sys.argv) < 2: sys.exit(__doc__)
    m = json.load(open(sys.argv[1]))
    label = sys.argv[2] if len(sys.argv) > 2 else "quality"
    passed, failed = 0, 0
    def check(ok, what):
        nonlocal passed, failed
        if ok: passed += 1
        else:
            failed += 1
            print(f"FAIL {label}: {what}")
    def ratio(a, b): return 1.0 if b == 0 else a / b
    check(m["missing"] == 0 and m["extra"] == 0, f"{m['missing']} key items missing from the export, {m['extra']} extra")
    goals = {"nino": .99, "nhs_number": .99, "payment_card": .99, "iban": .99, "email": .98, "uk_postcode": .98, "uk_phone": .98}
    for t, (tp, fp, fn) in m["pii"].items():
        g = goals.get(t, .95)
        check(ratio(tp, tp + fp) >= g, f"{t} precision {ratio(tp, tp + fp):.3f} < {g}")
        check(ratio(tp, tp + fn) >= g, f"{t} recall {ratio(tp, tp + fn):.3f} < {g}")
    for place, (found, planted) in m["placements"].items():
        check(ratio(found, planted) >= .98, f"marking placement {place}: recall {found}/{planted}")
    tp, fp, fn = m["markings"]
    check(fp == 0, f"{fp} markings reported where none was planted")
    s = [sum(v[i] for v in m["special"].values()) for i in range(3)]
    check(ratio(s[0], s[0] + s[1]) >= .95, f"special-category precision {ratio(s[0], s[0] + s[1]):.3f}")
    check(ratio(s[0], s[0] + s[2]) >= .95, f"special-category recall {ratio(s[0], s[0] + s[2]):.3f}")
    print(f"{label}: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)

main()
