#!/usr/bin/env bash
# A/B of two cairn-data builds on the arena's data: ingest and the arena's queries, run
# alternately on the two (A, B, A, B, ...) so that machine drift hits both alike.
# usage: docs/ab.sh BIN_A BIN_B [--hosts N] [--lines N] [--rounds N] [--query-rounds N] [--own-data]
# (--rounds: ingests into each, default 5; --query-rounds: alternations per query, default 21:
# a sub-millisecond query varies by 10-15% between runs here, and 5 rounds did not settle it.)
#
# Queries run on the same files: once both have ingested, B's data directory is replaced by
# a copy of A's, so that the query figures compare the query code and not two layouts (which
# blocks a flush cut, and when, depends on timing; a count over all data varied by 20% with
# it). --own-data keeps each build's own files (for builds whose formats differ).
# Prints per-round figures, then the median of each and B/A. Nothing else should run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
arena_dir="$here/../../shared/arena"
usage="usage: ab.sh BIN_A BIN_B [--hosts N] [--lines N] [--rounds N] [--query-rounds N] [--own-data]"
a_bin="${1:?$usage}"
b_bin="${2:?$usage}"
shift 2
hosts=1000 lines=1000000 rounds=5 query_rounds=21 same_data=1
while (($#)); do case "$1" in
  --hosts) hosts=$2; shift 2;; --lines) lines=$2; shift 2;; --rounds) rounds=$2; shift 2;;
  --query-rounds) query_rounds=$2; shift 2;; --own-data) same_data=0; shift;;
  *) echo "unknown option $1" >&2; exit 2;; esac; done

CARGO_TARGET_DIR="${ARENA_TARGET:-${TMPDIR:-/tmp}/arena-target}" \
  cargo build -q --release --manifest-path "$arena_dir/Cargo.toml"
arena="${ARENA_TARGET:-${TMPDIR:-/tmp}/arena-target}/release/arena"

work=$(mktemp -d)
declare -A pid bin port=([a]=28101 [b]=28102)
bin[a]=$a_bin bin[b]=$b_bin
trap 'kill "${pid[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
url() { echo "http://127.0.0.1:${port[$1]}"; }
start() { # a|b
  mkdir -p "$work/$1"
  # Shards cold for 5 s are flushed, so both nodes answer from blocks only: otherwise which
  # of the last writes are still in the head depends on timing (reading the head costs more).
  env -u CAIRN_LOG CAIRN_DATA_CACHE_SNAPSHOT_WRITE_COLD_DURATION=5s "${bin[$1]}" --standalone \
    --dir "$work/$1" --http-bind "127.0.0.1:${port[$1]}" >>"$work/$1.log" 2>&1 &
  pid[$1]=$!
  for _ in $(seq 1 600); do curl -sf "$(url "$1")/ping" && return; sleep 0.1; done
  echo "$1 did not start:" >&2; tail "$work/$1.log" >&2; exit 1
}
stop() { kill -TERM "${pid[$1]}"; wait "${pid[$1]}" 2>/dev/null || true; }
# CPU time of a server so far, in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/${pid[$1]}/stat"; }
# Waits until both servers are idle (under 2% of a core for a second: flushes and
# compactions done), so that queries do not run against one server's background work.
settle() {
  local hz; hz=$(getconf CLK_TCK)
  for who in a b; do
    for _ in $(seq 1 300); do
      local t0; t0=$(ticks $who); sleep 1
      (( ($(ticks $who) - t0) * 50 <= hz )) && break
    done
  done
}
flushed() { # both heads empty (the 5 s cold flush, see start)
  for who in a b; do
    curl -sf "$(url $who)/metrics" | grep -q '^cairn_head_bytes 0$' || return 1
  done
}
wait_flushed() {
  for _ in $(seq 1 600); do flushed && return; sleep 0.5; done
  echo "the heads were not flushed within 300 s" >&2; exit 1
}
start a
start b

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A ing
for r in $(seq 1 "$rounds"); do
  for who in a b; do
    out=$("$arena" write --url "$(url $who)" --db "ab_$r" --hosts "$hosts" --lines "$lines" --seed "$r" --workers 4)
    v=$(sed -E 's/.*values_per_s=([0-9]+).*/\1/' <<<"$out")
    ing[$who]="${ing[$who]:-} $v"
    echo "round $r $who ingest values_per_s=$v"
  done
done
ia=$(tr ' ' '\n' <<<"${ing[a]}" | grep -v '^$' | median)
ib=$(tr ' ' '\n' <<<"${ing[b]}" | grep -v '^$' | median)
echo "ingest median values/s: a=$ia b=$ib b/a=$(awk "BEGIN{printf \"%.3f\", $ib/$ia}")"

wait_flushed
if ((same_data)); then
  settle
  stop a
  stop b
  rm -rf "$work/b"
  cp -a "$work/a" "$work/b"
  start a
  start b
  echo "b now serves a copy of a's files"
  wait_flushed
fi
settle
echo "both servers idle; queries (median of $query_rounds rounds of 7 runs each)"
n=0
while IFS= read -r q; do
  [[ -z "$q" || "$q" == \#* ]] && continue
  n=$((n + 1))
  ta=() tb=()
  for r in $(seq 1 "$query_rounds"); do
    for who in a b; do
      ms=$("$arena" query --url "$(url $who)" --db ab_1 --q "$q" --n 7 | sed -E 's/.*median_ms=([0-9.]+).*/\1/')
      if [[ $who == a ]]; then ta+=("$ms"); else tb+=("$ms"); fi
    done
  done
  ma=$(printf '%s\n' "${ta[@]}" | median)
  mb=$(printf '%s\n' "${tb[@]}" | median)
  echo "query $n: a ${ma} ms, b ${mb} ms, b/a=$(awk "BEGIN{printf \"%.3f\", $mb/$ma}"): ${q:0:80}"
done <"$arena_dir/queries.iql"
