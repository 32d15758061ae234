#!/usr/bin/env bash
# scripts/bench-ab.sh REF NAME[,NAME...] [ROUNDS]: compares one or more benchmarks between git
# revision REF (built in a temporary worktree) and the working tree, alternating their processes
# ROUNDS times (default 6), and prints each side's per-process medians with their min, median and
# max. On a shared machine one process's figure can sit 5 % off another's (V8's inlining
# decisions, the neighbours' load), so a change of a few per cent shows only this way.
#   scripts/bench-ab.sh HEAD l2-unicast 8
#   scripts/bench-ab.sh main~3 l2-flood-8,l3-filter-100
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 REF NAME[,NAME...] [ROUNDS]" >&2; exit 2; }
REF=$1 NAMES=$2 ROUNDS=${3:-6}
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "bench-ab: ROUNDS must be a positive whole number, not '$ROUNDS'" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
git -C "$ROOT" rev-parse --verify --quiet "$REF^{commit}" >/dev/null || { echo "bench-ab: no such revision: $REF" >&2; exit 2; }

WT=$(mktemp -d)
trap 'git -C "$ROOT" worktree remove --force "$WT" >/dev/null 2>&1 || rm -rf "$WT"' EXIT
git -C "$ROOT" worktree add --detach --quiet "$WT" "$REF"
ln -s "$ROOT/node_modules" "$WT/node_modules"

# Both bundles live in their tree's dist/ (where node_modules resolves).
build() { (cd "$1" && node --input-type=module -e "const m = await import('./scripts/bundle.mjs'); await m.bundle('bench/run.ts', m.root + 'dist/bench.mjs');"); }
build "$WT"
build "$ROOT"

median() { sort -n | awk '{a[NR] = $1} END {printf "min %.2f  median %.2f  max %.2f", a[1], a[int((NR + 1) / 2)], a[NR]}'; }
run() {
  local v
  v=$(node --expose-gc "$1/dist/bench.mjs" --child --only "$2" | sed -n 's/.*"mpps_median":\([0-9.]*\).*/\1/p')
  [ -n "$v" ] || { echo "bench-ab: $2 failed in $1" >&2; exit 1; }
  echo "$v"
}

IFS=, read -r -a LIST <<<"$NAMES"
for name in "${LIST[@]}"; do
  a=() b=()
  for ((i = 0; i < ROUNDS; i++)); do
    a+=("$(run "$WT" "$name")")
    b+=("$(run "$ROOT" "$name")")
  done
  printf '%-20s %-14s %s   [%s]\n' "$name" "$REF" "$(printf '%s\n' "${a[@]}" | median)" "${a[*]}"
  printf '%-20s %-14s %s   [%s]\n' "$name" "working tree" "$(printf '%s\n' "${b[@]}" | median)" "${b[*]}"
done
