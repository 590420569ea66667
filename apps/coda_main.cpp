// coda: train, evaluate and explain CoDA-Nets.
#include <iostream>

#include "coda/coda_layer.h"
#include "commands.h"

int main(int argc, char **argv) {
    using namespace coda::app;
    CLI::App app{"coda: interpretable CoDA-Nets (Halide pipelines): train, eval, explain, demo"};
    GlobalOptions global;
    app.add_option("--threads", global.threads, "worker threads")->check(CLI::Range(1, 256))->capture_default_str();
    app.add_flag("--quiet", global.quiet, "no progress bars");
    app.require_subcommand(1);
    add_train_command(app, global);
    add_eval_command(app, global);
    add_explain_command(app, global);
    add_demo_command(app, global);
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
