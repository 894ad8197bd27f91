#!/usr/bin/env bash
# `make bench`, second part: time sweep's duplicate-only scan (first run and unchanged re-run) beside
# jdupes, rdfind, rmlint and fdupes on one generated tree with known duplicates, measure every tool's peak
# memory, check that sweep's duplicate sets equal jdupes' sets, and write bench-out/dupes.md.
# Environment: DUPES_SIZE (files, default 100000), DUPES_BIG (big files, default 12), BENCH_RUNS
# (default 3), BENCH_DIR (tree and index, default /tmp/sweep-bench; the tree is kept for the next run).
set -euo pipefail
cd "$(dirname "$0")/.."

n=${DUPES_SIZE:-100000}
big=${DUPES_BIG:-12}
runs=${BENCH_RUNS:-3}
dir=${BENCH_DIR:-/tmp/sweep-bench}
repo=$PWD
sweep=$repo/.build/release/sweep
[[ -x $sweep ]] || { echo "dupes: $sweep is missing; run make release" >&2; exit 2; }
for tool in jdupes rdfind rmlint fdupes hyperfine python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "dupes: $tool is missing; run scripts/setup hyperfine time python3 jdupes rdfind rmlint fdupes" >&2; exit 2; }
done
out=$PWD/bench-out
mkdir -p "$out" "$dir"
# Every tool runs from a scratch folder, so nothing (rdfind's results.txt, rmlint's rmlint.sh and
# rmlint.json) can land in the repository even if an option is wrong.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

DUPES_BIG=$big python3 bench/make_dupes_tree.py "$dir/dupes-$n" "$n"
root=$(realpath "$dir/dupes-$n")
facts=$root.facts.json
idx=$dir/dupes-$n.db
q_root=$(printf %q "$root")
q_idx=$(printf %q "$idx")

# rmlint replaces its output file with a new regular file, so it writes into $tmp: given /dev/null it
# would put a regular file where the device was.
# The commands. Each finds duplicate files only, recursively, without a progress display, and does
# nothing to them. Empty files are left out by all (jdupes, rdfind, rmlint by default; fdupes needs -n).
declare -a names cmds
names=(jdupes rdfind rmlint fdupes "sweep first run" "sweep unchanged re-run")
cmds=(
  "jdupes -r -q $q_root"
  "rdfind -dryrun true -makeresultsfile false $q_root"
  "rmlint -T df -o fdupes:$tmp/rmlint.out $q_root"
  "fdupes -r -q -n $q_root"
  "$sweep scan $q_root --index $q_idx --quiet --dupes-only"
  "$sweep scan $q_root --index $q_idx --quiet --dupes-only"
)
drop_index="rm -f $q_idx $q_idx-wal $q_idx-shm"
cd "$tmp"

# Warm the cache: read every file once, so all tools start from the same warm page cache.
find "$root" -type f -print0 | xargs -0 cat > /dev/null

# Peak resident memory (KB) of one run of each; this also checks each command runs at all (hyperfine -i
# would hide a failure). Sweep exits 1 when some items are unreadable, a finished scan.
for i in "${!cmds[@]}"; do
  ((i == 4)) && eval "$drop_index"
  rc=0
  eval "/usr/bin/time -f %M -o $tmp/rss-$i ${cmds[$i]}" > /dev/null 2> "$tmp/err-$i" || rc=$?
  if ((rc > (i >= 4 ? 1 : 0))); then
    echo "dupes: '${cmds[$i]}' exited $rc:" >&2
    tail -5 "$tmp/err-$i" >&2
    exit 2
  fi
done

# One hyperfine run for all six, in order, one --prepare each: sweep's first run starts from no index
# every time, and the re-run then finds the index the first run's last run left (nothing has changed).
args=()
for i in "${!cmds[@]}"; do
  args+=(--prepare "$( ((i == 4)) && echo "$drop_index" || echo true)" -n "${names[$i]}" "${cmds[$i]}")
done
hyperfine -i --warmup 1 --runs "$runs" --export-json "$tmp/hyperfine.json" "${args[@]}"

# Correctness: jdupes -H (hardlinks count as duplicates, as they are members of sweep's sets) against
# sweep's sets from the index the re-run left.
jdupes -r -q -H "$root" > "$tmp/jdupes.txt"
"$sweep" dupes --index "$idx" --format json > "$tmp/sweep.json"

# Sweep's floor: the peak resident memory of printing its help, which loads the Swift runtime, Foundation and the
# linked libraries and reads nothing.
/usr/bin/time -f %M -o "$tmp/rss-floor" "$sweep" --help > /dev/null

versions=$(
  echo "- jdupes: $(jdupes -v | head -1)"
  echo "- rdfind: $(rdfind -v | head -1)"
  echo "- rmlint: $(rmlint --version 2>&1 | head -1 | sed 's/\x1b\[[0-9;]*m//g')"
  echo "- fdupes: $(fdupes -v | head -1)"
  echo "- hyperfine: $(hyperfine --version | head -1)"
  echo "- sweep: commit $(git -C "$repo" describe --always --dirty --abbrev=12)"
)
rc=0
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
{
  echo "## Duplicate sweep beside jdupes, rdfind, rmlint and fdupes"
  echo
  echo "Wall time of \`sweep scan ROOT --dupes-only\` (walk and duplicate fingerprints only, release build)"
  echo "on one generated tree with known duplicates (bench/make_dupes_tree.py), beside the Debian duplicate"
  echo "finders, each listing duplicate files only and changing nothing. Sweep's first run starts from no"
  echo "index; the unchanged re-run uses the index the first run left. Timed with hyperfine in one run"
  echo "(1 warmup, $runs runs each; mean ± standard deviation). Cache warm: every file was read once before,"
  echo "and nothing is dropped between runs. Peak memory is the maximum resident set size of one run of"
  echo "each, from \`/usr/bin/time -f %M\`."
  echo
  echo "- Produced by: \`DUPES_SIZE=$n DUPES_BIG=$big BENCH_RUNS=$runs BENCH_DIR=$dir bench/dupes.sh\`"
  echo "- Date: $(date -u)"
  echo "- Machine: $(nproc) cores, $cpu, Linux $(uname -r)"
  echo
  echo "Commands (ROOT is the tree, IDX the index):"
  echo
  for i in "${!cmds[@]}"; do
    c=${cmds[$i]//"$q_idx"/IDX}
    c=${c//"$q_root"/ROOT}
    echo "- ${names[$i]}: \`${c//"$sweep"/sweep}\`"
  done
  echo "  (the first run after \`rm -f IDX IDX-wal IDX-shm\`, the re-run with the index as left)"
  echo
  echo "Versions:"
  echo
  echo "$versions"
  echo
  python3 - "$tmp" "$facts" "$root" <<'EOF'
import json, sys
tmp, facts_path, root = sys.argv[1:]
facts = json.load(open(facts_path))
results = json.load(open(f"{tmp}/hyperfine.json"))["results"]
rss = [int(open(f"{tmp}/rss-{i}").read().split()[-1]) / 1024 for i in range(len(results))]
peers, sweeps = results[:4], results[4:]
fastest = min(r["mean"] for r in peers)
fastest_name = min(peers, key=lambda r: r["mean"])["command"]

print("### Tree\n")
print(f"- {facts['files']:,} files, {facts['bytes']:,} bytes ({facts['bytes'] / 1e9:.2f} GB); "
      f"{facts['originals']:,} small originals of 1 KB–200 KB and {facts['big_files']} big files of 10–200 MB")
print(f"- {facts['copies']:,} byte-identical copies ({facts['copies'] / facts['files']:.0%} of the files; "
      f"whole copied folders and single copies, {facts['big_copies']} of them of big files), "
      f"{facts['hardlinks']} hardlinks, {facts['decoys']:,} same-size decoys (half of them one byte off), "
      f"{facts['empty_files']} empty files")
print(f"- Expected: {facts['sets']:,} duplicate sets holding {facts['files_in_sets']:,} paths (hardlinks included)\n")

print(f"### {facts['files']:,} files\n")
print("| Tool | Mean ± sd (s) | × fastest peer | Peak RSS (MB) |")
print("|---|---:|---:|---:|")
for r, mb in zip(results, rss):
    print(f"| {r['command']} | {r['mean']:.3f} ± {r['stddev'] or 0:.3f} | {r['mean'] / fastest:.2f} | {mb:.1f} |")

met = lambda ok: "**met**" if ok else "**not met**"
peer_rss = min(rss[:4])
print("\n### Goals\n")
for r in sweeps:
    ratio = r["mean"] / fastest
    print(f"- {r['command'].capitalize()} wall time ≤ 0.25× the fastest peer ({fastest_name}, {fastest:.3f} s): "
          f"{met(ratio <= 0.25)} ({ratio:.2f}×).")
for r, mb in zip(sweeps, rss[4:]):
    print(f"- {r['command'].capitalize()} peak memory ≤ every peer's (lowest {peer_rss:.1f} MB): "
          f"{met(mb <= peer_rss)} ({mb:.1f} MB).")
floor = int(open(f"{tmp}/rss-floor").read().split()[-1]) / 1024
print(f"- For scale: `sweep --help`, which reads nothing, peaks at {floor:.1f} MB (the code of the Swift runtime, "
      f"Foundation and the linked libraries, resident once loaded); the runs above use "
      f"{rss[4] - floor:.1f} MB (first run) and {rss[5] - floor:.1f} MB (re-run) beyond that.")

# Sets: jdupes prints sets as paths one a line, sets separated by a blank line.
def jdupes_sets(path):
    sets, cur = set(), []
    for line in open(path, encoding="utf-8", errors="surrogateescape").read().split("\n") + [""]:
        if line:
            cur.append(line)
        elif cur:
            sets.add(frozenset(cur))
            cur = []
    return sets

jd = jdupes_sets(f"{tmp}/jdupes.txt")
doc = json.load(open(f"{tmp}/sweep.json"))
sw = {frozenset(m["path"] for m in g["members"]) for g in doc["groups"]}
exp = {frozenset(s) for s in facts["expected_sets"]}
count = lambda sets: f"{len(sets):,} sets, {sum(map(len, sets)):,} paths"

def diff(a, b, a_name, b_name):
    lines = []
    for s in sorted(a - b, key=sorted)[:3]:
        lines.append(f"  - only {a_name}: {sorted(p.replace(root, 'ROOT', 1) for p in s)}")
    for s in sorted(b - a, key=sorted)[:3]:
        lines.append(f"  - only {b_name}: {sorted(p.replace(root, 'ROOT', 1) for p in s)}")
    return "\n".join(lines)

print("\n### Same sets as jdupes\n")
print("Sweep's sets (`sweep dupes --index IDX --format json`, every member, hardlinks included) against "
      "`jdupes -r -q -H ROOT` (-H: hardlinked files count as duplicates, as sweep lists them in their set); "
      "empty files are in no set for either. Each set is compared as a set of paths.\n")
print(f"- Sweep: {count(sw)} (its own count: {doc['sets']:,} sets); jdupes: {count(jd)}; "
      f"generated tree: {count(exp)}")
print(f"- Sweep's sets equal jdupes' sets: {'**equal**' if sw == jd else '**not equal**'}"
      + ("" if sw == jd else f" ({len(sw - jd)} sets only sweep's, {len(jd - sw)} only jdupes')\n" + diff(sw, jd, "sweep", "jdupes")))
print(f"- Sweep's sets equal the generated tree's: {'yes' if sw == exp else 'no'}"
      + ("" if sw == exp else "\n" + diff(sw, exp, "sweep", "tree")))
print(f"- jdupes' sets equal the generated tree's: {'yes' if jd == exp else 'no'}"
      + ("" if jd == exp else "\n" + diff(jd, exp, "jdupes", "tree")))
if sw != jd:
    sys.exit(3)
EOF
} > "$tmp/dupes.md" || rc=$?
mv "$tmp/dupes.md" "$out/dupes.md"
echo "dupes: wrote bench-out/dupes.md"
if ((rc == 3)); then
  echo "dupes: sweep's duplicate sets differ from jdupes' (see bench-out/dupes.md)" >&2
  exit 1
elif ((rc)); then
  echo "dupes: writing the report failed ($rc)" >&2
  exit 2
fi
