// What `coda train` and `coda demo` share: config overrides from the command
// line, and a training run that logs one line per epoch.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "coda/trainer.h"
#include "data_source.h"

namespace coda::app {

struct TrainOverrides {
    std::optional<int> epochs, batch_size;
    std::optional<double> lr, temperature;
    std::optional<uint64_t> seed;
    std::optional<std::string> loss;
};

void add_train_overrides(CLI::App *cmd, TrainOverrides &o);
RunConfig apply(const TrainOverrides &o, RunConfig config);
// The file's config, or the built-in default when path is empty.
RunConfig read_run_config(const std::string &path);

// Writes every line to both streams (stdout and train.log).
struct TeeLog : std::ostream {
    TeeLog(std::ostream *a, std::ostream *b);

private:
    struct Buf : std::streambuf {
        std::ostream *a, *b;
        int overflow(int c) override;
    } buf_;
};

// Trains to the configured number of epochs, then prints the final test accuracy.
std::vector<EpochRecord> run_training(TrainingState &state, const DataSplits &data,
                                      const std::string &checkpoint, const std::string &dataset,
                                      int64_t eval_limit, bool progress, std::ostream &log);

}  // namespace coda::app
