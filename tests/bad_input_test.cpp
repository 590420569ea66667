// Wrong shapes and impossible configurations raise coda::Error naming the
// layer, the tensor and both shapes; nothing crashes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "random_layer.h"

namespace coda {
namespace {

using ::testing::HasSubstr;

class BadInput : public ::testing::Test {
protected:
    LayerConfig cfg = testing::layer(3, 4, 5, 3, 1, 1);
    std::mt19937 rng{3};
    LayerParams p = testing::random_params(cfg, rng);
    Tensor x = testing::uniform({2, 3, 6, 6}, 0, 1, rng);
};

template<typename F>
std::string error_of(F call) {
    try {
        call();
    } catch (const Error &e) {
        return e.what();
    }
    return "no error";
}

TEST_F(BadInput, WrongParameterShapesNameTensorAndShapes) {
    LayerParams bad = p;
    bad.M = Tensor({108, 4, 1, 1});
    std::string msg = error_of([&] { layer_forward(cfg, bad, x); });
    EXPECT_THAT(msg, HasSubstr("tensor M has shape (108, 4, 1, 1) but expected (108, 5, 1, 1)"));
    EXPECT_THAT(msg, HasSubstr("'test'"));

    bad = p;
    bad.C = Tensor({5, 3, 5, 5});
    EXPECT_THAT(error_of([&] { layer_forward(cfg, bad, x); }),
                HasSubstr("tensor C has shape (5, 3, 5, 5) but expected (5, 3, 3, 3)"));
    bad = p;
    bad.b = Tensor({107});
    EXPECT_THAT(error_of([&] { layer_forward(cfg, bad, x); }),
                HasSubstr("tensor b has shape (107) but expected (108)"));
}

TEST_F(BadInput, WrongActivationShapes) {
    EXPECT_THAT(error_of([&] {
                    layer_forward(cfg, p, Tensor({2, 4, 6, 6}));
                }),
                HasSubstr("tensor x has shape (2, 4, 6, 6) but expected (B, 3, H, W)"));
    EXPECT_THAT(error_of([&] {
                    layer_forward(cfg, p, Tensor({3, 6, 6}));
                }),
                HasSubstr("tensor x has shape (3, 6, 6)"));
    LayerForward f = layer_forward(cfg, p, x);
    EXPECT_THAT(error_of([&] {
                    layer_backward(cfg, p, x, f, Tensor({2, 4, 5, 6}));
                }),
                HasSubstr("tensor d_output has shape (2, 4, 5, 6) but expected (2, 4, 6, 6)"));
    EXPECT_THAT(error_of([&] {
                    layer_backward(cfg, p, Tensor({2, 3, 7, 7}), f, f.output);
                }),
                HasSubstr("tensor code has shape (2, 5, 6, 6) but expected (2, 5, 7, 7)"));
    EXPECT_THAT(error_of([&] {
                    layer_contribution(cfg, p, f, Tensor({1, 4, 6, 6}), x.shape());
                }),
                HasSubstr("tensor g_output has shape (1, 4, 6, 6) but expected (2, 4, 6, 6)"));
}

TEST_F(BadInput, ImpossibleConfigurations) {
    LayerConfig bad = cfg;
    bad.stride = 0;
    EXPECT_THAT(error_of([&] { layer_forward(bad, p, x); }), HasSubstr("stride 0"));
    bad = cfg;
    bad.rank = 0;
    EXPECT_THAT(error_of([&] { layer_forward(bad, p, x); }), HasSubstr("rank 0"));
    bad = testing::layer(3, 4, 5, 7, 1, 0);
    LayerParams big = testing::random_params(bad, rng);
    EXPECT_THAT(error_of([&] { layer_forward(bad, big, x); }),
                HasSubstr("input size 6 is smaller than the kernel 7"));
    EXPECT_THAT(error_of([] { parse_norm("l1"); }), HasSubstr("unknown norm 'l1'"));
}

}  // namespace
}  // namespace coda
