// Every kind=net case under the golden directory, of any depth: the encoded
// input, every layer's output and norm, the logits, the BCE loss, every
// parameter gradient, d loss / dx and every class's contribution map.
#include <gtest/gtest.h>

#include <cmath>

#include "coda/loss.h"
#include "coda/model.h"
#include "golden_io.h"

namespace coda {
namespace {

namespace fs = std::filesystem;

class GoldenNet : public ::testing::TestWithParam<fs::path> {};

ModelConfig config_of(const golden::Meta &m, const Shape &img) {
    ModelConfig c;
    c.image_channels = static_cast<int>(img[1]);
    c.image_height = golden::meta_int(m, "H");
    c.image_width = golden::meta_int(m, "W");
    c.add_inverse = golden::meta_int(m, "in_c") == 2 * c.image_channels;
    c.norm = parse_norm(m.at("norm"));
    c.temperature = std::stod(m.at("T"));
    c.logit_bias = std::stod(m.at("logit_bias"));
    auto out = golden::meta_ints(m, "out_c"), rank = golden::meta_ints(m, "ranks"),
         k = golden::meta_ints(m, "kernel_sizes"), s = golden::meta_ints(m, "strides"),
         p = golden::meta_ints(m, "pads");
    for (int i = 0; i < golden::meta_int(m, "num_layers"); i++) {
        c.layers.push_back({out.at(i), rank.at(i), k.at(i), s.at(i), p.at(i)});
    }
    return c;
}

Tensor per_class(const Tensor &all, int64_t c) {
    // rows c of a (classes, ...) tensor
    Shape s(all.shape().begin() + 1, all.shape().end());
    Tensor t(s);
    std::copy_n(all.data() + c * t.size(), t.size(), t.data());
    return t;
}

TEST_P(GoldenNet, EndToEnd) {
    const fs::path dir = GetParam();
    auto load = [&](const std::string &name) { return golden::read_tensor(dir / (name + ".bin")); };
    golden::Meta meta = golden::read_meta(dir);
    Tensor img = load("img");
    CodaNet net(config_of(meta, img.shape()));
    for (size_t i = 0; i < net.layers().size(); i++) {
        std::string L = "L" + std::to_string(i) + "_";
        net.params()[i] = {load(L + "C"), load(L + "M"), load(L + "b")};
    }
    Trace t = net.forward(img);
    EXPECT_TRUE(golden::close_to_golden("x", t.activations[0], load("x")));
    for (size_t i = 0; i < net.layers().size(); i++) {
        std::string L = "L" + std::to_string(i) + "_";
        EXPECT_TRUE(golden::close_to_golden(L + "y", t.layers[i].output, load(L + "y")));
        EXPECT_TRUE(golden::close_to_golden(L + "norm", t.layers[i].norm, load(L + "norm")));
    }
    EXPECT_TRUE(golden::close_to_golden("logits", t.logits, load("logits")));

    Tensor target_idx = load("target_idx");
    std::vector<int> labels(target_idx.values().begin(), target_idx.values().end());
    LossValue loss = classification_loss(LossKind::bce, t.logits, labels);
    EXPECT_TRUE(golden::close_to_golden("bce", Tensor({1}, {float(loss.loss)}), load("bce")));
    Tensor d_x;
    std::vector<LayerGradients> g = net.backward(t, loss.d_logits, &d_x);
    EXPECT_TRUE(golden::close_to_golden("grad_x", d_x, load("grad_x")));
    for (size_t i = 0; i < g.size(); i++) {
        std::string L = "grad_L" + std::to_string(i) + "_";
        EXPECT_TRUE(golden::close_to_golden(L + "C", g[i].d_C, load(L + "C")));
        EXPECT_TRUE(golden::close_to_golden(L + "M", g[i].d_M, load(L + "M")));
        EXPECT_TRUE(golden::close_to_golden(L + "b", g[i].d_b, load(L + "b")));
    }

    Tensor contrib = load("contrib"), contrib_sum = load("contrib_sum");
    const int B = static_cast<int>(img.dim(0));
    for (int c = 0; c < net.config().num_classes(); c++) {
        std::vector<int> images, classes;
        for (int b = 0; b < B; b++) {
            images.push_back(b), classes.push_back(c);
        }
        Explanation e = net.explain(t, images, classes);
        std::string name = "class " + std::to_string(c);
        EXPECT_TRUE(golden::close_to_golden("contrib " + name, e.input_contributions,
                                            per_class(contrib, c)));
        EXPECT_TRUE(
            golden::close_to_golden("contrib_sum " + name, e.maps[0], per_class(contrib_sum, c)));
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

INSTANTIATE_TEST_SUITE_P(golden, GoldenNet, ::testing::ValuesIn(golden::cases("net")), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GoldenNet);

TEST(golden, NetCasesPresent) {
    EXPECT_FALSE(golden::cases("net").empty()) << "no kind=net cases under " << golden::directory();
}

}  // namespace
}  // namespace coda
