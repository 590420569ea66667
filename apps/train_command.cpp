// coda train: trains a CoDA-Net from a config file (or resumes a checkpoint).
#include <filesystem>
#include <fstream>
#include <iostream>

#include "HalideRuntime.h"
#include "coda/trainer.h"
#include "commands.h"
#include "data_source.h"
#include "train_setup.h"

namespace coda::app {

namespace {

struct TrainCommand {
    DataOptions data;
    TrainOverrides overrides;
    std::string config, checkpoint, out_dir = "out/train";
    bool resume = false;
    int64_t eval_limit = 0;
};

void run(const TrainCommand &c, const GlobalOptions &g) {
    apply_globals(g);
    std::filesystem::create_directories(c.out_dir);
    std::string checkpoint = c.checkpoint.empty() ? c.out_dir + "/model.safetensors" : c.checkpoint;
    TrainingState state = c.resume ? load_training(checkpoint)
                                   : new_training(apply(c.overrides, read_run_config(c.config)));
    if (c.resume) {
        state.config = apply(c.overrides, state.config);  // e.g. more epochs
        std::cout << "resuming " << checkpoint << " after epoch " << state.epochs_done << "\n";
    }
    DataSplits d = load_data(c.data, true, state.config.train.seed);
    std::ofstream log(c.out_dir + "/train.log", std::ios::app);
    TeeLog tee{&std::cout, &log};
    run_training(state, d, checkpoint, c.data.name, c.eval_limit, !g.quiet, tee);
}

}  // namespace

void add_train_command(CLI::App &app, const GlobalOptions &global) {
    auto c = std::make_shared<TrainCommand>();
    CLI::App *cmd =
        app.add_subcommand("train", "train a CoDA-Net (writes a checkpoint each epoch)");
    cmd->add_option("--config", c->config,
                    "config file (default: configs/fashion_mnist.cfg, built in)")
        ->check(CLI::ExistingFile);
    add_data_options(cmd, c->data);
    add_train_overrides(cmd, c->overrides);
    cmd->add_option("--checkpoint", c->checkpoint,
                    "checkpoint path (default: OUT_DIR/model.safetensors)");
    cmd->add_flag("--resume", c->resume, "continue from --checkpoint exactly where it stopped");
    cmd->add_option("--out-dir", c->out_dir, "where train.log and the checkpoint go")
        ->capture_default_str();
    cmd->add_option("--eval-limit", c->eval_limit, "test images per evaluation (0: all)")
        ->check(CLI::NonNegativeNumber);
    cmd->callback([c, &global] { run(*c, global); });
}

}  // namespace coda::app
