// What the generated headers under schedules/ record (where and when they
// were measured) and how they are written.
#pragma once

#include <string>

#include "coda_layer_schedule.h"

namespace coda::tools {

// A tuning as the headers write it, e.g. "{16, 4, 4, 32, 1, true, 1}".
std::string describe(const CpuTuning &t);
std::string describe(const GpuTuning &t);
std::string describe(const WinogradTuning &t);

std::string cpu_model();  // from /proc/cpuinfo
std::string now_utc();    // "2026-11-27 21:40 UTC"
// A path inside the source tree as the repository names it.
std::string source_relative(const std::string &path);

// Writes path through a temporary file and a rename: a failed run leaves
// the checked-in header as it was.
void write_atomically(const std::string &path, const std::string &text);

}  // namespace coda::tools
