// Training runs: exact resume from a checkpoint, checkpoint validation, and
// that a few epochs on an easy synthetic task actually learn it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "coda/checkpoint.h"
#include "coda/trainer.h"
#include "test_files.h"

namespace coda {
namespace {

using ::testing::HasSubstr;

// Two classes: a bright square on the left or on the right half of an 8x8 image.
Dataset squares(int n, uint64_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> noise(0, 0.2f);
    Dataset d;
    d.images = Tensor({n, 1, 8, 8});
    d.num_classes = 2;
    d.class_names = {"left", "right"};
    for (int i = 0; i < n; i++) {
        int label = i % 2;
        d.labels.push_back(label);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                bool on = y >= 2 && y < 6 && (label ? x >= 5 && x < 8 : x < 3);
                d.images[(i * 8 + y) * 8 + x] = on ? 0.9f : noise(rng);
            }
        }
    }
    return d;
}

RunConfig tiny_config(int epochs) {
    RunConfig c;
    c.model.image_channels = 1, c.model.image_height = 8, c.model.image_width = 8;
    c.model.temperature = 4;
    c.model.layers = {{4, 4, 3, 1, 1}, {2, 4, 3, 2, 1}};
    c.train.epochs = epochs;
    c.train.batch_size = 8, c.train.virtual_batch = 16;
    c.train.lr = 1e-2;
    c.train.crop_pad = 1, c.train.flip = false;
    c.train.seed = 7;
    return c;
}

TrainOptions quiet() {
    TrainOptions o;
    o.progress = false;
    return o;
}

TEST(Trainer, LearnsAnEasyTask) {
    Dataset train_set = squares(96, 1), test_set = squares(32, 2);
    TrainingState s = new_training(tiny_config(8));
    auto records = train(s, train_set, test_set, quiet());
    ASSERT_EQ(records.size(), 8u);
    EXPECT_GE(records.back().test_accuracy, 0.9);
    EXPECT_LT(records.back().train_loss, records.front().train_loss);
}

// Stopping after epoch 1 and resuming from the checkpoint gives bit-identical
// weights and optimizer state to an uninterrupted 3-epoch run.
TEST(Trainer, ResumeIsExact) {
    testing::TempDir dir;
    Dataset train_set = squares(64, 3), test_set = squares(16, 4);
    TrainingState straight = new_training(tiny_config(3));
    train(straight, train_set, test_set, quiet());

    TrainingState first = new_training(tiny_config(3));
    TrainOptions o = quiet();
    o.checkpoint = (dir / "run.safetensors");
    o.stop_after = 1;  // as if interrupted after epoch 1
    train(first, train_set, test_set, o);
    TrainingState resumed = load_training(o.checkpoint);
    EXPECT_EQ(resumed.epochs_done, 1);
    o.stop_after = 0;
    train(resumed, train_set, test_set, o);
    EXPECT_EQ(resumed.epochs_done, 3);

    for (size_t l = 0; l < straight.net.params().size(); l++) {
        EXPECT_EQ(straight.net.params()[l].M.values(), resumed.net.params()[l].M.values()) << l;
        EXPECT_EQ(straight.net.params()[l].C.values(), resumed.net.params()[l].C.values()) << l;
        EXPECT_EQ(straight.net.params()[l].b.values(), resumed.net.params()[l].b.values()) << l;
    }
    EXPECT_EQ(straight.adam.steps(), resumed.adam.steps());
    auto a = straight.adam.state(), b = resumed.adam.state();
    for (const auto &[name, t] : a) {
        EXPECT_EQ(t.values(), b.at(name).values()) << name;
    }
}

std::string load_error(const std::string &path) {
    try {
        load_training(path);
    } catch (const Error &e) {
        return e.what();
    }
    return "no error";
}

TEST(Trainer, RejectsBadCheckpoints) {
    testing::TempDir dir;
    TrainingState s = new_training(tiny_config(1));
    std::string good = (dir / "good.safetensors");
    save_training(good, s);

    // truncated
    std::string bytes = testing::read_file(good);
    std::string cut = (dir / "cut.safetensors");
    testing::write_file(cut, bytes.substr(0, bytes.size() / 2));
    EXPECT_THAT(load_error(cut), HasSubstr("cut.safetensors"));

    // not a checkpoint at all
    std::string text = (dir / "notes.txt");
    testing::write_file(text, "hello");
    EXPECT_THAT(load_error(text), HasSubstr("notes.txt"));

    // a safetensors file that is not ours
    std::string foreign = (dir / "foreign.safetensors");
    save_checkpoint(foreign, {{"w", Tensor({2})}}, {{"format", "pt"}});
    EXPECT_THAT(load_error(foreign), HasSubstr("not a CoDA-Halide checkpoint"));

    // weights that do not fit the embedded config (from another config)
    Checkpoint c = load_checkpoint(good);
    c.tensors["layers.0.M"] = Tensor({3, 3, 1, 1});
    std::string other = (dir / "other.safetensors");
    save_checkpoint(other, c.tensors, c.metadata);
    EXPECT_THAT(load_error(other),
                HasSubstr("tensor layers.0.M has shape (3, 3, 1, 1) but its config needs"));
}

TEST(Trainer, RejectsDataOfTheWrongShape) {
    TrainingState s = new_training(tiny_config(1));
    Dataset wrong = squares(8, 1);
    wrong.images = Tensor({8, 1, 9, 9});
    try {
        train(s, wrong, squares(8, 2), quiet());
        FAIL() << "no error";
    } catch (const Error &e) {
        EXPECT_THAT(e.what(), HasSubstr("training images have shape (8, 1, 9, 9)"));
    }
}

}  // namespace
}  // namespace coda
