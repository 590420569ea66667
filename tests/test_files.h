// Helpers for tests that work on files: a private temporary directory, whole
// file reads and writes, and a check for coda::Error with a message fragment.
#pragma once

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include <sys/wait.h>

#include <cstdlib>

#include "coda/coda_layer.h"

namespace coda::testing {

namespace fs = std::filesystem;

// A fresh directory under the system temp directory, removed with its contents.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = "coda_";
        if (info) {
            name += std::string(info->test_suite_name()) + "_" + info->name() + "_";
        }
        name += std::to_string(::getpid()) + "_" + std::to_string(counter++);
        for (char &c : name) {
            if (c == '/') {
                c = '_';  // parameterised test names
            }
        }
        path_ = fs::temp_directory_path() / name;
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;

    const fs::path &path() const {
        return path_;
    }
    std::string operator/(const std::string &name) const {
        return (path_ / name).string();
    }

private:
    fs::path path_;
};

inline void write_file(const fs::path &path, const std::string &bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << "writing " << path;
}

inline std::string read_file(const fs::path &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Names of the entries of dir, sorted (to check that no temporary file is left).
inline std::vector<std::string> list_dir(const fs::path &dir) {
    std::vector<std::string> names;
    for (const auto &e : fs::directory_iterator(dir)) {
        names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

// The `coda` binary run as a user would (the path comes from the test's
// CODA_APP definition), with stdout and stderr captured in dir.
struct CommandResult {
    int rc;
    std::string out, err;
};

inline CommandResult run_command(const std::string &binary, const std::string &args,
                                 const TempDir &dir) {
    std::string out = dir / "stdout", err = dir / "stderr";
    std::string cmd = binary + " --quiet " + args + " >" + out + " 2>" + err;
    int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), read_file(out),
            read_file(err)};
}

}  // namespace coda::testing

// statement must throw coda::Error with a one-line message containing fragment.
#define EXPECT_CODA_ERROR(statement, fragment)                                                     \
    do {                                                                                           \
        try {                                                                                      \
            statement;                                                                             \
            ADD_FAILURE() << "expected coda::Error from: " #statement;                             \
        } catch (const ::coda::Error &e_) {                                                        \
            const std::string msg_ = e_.what();                                                    \
            EXPECT_NE(msg_.find(fragment), std::string::npos)                                      \
                << "message \"" << msg_ << "\" lacks \"" << (fragment) << "\"";                    \
            EXPECT_EQ(msg_.find('\n'), std::string::npos) << "multi-line message: " << msg_;       \
        }                                                                                          \
    } while (0)
