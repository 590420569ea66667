// A progress bar for long work, on stderr: done/total, rate, ETA and a
// free-form status. Drawn in place when stderr is a terminal; otherwise one
// plain line every few seconds, so logs stay readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace coda {

class ProgressBar {
public:
    ProgressBar(std::string label, int64_t total, std::string unit = "it");
    ~ProgressBar();
    void update(int64_t done, const std::string &status = "");
    void finish(const std::string &status = "");

private:
    void draw(bool final);

    std::string label_, unit_, status_;
    int64_t total_, done_ = 0;
    bool tty_, finished_ = false;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

std::string format_duration(double seconds);  // "1:05:07", "3:07"

}  // namespace coda
