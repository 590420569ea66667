#!/usr/bin/env bash
# Makes the private aarch64 sysroot the cross build links the runtime against:
# Debian's arm64 zlib and libpng (static libraries and headers only) and the
# header-only nlohmann-json and CLI11 with their CMake configs, unpacked from
# their .deb files with `dpkg -x`. Nothing is installed into the system: an
# installed libc6:arm64 would give qemu a second C library and hang the tests.
# cmake/aarch64-linux-gnu.cmake searches this folder after /usr/aarch64-linux-gnu.
# The shared objects are left out, so the aarch64 programs link zlib and libpng
# statically and run under qemu with no extra library path.
#
# usage: scripts/arm_sysroot.sh [DIR]   (default: ./build-sysroot-aarch64,
#        or $CODA_AARCH64_SYSROOT). Safe to re-run: does nothing once made.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sysroot=${1:-${CODA_AARCH64_SYSROOT:-$root/build-sysroot-aarch64}}
packages=(zlib1g-dev:arm64 libpng-dev:arm64 nlohmann-json3-dev libcli11-dev)

stamp=$sysroot/.coda-sysroot
if [[ -f $stamp && $(cat "$stamp") == "${packages[*]}" ]]; then
    exit 0
fi

SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO=sudo
# apt-get download needs the arm64 package lists; adding the architecture
# installs nothing.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "arm sysroot: adding arm64 to dpkg's architectures (for the package lists only)"
    $SUDO dpkg --add-architecture arm64
    $SUDO apt-get update -qq
elif ! apt-cache show zlib1g-dev:arm64 > /dev/null 2>&1; then
    $SUDO apt-get update -qq
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/coda_sysroot.XXXXXX")
trap 'rm -rf "$work"' EXIT
# apt downloads as its sandbox user when it can.
[[ $(id -u) -eq 0 ]] && id _apt > /dev/null 2>&1 && chown _apt "$work"
echo "arm sysroot: downloading ${packages[*]}"
(cd "$work" && apt-get download -qq "${packages[@]}")

rm -rf "$sysroot"
mkdir -p "$sysroot"
for deb in "$work"/*.deb; do
    dpkg -x "$deb" "$sysroot"
done
# Static linking only: no shared objects (their runtime packages are not here).
find "$sysroot" -name '*.so' -delete
rm -rf "$sysroot/usr/share/doc" "$sysroot/usr/share/man" "$sysroot/usr/bin"
for f in usr/include/zlib.h usr/include/libpng16/png.h usr/lib/aarch64-linux-gnu/libz.a \
         usr/lib/aarch64-linux-gnu/libpng16.a usr/share/cmake/nlohmann_json/nlohmann_jsonConfig.cmake \
         usr/share/cmake/CLI11/CLI11Config.cmake; do
    if [[ ! -f $sysroot/$f ]]; then
        echo "arm sysroot: $f is missing after unpacking ${packages[*]}" >&2
        exit 1
    fi
done
echo "${packages[*]}" > "$stamp"
echo "arm sysroot: made $sysroot"
