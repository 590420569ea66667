// The sub-commands of the `coda` app; each registers its options on the app.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace coda::app {

extern const char *const kDefaultConfig;  // configs/fashion_mnist.cfg

struct GlobalOptions {
    int threads = 2;
    bool quiet = false;          // no progress bars
    std::string device = "cpu";  // cpu | cuda | opencl
};

// Applies the global options (threads, device) before a command runs; throws
// coda::Error if the device is not available.
void apply_globals(const GlobalOptions &global);

void add_train_command(CLI::App &app, const GlobalOptions &global);
void add_eval_command(CLI::App &app, const GlobalOptions &global);
void add_explain_command(CLI::App &app, const GlobalOptions &global);
void add_demo_command(CLI::App &app, const GlobalOptions &global);
void add_metrics_command(CLI::App &app, const GlobalOptions &global);

}  // namespace coda::app
