// The C API (coda/coda_c.h) on checkpoints of small random models: C code
// (tests/coda_c_usage.c) gets the same classes and maps as the C++ API, every
// function agrees with coda::Classifier, and each failure gives its status
// and a message, per thread.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <thread>

#include "coda/coda.h"
#include "coda/coda_c.h"
#include "coda/png_image.h"
#include "coda/trainer.h"
#include "coda_c_usage.h"
#include "test_files.h"

namespace coda {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

// RGB 8x8 with input padding and the [x, 1-x] encoding; 3 classes.
RunConfig small_config() {
    RunConfig c;
    c.model.image_channels = 3, c.model.image_height = 8, c.model.image_width = 8;
    c.model.input_pad = 1;
    c.model.add_inverse = true;
    c.model.temperature = 4;
    c.model.layers = {{6, 4, 3, 1, 1}, {3, 4, 3, 2, 1}};
    c.train.seed = 5;
    return c;
}

Tensor random_images(int n, uint64_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0, 1);
    Tensor t({n, 3, 8, 8});
    for (float &v : t.values()) {
        v = u(rng);
    }
    return t;
}

struct Freer {
    void operator()(coda_classifier *c) const {
        coda_classifier_free(c);
    }
};
using Handle = std::unique_ptr<coda_classifier, Freer>;

class CodaCTest : public ::testing::Test {
protected:
    void SetUp() override {
        TrainingState state = new_training(small_config());
        state.class_names = {"red", "green", "blue"};
        save_training(path_, state);
    }

    Handle load() {
        coda_classifier *c = nullptr;
        EXPECT_EQ(coda_classifier_load(path_.c_str(), &c), CODA_OK) << coda_last_error();
        EXPECT_NE(c, nullptr);
        return Handle(c);
    }

    testing::TempDir dir_;
    std::string path_ = dir_ / "small.safetensors";
};

TEST_F(CodaCTest, CCodeGetsWhatTheCppApiGets) {
    RgbImage image = make_image(8, 8);
    for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
            uint8_t *p = image.pixel(x, y);
            p[0] = uint8_t(30 * x), p[1] = uint8_t(30 * y), p[2] = uint8_t(17 * (x + y));
        }
    }
    const std::string png = dir_ / "image.png";
    write_png(png, image);

    auto r = std::make_unique<coda_c_usage_result>();
    ASSERT_EQ(coda_c_usage(path_.c_str(), png.c_str(), r.get()), 0) << r->error;

    Classifier cpp = Classifier::load(path_);
    Tensor images = cpp.read_image(png);
    Classification c = cpp.classify(images);
    Explanations e = cpp.explain(images);
    EXPECT_EQ(r->num_classes, 3);
    EXPECT_EQ(r->height, 8);
    EXPECT_EQ(r->width, 8);
    EXPECT_EQ(r->predicted, c.predicted[0]);
    EXPECT_EQ(r->class_name, cpp.class_name(c.predicted[0]));
    EXPECT_EQ(r->logit, e.logits[0]);
    EXPECT_EQ(r->logit_bias, cpp.logit_bias());
    for (int i = 0; i < 64; i++) {
        EXPECT_EQ(r->map[i], e.maps[i]) << "pixel " << i;
    }
    // Completeness, seen from C.
    EXPECT_NEAR(r->map_sum, double(r->logit) - r->logit_bias,
                1e-4 * std::max(1.0, std::fabs(r->map_sum)));
}

TEST_F(CodaCTest, InfoAndClassNames) {
    Handle c = load();
    int k = 0, ch = 0, h = 0, w = 0;
    ASSERT_EQ(coda_classifier_info(c.get(), &k, &ch, &h, &w), CODA_OK);
    EXPECT_EQ(k, 3);
    EXPECT_EQ(ch, 3);
    EXPECT_EQ(h, 8);
    EXPECT_EQ(w, 8);
    EXPECT_EQ(coda_classifier_info(c.get(), nullptr, nullptr, &h, nullptr), CODA_OK);
    EXPECT_STREQ(coda_classifier_class_name(c.get(), 0), "red");
    EXPECT_STREQ(coda_classifier_class_name(c.get(), 2), "blue");
    EXPECT_STREQ(coda_last_error(), "");
    EXPECT_FLOAT_EQ(coda_classifier_logit_bias(c.get()),
                    static_cast<float>(small_config().model.logit_bias));
}

TEST_F(CodaCTest, ClassifyAndExplainMatchTheCppApi) {
    Handle c = load();
    Classifier cpp = Classifier::load(path_);
    Tensor images = random_images(5, 3);

    std::vector<float> logits(15), probabilities(15);
    std::vector<int> predicted(5);
    ASSERT_EQ(coda_classify(c.get(), images.data(), 5, logits.data(), probabilities.data(),
                            predicted.data()),
              CODA_OK)
        << coda_last_error();
    Classification expected = cpp.classify(images);
    EXPECT_THAT(logits, ElementsAreArray(expected.logits.values()));
    EXPECT_THAT(probabilities, ElementsAreArray(expected.probabilities.values()));
    EXPECT_EQ(predicted, expected.predicted);

    // Chosen classes, and the predicted ones (classes == NULL).
    const std::vector<int> classes = {2, 0, 1, 1, 0};
    std::vector<float> maps(5 * 64), map_logits(5);
    ASSERT_EQ(
        coda_explain(c.get(), images.data(), 5, classes.data(), maps.data(), map_logits.data()),
        CODA_OK)
        << coda_last_error();
    Explanations e = cpp.explain(images, classes);
    EXPECT_THAT(maps, ElementsAreArray(e.maps.values()));
    EXPECT_EQ(map_logits, e.logits);
    for (int i = 0; i < 5; i++) {
        EXPECT_EQ(map_logits[i], expected.logits[i * 3 + classes[i]]);
    }

    ASSERT_EQ(coda_explain(c.get(), images.data(), 5, nullptr, maps.data(), nullptr), CODA_OK);
    EXPECT_THAT(maps, ElementsAreArray(cpp.explain(images).maps.values()));
}

TEST_F(CodaCTest, FailuresGiveAStatusAndAMessage) {
    coda_classifier *none = reinterpret_cast<coda_classifier *>(1);
    const std::string missing = dir_ / "missing.safetensors";
    EXPECT_EQ(coda_classifier_load(missing.c_str(), &none), CODA_ERROR_FAILED);
    EXPECT_EQ(none, nullptr);
    EXPECT_THAT(coda_last_error(), HasSubstr("missing.safetensors"));
    testing::write_file(dir_ / "bad.safetensors", "not a checkpoint");
    const std::string bad = dir_ / "bad.safetensors";
    EXPECT_EQ(coda_classifier_load(bad.c_str(), &none), CODA_ERROR_FAILED);
    EXPECT_THAT(coda_last_error(), HasSubstr("bad.safetensors"));
    EXPECT_EQ(coda_classifier_load(nullptr, &none), CODA_ERROR_ARGUMENT);
    EXPECT_THAT(coda_last_error(), HasSubstr("must not be NULL"));

    Handle c = load();
    EXPECT_STREQ(coda_last_error(), "");  // a successful call clears it
    Tensor images = random_images(2, 4);
    std::vector<float> maps(2 * 64);
    const int bad_classes[] = {0, 3};
    EXPECT_EQ(coda_explain(c.get(), images.data(), 2, bad_classes, maps.data(), nullptr),
              CODA_ERROR_FAILED);
    EXPECT_THAT(coda_last_error(), HasSubstr("class 3"));
    EXPECT_EQ(coda_explain(c.get(), images.data(), 0, nullptr, maps.data(), nullptr),
              CODA_ERROR_ARGUMENT);
    EXPECT_THAT(coda_last_error(), HasSubstr("n is 0"));
    EXPECT_EQ(coda_explain(c.get(), images.data(), 2, nullptr, nullptr, nullptr),
              CODA_ERROR_ARGUMENT);
    EXPECT_EQ(coda_classify(nullptr, images.data(), 2, nullptr, nullptr, nullptr),
              CODA_ERROR_ARGUMENT);
    images[7] = std::nanf("");
    EXPECT_EQ(coda_classify(c.get(), images.data(), 2, nullptr, nullptr, nullptr),
              CODA_ERROR_FAILED);
    EXPECT_THAT(coda_last_error(), HasSubstr("non-finite pixel"));

    EXPECT_EQ(coda_classifier_class_name(c.get(), 3), nullptr);
    EXPECT_THAT(coda_last_error(), HasSubstr("class 3 is outside 0..2"));
    EXPECT_EQ(coda_classifier_info(nullptr, nullptr, nullptr, nullptr, nullptr),
              CODA_ERROR_ARGUMENT);

    std::vector<float> image(3 * 64);
    write_png(dir_ / "big.png", make_image(9, 8));
    const std::string big = dir_ / "big.png";
    EXPECT_EQ(coda_read_image(c.get(), big.c_str(), image.data()), CODA_ERROR_FAILED);
    EXPECT_THAT(coda_last_error(), HasSubstr("image is 9x8 pixels but the model expects 8x8"));
    coda_classifier_free(nullptr);  // allowed
}

TEST_F(CodaCTest, MessagesBelongToTheirThread) {
    EXPECT_EQ(coda_classifier_load(nullptr, nullptr), CODA_ERROR_ARGUMENT);
    const std::string mine = coda_last_error();
    std::string other;
    std::thread t([&] {
        other = coda_last_error();  // nothing failed on this thread yet
        coda_classifier *c = nullptr;
        EXPECT_EQ(coda_classifier_load("/nonexistent/x.safetensors", &c), CODA_ERROR_FAILED);
    });
    t.join();
    EXPECT_EQ(other, "");
    EXPECT_EQ(coda_last_error(), mine);
}

}  // namespace
}  // namespace coda
