// coda explain: contribution maps of test images (or a PNG file) as PNG.
#include <filesystem>
#include <iostream>

#include "HalideRuntime.h"
#include "coda/png_image.h"
#include "coda/trainer.h"
#include "commands.h"
#include "data_source.h"
#include "explain_output.h"

namespace coda::app {

namespace {

struct ExplainCommand {
    DataOptions data;
    std::string checkpoint, image, out_dir = "out/explain";
    std::vector<int64_t> indices;
    int cls = -1, scale = 8;
    bool all_classes = false, depth = false;
};

// A PNG file as a one-image data set of the model's input size.
Dataset single_image(const std::string &path, const TrainingState &s) {
    PngPixels p = read_png_pixels(path);
    const ModelConfig &m = s.net.config();
    if (p.channels != m.image_channels || p.height != m.image_height || p.width != m.image_width) {
        throw Error(path + ": image is " + std::to_string(p.channels) + "x" +
                    std::to_string(p.height) + "x" + std::to_string(p.width) +
                    " but the model expects " + std::to_string(m.image_channels) + "x" +
                    std::to_string(m.image_height) + "x" + std::to_string(m.image_width));
    }
    Dataset d;
    d.images = Tensor({1, p.channels, p.height, p.width});
    for (int c = 0; c < p.channels; c++) {
        for (int i = 0; i < p.height * p.width; i++) {
            d.images[c * p.height * p.width + i] = p.values[size_t(i) * p.channels + c] / 255.0f;
        }
    }
    d.labels = {0};
    d.num_classes = m.num_classes();
    d.class_names = s.class_names;
    return d;
}

void run(const ExplainCommand &c, const GlobalOptions &g) {
    apply_globals(g);
    TrainingState s = load_training(c.checkpoint);
    Dataset data = c.image.empty() ? load_data(c.data, false).test : single_image(c.image, s);
    if (data.class_names.empty()) {
        data.class_names = s.class_names;
    }
    std::vector<int64_t> indices = c.image.empty() ? c.indices : std::vector<int64_t>{0};
    if (indices.empty()) {
        indices = {0};
    }
    for (int64_t i : indices) {
        if (i < 0 || i >= data.size()) {
            throw Error("--index " + std::to_string(i) + " outside the " +
                        std::to_string(data.size()) + " test images");
        }
    }
    if (c.cls >= s.net.config().num_classes()) {
        throw Error("--class " + std::to_string(c.cls) + " outside 0.." +
                    std::to_string(s.net.config().num_classes() - 1));
    }
    std::filesystem::create_directories(c.out_dir);
    if (c.all_classes) {
        for (int64_t i : indices) {
            double seconds = 0;
            std::string path = explain_all_classes(s.net, data, i, c.out_dir, c.scale, &seconds);
            std::printf("%s (all %d classes in %.1f ms)\n", path.c_str(),
                        s.net.config().num_classes(), 1e3 * seconds);
        }
        return;
    }
    auto explained = explain_images(s.net, data, indices, std::vector<int>(indices.size(), c.cls),
                                    c.out_dir, c.scale, c.depth);
    for (const ExplainedImage &x : explained) {
        std::printf("%s  label=%s predicted=%s explained=%s\n", x.panel_path.c_str(),
                    class_name(data, x.label).c_str(), class_name(data, x.predicted).c_str(),
                    class_name(data, x.explained_class).c_str());
    }
}

}  // namespace

void add_explain_command(CLI::App &app, const GlobalOptions &global) {
    auto c = std::make_shared<ExplainCommand>();
    CLI::App *cmd = app.add_subcommand("explain", "write contribution maps of images as PNG");
    cmd->add_option("--checkpoint", c->checkpoint, "checkpoint file")->required();
    add_data_options(cmd, c->data);
    cmd->add_option("--index", c->indices, "test image index (repeatable; default 0)");
    cmd->add_option("--image", c->image, "explain this PNG file instead of test images")
        ->excludes("--index");
    cmd->add_option("--class", c->cls, "class to explain (default: the predicted one)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--all-classes", c->all_classes, "one row per class")->excludes("--class");
    cmd->add_flag("--depth", c->depth,
                  "also the maps of every layer's input (interpretable depth)");
    cmd->add_option("--scale", c->scale, "enlargement of the pictures")->check(CLI::Range(1, 64));
    cmd->add_option("--out-dir", c->out_dir, "output folder")->capture_default_str();
    cmd->callback([c, &global] { run(*c, global); });
}

}  // namespace coda::app
