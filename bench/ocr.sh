#!/usr/bin/env bash
# `make bench`, OCR part: scanned letters (fixtures/make-scans.py, copied OCR_COPIES times with a byte changed so
# no two are the same file) scanned into a fresh index: pages recognised per second, and whether each scan
# gave its typed letters' personal data and marking (recall against the controls); then an unchanged re-scan,
# which must recognise nothing (no reader process started). Writes bench-out/ocr.md.
# Environment: OCR_COPIES (default 4), BENCH_DIR (default /tmp/sweep-bench).
set -euo pipefail
cd "$(dirname "$0")/.."

copies=${OCR_COPIES:-4}
dir=${BENCH_DIR:-/tmp/sweep-bench}
repo=$PWD
sweep=$repo/.build/release/sweep
[[ -x $sweep ]] || { echo "ocr: $sweep is missing; run make release" >&2; exit 2; }
out=$PWD/bench-out
mkdir -p "$out" "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fixtures/make-scans.py "$tmp/made"
tree=$dir/ocr-scans
rm -rf "$tree" && mkdir -p "$tree"
cp -r "$tmp/made/typed" "$tree/typed"
for i in $(seq 1 "$copies"); do
  mkdir -p "$tree/scans-$i"
  for f in "$tmp"/made/scans/*; do
    cp "$f" "$tree/scans-$i/"
    printf '%s' "$i" >> "$tree/scans-$i/$(basename "$f")"   # a trailing byte: another file, the same pages
  done
done
pages=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); print(sum(len(v) for v in e["scans"].values()))' "$tmp/made/expected.json")
pages=$((pages * copies))
idx=$dir/ocr.db
rm -f "$idx" "$idx"-wal "$idx"-shm "$idx".key "$idx".log-heads
/usr/bin/time -f '%e %M' -o "$tmp/first.time" "$sweep" scan "$tree" --index "$idx" --quiet > /dev/null || [[ $? == 1 ]]
read -r first_s first_kb < "$tmp/first.time"
SWEEP_WORKER_LOG=$tmp/workers.log /usr/bin/time -f '%e' -o "$tmp/again.time" "$sweep" scan "$tree" --index "$idx" --quiet > /dev/null || [[ $? == 1 ]]
again_s=$(cat "$tmp/again.time")
readers=$( [[ -f $tmp/workers.log ]] && grep -c '^start ' "$tmp/workers.log" || echo 0)
"$sweep" export --index "$idx" > "$tmp/export.jsonl"

python3 - "$tmp/export.jsonl" "$tmp/made/expected.json" "$first_s" "$first_kb" "$again_s" "$readers" "$pages" "$copies" "$repo" > "$out/ocr.md" <<'EOF'
import json, os, platform, subprocess, sys, time
export, expected, first_s, first_kb, again_s, readers, pages, copies, repo = sys.argv[1:]
pages = int(pages)
items = [json.loads(l) for l in open(export)]
exp = json.load(open(expected))
typed = {os.path.basename(i["path"]): i for i in items if "/typed/" in i["path"]}
checks = found = 0
for i in items:
    name = os.path.basename(i["path"])
    if "/scans-" not in i["path"] or name not in exp["scans"]:
        continue
    letters = exp["scans"][name]
    for t in ("nino", "nhs_number", "email"):
        want = sum(((typed[f"letter-{l + 1}.txt"].get("pii") or {}).get(t, 0)) for l in letters)
        got = (i.get("pii") or {}).get(t, 0)
        checks += want
        found += min(got, want)
    checks += 1
    found += 1 if "OFFICIAL-SENSITIVE" in (i.get("markings") or []) else 0
commit = subprocess.run(["git", "-C", repo, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True).stdout.strip()
print("## OCR: scanned letters\n")
print(f"The letters of fixtures/make-scans.py (300 dpi PNG, 200 dpi JPEG, a skewed and a noisy sheet, a two-page TIFF, "
      f"an image-only PDF of two pages), {copies} copies each made distinct by a trailing byte: {pages} pages.\n")
print(f"- Produced by: `OCR_COPIES={copies} bench/ocr.sh` (part of `make bench`)")
print(f"- Date: {time.strftime('%a %b %d %H:%M:%S %Z %Y')}")
print(f"- Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Linux {platform.release()}")
print(f"- Sweep commit: {commit}\n")
print("| Measure | Value |")
print("|---|---:|")
print(f"| first scan, wall | {float(first_s):.1f} s |")
print(f"| pages recognised per second | {pages / float(first_s):.2f} |")
print(f"| peak RSS of the scan (the OCR runs in worker processes) | {int(first_kb) / 1024:.1f} MB |")
print(f"| values and markings found on scans, against their typed letters | {found} of {checks} ({100 * found / max(checks, 1):.1f}%) |")
print(f"| unchanged re-scan, wall | {float(again_s):.2f} s |")
print(f"| reader processes the unchanged re-scan started (nothing recognised again) | {readers} |")
EOF
cat "$out/ocr.md"
