#!/usr/bin/env bash
# The benchmark suite in one command (issue 6): installs what is missing
# (scripts/setup_bench.sh), builds the benchmarks (Release, in ./build as
# scripts/test.sh does), measures the FMA peak, runs the whole-model cases of
# the CIFAR-10 9L-S net (each case in its own process, for its peak memory),
# checks the PyTorch peer against the C++ model on the same weights and
# inputs and times it the same way with the same thread count, runs the
# per-layer and per-schedule benchmarks, and writes out/bench/report.md
# (raw JSON next to it).
#
#   scripts/bench.sh [--quick] [--threads N] [--batches "1 16 64"] [--reps N]
#                    [--build-dir DIR] [--out DIR] [--no-setup] [--no-peer]
#                    [--no-layers] [--schedule-filter REGEX]
#
#   --quick       batches 1 and 64, one repetition, layers at batch 64 only,
#                 schedules of layer L4 at batch 64 only (a smoke test: about
#                 15 minutes on 2 cores)
#   --threads N   threads of both sides (default: HL_NUM_THREADS or 2)
#   --batches     model batches (default "1 16 64")
#   --reps N      repetitions of each case (default 3, median; the peer stops
#                 repeating a case after 60 s, 15 s with --quick, once it has
#                 one repetition). The layer and schedule benchmarks run their
#                 repetitions in random order across cases, so a slow spell of
#                 this shared host lands on one repetition of many cases rather
#                 than on every repetition of one; the naive schedule, 50-200x
#                 slower than the others, runs once
#   --no-setup    skip scripts/setup_bench.sh (no apt)
#   --no-peer     skip the PyTorch peer
#   --no-layers   skip the per-layer and per-schedule benchmarks
#   --schedule-filter REGEX   which schedule_benchmark cases run (default: all;
#                 the naive and autoscheduled pipelines are slow: one layer's
#                 three passes at batch 64 took 6 minutes on 2 cores, so
#                 the whole comparison takes about an hour)
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
threads=${HL_NUM_THREADS:-2}
batches="1 16 64"
reps=3
build=build
out=out/bench
setup=1
peer=1
layers=1
schedule_filter=
peer_python=${PEER_PYTHON:-/usr/bin/python3}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --threads) threads=$2; shift ;;
    --batches) batches=$2; shift ;;
    --reps) reps=$2; shift ;;
    --build-dir) build=$2; shift ;;
    --out) out=$2; shift ;;
    --no-setup) setup=0 ;;
    --no-peer) peer=0 ;;
    --no-layers) layers=0 ;;
    --schedule-filter) schedule_filter=$2; shift ;;
    -h|--help) usage 0 ;;
    *) echo "bench.sh: unknown option '$1'" >&2; usage 2 >&2 ;;
  esac
  shift
done

peer_seconds=60
layer_filter=.
if ((quick)); then
  batches="1 64"
  reps=1
  peer_seconds=15
  layer_filter='batch:64'
  schedule_filter=${schedule_filter:-'^(forward|backward|contribution)/L4/.*/batch:64'}
fi
schedule_filter=${schedule_filter:-.}

export HL_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
step() { printf '\n== %s\n' "$*"; }
# logged LOG CMD...: runs CMD with its output in LOG; on failure shows LOG's end and stops.
logged() {
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "bench.sh: failed: $* (log: $log)" >&2
    exit 1
  fi
}

if ((setup)); then
  step "setup"
  ./scripts/setup_bench.sh
fi

step "build ($build, Release)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" --target model_benchmark layer_benchmark
bin=$build/benchmarks
# The schedule comparison is optional: built where the project has it, and
# left out of the report (with a warning) if it does not build.
if ((layers)) && [[ "$(cmake --build "$build" --target help)" == *" schedule_benchmark"* ]]; then
  if ! cmake --build "$build" -j "$(nproc)" --target schedule_benchmark; then
    echo "bench.sh: WARNING: schedule_benchmark did not build; no schedule comparison" >&2
    rm -f "$bin/schedule_benchmark"
  fi
fi

rm -rf "$out/model" "$out/peer_inputs"
rm -f "$out"/{run,fma_peak,peer_check,layers,schedules,load_after}.json "$out/report.md"
mkdir -p "$out/model"
echo "{\"quick\": $quick, \"threads\": $threads, \"batches\": \"$batches\", \"reps\": $reps," \
  "\"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\", \"commit\": \"$(git rev-parse --short HEAD)\"," \
  "\"dirty\": $([ -z "$(git status --porcelain -uno)" ] && echo false || echo true)," \
  "\"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\"," \
  "\"load_before\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >"$out/run.json"

step "FMA peak ($threads threads)"
"$bin/model_benchmark" --print_fma_peak | tee "$out/fma_peak.json"

cases=(inference train_step explain_one explain_all)

if ((peer)); then
  step "PyTorch peer: same weights and inputs, checked against the C++ model"
  if ! "$peer_python" -c 'import torch, numpy' 2>/dev/null; then
    echo "bench.sh: $peer_python cannot import torch and numpy (run scripts/setup_bench.sh," \
      "or set PEER_PYTHON)" >&2
    exit 1
  fi
  "$bin/model_benchmark" --write_peer_inputs="$out/peer_inputs"
  if ! "$peer_python" benchmarks/torch_peer/coda_peer.py check "$out/peer_inputs" \
    --threads "$threads" --out "$out/peer_check.json"; then
    echo "bench.sh: the PyTorch peer does not compute the same model: no comparison." >&2
    exit 1
  fi
fi

step "whole model, CIFAR-10 9L-S (one process per case)"
for b in $batches; do
  for c in "${cases[@]}"; do
    echo "-- ours: $c, batch $b"
    logged "$out/model/ours_${c}_$b.log" "$bin/model_benchmark" \
      --benchmark_filter="^cifar10/$c/batch:$b(/|\$)" --benchmark_repetitions="$reps" \
      --benchmark_out_format=json --benchmark_out="$out/model/ours_${c}_$b.json"
    grep -E '^cifar10' "$out/model/ours_${c}_$b.log" || true
    if ((peer)); then
      echo "-- PyTorch peer: $c, batch $b"
      logged "$out/model/peer_${c}_$b.log" "$peer_python" benchmarks/torch_peer/coda_peer.py run \
        "$out/peer_inputs" --case "$c" --batch "$b" --threads "$threads" --reps "$reps" \
        --max-seconds "$peer_seconds" --out "$out/model/peer_${c}_$b.json"
      grep -E '"(median_s|ms_per_img|peak_rss_mb)"' "$out/model/peer_${c}_$b.log" || true
    fi
  done
done

if ((layers)); then
  step "per-layer benchmark"
  interleaved=(--benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true)
  logged "$out/layers.log" "$bin/layer_benchmark" --benchmark_filter="$layer_filter" \
    "${interleaved[@]}" --benchmark_out_format=json --benchmark_out="$out/layers.json"
  grep -E '^(FMA|forward|backward|contribution)' "$out/layers.log" || true
  if [ -x "$bin/schedule_benchmark" ]; then
    step "per-schedule benchmark (tuned, naive, Halide autoschedulers)"
    logged "$out/schedules.log" "$bin/schedule_benchmark" --benchmark_filter="$schedule_filter" \
      "${interleaved[@]}" --benchmark_out_format=json --benchmark_out="$out/schedules.json"
    grep -E '^(FMA|forward|backward|contribution)' "$out/schedules.log" || true
  else
    echo "(no $bin/schedule_benchmark: schedule comparison left out)"
  fi
fi

echo "\"$(cut -d' ' -f1-3 /proc/loadavg)\"" >"$out/load_after.json"
step "report"
# The x86 tuning this build uses (cmake/CodaX86Tuning.cmake): its machine is
# compared with this run's in the report's header.
tuning=$(sed -n 's/^CODA_X86_TUNING_HEADER:INTERNAL=//p' "$build/CMakeCache.txt")
python3 benchmarks/report.py --dir "$out" --config configs/cifar10_9l_s.cfg \
  ${tuning:+--tuning "$tuning"} --out "$out/report.md"
echo "wrote $out/report.md"
