// Choosing and loading a data set from command-line options.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "coda/data.h"

namespace coda::app {

struct DataOptions {
    std::string name = "fashion-mnist";  // fashion-mnist | cifar10 | folder
    std::string dir;                     // default for fashion-mnist: Debian's copy
    std::string test_dir;                // folder: a separate test folder (else 10% split off)
};

void add_data_options(CLI::App *cmd, DataOptions &o);

struct DataSplits {
    Dataset train, test;
};

// Loads the test split always and the training split if asked.
DataSplits load_data(const DataOptions &o, bool with_train, uint64_t seed = 1);

}  // namespace coda::app
