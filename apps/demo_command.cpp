// coda demo: trains the default CoDA-Net on Fashion-MNIST for a few minutes,
// prints its test accuracy and writes contribution maps of a dozen test
// images (one per class, plus misclassified ones) as one sheet and singles.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "HalideRuntime.h"
#include "coda/trainer.h"
#include "commands.h"
#include "data_source.h"
#include "explain_output.h"
#include "train_setup.h"

namespace coda::app {

namespace {

struct DemoCommand {
    DataOptions data;
    TrainOverrides overrides;
    std::string out_dir = "out/demo";
    int wrong = 2;
};

// The first test image of every class, then the first `wrong` misclassified.
std::vector<int64_t> pick_images(const Dataset &test, const std::vector<int> &predicted,
                                 int wrong) {
    std::vector<int64_t> picked;
    for (int c = 0; c < test.num_classes; c++) {
        for (int64_t i = 0; i < test.size(); i++) {
            if (test.labels[i] == c) {
                picked.push_back(i);
                break;
            }
        }
    }
    for (int64_t i = 0; i < test.size() && wrong > 0; i++) {
        if (predicted[i] != test.labels[i] &&
            std::find(picked.begin(), picked.end(), i) == picked.end()) {
            picked.push_back(i);
            wrong--;
        }
    }
    return picked;
}

void run(const DemoCommand &c, const GlobalOptions &g) {
    apply_globals(g);
    std::filesystem::create_directories(c.out_dir);
    // One epoch of the default recipe: about 3 minutes on 2 cores.
    TrainOverrides o = c.overrides;
    if (!o.epochs) {
        o.epochs = 1;
    }
    RunConfig config = apply(o, read_run_config(""));
    DataSplits d = load_data(c.data, true, config.train.seed);
    TrainingState state = new_training(config);
    std::ofstream log(c.out_dir + "/train.log");
    TeeLog tee{&std::cout, &log};
    run_training(state, d, c.out_dir + "/model.safetensors", c.data.name, 0, !g.quiet, tee);

    Evaluation e = evaluate(state.net, d.test, config.train.loss, 256, 0, false);
    std::vector<int64_t> picked = pick_images(d.test, e.predictions, c.wrong);
    std::string maps = c.out_dir + "/maps";
    std::filesystem::create_directories(maps);
    auto explained = explain_images(state.net, d.test, picked, std::vector<int>(picked.size(), -1),
                                    maps, 8, true);
    std::string sheet = c.out_dir + "/contributions.png";
    write_sheet(explained, sheet);
    std::ofstream index(c.out_dir + "/contributions.txt");
    index << "# sheet order (left to right, top to bottom): [input | map | overlay] per image\n";
    for (const ExplainedImage &x : explained) {
        index << "test_image=" << x.index << " label=" << class_name(d.test, x.label)
              << " predicted=" << class_name(d.test, x.predicted)
              << (x.label == x.predicted ? " correct" : " WRONG") << " map=" << x.panel_path
              << "\n";
    }
    double seconds = 0;
    std::string all = explain_all_classes(state.net, d.test, picked[0], c.out_dir, 8, &seconds);
    tee << "contribution maps: " << sheet << " (index " << c.out_dir << "/contributions.txt), "
        << explained.size() << " single maps and layer-depth rows in " << maps << "\n"
        << "all 10 classes of test image " << picked[0] << ": " << all << " (" << 1e3 * seconds
        << " ms)\n";
}

}  // namespace

void add_demo_command(CLI::App &app, const GlobalOptions &global) {
    auto c = std::make_shared<DemoCommand>();
    CLI::App *cmd =
        app.add_subcommand("demo", "train the default net on Fashion-MNIST and explain it");
    add_data_options(cmd, c->data);
    add_train_overrides(cmd, c->overrides);
    cmd->add_option("--out-dir", c->out_dir, "output folder")->capture_default_str();
    cmd->callback([c, &global] { run(*c, global); });
}

}  // namespace coda::app
