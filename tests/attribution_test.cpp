// Attribution methods against their direct definitions on small random
// models: CoDA contributions (completeness), Gradient (central differences
// of a double-precision reference net), Input x Gradient, Integrated
// Gradients (completeness within the quadrature error), Occlusion and RISE
// (naive one-copy-at-a-time loops).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "coda/attribution.h"
#include "random_layer.h"
#include "reference_layer.h"
#include "test_files.h"

namespace coda {
namespace {

using ::testing::HasSubstr;

// Three colour channels, input padding and a stride: every step of the
// encoding chain (crop, [x, 1-x]) is exercised.
ModelConfig colour_net() {
    ModelConfig c;
    c.image_channels = 3, c.image_height = 8, c.image_width = 8, c.input_pad = 1;
    c.temperature = 4;
    c.layers = {{6, 4, 3, 2, 1}, {5, 6, 3, 1, 1}, {4, 3, 1, 1, 0}};
    return c;
}

// Grey images larger than the receptive field, as for occlusion on grids.
ModelConfig grey_net() {
    ModelConfig c;
    c.image_channels = 1, c.image_height = 20, c.image_width = 16, c.input_pad = 2;
    c.temperature = 8;
    c.layers = {{6, 4, 3, 2, 1}, {8, 6, 3, 1, 1}, {5, 6, 1, 1, 0}};
    return c;
}

// The default model's geometry (strides 2, 2: receptive field 15) on an
// image much larger than that, so occlusion recomputes small crops.
ModelConfig wide_net() {
    ModelConfig c;
    c.image_channels = 1, c.image_height = 40, c.image_width = 36, c.input_pad = 2;
    c.temperature = 16;
    c.layers = {{4, 4, 3, 2, 1}, {6, 4, 3, 2, 1}, {6, 4, 3, 1, 1}, {4, 4, 1, 1, 0}};
    return c;
}

using testing::random_images;

CodaNet make_net(const ModelConfig &c, uint64_t seed) {
    CodaNet net(c);
    net.init(seed);
    return net;
}

// logit_c of one raw image (C*H*W values) through the double reference
// layers (tests/reference_layer.h): the independent oracle.
double reference_logit(const CodaNet &net, const std::vector<double> &raw, int cls) {
    const ModelConfig &m = net.config();
    const int C = m.image_channels, H = m.image_height, W = m.image_width, p = m.input_pad;
    int h = m.encoded_height(), w = m.encoded_width();
    std::vector<double> x(size_t(m.encoded_channels()) * h * w, 0.0);
    for (int c = 0; c < C; c++) {
        for (int y = 0; y < H; y++) {
            for (int xx = 0; xx < W; xx++) {
                const double v = raw[(size_t(c) * H + y) * W + xx];
                x[(size_t(c) * h + y + p) * w + xx + p] = v;
                if (m.add_inverse) {
                    x[(size_t(C + c) * h + y + p) * w + xx + p] = 1 - v;
                }
            }
        }
    }
    for (size_t i = 0; i < net.layers().size(); i++) {
        reference::Layer l{net.layers()[i], 1, h, w};
        const LayerParams &lp = net.params()[i];
        reference::Params rp{reference::to_double(lp.C), reference::to_double(lp.M),
                             reference::to_double(lp.b)};
        x = reference::forward(l, rp, x).y;
        h = l.out_height(), w = l.out_width();
    }
    double s = 0;
    for (int i = 0; i < h * w; i++) {
        s += x[size_t(cls) * h * w + i];
    }
    return s / m.temperature + m.logit_bias;
}

std::vector<double> image_row(const Tensor &images, int64_t b) {
    const int64_t n = images.size() / images.dim(0);
    return std::vector<double>(images.data() + b * n, images.data() + (b + 1) * n);
}

double total(const Tensor &t, int64_t row) {
    const int64_t n = t.size() / t.dim(0);
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        s += t[row * n + i];
    return s;
}

// sum(map) = logit - b0 for every pair (spec 4.1): the crop of the input
// padding loses nothing because padded inputs are 0 in both channels.
// Slack: float sums over the map, 1e-5 of sum |map| (measured 1e-7).
TEST(Attribution, CodaMapsAreCompleteOnTheRawImage) {
    CodaNet net = make_net(colour_net(), 3);
    Tensor img = random_images(2, net.config(), 4);
    std::vector<int> image_of = {1, 0, 1, 0}, classes = {3, 0, 0, 2};
    Tensor maps = coda_maps(net, img, image_of, classes);
    ASSERT_EQ(maps.shape(), (Shape{4, 8, 8}));
    Tensor logits = net.forward(img).logits;
    for (int i = 0; i < 4; i++) {
        double mag = 0;
        for (int64_t j = 0; j < 64; j++)
            mag += std::fabs(maps[i * 64 + j]);
        const double expected = logits[image_of[i] * 4 + classes[i]] - net.config().logit_bias;
        EXPECT_NEAR(total(maps, i), expected, 1e-5 * mag + 1e-7) << "pair " << i;
    }
    AttributionMethod coda = parse_attribution_method("coda");
    Tensor same = attribute(net, img, image_of, classes, coda);
    EXPECT_EQ(same.values(), maps.values());
}

// d logit_c / d x (raw image) against central differences of the double
// reference net, eps = 1e-4 (truncation ~eps^2 |f'''| ~ 1e-8, rounding
// ~1e-12). Bound 1e-5 of the largest entry: the pipelines run in float32
// through three layers (measured worst 7e-7).
TEST(Attribution, GradientMatchesFiniteDifferencesOfTheLogit) {
    CodaNet net = make_net(colour_net(), 7);
    Tensor img = random_images(2, net.config(), 8);
    std::vector<int> image_of = {0, 1, 1}, classes = {2, 0, 3};
    Tensor g = raw_gradients(net, img, image_of, classes, 2);  // batch 2: pairs split over calls
    ASSERT_EQ(g.shape(), (Shape{3, 3, 8, 8}));
    const double eps = 1e-4;
    for (size_t p = 0; p < classes.size(); p++) {
        std::vector<double> x = image_row(img, image_of[p]);
        std::vector<double> fd(x.size());
        double largest = 0;
        for (size_t i = 0; i < x.size(); i++) {
            std::vector<double> up = x, down = x;
            up[i] += eps, down[i] -= eps;
            fd[i] =
                (reference_logit(net, up, classes[p]) - reference_logit(net, down, classes[p])) /
                (2 * eps);
            largest = std::max(largest, std::fabs(fd[i]));
        }
        ASSERT_GT(largest, 1e-3);
        double worst = 0;
        for (size_t i = 0; i < x.size(); i++) {
            worst = std::max(worst, std::fabs(g[int64_t(p * x.size() + i)] - fd[i]));
        }
        EXPECT_LT(worst, 1e-5 * largest) << "pair " << p;
    }
}

// The map methods are the channel sums of gradient and x * gradient.
TEST(Attribution, GradAndInputTimesGradientMaps) {
    CodaNet net = make_net(colour_net(), 11);
    Tensor img = random_images(2, net.config(), 12);
    std::vector<int> image_of = {1, 0}, classes = {1, 1};
    Tensor g = raw_gradients(net, img, image_of, classes);
    Tensor grad = attribute(net, img, image_of, classes, parse_attribution_method("grad"));
    Tensor ixg = attribute(net, img, image_of, classes, parse_attribution_method("ixg"));
    ASSERT_EQ(grad.shape(), (Shape{2, 8, 8}));
    for (int p = 0; p < 2; p++) {
        for (int j = 0; j < 64; j++) {
            double sg = 0, sx = 0;
            for (int c = 0; c < 3; c++) {
                const float gv = g[(p * 3 + c) * 64 + j];
                sg += gv;
                sx += gv * img[(image_of[p] * 3 + c) * 64 + j];
            }
            EXPECT_NEAR(grad[p * 64 + j], sg, 1e-6);
            EXPECT_NEAR(ixg[p * 64 + j], sx, 1e-6);
        }
    }
}

TEST(Attribution, GaussLegendrePointsIntegratePolynomialsExactly) {
    for (int n : {1, 2, 3, 7, 20, 33}) {
        std::vector<double> a, w;
        integration_points(n, IntegrationRule::gauss_legendre, a, w);
        for (int k = 0; k <= 2 * n - 1; k++) {  // exact up to degree 2n - 1
            double s = 0;
            for (int i = 0; i < n; i++)
                s += w[i] * std::pow(a[i], k);
            EXPECT_NEAR(s, 1.0 / (k + 1), 1e-12) << "n " << n << " degree " << k;
        }
        for (int i = 0; i < n; i++) {
            EXPECT_GT(a[i], 0.0);
            EXPECT_LT(a[i], 1.0);
        }
    }
    std::vector<double> a, w;
    integration_points(4, IntegrationRule::midpoint, a, w);
    EXPECT_EQ(a, (std::vector<double>{0.125, 0.375, 0.625, 0.875}));
    EXPECT_EQ(w, (std::vector<double>(4, 0.25)));
}

// Completeness: sum of IG = f(x) - f(black) up to the quadrature error.
// f(alpha) = logit_c(alpha x) is evaluated in double by the reference net.
// Midpoint rule with n steps: |error| <= max|f''| / (24 n^2); max|f''| is
// estimated from second differences on 201 points (x1.5 for the points
// between them); the error is f''(xi) / (24 n^2) for some xi, so the bound
// is nearly reached (measured 2.6e-4 against 3.0e-4 with 8 steps).
// Gauss-Legendre with 20 nodes is exact to degree 39 and f is smooth along
// the path, so only float32 rounding remains (measured 3e-8). Both get
// 1e-5 * sum |IG terms| for the float32 pipelines.
TEST(Attribution, IntegratedGradientsAreComplete) {
    CodaNet net = make_net(colour_net(), 21);
    Tensor img = random_images(2, net.config(), 22);
    std::vector<int> image_of = {0, 1, 0}, classes = {0, 1, 3};
    for (IntegrationRule rule : {IntegrationRule::midpoint, IntegrationRule::gauss_legendre}) {
        const int steps = rule == IntegrationRule::midpoint ? 8 : 20;
        // batch 16: the midpoint's 3 x 8 rows and GL's 20 rows span several calls
        Tensor ig = integrated_gradients(net, img, image_of, classes, steps, rule, 16);
        for (size_t p = 0; p < classes.size(); p++) {
            std::vector<double> x = image_row(img, image_of[p]);
            auto f = [&](double alpha) {
                std::vector<double> s = x;
                for (double &v : s)
                    v *= alpha;
                return reference_logit(net, s, classes[p]);
            };
            double sum = 0, mag = 0;
            const int64_t n = int64_t(x.size());
            for (int64_t i = 0; i < n; i++) {
                sum += ig[int64_t(p) * n + i];
                mag += std::fabs(ig[int64_t(p) * n + i]);
            }
            const double delta = f(1) - f(0);
            double bound = 1e-5 * mag + 1e-7;
            if (rule == IntegrationRule::midpoint) {
                const double h = 1.0 / 200;
                double f2 = 0;
                for (int k = 1; k < 200; k++) {
                    const double d2 = f((k + 1) * h) - 2 * f(k * h) + f((k - 1) * h);
                    f2 = std::max(f2, std::fabs(d2) / (h * h));
                }
                bound += 1.5 * f2 / (24.0 * steps * steps);
            }
            EXPECT_NEAR(sum, delta, bound)
                << "pair " << p
                << (rule == IntegrationRule::midpoint ? " midpoint" : " Gauss-Legendre");
        }
    }
    // the map is the channel sum of the per-channel attributions
    AttributionMethod m = parse_attribution_method("intgrad");
    Tensor map = attribute(net, img, image_of, classes, m);
    Tensor full =
        integrated_gradients(net, img, image_of, classes, 20, IntegrationRule::gauss_legendre);
    EXPECT_NEAR(total(map, 2), total(full, 2), 1e-4);
}

// Occlusion against the definition: one forward pass per window, no batching.
Tensor naive_occlusion(const CodaNet &net, const Tensor &img, int b, int cls, int window,
                       int stride) {
    const ModelConfig &m = net.config();
    const int C = m.image_channels, H = m.image_height, W = m.image_width;
    Tensor one = select_rows(img, {b});
    const float original = net.forward(one).logits[cls];
    Tensor map({H, W}, 0.0f);
    for (int cy = 0; cy < H; cy += stride) {
        for (int cx = 0; cx < W; cx += stride) {
            Tensor copy = one;
            int area = 0;
            for (int y = cy - window / 2; y < cy - window / 2 + window; y++) {
                for (int x = cx - window / 2; x < cx - window / 2 + window; x++) {
                    if (y < 0 || y >= H || x < 0 || x >= W)
                        continue;
                    area++;
                    for (int c = 0; c < C; c++)
                        copy[(c * H + y) * W + x] = 0.0f;
                }
            }
            const float drop = original - net.forward(copy).logits[cls];
            for (int y = std::max(0, cy - window / 2); y < std::min(H, cy - window / 2 + window);
                 y++) {
                for (int x = std::max(0, cx - window / 2);
                     x < std::min(W, cx - window / 2 + window); x++) {
                    map[y * W + x] += drop / float(area);
                }
            }
        }
    }
    return map;
}

// Bound 1e-4 of the largest |value|: float32 logit differences summed over
// the windows covering a pixel, in a different order.
TEST(Attribution, OcclusionMatchesNaiveLoop) {
    for (const ModelConfig &cfg : {grey_net(), colour_net(), wide_net()}) {
        CodaNet net = make_net(cfg, 31);
        Tensor img = random_images(2, cfg, 32);
        std::vector<int> image_of = {1, 0, 1}, classes = {0, 2, 3};
        for (auto [window, stride] : {std::pair{5, 2}, std::pair{4, 1}, std::pair{9, 3}}) {
            Tensor maps = occlusion_maps(net, img, image_of, classes, window, stride, 7);
            for (size_t p = 0; p < classes.size(); p++) {
                Tensor naive = naive_occlusion(net, img, image_of[p], classes[p], window, stride);
                const int64_t n = naive.size();
                const float largest = std::max(1e-6f, [&] {
                    float m = 0;
                    for (float v : naive.values())
                        m = std::max(m, std::fabs(v));
                    return m;
                }());
                for (int64_t i = 0; i < n; i++) {
                    ASSERT_NEAR(maps[int64_t(p) * n + i], naive[i], 1e-4f * largest)
                        << "window " << window << " stride " << stride << " pair " << p << " pixel "
                        << i;
                }
            }
        }
    }
    AttributionMethod occ9 = parse_attribution_method("occ9");
    EXPECT_EQ(occ9.kind, AttributionKind::occlusion);
    EXPECT_EQ(occ9.window, 9);
    EXPECT_EQ(occ9.stride, 2);
}

TEST(Attribution, RiseMasksAreShiftedUpsampledGrids) {
    Tensor masks = rise_masks(400, 20, 16, 6, 0.1, 5);
    ASSERT_EQ(masks.shape(), (Shape{400, 20, 16}));
    double sum = 0;
    for (float v : masks.values()) {
        ASSERT_GE(v, 0.0f);
        ASSERT_LE(v, 1.0f);
        sum += v;
    }
    // The mean of a bilinear mix of Bernoulli(0.1) cells is 0.1; 400 masks
    // of 36 cells give a standard error of about 0.008.
    EXPECT_NEAR(sum / masks.size(), 0.1, 0.03);
    // deterministic in the seed
    EXPECT_EQ(rise_masks(3, 20, 16, 6, 0.1, 5).values(),
              Floats(masks.data(), masks.data() + 3 * 20 * 16));
    EXPECT_NE(rise_masks(3, 20, 16, 6, 0.1, 6).values(),
              Floats(masks.data(), masks.data() + 3 * 20 * 16));
}

// RISE against its definition with the same masks: sum_i sigmoid(logit_c(x m_i)) m_i / (N p).
TEST(Attribution, RiseMatchesDefinition) {
    CodaNet net = make_net(grey_net(), 41);
    Tensor img = random_images(2, net.config(), 42);
    AttributionMethod m = parse_attribution_method("rise");
    m.masks = 30, m.seed = 9, m.batch = 8;
    std::vector<int> image_of = {1, 1}, classes = {0, 4};
    Tensor maps = rise_maps(net, img, image_of, classes, m);
    Tensor masks = rise_masks(30, 20, 16, 6, 0.1, 9);
    for (size_t p = 0; p < classes.size(); p++) {
        std::vector<double> expected(320, 0.0);
        for (int i = 0; i < 30; i++) {
            Tensor x({1, 1, 20, 16});
            for (int j = 0; j < 320; j++)
                x[j] = img[image_of[p] * 320 + j] * masks[i * 320 + j];
            const double prob = 1 / (1 + std::exp(-double(net.forward(x).logits[classes[p]])));
            for (int j = 0; j < 320; j++)
                expected[j] += prob * masks[i * 320 + j] / (30 * 0.1);
        }
        for (int j = 0; j < 320; j++) {
            ASSERT_NEAR(maps[int64_t(p) * 320 + j], expected[j], 1e-5)
                << "pair " << p << " pixel " << j;
        }
    }
}

TEST(Attribution, MethodNames) {
    auto methods = parse_attribution_methods("coda,grad,ixg,intgrad,occ5,occ9,rise");
    ASSERT_EQ(methods.size(), 7u);
    EXPECT_EQ(methods[0].kind, AttributionKind::coda);
    EXPECT_EQ(methods[3].kind, AttributionKind::integrated_gradients);
    EXPECT_EQ(methods[3].steps, 20);
    EXPECT_EQ(methods[4].window, 5);
    EXPECT_EQ(methods[6].kind, AttributionKind::rise);
    EXPECT_CODA_ERROR(parse_attribution_method("lime"), "unknown attribution method 'lime'");
    EXPECT_CODA_ERROR(parse_attribution_method("occ"), "unknown attribution method");
    EXPECT_CODA_ERROR(parse_attribution_method("occ0"), "unknown attribution method");
    EXPECT_CODA_ERROR(parse_attribution_methods("coda,,grad"), "empty attribution method");
    EXPECT_CODA_ERROR(parse_attribution_methods("grad,grad"), "listed twice");
}

TEST(Attribution, RejectsBadPairs) {
    CodaNet net = make_net(colour_net(), 1);
    Tensor img = random_images(2, net.config(), 2);
    EXPECT_CODA_ERROR(raw_gradients(net, img, {0}, {4}), "class 4 outside 0..3");
    EXPECT_CODA_ERROR(coda_maps(net, img, {2}, {0}), "image 2 outside a batch of 2");
    EXPECT_CODA_ERROR(occlusion_maps(net, img, {0, 1}, {0}, 5, 2), "2 image indices but 1 classes");
    EXPECT_CODA_ERROR(occlusion_maps(net, img, {0}, {0}, 0, 2), "must be at least 1");
    EXPECT_CODA_ERROR(
        attribute(net, Tensor({1, 1, 8, 8}), {0}, {0}, parse_attribution_method("grad")),
        "images have shape (1, 1, 8, 8)");
    // no pairs: empty maps
    EXPECT_EQ(attribute(net, img, {}, {}, parse_attribution_method("occ5")).shape(),
              (Shape{0, 8, 8}));
}

}  // namespace
}  // namespace coda
