// Every kind=layer case under the golden directory, whatever its shapes:
// forward, backward (all four gradients) and the detached backward.
#include <gtest/gtest.h>

#include "coda/coda_layer.h"
#include "golden_io.h"

namespace coda {
namespace {

namespace fs = std::filesystem;

class GoldenLayer : public ::testing::TestWithParam<fs::path> {};

LayerConfig config_of(const golden::Meta &m) {
    LayerConfig cfg;
    cfg.name = "golden";
    cfg.in_channels = golden::meta_int(m, "in_c");
    cfg.out_channels = golden::meta_int(m, "out_c");
    cfg.rank = golden::meta_int(m, "rank");
    cfg.kernel = golden::meta_int(m, "k");
    cfg.stride = golden::meta_int(m, "stride");
    cfg.pad = golden::meta_int(m, "pad");
    cfg.norm = parse_norm(m.at("norm"));
    return cfg;
}

template<typename Load>
void check_passes(const LayerConfig &cfg, const LayerParams &p, const Tensor &x, const Tensor &G,
                  const LayerForward &f, Load load) {
    EXPECT_TRUE(golden::close_to_golden("y", f.output, load("y")));
    EXPECT_TRUE(golden::close_to_golden("norm", f.norm, load("norm")));
    EXPECT_TRUE(golden::close_to_golden("wnorm", f.wnorm, load("wnorm")));

    LayerGradients g = layer_backward(cfg, p, x, f, G);
    EXPECT_TRUE(golden::close_to_golden("dL_dx", g.d_input, load("dL_dx")));
    EXPECT_TRUE(golden::close_to_golden("dL_dC", g.d_C, load("dL_dC")));
    EXPECT_TRUE(golden::close_to_golden("dL_dM", g.d_M, load("dL_dM")));
    EXPECT_TRUE(golden::close_to_golden("dL_db", g.d_b, load("dL_db")));

    // Both contribution forms (Winograd's only where it applies: 3x3 kernels
    // at stride 1 on CPUs; elsewhere the direct form runs twice).
    for (ContributionForm form : {ContributionForm::direct, ContributionForm::winograd}) {
        set_contribution_form(form);
        Tensor det = layer_contribution(cfg, p, f, G, x.shape());
        set_contribution_form(ContributionForm::automatic);
        EXPECT_TRUE(golden::close_to_golden("dLdet_dx", det, load("dLdet_dx")))
            << (form == ContributionForm::direct ? "direct form" : "Winograd form");
    }
}

TEST_P(GoldenLayer, AllPassesMatch) {
    const fs::path dir = GetParam();
    auto load = [&](const char *name) {
        return golden::read_tensor(dir / (std::string(name) + ".bin"));
    };
    LayerConfig cfg = config_of(golden::read_meta(dir));
    LayerParams p{load("C"), load("M"), load("b")};
    Tensor x = load("x"), G = load("G");

    // Both forward forms (Winograd's where it applies, as below), each
    // followed by the passes that read its results.
    for (ForwardForm forward : {ForwardForm::direct, ForwardForm::winograd}) {
        SCOPED_TRACE(forward == ForwardForm::direct ? "direct forward" : "Winograd forward");
        set_forward_form(forward);
        LayerForward f = layer_forward(cfg, p, x);
        set_forward_form(ForwardForm::automatic);
        check_passes(cfg, p, x, G, f, load);
    }
}

std::string case_name(const ::testing::TestParamInfo<fs::path> &info) {
    std::string s = info.param.filename().string();
    for (char &c : s) {
        if (!std::isalnum(static_cast<unsigned char>(c))) {
            c = '_';
        }
    }
    return s;
}

INSTANTIATE_TEST_SUITE_P(golden, GoldenLayer, ::testing::ValuesIn(golden::cases("layer")),
                         case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GoldenLayer);

// An empty or missing directory must fail, not pass vacuously.
TEST(golden, LayerCasesPresent) {
    EXPECT_FALSE(golden::cases("layer").empty())
        << "no kind=layer cases under " << golden::directory();
}

}  // namespace
}  // namespace coda
