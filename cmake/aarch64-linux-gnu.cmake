# Cross build for 64-bit ARM Linux with Debian's aarch64 cross compiler; the
# tests run under qemu user-mode emulation. See scripts/test_arm.sh.
#
# Libraries are found in the cross compiler's /usr/aarch64-linux-gnu and in the
# private sysroot scripts/arm_sysroot.sh makes (arm64 zlib and libpng, static;
# header-only nlohmann-json and CLI11): ./build-sysroot-aarch64 next to this
# source tree, or $CODA_AARCH64_SYSROOT. Without it only the layer libraries
# can be built (-DCODA_LAYER_ONLY=ON).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
if (DEFINED ENV{CODA_AARCH64_SYSROOT})
    set(CODA_AARCH64_SYSROOT "$ENV{CODA_AARCH64_SYSROOT}")
else ()
    get_filename_component(CODA_AARCH64_SYSROOT "${CMAKE_CURRENT_LIST_DIR}/../build-sysroot-aarch64"
                           ABSOLUTE)
endif ()
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu "${CODA_AARCH64_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Halide's CMake helpers are host tools (they drive the host-built generator).
set(HalideHelpers_DIR /usr/lib/x86_64-linux-gnu/cmake/HalideHelpers14 CACHE PATH "")
# -L: the cross libraries' loader and C library. LD_LIBRARY_PATH keeps the
# loader from taking libraries out of the host's /etc/ld.so.cache: where
# libc6:arm64 is installed, it lists /usr/lib/aarch64-linux-gnu, whose libc
# (a different build) hangs the cross loader.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static -L /usr/aarch64-linux-gnu
                                  -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib)
