// The embedding API (coda/coda.h) on checkpoints of small random models:
// classify agrees with the model, explanations are complete (each map sums to
// its logit minus the logit bias), and bad input raises coda::Error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>

#include "coda/coda.h"
#include "coda/explain_images.h"
#include "coda/png_image.h"
#include "coda/trainer.h"
#include "test_files.h"

namespace coda {
namespace {

// RGB 8x8 with input padding and the [x, 1-x] encoding, so the maps have
// channels to add and padding to cut off; 3 classes.
RunConfig small_config(LossKind loss) {
    RunConfig c;
    c.model.image_channels = 3, c.model.image_height = 8, c.model.image_width = 8;
    c.model.input_pad = 1;
    c.model.add_inverse = true;
    c.model.temperature = 4;
    c.model.layers = {{6, 4, 3, 1, 1}, {3, 4, 3, 2, 1}};
    c.train.loss = loss;
    c.train.seed = 11;
    return c;
}

Tensor random_images(int n, uint64_t seed, int channels = 3) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0, 1);
    Tensor t({n, channels, 8, 8});
    for (float &v : t.values()) {
        v = u(rng);
    }
    return t;
}

double sum_of(const Tensor &t, int64_t row) {
    const int64_t n = t.size() / t.dim(0);
    double s = 0;
    for (int64_t j = 0; j < n; j++) {
        s += t[row * n + j];
    }
    return s;
}

double abs_sum_of(const Tensor &t, int64_t row) {
    const int64_t n = t.size() / t.dim(0);
    double s = 0;
    for (int64_t j = 0; j < n; j++) {
        s += std::fabs(t[row * n + j]);
    }
    return s;
}

class ClassifierTest : public ::testing::Test {
protected:
    void SetUp() override {
        state_ = std::make_unique<TrainingState>(new_training(small_config(LossKind::bce)));
        state_->class_names = {"red", "green", "blue"};
        save_training(path_, *state_);
    }

    // Each map sums to its logit minus b0, up to float rounding of the terms.
    void expect_complete(const Classifier &c, const Explanations &e) {
        ASSERT_EQ(e.maps.shape(), (Shape{int64_t(e.classes.size()), 8, 8}));
        ASSERT_EQ(e.channel_maps.shape(), (Shape{int64_t(e.classes.size()), 3, 8, 8}));
        for (size_t i = 0; i < e.classes.size(); i++) {
            const double target = double(e.logits[i]) - c.logit_bias();
            const double tol = 1e-4 * std::max(1.0, abs_sum_of(e.maps, int64_t(i)));
            EXPECT_NEAR(sum_of(e.maps, int64_t(i)), target, tol) << "map " << i;
            EXPECT_NEAR(sum_of(e.channel_maps, int64_t(i)), target, tol) << "channel map " << i;
        }
    }

    testing::TempDir dir_;
    std::string path_ = dir_ / "small.safetensors";
    std::unique_ptr<TrainingState> state_;
};

TEST_F(ClassifierTest, LoadsTheCheckpoint) {
    Classifier c = Classifier::load(path_);
    EXPECT_EQ(c.num_classes(), 3);
    EXPECT_EQ(c.image_shape(), (Shape{3, 8, 8}));
    EXPECT_THAT(c.class_names(), ::testing::ElementsAre("red", "green", "blue"));
    EXPECT_EQ(c.class_name(2), "blue");
    EXPECT_FLOAT_EQ(c.logit_bias(),
                    static_cast<float>(small_config(LossKind::bce).model.logit_bias));
    EXPECT_EQ(c.net().parameter_count(), state_->net.parameter_count());
}

TEST_F(ClassifierTest, ClassifyMatchesTheModel) {
    Classifier c = Classifier::load(path_);
    Tensor images = random_images(5, 1);
    Classification r = c.classify(images);
    Tensor expected = state_->net.forward(images).logits;
    ASSERT_EQ(r.logits.shape(), (Shape{5, 3}));
    ASSERT_EQ(r.probabilities.shape(), (Shape{5, 3}));
    ASSERT_EQ(r.predicted.size(), 5u);
    for (int64_t i = 0; i < 5; i++) {
        int best = 0;
        for (int k = 0; k < 3; k++) {
            EXPECT_EQ(r.logits[i * 3 + k], expected[i * 3 + k]);
            // BCE model: independent sigmoids
            EXPECT_NEAR(r.probabilities[i * 3 + k],
                        1 / (1 + std::exp(-double(r.logits[i * 3 + k]))), 1e-6);
            if (r.logits[i * 3 + k] > r.logits[i * 3 + best]) {
                best = k;
            }
        }
        EXPECT_EQ(r.predicted[i], best);
    }
}

TEST_F(ClassifierTest, CrossEntropyModelsGiveSoftmax) {
    TrainingState s = new_training(small_config(LossKind::ce));
    save_training(dir_ / "ce.safetensors", s);
    Classification r = Classifier::load(dir_ / "ce.safetensors").classify(random_images(4, 2));
    for (int64_t i = 0; i < 4; i++) {
        EXPECT_NEAR(sum_of(r.probabilities, i), 1.0, 1e-6);
    }
}

TEST_F(ClassifierTest, ExplainsThePredictedClasses) {
    Classifier c = Classifier::load(path_);
    Tensor images = random_images(4, 3);
    Classification r = c.classify(images);
    Explanations e = c.explain(images);
    EXPECT_EQ(e.classes, r.predicted);
    EXPECT_THAT(e.images, ::testing::ElementsAre(0, 1, 2, 3));
    for (size_t i = 0; i < 4; i++) {
        EXPECT_EQ(e.logits[i], r.logits[int64_t(i) * 3 + r.predicted[i]]);
    }
    expect_complete(c, e);
}

TEST_F(ClassifierTest, ExplainsChosenClasses) {
    Classifier c = Classifier::load(path_);
    Tensor images = random_images(3, 4);
    Classification r = c.classify(images);
    Explanations e = c.explain(images, {2, 0, 1});
    EXPECT_THAT(e.classes, ::testing::ElementsAre(2, 0, 1));
    for (size_t i = 0; i < 3; i++) {
        EXPECT_EQ(e.logits[i], r.logits[int64_t(i) * 3 + e.classes[i]]);
    }
    expect_complete(c, e);

    // The same maps as the model API's, over the image without its padding.
    Trace trace = state_->net.forward(images);
    Explanation m = state_->net.explain(trace, {0, 1, 2}, {2, 0, 1});
    for (int i = 0; i < 3; i++) {
        Tensor expected = image_map(m, state_->net.config(), i);
        for (int64_t j = 0; j < 64; j++) {
            EXPECT_NEAR(e.maps[i * 64 + j], expected[j], 1e-6f * (1 + std::fabs(expected[j])));
        }
    }
}

TEST_F(ClassifierTest, ExplainsEveryClassOfOneImage) {
    Classifier c = Classifier::load(path_);
    Tensor images = random_images(2, 5);
    Explanations e = c.explain_pairs(images, {1, 1, 1}, {0, 1, 2});
    EXPECT_THAT(e.images, ::testing::ElementsAre(1, 1, 1));
    expect_complete(c, e);
    // Summed over classes, the maps explain the sum of the logits.
    Classification r = c.classify(images);
    double total = 0, logits = 0;
    for (int k = 0; k < 3; k++) {
        total += sum_of(e.maps, k);
        logits += r.logits[3 + k] - c.logit_bias();
    }
    EXPECT_NEAR(total, logits, 1e-4 * std::max(1.0, std::fabs(logits)));
}

TEST_F(ClassifierTest, ReadsPngImages) {
    Classifier c = Classifier::load(path_);
    PngPixels grey{8, 8, 1, std::vector<uint8_t>(64)};
    for (int i = 0; i < 64; i++) {
        grey.values[i] = static_cast<uint8_t>(4 * i);
    }
    write_png(dir_ / "grey.png", grey);
    Tensor image = c.read_image(dir_ / "grey.png");
    ASSERT_EQ(image.shape(), (Shape{1, 3, 8, 8}));
    for (int ch = 0; ch < 3; ch++) {  // grey file, RGB model: replicated
        for (int i = 0; i < 64; i++) {
            EXPECT_FLOAT_EQ(image[ch * 64 + i], 4 * i / 255.0f);
        }
    }
    EXPECT_EQ(c.classify(image).predicted.size(), 1u);
}

TEST_F(ClassifierTest, IsMovableAndSharedByThreads) {
    Classifier a = Classifier::load(path_);
    Classifier c = std::move(a);
    Tensor images = random_images(6, 6);
    Classification expected = c.classify(images);
    std::vector<Classification> results(2);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; t++) {
        threads.emplace_back([&, t] { results[t] = c.classify(images); });
    }
    for (auto &t : threads) {
        t.join();
    }
    for (const Classification &r : results) {
        EXPECT_EQ(r.logits.values(), expected.logits.values());
    }
}

TEST_F(ClassifierTest, BadInputRaisesErrors) {
    Classifier c = Classifier::load(path_);
    EXPECT_CODA_ERROR(c.classify(random_images(2, 7, 1)), "but the model expects (N, 3, 8, 8)");
    EXPECT_CODA_ERROR(c.classify(Tensor({3, 8, 8})), "images have shape (3, 8, 8)");
    EXPECT_CODA_ERROR(c.classify(Tensor({0, 3, 8, 8})), "empty batch");
    EXPECT_CODA_ERROR(c.explain(random_images(2, 7, 1)), "but the model expects");
    EXPECT_CODA_ERROR(c.explain(random_images(2, 8), {0}), "1 classes to explain for a batch of 2");
    EXPECT_CODA_ERROR(c.explain(random_images(2, 8), {0, 3}), "class 3 outside 0..2");
    EXPECT_CODA_ERROR(c.explain_pairs(random_images(2, 8), {2}, {0}),
                      "image index 2 outside a batch of 2");
    EXPECT_CODA_ERROR(c.explain_pairs(random_images(2, 8), {0, 1}, {0}),
                      "one class per image index");
    EXPECT_CODA_ERROR(c.class_name(-1), "class -1 outside 0..2");

    Tensor nan = random_images(1, 9);
    nan[5] = std::nanf("");
    EXPECT_CODA_ERROR(c.classify(nan), "non-finite pixel");

    write_png(dir_ / "big.png", make_image(9, 8));
    EXPECT_CODA_ERROR(c.read_image(dir_ / "big.png"),
                      "image is 9x8 pixels but the model expects 8x8");
    EXPECT_CODA_ERROR(c.read_image(dir_ / "missing.png"), "missing.png");
}

TEST_F(ClassifierTest, BadCheckpointsRaiseErrors) {
    EXPECT_CODA_ERROR(Classifier::load(dir_ / "missing.safetensors"), "missing.safetensors");
    testing::write_file(dir_ / "junk.safetensors", "not a checkpoint at all");
    EXPECT_CODA_ERROR(Classifier::load(dir_ / "junk.safetensors"), "junk.safetensors");
}

}  // namespace
}  // namespace coda
