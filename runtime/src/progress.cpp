#include "coda/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace coda {

std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) {
        return "?";
    }
    long s = std::lround(seconds);
    char buf[32];
    if (s >= 3600) {
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    } else {
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    }
    return buf;
}

ProgressBar::ProgressBar(std::string label, int64_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), tty_(isatty(2)),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {
}

ProgressBar::~ProgressBar() {
    if (!finished_) {
        finish();
    }
}

void ProgressBar::update(int64_t done, const std::string &status) {
    done_ = done;
    status_ = status;
    auto now = std::chrono::steady_clock::now();
    double since = std::chrono::duration<double>(now - last_draw_).count();
    if (since >= (tty_ ? 0.1 : 10.0)) {
        last_draw_ = now;
        draw(false);
    }
}

void ProgressBar::finish(const std::string &status) {
    if (!status.empty()) {
        status_ = status;
    }
    done_ = total_;
    finished_ = true;
    draw(true);
}

void ProgressBar::draw(bool final) {
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    double rate = elapsed > 0 ? done_ / elapsed : 0;
    double eta = rate > 0 ? (total_ - done_) / rate : NAN;
    const int width = 24;
    int filled = total_ > 0 ? int(width * double(done_) / total_) : width;
    std::string bar(filled, '#');
    bar.resize(width, '.');
    char line[512];
    std::snprintf(line, sizeof line, "%s [%s] %lld/%lld %.1f %s/s %s %s %s", label_.c_str(),
                  bar.c_str(), (long long)done_, (long long)total_, rate, unit_.c_str(),
                  final ? "in" : "ETA", format_duration(final ? elapsed : eta).c_str(),
                  status_.c_str());
    if (tty_) {
        std::fprintf(stderr, "\r\033[K%s%s", line, final ? "\n" : "");
    } else {
        std::fprintf(stderr, "%s\n", line);
    }
    std::fflush(stderr);
}

}  // namespace coda
