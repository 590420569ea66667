#!/usr/bin/env bash
# On a machine with an NVIDIA GPU and no build tools (e.g. the lent device
# machine): runs what scripts/gpu_bundle.sh packed here. Steps (any subset):
#   test   the layer, net, model and trainer tests on the GPU (CODA_DEVICE=cuda)
#   bench  the per-layer benchmark through the CUDA libraries (host copies included)
#   tune   tools/autotune --family cuda (Halide JIT on the GPU), writes tuning.h
#   evaluate  autotune --evaluate of the tunings in CODA_EVALUATE
# Usage: benchmarks/gpu_check.sh [bundle.tar.xz] [steps...]   (default: test bench)
# Logs and the tuning headers go to $OUT, else ./gpu-check-out. Environment:
# CODA_GPU_TESTS, CODA_TUNE_PASSES (which ones), CODA_TUNE_REPS, CODA_TUNE_TIMEOUT (s).
set -uo pipefail
cd "$(dirname "$0")/.."
bundle=${1:-.gpu/bundle.tar.xz}
shift || true
steps=${*:-test bench}
out=${OUT:-$PWD/gpu-check-out}
mkdir -p "$out"
libcuda=$(ldconfig -p | awk '/libcuda\.so\.1 /{print $NF; exit}')
if [ -z "$libcuda" ]; then
    echo "gpu_check: no NVIDIA driver (libcuda.so.1) on this machine" >&2
    exit 1
fi
dir=$(mktemp -d)
python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$bundle" "$dir"
# Halide's JIT runtime opens libcuda.so (the AOT runtime falls back itself).
ln -sf "$libcuda" "$dir/lib/libcuda.so"
export LD_LIBRARY_PATH="$dir/lib" CODA_GOLDEN_DIR="$dir/golden"
export CODA_MODEL_CONFIG="$PWD/configs/cifar10_9l_s.cfg"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader
status=0
for step in $steps; do
    case $step in
    test)
        for t in ${CODA_GPU_TESTS:-golden_layer_test gradient_test property_test \
            gpu_agreement_test golden_net_test model_test trainer_test}; do
            CODA_DEVICE=cuda timeout 120 "$dir/bin/$t" --gtest_brief=1 >"$out/$t.log" 2>&1
            rc=$?
            echo "$t: exit $rc, $(grep -E '^\[  (PASSED|FAILED) ' "$out/$t.log" | head -1)"
            [ $rc -eq 0 ] || { status=1; grep -E 'Failure|error|FAILED' "$out/$t.log" | head -5; }
        done
        ;;
    bench)
        CODA_DEVICE=cuda timeout 240 "$dir/bin/layer_benchmark" --benchmark_min_time=0.05 \
            --benchmark_counters_tabular=true 2>&1 | tee "$out/layer_benchmark_cuda.txt" |
            grep -E '^(forward|backward|contribution)' | awk '{print $1, $2, $NF}'
        ;;
    tune)
        # One process per pass, so that a pass that fails keeps the others.
        for pass in ${CODA_TUNE_PASSES:-forward contribution backward}; do
            timeout "${CODA_TUNE_TIMEOUT:-240}" "$dir/bin/autotune" --family cuda --passes "$pass" \
                --batches 64 --reps "${CODA_TUNE_REPS:-5}" --config configs/cifar10_9l_s.cfg --out "$out/tuning_$pass.h" 2>&1 |
                tee "$out/autotune_$pass.log" | grep -v -E '^\s+\[' || status=1
        done
        ;;
    evaluate)
        # CODA_EVALUATE="pass=x,y,c,p;x,y,c,p pass=...": time given tunings only.
        for item in ${CODA_EVALUATE:-}; do
            timeout "${CODA_TUNE_TIMEOUT:-240}" "$dir/bin/autotune" --family cuda \
                --passes "${item%%=*}" --evaluate "${item#*=}" --batches 64 \
                --reps "${CODA_TUNE_REPS:-5}" --config configs/cifar10_9l_s.cfg 2>&1 |
                tee -a "$out/evaluate.log" || status=1
        done
        ;;
    *)
        echo "gpu_check: unknown step '$step' (expected test, bench, tune or evaluate)" >&2
        exit 2
        ;;
    esac
done
exit $status
