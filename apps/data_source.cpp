#include "data_source.h"

#include "coda/coda_layer.h"

namespace coda::app {

void add_data_options(CLI::App *cmd, DataOptions &o) {
    cmd->add_option("--data", o.name, "data set: fashion-mnist, cifar10 or folder")
        ->check(CLI::IsMember({"fashion-mnist", "cifar10", "folder"}))
        ->capture_default_str();
    cmd->add_option("--data-dir", o.dir,
                    "data directory (fashion-mnist default: /usr/share/datasets/fashion-mnist; "
                    "folder: one sub-folder of PNGs per class)");
    cmd->add_option("--test-dir", o.test_dir,
                    "folder data: test images (default: 10% of --data-dir)");
}

DataSplits load_data(const DataOptions &o, bool with_train, uint64_t seed) {
    DataSplits d;
    if (o.name == "fashion-mnist") {
        std::string dir = o.dir.empty() ? "/usr/share/datasets/fashion-mnist" : o.dir;
        d.test = load_fashion_mnist(dir, Split::test);
        if (with_train) {
            d.train = load_fashion_mnist(dir, Split::train);
        }
    } else if (o.name == "cifar10") {
        if (o.dir.empty()) {
            throw Error("--data cifar10 needs --data-dir (the cifar-10-batches-bin folder)");
        }
        d.test = load_cifar10(o.dir, Split::test);
        if (with_train) {
            d.train = load_cifar10(o.dir, Split::train);
        }
    } else {
        if (o.dir.empty()) {
            throw Error("--data folder needs --data-dir");
        }
        d.train = load_image_folder(o.dir);
        d.test = o.test_dir.empty() ? split_off(d.train, 0.1, seed) : load_image_folder(o.test_dir);
    }
    return d;
}

}  // namespace coda::app
