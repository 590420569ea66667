// coda eval: accuracy and loss of a checkpoint on a test set.
#include <iostream>

#include "HalideRuntime.h"
#include "coda/trainer.h"
#include "commands.h"
#include "data_source.h"

namespace coda::app {

namespace {
struct EvalCommand {
    DataOptions data;
    std::string checkpoint;
    int64_t limit = 0;
};
}  // namespace

void add_eval_command(CLI::App &app, const GlobalOptions &global) {
    auto c = std::make_shared<EvalCommand>();
    CLI::App *cmd = app.add_subcommand("eval", "test accuracy and loss of a checkpoint");
    cmd->add_option("--checkpoint", c->checkpoint, "checkpoint file")->required();
    add_data_options(cmd, c->data);
    cmd->add_option("--limit", c->limit, "first N test images only (0: all)")
        ->check(CLI::NonNegativeNumber);
    cmd->callback([c, &global] {
        apply_globals(global);
        TrainingState s = load_training(c->checkpoint);
        DataSplits d = load_data(c->data, false);
        Evaluation e = evaluate(s.net, d.test, s.config.train.loss, 256, c->limit, !global.quiet);
        std::printf("images=%lld loss=%.5f accuracy=%.4f\n", (long long)e.count, e.loss,
                    e.accuracy);
    });
}

}  // namespace coda::app
