#!/usr/bin/env bash
# Times the whole model of two builds against each other (e.g. the same code
# built with -DCODA_X86_TUNING=zen4 and =intel): each case of
# benchmarks/model_benchmark runs in turn from build A and build B (A first
# in odd rounds, B first in even ones), one process per run, and the rounds
# repeat, so a slow spell of a shared host falls on both sides rather than
# on one. Prints a markdown table of the fastest round of each side (ms/img)
# and B's speed-up over A.
#
#   scripts/compare_builds.sh BUILD_A BUILD_B [--batches "16 64"] [--rounds N]
#                             [--cases "inference train_step explain_one explain_all"]
#                             [--threads N]
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

(($# >= 2)) || usage 2 >&2
a=$1 b=$2
shift 2
batches="16 64"
rounds=3
cases="inference train_step explain_one explain_all"
threads=${HL_NUM_THREADS:-2}
while (($#)); do
  case "$1" in
    --batches) batches=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --cases) cases=$2; shift ;;
    --threads) threads=$2; shift ;;
    -h|--help) usage 0 ;;
    *) echo "compare_builds.sh: unknown option '$1'" >&2; usage 2 >&2 ;;
  esac
  shift
done
for build in "$a" "$b"; do
  if [ ! -x "$build/benchmarks/model_benchmark" ]; then
    echo "compare_builds.sh: no $build/benchmarks/model_benchmark (build it:" \
      "cmake --build $build --target model_benchmark)" >&2
    exit 1
  fi
done
export HL_NUM_THREADS=$threads

# ms_img BUILD CASE BATCH: one run's ms/img, read from Google Benchmark's JSON.
ms_img() {
  local json log
  json=$(mktemp)
  log=$(mktemp)
  if ! "$1/benchmarks/model_benchmark" --benchmark_filter="^cifar10/$2/batch:$3(/|\$)" \
    --benchmark_out_format=json --benchmark_out="$json" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "compare_builds.sh: $1/benchmarks/model_benchmark failed ($2, batch $3)" >&2
    exit 1
  fi
  rm -f "$log"
  python3 -c 'import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
if len(runs) != 1:
    sys.exit("expected one benchmark, got %d" % len(runs))
print(runs[0]["ms/img"])' "$json"
  rm -f "$json"
}

smaller() { python3 -c 'import sys; print(min(map(float, sys.argv[1:])))' "$@"; }

declare -A best_a best_b
for ((r = 1; r <= rounds; r++)); do
  for c in $cases; do
    for n in $batches; do
      # Which build runs first alternates: on a shared host the second of
      # two back-to-back runs read up to 15% slower, whichever it was.
      if ((r % 2)); then
        ta=$(ms_img "$a" "$c" "$n")
        tb=$(ms_img "$b" "$c" "$n")
      else
        tb=$(ms_img "$b" "$c" "$n")
        ta=$(ms_img "$a" "$c" "$n")
      fi
      echo "round $r/$rounds: $c batch $n: $a $ta, $b $tb ms/img" >&2
      best_a[$c/$n]=$(smaller "$ta" "${best_a[$c/$n]:-inf}")
      best_b[$c/$n]=$(smaller "$tb" "${best_b[$c/$n]:-inf}")
    done
  done
done

echo "| case | batch | $a ms/img | $b ms/img | speed-up of $b |"
echo "|---|---|---|---|---|"
for c in $cases; do
  for n in $batches; do
    python3 -c 'import sys
c, n, a, b = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
print("| %s | %s | %.2f | %.2f | %.2fx |" % (c, n, a, b, a / b))' \
      "$c" "$n" "${best_a[$c/$n]}" "${best_b[$c/$n]}"
  done
done
echo
echo "Fastest of $rounds interleaved rounds per side, $threads threads," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)."
