// The whole net: completeness of explanations at every depth, losses against
// finite differences, Adam against its definition, config files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "coda/loss.h"
#include "coda/model.h"
#include "coda/optimizer.h"
#include "random_layer.h"

namespace coda {
namespace {

using ::testing::HasSubstr;

ModelConfig small_net() {
    ModelConfig c;
    c.image_channels = 1, c.image_height = 12, c.image_width = 12, c.input_pad = 2;
    c.temperature = 8;
    c.layers = {{6, 4, 3, 2, 1}, {8, 6, 3, 1, 1}, {5, 6, 1, 1, 0}};
    return c;
}

using testing::random_images;

// sum(contributions) = logit - b0 for every class and every layer's input
// (spec 4.1, 4.2). Slack: float32 sums over the map, 1e-4 of sum |contributions|.
// In both forms of the forward and contribution passes (Winograd's runs the
// 3x3 stride-1 layer): the maps must add up to the logits of the same form.
class ModelExplanation : public ::testing::TestWithParam<ContributionForm> {};

TEST_P(ModelExplanation, ExplanationsAreCompleteAtEveryDepth) {
    CodaNet net(small_net());
    net.init(3);
    Tensor img = random_images(3, net.config(), 5);
    bool winograd = GetParam() == ContributionForm::winograd;
    set_forward_form(winograd ? ForwardForm::winograd : ForwardForm::direct);
    Trace t = net.forward(img);
    set_forward_form(ForwardForm::automatic);
    std::vector<int> images, classes;
    for (int b = 0; b < 3; b++) {
        for (int c = 0; c < 5; c++) {
            images.push_back(b), classes.push_back(c);
        }
    }
    set_contribution_form(GetParam());
    Explanation e = net.explain(t, images, classes);
    set_contribution_form(ContributionForm::automatic);
    ASSERT_EQ(e.maps.size(), 3u);
    for (size_t l = 0; l < e.maps.size(); l++) {
        const int64_t HW = e.maps[l].dim(1) * e.maps[l].dim(2);
        for (size_t i = 0; i < images.size(); i++) {
            double sum = 0, mag = 0;
            for (int64_t j = 0; j < HW; j++) {
                sum += e.maps[l][i * HW + j];
                mag += std::fabs(e.maps[l][i * HW + j]);
            }
            double expected = e.logits[i] - net.config().logit_bias;
            EXPECT_NEAR(sum, expected, 1e-4 * mag + 1e-6) << "layer input " << l << " pair " << i;
        }
    }
    // Padding added by the encoder carries no contribution.
    EXPECT_EQ(e.maps[0][0], 0.0f);
}

INSTANTIATE_TEST_SUITE_P(Forms, ModelExplanation,
                         ::testing::Values(ContributionForm::direct, ContributionForm::winograd),
                         [](const auto &info) {
                             return info.param == ContributionForm::direct ? "direct" : "winograd";
                         });

// Loss gradients against central differences in double precision of the
// loss itself (evaluated in double on float logits). Bound 1e-6 absolute:
// gradients are O(1/(B K)) and the float rounding of the result is ~1e-8.
TEST(Loss, GradientsMatchFiniteDifferences) {
    std::mt19937 rng(9);
    std::normal_distribution<float> n(0, 3);
    Tensor logits({4, 6});
    for (float &v : logits.values())
        v = n(rng);
    std::vector<int> labels = {0, 5, 2, 2};
    for (LossKind kind : {LossKind::bce, LossKind::ce}) {
        LossValue l = classification_loss(kind, logits, labels);
        for (int64_t i = 0; i < logits.size(); i++) {
            Tensor up = logits, down = logits;
            const float eps = 1e-2f;
            up[i] += eps, down[i] -= eps;
            double fd = (classification_loss(kind, up, labels).loss -
                         classification_loss(kind, down, labels).loss) /
                        (2 * eps);
            EXPECT_NEAR(l.d_logits[i], fd, 2e-5) << "entry " << i;
        }
    }
}

TEST(Loss, KnownValues) {
    // logit 0 everywhere: BCE = log 2; CE = log K
    Tensor zeros({2, 4}, 0.0f);
    EXPECT_NEAR(classification_loss(LossKind::bce, zeros, {1, 3}).loss, std::log(2.0), 1e-12);
    EXPECT_NEAR(classification_loss(LossKind::ce, zeros, {1, 3}).loss, std::log(4.0), 1e-12);
    // huge logits stay finite
    Tensor big({1, 2}, {1000.0f, -1000.0f});
    EXPECT_NEAR(classification_loss(LossKind::bce, big, {0}).loss, 0.0, 1e-12);
    EXPECT_THAT(
        [&] {
            try {
                classification_loss(LossKind::bce, zeros, {1, 4});
            } catch (const Error &e) {
                return std::string(e.what());
            }
            return std::string();
        }(),
        HasSubstr("label 4 outside 0..3"));
}

// Adam against its definition written out for two steps.
TEST(Adam, MatchesDefinition) {
    Tensor p({2}, {1.0f, -2.0f});
    Adam adam;
    Tensor g1({2}, {0.5f, -1.0f}), g2({2}, {-0.25f, 2.0f});
    adam.update("p", p, g1, 0.1);
    adam.finish_step();
    adam.update("p", p, g2, 0.1);
    adam.finish_step();
    for (int i = 0; i < 2; i++) {
        double x = i ? -2.0 : 1.0, m = 0, v = 0;
        double gs[2] = {g1[i], g2[i]};
        for (int t = 1; t <= 2; t++) {
            m = 0.9 * m + 0.1 * gs[t - 1];
            v = 0.999 * v + 0.001 * gs[t - 1] * gs[t - 1];
            x -= 0.1 * (m / (1 - std::pow(0.9, t))) /
                 (std::sqrt(v / (1 - std::pow(0.999, t))) + 1e-8);
        }
        EXPECT_NEAR(p[i], x, 1e-6);
    }
}

TEST(LearningRate, Schedules) {
    TrainConfig t;
    t.lr = 1.0, t.epochs = 10, t.lr_schedule = "cosine";
    EXPECT_DOUBLE_EQ(learning_rate(t, 0), 1.0);
    EXPECT_NEAR(learning_rate(t, 5), 0.5, 1e-12);
    EXPECT_NEAR(learning_rate(t, 10), 0.0, 1e-12);
    t.lr_schedule = "step", t.lr_step_epochs = 30, t.lr_gamma = 1 / 1.5;
    EXPECT_DOUBLE_EQ(learning_rate(t, 29.9), 1.0);
    EXPECT_NEAR(learning_rate(t, 30), 1 / 1.5, 1e-12);
}

std::string parse_error(const std::string &text) {
    try {
        parse_config(text, "test.cfg");
    } catch (const Error &e) {
        return e.what();
    }
    return "no error";
}

TEST(Config, RoundTripAndErrors) {
    RunConfig c;
    c.model = small_net();
    c.train.lr = 3e-3, c.train.loss = LossKind::ce, c.train.flip = true;
    RunConfig back = parse_config(to_text(c), "roundtrip");
    EXPECT_EQ(to_text(back), to_text(c));
    EXPECT_EQ(back.model.layers.size(), 3u);

    EXPECT_THAT(parse_error("input = 1x28\nlayer = 10 4 1 1 0\n"),
                HasSubstr("test.cfg:1: input: expected CxHxW"));
    EXPECT_THAT(parse_error("layer = 10 4 1\n"),
                HasSubstr("test.cfg:1: layer: expected 'out rank kernel stride pad'"));
    EXPECT_THAT(parse_error("colour = blue\n"), HasSubstr("test.cfg:1: colour: unknown key"));
    EXPECT_THAT(parse_error("input = 1x4x4\nlayer = 8 4 7 1 0\n"),
                HasSubstr("input size 4 is smaller than the kernel 7"));
    EXPECT_THAT(parse_error("input = 1x8x8\n"), HasSubstr("no layers"));
    EXPECT_THAT(parse_error("temperature = -3\nlayer = 2 2 1 1 0\n"),
                HasSubstr("must be positive"));
}

TEST(Model, RejectsWrongImageShapeAndNaN) {
    CodaNet net(small_net());
    net.init(1);
    EXPECT_THROW(net.forward(Tensor({1, 3, 12, 12})), Error);
    Tensor img = random_images(1, net.config(), 1);
    img[7] = std::nanf("");
    EXPECT_THROW(net.forward(img), Error);
}

}  // namespace
}  // namespace coda
