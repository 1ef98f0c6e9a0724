#!/usr/bin/env bash
# A/B of two cairn-data builds on the arena's data: ingest and the arena's queries, run
# alternately on the two (A, B, A, B, ...) so that machine drift hits both alike.
# usage: docs/ab.sh BIN_A BIN_B [--hosts N] [--lines N] [--rounds N]
# Prints per-round figures, then the median of each and B/A. Nothing else should run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
arena_dir="$here/../../shared/arena"
a_bin="${1:?usage: ab.sh BIN_A BIN_B [--hosts N] [--lines N] [--rounds N]}"
b_bin="${2:?usage: ab.sh BIN_A BIN_B [--hosts N] [--lines N] [--rounds N]}"
shift 2
hosts=1000 lines=1000000 rounds=5
while (($#)); do case "$1" in
  --hosts) hosts=$2; shift 2;; --lines) lines=$2; shift 2;; --rounds) rounds=$2; shift 2;;
  *) echo "unknown option $1" >&2; exit 2;; esac; done

CARGO_TARGET_DIR="${ARENA_TARGET:-${TMPDIR:-/tmp}/arena-target}" \
  cargo build -q --release --manifest-path "$arena_dir/Cargo.toml"
arena="${ARENA_TARGET:-${TMPDIR:-/tmp}/arena-target}/release/arena"

work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
start() { # name bin port
  mkdir -p "$work/$1"
  env -u CAIRN_LOG "$2" --standalone --dir "$work/$1" --http-bind "127.0.0.1:$3" >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$3/ping" && return; sleep 0.1; done
  echo "$1 did not start:" >&2; tail "$work/$1.log" >&2; exit 1
}
start a "$a_bin" 28101
start b "$b_bin" 28102
url() { [[ $1 == a ]] && echo http://127.0.0.1:28101 || echo http://127.0.0.1:28102; }

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

n=0
while IFS= read -r q; do
  [[ -z "$q" || "$q" == \#* ]] && continue
  n=$((n + 1))
  ta=() tb=()
  for r in $(seq 1 "$rounds"); do
    for who in a b; do
      ms=$("$arena" query --url "$(url $who)" --db ab_1 --q "$q" --n 7 | sed -E 's/.*median_ms=([0-9.]+).*/\1/')
      if [[ $who == a ]]; then ta+=("$ms"); else tb+=("$ms"); fi
    done
  done
  ma=$(printf '%s\n' "${ta[@]}" | median)
  mb=$(printf '%s\n' "${tb[@]}" | median)
  echo "query $n: a ${ma} ms, b ${mb} ms, b/a=$(awk "BEGIN{printf \"%.3f\", $mb/$ma}"): ${q:0:80}"
done <"$arena_dir/queries.iql"
