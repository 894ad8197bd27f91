#!/usr/bin/env bash
# `make bench`, shared-index part: a PostgreSQL index against the embedded SQLite one.
#   - items per second of a first full scan of four trees: one scanner into SQLite; 1, 2 and 4 scanners at once
#     into PostgreSQL (each scanner its share of the trees);
#   - an unchanged re-scan of the four trees into PostgreSQL over a network link, with and without 5 ms added latency
#     (a network namespace stands in for the database host: veth + `tc netem`; needs root).
# PostgreSQL runs from Debian's packages with its durability settings on (scripts/pg-test-server, PG_TEST_FSYNC=on).
# Writes bench-out/postgres.md. Environment: PG_BENCH_FILES (files per tree, default 5000), BENCH_DIR (default
# /tmp/sweep-bench).
set -euo pipefail
cd "$(dirname "$0")/.."

n=${PG_BENCH_FILES:-5000}
dir=${BENCH_DIR:-/tmp/sweep-bench}
repo=$PWD
sweep=$repo/.build/release/sweep
[[ -x $sweep ]] || { echo "postgres: $sweep is missing; run make release" >&2; exit 2; }
out=$repo/bench-out
mkdir -p "$out" "$dir"
tmp=$(mktemp -d)
chmod 755 "$tmp"   # the server runs as nobody when this runs as root, under this folder
server=$tmp/pg
ns=sweepdb$$
cleanup() {
  scripts/pg-test-server stop "$server" >/dev/null 2>&1 || true
  ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  ip link del "veth-s$$" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

trees=()
for t in 1 2 3 4; do
  python3 bench/make_mixed_tree.py "$dir/pg-tree$t-$n" "$n" >/dev/null
  trees+=("$(realpath "$dir/pg-tree$t-$n")")
done
export SWEEP_KEY_FILE=$tmp/index.key SWEEP_STATE_DIR=$tmp

# The database host: its own network namespace, reached over a veth pair.
ip netns add "$ns"
ip link add "veth-s$$" type veth peer name "veth-d$$"
ip link set "veth-d$$" netns "$ns"
ip addr add 10.77.0.1/24 dev "veth-s$$"
ip link set "veth-s$$" up
ip netns exec "$ns" ip addr add 10.77.0.2/24 dev "veth-d$$"
ip netns exec "$ns" ip link set "veth-d$$" up
ip netns exec "$ns" ip link set lo up
read -r _ port < <(PG_TEST_FSYNC=on ip netns exec "$ns" scripts/pg-test-server start "$server" 10.77.0.2)
psql_() { psql -h "$server" -p "$port" -U sweep -d postgres -qtAX -c "$1"; }
uri() { echo "postgres://sweep@10.77.0.2:$port/$1?sslmode=disable"; }

now() { date +%s.%N; }
items_in() { "$sweep" status --index "$1" | sed -n 's/^Index .*: \([0-9]*\) items.*/\1/p'; }

# One scanner into SQLite over all four trees.
rm -f "$tmp/one.db"*
t0=$(now); "$sweep" scan "${trees[@]}" --index "$tmp/one.db" --quiet >/dev/null || true; t1=$(now)
items=$(items_in "$tmp/one.db")
sqlite_rate=$(python3 -c "print(round($items/($t1-$t0)))")
sqlite_s=$(python3 -c "print(round($t1-$t0, 1))")

# 1, 2 and 4 scanners at once into PostgreSQL, the trees shared out between them.
declare -A pg_rate pg_s
for k in 1 2 4; do
  db=bench_$k
  psql_ "DROP DATABASE IF EXISTS $db" >/dev/null; psql_ "CREATE DATABASE $db" >/dev/null
  "$sweep" status --index "$(uri $db)" >/dev/null 2>&1 || true
  pids=()
  t0=$(now)
  for ((s = 0; s < k; s++)); do
    mine=()
    for ((i = s; i < 4; i += k)); do mine+=("${trees[$i]}"); done
    "$sweep" scan "${mine[@]}" --index "$(uri $db)" --quiet >/dev/null &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  t1=$(now)
  got=$(items_in "$(uri $db)")
  pg_rate[$k]=$(python3 -c "print(round($got/($t1-$t0)))")
  pg_s[$k]=$(python3 -c "print(round($t1-$t0, 1))")
done

# An unchanged re-scan of the four trees, no added latency, then 5 ms added to the round trip: with `tc netem` on the
# scanner's side of the link where the kernel has it; else through bench/delay_proxy.py (2.5 ms each way), measured
# against the same relay with no delay, so both runs pay the relay's own cost.
rescan() { local t0 t1; t0=$(now); "$sweep" scan "${trees[@]}" --index "$1" --quiet >/dev/null || true; t1=$(now); python3 -c "print(round($t1-$t0, 2))"; }
if tc qdisc add dev "veth-s$$" root netem delay 5ms 2>/dev/null; then
  tc qdisc del dev "veth-s$$" root
  how="tc netem on the veth link"
  rescan "$(uri bench_1)" >/dev/null
  near=$(rescan "$(uri bench_1)")
  tc qdisc add dev "veth-s$$" root netem delay 5ms
  far=$(rescan "$(uri bench_1)")
  tc qdisc del dev "veth-s$$" root
else
  how="bench/delay_proxy.py (this kernel has no sch_netem), against the same relay with no delay"
  relay() {
    python3 bench/delay_proxy.py "$1" 10.77.0.2 "$port" "$2" > "$tmp/relay-$1" 2>&1 &
    for _ in $(seq 50); do grep -q ready "$tmp/relay-$1" 2>/dev/null && break; sleep 0.1; done
  }
  relay 25432 0; relay 25433 2.5
  via() { echo "postgres://sweep@127.0.0.1:$1/bench_1?sslmode=disable"; }
  rescan "$(via 25432)" >/dev/null
  near=$(rescan "$(via 25432)")
  far=$(rescan "$(via 25433)")
  kill %- %-- 2>/dev/null || true
  pkill -f "bench/delay_proxy.py" 2>/dev/null || true
fi
ratio=$(python3 -c "print(round($far/$near, 1))")
bytes_per_item=$(python3 -c "print(round($(psql_ "SELECT pg_database_size('bench_1') - pg_database_size('template1')")/$items))")

cores=$(nproc)
{
  echo "### Shared PostgreSQL index ($(date -u +%Y-%m-%d), $cores cores, \`BENCH_DIR=$dir PG_BENCH_FILES=$n bench/postgres.sh\`)"
  echo
  echo "Four mixed trees of $n files each (bench/make_mixed_tree.py), $items items in all with those read inside files."
  echo "PostgreSQL $(psql_ 'SHOW server_version') in a network namespace, over a veth pair, fsync on."
  echo
  echo "| first full scan | scanners | seconds | items/s | vs one into SQLite |"
  echo "|---|---|---|---|---|"
  echo "| SQLite file | 1 | $sqlite_s | $sqlite_rate | 1.0× |"
  for k in 1 2 4; do
    echo "| PostgreSQL | $k | ${pg_s[$k]} | ${pg_rate[$k]} | $(python3 -c "print(round(${pg_rate[$k]}/$sqlite_rate, 2))")× |"
  done
  echo
  echo "Unchanged re-scan of all four trees into PostgreSQL: ${near} s over the link as it is, ${far} s with 5 ms added"
  echo "to each round trip ($how): **${ratio}×**."
  echo
  echo "Database size after the first scan: $bytes_per_item bytes per item (pg_database_size less an empty database's, over $items items)."
} > "$out/postgres.md"
cat "$out/postgres.md"
