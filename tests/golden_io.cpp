#include "golden_io.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace coda::golden {

fs::path directory() {
    if (const char *env = std::getenv("CODA_GOLDEN_DIR")) {
        return env;
    }
    fs::path shared = fs::path(CODA_SOURCE_DIR) / ".." / "shared" / "golden";
    if (fs::is_directory(shared)) {
        return shared;
    }
    return fs::path(CODA_SOURCE_DIR) / "tests" / "golden";
}

Meta read_meta(const fs::path &case_dir) {
    std::ifstream in(case_dir / "meta.txt");
    if (!in) {
        throw std::runtime_error("cannot read " + (case_dir / "meta.txt").string());
    }
    Meta m;
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq != std::string::npos) {
            m[line.substr(0, eq)] = line.substr(eq + 1);
        }
    }
    return m;
}

std::vector<fs::path> cases(const std::string &kind) {
    std::vector<fs::path> found;
    fs::path dir = directory();
    if (!fs::is_directory(dir)) {
        return found;
    }
    for (const auto &e : fs::directory_iterator(dir)) {
        if (fs::exists(e.path() / "meta.txt")) {
            Meta m = read_meta(e.path());
            if (m["kind"] == kind) {
                found.push_back(e.path());
            }
        }
    }
    std::sort(found.begin(), found.end());
    return found;
}

int meta_int(const Meta &m, const std::string &key) {
    auto it = m.find(key);
    if (it == m.end()) {
        throw std::runtime_error("meta.txt has no key " + key);
    }
    return std::stoi(it->second);
}

std::vector<int> meta_ints(const Meta &m, const std::string &key) {
    auto it = m.find(key);
    if (it == m.end()) {
        throw std::runtime_error("meta.txt has no key " + key);
    }
    std::vector<int> v;
    std::istringstream s(it->second);
    std::string item;
    while (std::getline(s, item, ',')) {
        v.push_back(std::stoi(item));
    }
    return v;
}

Tensor read_tensor(const fs::path &file) {
    std::ifstream f(file, std::ios::binary);
    if (!f) {
        throw std::runtime_error("cannot open " + file.string());
    }
    std::string header;
    std::getline(f, header);
    auto p = header.find("shape=");
    if (p == std::string::npos || header.find("dtype=f32") == std::string::npos) {
        throw std::runtime_error(file.string() + ": not a golden f32 tensor header");
    }
    std::istringstream ss(header.substr(p + 6, header.find(' ', p) - p - 6));
    Shape shape;
    std::string d;
    while (std::getline(ss, d, ',')) {
        shape.push_back(std::stoll(d));
    }
    Tensor t(shape);
    f.read(reinterpret_cast<char *>(t.data()), t.size() * sizeof(float));
    if (f.gcount() != static_cast<std::streamsize>(t.size() * sizeof(float))) {
        throw std::runtime_error(file.string() + ": truncated data");
    }
    return t;
}

::testing::AssertionResult close_to_golden(const std::string &name, const Tensor &actual,
                                           const Tensor &expected) {
    if (actual.size() != expected.size()) {
        return ::testing::AssertionFailure()
               << name << ": " << actual.size() << " values, golden has " << expected.size();
    }
    double max_g = 0;
    for (float g : expected.values()) {
        max_g = std::max(max_g, double(std::fabs(g)));
    }
    double atol = 1e-5 * max_g, worst = 0;
    int64_t bad = 0, worst_i = -1;
    for (int64_t i = 0; i < actual.size(); i++) {
        double err = std::fabs(double(actual[i]) - expected[i]);
        if (!(err <= atol + 1e-4 * std::fabs(expected[i]))) {
            bad++;
        }
        if (!(err <= worst)) {
            worst = err, worst_i = i;
        }
    }
    if (bad == 0) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << name << ": " << bad << " of " << actual.size()
           << " values out of tolerance; worst at " << worst_i << ": " << actual[worst_i]
           << " vs golden " << expected[worst_i] << " (max|a-g|/max|g| = " << worst / max_g << ")";
}

}  // namespace coda::golden
