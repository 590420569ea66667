// coda: train, evaluate and explain CoDA-Nets.
#include <iostream>

#include "HalideRuntime.h"
#include "coda/coda_layer.h"
#include "coda/device.h"
#include "commands.h"

namespace coda::app {
void apply_globals(const GlobalOptions &global) {
    halide_set_num_threads(global.threads);
    set_device(parse_device(global.device));
}
}  // namespace coda::app

int main(int argc, char **argv) {
    using namespace coda::app;
    CLI::App app{
        "coda: interpretable CoDA-Nets (Halide pipelines): train, eval, explain, demo, metrics"};
    GlobalOptions global;
    app.add_option("--threads", global.threads, "worker threads")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    app.add_flag("--quiet", global.quiet, "no progress bars");
    app.add_option("--device", global.device, "where the layer pipelines run")
        ->check(CLI::IsMember({"cpu", "cuda", "opencl"}))
        ->capture_default_str();
    app.require_subcommand(1);
    add_train_command(app, global);
    add_eval_command(app, global);
    add_explain_command(app, global);
    add_demo_command(app, global);
    add_metrics_command(app, global);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : 2;  // 2: usage error
    } catch (const std::exception &e) {
        std::cerr << "coda: error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
