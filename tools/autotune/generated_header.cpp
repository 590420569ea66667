#include "generated_header.h"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <stdexcept>

namespace coda::tools {

std::string cpu_model() {
    std::ifstream f("/proc/cpuinfo");
    for (std::string line; std::getline(f, line);) {
        if (line.rfind("model name", 0) == 0) {
            return line.substr(line.find(':') + 2);
        }
    }
    return "unknown CPU";
}

std::string describe(const CpuTuning &t) {
    char s[160];
    std::snprintf(s, sizeof s, "{%d, %d, %d, %d, %d, %s, %d}", t.vector, t.rows, t.block, t.lanes,
                  t.rank_unroll, t.parallel_rows ? "true" : "false", t.rows_per_vector);
    return s;
}

std::string describe(const WinogradTuning &t) {
    char s[80];
    std::snprintf(s, sizeof s, "{%d, %d, %d}", t.vector, t.tile_vectors, t.channels);
    return s;
}

std::string describe(const GpuTuning &t) {
    char s[80];
    std::snprintf(s, sizeof s, "{%d, %d, %d, %d}", t.threads_x, t.threads_y, t.channels,
                  t.param_threads);
    return s;
}

std::string now_utc() {
    std::time_t now = std::time(nullptr);
    char s[32];
    std::strftime(s, sizeof s, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
    return s;
}

std::string source_relative(const std::string &path) {
    const std::string root = CODA_SOURCE_DIR "/";
    return path.rfind(root, 0) == 0 ? path.substr(root.size()) : path;
}

void write_atomically(const std::string &path, const std::string &text) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp);
        f << text;
        if (!f) {
            throw std::runtime_error("cannot write " + tmp);
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        throw std::runtime_error("cannot replace " + path);
    }
}

}  // namespace coda::tools
