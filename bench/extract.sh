#!/usr/bin/env bash
# `make bench`, fourth part: extraction throughput per format family. A first `sweep scan` of each family
# folder of a generated corpus (bench/make_corpus.py: text, HTML, docx, xlsx, PDF, eml, mbox, zip, legacy
# Office), timed with hyperfine, as MB/s and files/s; the PDF folder also beside pdftotext (poppler-utils)
# over the same files in the same hyperfine run. Writes bench-out/extract.md.
# Environment: EXTRACT_MB (MB per family, default 64), BENCH_RUNS (default 3), BENCH_DIR (default /tmp/sweep-bench).
set -euo pipefail
cd "$(dirname "$0")/.."

mb=${EXTRACT_MB:-64}
runs=${BENCH_RUNS:-3}
dir=${BENCH_DIR:-/tmp/sweep-bench}
sweep=$PWD/.build/release/sweep
[[ -x $sweep ]] || { echo "extract: $sweep is missing; run make release" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "extract: hyperfine is missing; run scripts/setup hyperfine" >&2; exit 2; }
command -v pdftotext >/dev/null || { echo "extract: pdftotext is missing; run scripts/setup poppler-utils" >&2; exit 2; }
out=$PWD/bench-out
mkdir -p "$out" "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmdline="EXTRACT_MB=$mb BENCH_RUNS=$runs BENCH_DIR=$dir bench/extract.sh"

python3 bench/make_corpus.py "$dir/corpus-$mb" "$mb"
corpus=$(realpath "$dir/corpus-$mb")
jobs=$(nproc)   # sweep's default --jobs on a local disk: one per core
families="text html docx xlsx pdf eml mbox zip legacy"

for fam in $families; do
  root=$corpus/$fam
  idx=$dir/extract-$mb-$fam.db
  q_root=$(printf %q "$root"); q_idx=$(printf %q "$idx")
  # Files and bytes on disk, and a warm page cache (the corpus may have been written long ago).
  find "$root" -type f -printf '%s\n' | awk '{n++; s+=$1} END {print n, s}' > "$tmp/$fam.size"
  find "$root" -type f -exec cat {} + > /dev/null
  rm_idx="rm -f $q_idx $q_idx-wal $q_idx-shm $q_idx.lock"
  scan="$sweep scan $q_root --index $q_idx --quiet"
  if [[ $fam == pdf ]]; then
    # pdftotext reads one PDF per run, so it gets one process per file, $jobs at a time (sweep's default
    # --jobs), text to stdout and on to /dev/null; no shell wrapper per file.
    pdft="find $q_root -type f -name '*.pdf' -print0 | xargs -0 -P$jobs -I{} pdftotext -q {} - > /dev/null"
    hyperfine -i --runs "$runs" --export-json "$tmp/$fam.json" --export-markdown "$tmp/$fam.hf.md" \
      --prepare true --prepare "$rm_idx" \
      -n "pdftotext, -P$jobs" "$pdft" \
      -n "sweep scan pdf/" "$scan"
  else
    hyperfine -i --runs "$runs" --export-json "$tmp/$fam.json" \
      --prepare "$rm_idx" -n "sweep scan $fam/" "$scan"
  fi
  # What the last run read: items (files and everything inside them), errors, items with personal data.
  "$sweep" export --index "$idx" > "$tmp/$fam.jsonl"
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
{
  echo "## Extraction throughput"
  echo
  echo "A first \`sweep scan\` (release build, default \`--jobs\`, i.e. $jobs on this machine) of each format family's"
  echo "folder of a generated corpus (bench/make_corpus.py, about $mb MB per family, files spread over eight"
  echo "department subfolders), into an index deleted before every run: walk, libmagic typing, fingerprints,"
  echo "text extraction, detection, retention and index writes. MB are MiB on disk (for mail and archives the"
  echo "containers, not what they expand to); items count the files and everything read inside them."
  echo "Timed with hyperfine ($runs runs, no warmup: the page cache is warmed by reading every file first;"
  echo "mean ± standard deviation). Each run includes Sweep's fixed start-up (rules compiled, index created),"
  echo "about 0.3 s for an empty folder on this machine. CPU is user + system time (hyperfine's, which counts"
  echo "child processes), a steadier figure than wall time when the machine is shared."
  echo
  echo "- Produced by: \`$cmdline\`"
  echo "- Date: $(date -u)"
  echo "- Machine: $(nproc) cores, $cpu, Linux $(uname -r)"
  echo "- Sweep commit: $(git describe --always --dirty --abbrev=12)"
  echo "- $(hyperfine --version); $(pdftotext -v 2>&1 | head -1); poppler-glib $(pkg-config --modversion poppler-glib 2>/dev/null || echo '?')"
  echo
  python3 - "$tmp" "$jobs" "$runs" $families <<'PY'
import json, sys
tmp, jobs, runs, fams = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
rows, pdf = [], None
for fam in fams:
    results = json.load(open(f"{tmp}/{fam}.json"))["results"]
    for r in results:
        bad = [c for c in r.get("exit_codes", []) if c not in (0, 1)]
        if bad:
            sys.exit(f"extract: {r['command']} exited {bad} (0 is success, 1 a finished scan with unreadable items)")
    sw = results[-1]
    files, size = (int(x) for x in open(f"{tmp}/{fam}.size").read().split())
    items = errors = pii = 0
    for line in open(f"{tmp}/{fam}.jsonl"):
        rec = json.loads(line)
        items += 1
        errors += bool(rec.get("error"))
        pii += bool(rec.get("pii"))
    mb = size / 2**20
    rows.append((fam, files, mb, sw, items, errors, pii))
    if fam == "pdf":
        pdf = (results[0], sw, files, mb)
cpu = lambda r: r["user"] + r["system"]
print("| Family | Files | MB | Items | Errors | Items with personal data | Mean ± sd (s) | MB/s | Files/s | CPU (s) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for fam, files, mb, r, items, errors, pii in rows:
    print(f"| {fam} | {files:,} | {mb:.1f} | {items:,} | {errors:,} | {pii:,} | {r['mean']:.2f} ± {r['stddev']:.2f} | "
          f"{mb / r['mean']:.1f} | {files / r['mean']:.1f} | {cpu(r):.1f} |")
total_mb = sum(r[2] for r in rows)
total_s = sum(r[3]["mean"] for r in rows)
print(f"\nAll families: {sum(r[1] for r in rows):,} files, {total_mb:.0f} MB in {total_s:.1f} s, {total_mb / total_s:.1f} MB/s.")
errs = [f"{fam} {errors}" for fam, _, _, _, _, errors, _ in rows if errors]
if errs:
    print(f"\nErrors are items Sweep recorded as unreadable ({', '.join(errs)}); in legacy/ two of the five fixtures "
          "copied are password-protected, which Sweep reports as `encrypted: …` without reading them.")
pt, sw, files, mb = pdf
ratio = sw["mean"] / pt["mean"]
print("\n### PDF beside pdftotext\n")
print(f"The same {files:,} PDFs ({mb:.1f} MB, 20-50 pages each, FlateDecode content streams), in one hyperfine run. "
      f"pdftotext reads one PDF per process, so it runs as `find pdf/ -name '*.pdf' -print0 | xargs -0 -P{jobs} "
      f"-I{{}} pdftotext -q {{}} - > /dev/null`: one process per file, {jobs} at once (Sweep's default `--jobs` on "
      "this machine), the text written to /dev/null. Sweep's time is its whole first scan of the folder (the same "
      "poppler library through poppler-glib, plus walk, typing, fingerprints, detection and index writes), so "
      "the ratio is Sweep's total cost against bare text extraction; pdftotext's includes a process start per file. "
      "hyperfine runs all of one command's runs before the other's, so on a shared machine the two may meet "
      "different loads: the CPU-time ratio is given beside the wall-time one.\n")
print("| Command | Mean ± sd (s) | MB/s | Files/s | × pdftotext | CPU (s) | CPU × pdftotext |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, r in ((f"pdftotext, -P{jobs}", pt), ("sweep scan pdf/", sw)):
    print(f"| {name} | {r['mean']:.2f} ± {r['stddev']:.2f} | {mb / r['mean']:.1f} | {files / r['mean']:.1f} | "
          f"{r['mean'] / pt['mean']:.2f} | {cpu(r):.1f} | {cpu(r) / cpu(pt):.2f} |")
print(f"\nhyperfine's own table:\n\n{open(f'{tmp}/pdf.hf.md').read()}")
print(f"Goal: ≤ 1.2× pdftotext's time: " + ("**met**" if ratio <= 1.2 else "**not met**")
      + f" (sweep/pdftotext wall time = {ratio:.2f}; CPU time {cpu(sw) / cpu(pt):.2f}).")
PY
} > "$tmp/extract.md"
mv "$tmp/extract.md" "$out/extract.md"
echo "extract: wrote bench-out/extract.md"
