#include "coda/device.h"

#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "HalideRuntime.h"
#include "coda/coda_layer.h"

namespace coda {

namespace {

enum Level { sse41 = 0, avx2 = 1, avx512 = 2, native = 3 };

Level parse_level(const std::string &s) {
    if (s.empty() || s == "native")
        return native;
    if (s == "avx512")
        return avx512;
    if (s == "avx2")
        return avx2;
    if (s == "sse41")
        return sse41;
    throw Error("CODA_X86_VARIANT='" + s + "': expected avx512, avx2, sse41 or native");
}

const char *level_name(Level l) {
    static const char *names[] = {"sse41", "avx2", "avx512", "native"};
    return names[l];
}

Level allowed = native;
std::atomic<int> used{-1};

bool has(int count, const uint64_t *features, halide_target_feature_t f) {
    int word = f / 64;
    return word < count && ((features[word] >> (f % 64)) & 1);
}

Level level_of(int count, const uint64_t *features) {
    if (has(count, features, halide_target_feature_avx512))
        return avx512;
    if (has(count, features, halide_target_feature_avx2))
        return avx2;
    return sse41;
}

// Called by the multi-target wrapper for every variant but the baseline
// (sse41) on each call; it runs the best accepted one, or the baseline.
std::atomic<unsigned> accepted{0};

int limited_can_use(int count, const uint64_t *features) {
    Level l = level_of(count, features);
    bool ok = l <= allowed && halide_default_can_use_target_features(count, features);
    used = sse41;  // asked at least once: this is a multi-target library
    if (ok) {
        accepted |= 1u << l;
    } else {
        accepted &= ~(1u << l);
    }
    return ok;
}

Device device = Device::cpu;

void check_available(Device d) {
    if (d == Device::cpu) {
        return;
    }
#ifndef CODA_HAVE_GPU_LIBS
    throw Error("--device " + to_string(d) +
                ": this build has no GPU libraries (configure with "
                "-DCODA_GPU_LIBS=ON)");
#endif
    const char *lib = d == Device::cuda ? "libcuda.so.1" : "libOpenCL.so.1";
    void *h = dlopen(lib, RTLD_LAZY | RTLD_LOCAL);
    if (!h) {
        throw Error(
            "--device " + to_string(d) + ": no " +
            (d == Device::cuda ? std::string("NVIDIA CUDA driver") : std::string("OpenCL")) +
            " on this machine (" + lib + " not found)");
    }
    dlclose(h);
}

// Halide's CUDA runtime opens "libcuda.so", the development symlink, which
// machines with only the driver (e.g. GPU containers) lack; its soname
// libcuda.so.1 is always there.
void *load_library(const char *name) {
    void *h = halide_default_load_library(name);
    if (!h && std::string(name) == "libcuda.so") {
        h = halide_default_load_library("libcuda.so.1");
    }
    return h;
}

std::once_flag init_once;

void init_from_environment() {
    std::call_once(init_once, [] {
        const char *v = std::getenv("CODA_X86_VARIANT");
        allowed = parse_level(v ? v : "");
        halide_set_custom_can_use_target_features(limited_can_use);
        halide_set_custom_load_library(load_library);
        // GPU pipelines allocate their intermediate stages on every call;
        // keep freed device memory for the next call instead of a driver
        // allocation (and the device-wide sync of its free) each time.
        halide_reuse_device_allocations(nullptr, true);
        if (const char *d = std::getenv("CODA_DEVICE")) {
            device = parse_device(d);
            check_available(device);
        }
    });
}

}  // namespace

Device parse_device(const std::string &name) {
    if (name == "cpu")
        return Device::cpu;
    if (name == "cuda")
        return Device::cuda;
    if (name == "opencl")
        return Device::opencl;
    throw Error("unknown device '" + name + "' (expected cpu, cuda or opencl)");
}

std::string to_string(Device d) {
    return d == Device::cpu ? "cpu" : d == Device::cuda ? "cuda" : "opencl";
}

void set_device(Device d) {
    init_from_environment();
    check_available(d);
    device = d;
}

Device current_device() {
    init_from_environment();
    return device;
}

std::string x86_variant() {
    init_from_environment();
    return level_name(allowed);
}

std::string x86_variant_used() {
    if (used < 0) {
        return "";
    }
    unsigned mask = accepted;
    return level_name(mask & (1u << avx512) ? avx512 : mask & (1u << avx2) ? avx2 : sse41);
}

}  // namespace coda
