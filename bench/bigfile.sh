#!/usr/bin/env bash
# `make bench`, last part: memory on very large files. Writes one ~BIG_GB file of each kind that streams
# (an mbox, a plain-text file, a zip with one stored member, a gzip-compressed text file) and records the
# peak resident memory of `sweep scan` over each, with what the item's error says. Writes bench-out/bigfile.md.
# Environment: BIG_GB (default 3), BENCH_DIR (default /tmp/sweep-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
gb=${BIG_GB:-3}
dir=${BENCH_DIR:-/tmp/sweep-bench}/big-$gb
sweep=$PWD/.build/release/sweep
[[ -x $sweep ]] || { echo "bigfile: $sweep is missing; run make release" >&2; exit 2; }
mkdir -p "$dir" bench-out
python3 - "$dir" "$gb" <<'PY'
import os, sys, zipfile, gzip
d, gb = sys.argv[1], int(sys.argv[2])
size = gb << 30
block = b"".join(b"Line %06d of a very long council record, reference JK123456C, nothing else here.\n" % i for i in range(12000))
def fill(f, n):
    while n > 0:
        f.write(block[:n]); n -= len(block)
if not os.path.exists(f"{d}/mbox/big.mbox"):
    os.makedirs(f"{d}/mbox", exist_ok=True)
    msg = b"From MAILER-DAEMON Wed Jun  1 10:00:00 2016\nFrom: a@example.org\nSubject: part\nDate: Wed, 1 Jun 2016 10:00:00 +0000\n\n" + block[:200000] + b"\n"
    with open(f"{d}/mbox/big.mbox", "wb") as f:
        for _ in range(size // len(msg)): f.write(msg)
if not os.path.exists(f"{d}/text/big.txt"):
    os.makedirs(f"{d}/text", exist_ok=True)
    with open(f"{d}/text/big.txt", "wb") as f: fill(f, size)
if not os.path.exists(f"{d}/zip/big.zip"):
    os.makedirs(f"{d}/zip", exist_ok=True)
    with zipfile.ZipFile(f"{d}/zip/big.zip", "w", zipfile.ZIP_STORED, allowZip64=True) as z:
        with z.open("records/big.txt", "w", force_zip64=True) as f: fill(f, size)
if not os.path.exists(f"{d}/gz/big.txt.gz"):
    os.makedirs(f"{d}/gz", exist_ok=True)
    with gzip.open(f"{d}/gz/big.txt.gz", "wb", compresslevel=1) as f: fill(f, size)
PY
{
  echo "## Memory on very large files"
  echo
  echo "One file of each streaming kind, about $gb GiB, scanned alone into a new index (\`sweep scan DIR\`, release"
  echo "build); peak resident memory from \`/usr/bin/time -f %M\`. Produced by \`BIG_GB=$gb bench/bigfile.sh\` on $(date -u +%F),"
  echo "commit $(git rev-parse --short HEAD), $(nproc) cores."
  echo
  echo "| file | size | wall (s) | peak RSS (MB) | items | what the item says |"
  echo "|---|---:|---:|---:|---:|---|"
  for kind in mbox text zip gz; do
    idx=$dir/$kind.db
    rm -f "$idx" "$idx-wal" "$idx-shm" "$idx.lock"
    f=$(ls "$dir/$kind" | head -1)
    bytes=$(stat -c %s "$dir/$kind/$f")
    /usr/bin/time -f "%e %M" -o "$dir/$kind.time" "$sweep" scan "$dir/$kind" --index "$idx" --quiet >/dev/null || true
    read -r wall rss < <(tail -1 "$dir/$kind.time")
    items=$("$sweep" export --index "$idx" --format jsonl | wc -l)
    err=$("$sweep" export --index "$idx" --format jsonl | python3 -c 'import json,sys; e=[json.loads(l).get("error") for l in sys.stdin]; print("; ".join(sorted({x for x in e if x})) or "read in full")')
    printf '| %s | %s | %s | %.0f | %s | %s |\n' "$kind/$f" "$(numfmt --to=iec "$bytes")" "$wall" "$((rss / 1024))" "$items" "$err"
  done
} > bench-out/bigfile.md
echo "bigfile: wrote bench-out/bigfile.md"
