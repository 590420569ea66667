#!/usr/bin/env bash
# Packs, from this machine's build, what benchmarks/gpu_check.sh runs on a
# machine with an NVIDIA GPU but no Halide or build tools: the GPU-capable
# tests, the benchmarks, the JIT autotuner with the shared libraries they load
# (Halide, LLVM and theirs; not libc) and the golden vectors.
# Usage: scripts/gpu_bundle.sh [output-dir]   (default .gpu; writes bundle.tar.xz)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.gpu}
tests=(golden_layer_test gradient_test property_test gpu_agreement_test golden_net_test model_test
    trainer_test)
benches=(layer_benchmark model_benchmark)
cmake --build build -j "$(nproc)" --target "${tests[@]}" "${benches[@]}" autotune
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib" "$stage/golden" "$out"
bins=()
for t in "${tests[@]}"; do bins+=("build/tests/$t"); done
for b in "${benches[@]}"; do bins+=("build/benchmarks/$b"); done
bins+=(build/tools/autotune)
for b in "${bins[@]}"; do
    strip -o "$stage/bin/$(basename "$b")" "$b"
done
# Every library the binaries load except the C library itself, which the
# other machine has (and must be at least as new as this one's).
ldd "${bins[@]}" | awk '/=> \//{print $3}' | sort -u |
    grep -v -E '/(libc|libm|libdl|libpthread|librt|ld-linux[^/]*)\.so' |
    while read -r lib; do cp -L "$lib" "$stage/lib/"; done
golden=${CODA_GOLDEN_DIR:-../shared/golden}
cp -r "$golden/." "$stage/golden/"
tar -C "$stage" -cf - . | xz -T0 -6 >"$out/bundle.tar.xz"
ls -la "$out/bundle.tar.xz"
