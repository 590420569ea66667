// Where the CoDA layer pipelines run: the CPU (x86 or ARM libraries), an
// NVIDIA GPU through CUDA, or any OpenCL device (used to test the GPU
// schedules on the CPU through PoCL).
#pragma once

#include <string>

namespace coda {

enum class Device { cpu, cuda, opencl };

Device parse_device(const std::string &name);  // "cpu" | "cuda" | "opencl"
std::string to_string(Device d);

// Selects the device of all later layer calls; throws Error if its driver is
// missing (e.g. --device cuda on a machine without an NVIDIA driver) or if
// this build has no libraries for it. The initial device is $CODA_DEVICE, or cpu.
void set_device(Device d);
Device current_device();

// The x86 variant the multi-target CPU libraries may use: "avx512", "avx2",
// "sse41", or "native" (the best this CPU supports). Set from $CODA_X86_VARIANT
// at start-up, so tests can run every variant the CPU supports.
std::string x86_variant();
// The variant the libraries actually dispatched to in the last CPU call.
std::string x86_variant_used();

}  // namespace coda
