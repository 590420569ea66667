// The metrics of spec section 5 on constructed cases with known answers:
// localisation scores of constructed maps, the grid selection and layout,
// the grid model's sum pool, the pixel-removal order and what removal does
// to the encoded input; and the summary statistics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "coda/metrics.h"
#include "coda/statistics.h"
#include "random_layer.h"
#include "test_files.h"

namespace coda {
namespace {

using testing::random_images;

ModelConfig small_net() {
    ModelConfig c;
    c.image_channels = 1, c.image_height = 6, c.image_width = 5, c.input_pad = 1;
    c.temperature = 4;
    c.layers = {{6, 4, 3, 1, 1}, {4, 3, 1, 1, 0}};
    return c;
}

// Every position on its own (1x1 kernels, no padding): a grid's output is
// exactly the outputs of its tiles side by side.
ModelConfig pointwise_net() {
    ModelConfig c;
    c.image_channels = 1, c.image_height = 4, c.image_width = 3, c.input_pad = 0;
    c.temperature = 2;
    c.layers = {{5, 3, 1, 1, 0}, {4, 3, 1, 1, 0}};
    return c;
}

// A map (N, n*h, n*w) that is `inside` on cell `cell` and `outside` elsewhere.
Tensor cell_map(int n, int h, int w, int cell, float inside, float outside) {
    Tensor m({1, n * h, n * w}, outside);
    const int r0 = (cell % n) * h, c0 = (cell / n) * w;
    for (int y = r0; y < r0 + h; y++) {
        for (int x = c0; x < c0 + w; x++)
            m[y * n * w + x] = inside;
    }
    return m;
}

TEST(Localisation, AttributionInsideTheRightCellScoresOne) {
    for (int n : {2, 3}) {
        for (int cell = 0; cell < n * n; cell++) {
            EXPECT_DOUBLE_EQ(localisation_score(cell_map(n, 4, 3, cell, 2.0f, 0.0f), 0, n, cell),
                             1.0);
            // negative attribution elsewhere is ignored (only A+ counts)
            EXPECT_DOUBLE_EQ(localisation_score(cell_map(n, 4, 3, cell, 0.5f, -3.0f), 0, n, cell),
                             1.0);
            // and a cell that holds nothing scores 0
            EXPECT_DOUBLE_EQ(
                localisation_score(cell_map(n, 4, 3, cell, 2.0f, 0.0f), 0, n, (cell + 1) % (n * n)),
                0.0);
        }
    }
}

TEST(Localisation, UniformAttributionScoresOneOverNSquared) {
    for (int n : {1, 2, 3, 4}) {
        Tensor uniform({1, n * 7, n * 5}, 0.25f);
        for (int cell = 0; cell < n * n; cell++) {
            EXPECT_NEAR(localisation_score(uniform, 0, n, cell), 1.0 / (n * n), 1e-12);
        }
    }
    // no positive attribution at all: 0 (not NaN)
    EXPECT_EQ(localisation_score(Tensor({1, 6, 6}, -1.0f), 0, 3, 4), 0.0);
    EXPECT_EQ(localisation_score(Tensor({1, 6, 6}, 0.0f), 0, 3, 4), 0.0);
    // a known share: 3 of 4 units of A+ inside cell 1 (row 1, column 0)
    Tensor m({1, 4, 4}, 0.0f);
    m[2 * 4 + 0] = 3.0f;  // row 2: cell row 1, column 0
    m[0] = 1.0f;          // cell 0
    EXPECT_DOUBLE_EQ(localisation_score(m, 0, 2, 1), 0.75);
    EXPECT_DOUBLE_EQ(localisation_score(m, 0, 2, 0), 0.25);
}

// Image i goes to row i mod n, column i div n, and the score of class i
// reads the same cell.
TEST(Localisation, GridLayout) {
    Tensor images({9, 1, 2, 3});
    for (int i = 0; i < 9; i++) {
        for (int j = 0; j < 6; j++)
            images[i * 6 + j] = float(i);
    }
    GridSample g;
    for (int i = 0; i < 9; i++)
        g.images.push_back(8 - i), g.classes.push_back(i);
    Tensor grid = grid_images(images, {g}, 3);
    ASSERT_EQ(grid.shape(), (Shape{1, 1, 6, 9}));
    for (int i = 0; i < 9; i++) {
        const int row = i % 3, col = i / 3;
        EXPECT_EQ(grid[(row * 2 + 1) * 9 + col * 3 + 2], float(8 - i)) << "cell " << i;
    }
    Tensor map({1, 6, 9}, 0.0f);
    for (int64_t j = 0; j < 54; j++)
        map[j] = grid[j] == 5.0f ? 1.0f : 0.0f;  // image 5 = cell 3
    EXPECT_DOUBLE_EQ(localisation_score(map, 0, 3, 3), 1.0);
}

// Steps 1-2 of spec 5.1 on constructed logits with known confidences.
TEST(Localisation, SelectionOrder) {
    // 5 classes, per_grid 2. Image i has label i % 5; its true-class logit
    // is `conf`, all others -10. Wrong predictions and unconfident images
    // must never be chosen.
    const int K = 5, N = 40;
    Tensor logits({N, K}, -10.0f);
    std::vector<int> labels(N);
    for (int i = 0; i < N; i++) {
        labels[i] = i % K;
        logits[i * K + labels[i]] = 5.0f - 0.1f * i;  // later images less confident
    }
    logits[7 * K + 0] = 20.0f;      // image 7 (label 2) is predicted as class 0
    logits[3 * K + 3] = -1.0f;      // image 3 (label 3) is correct but sigmoid < 0.5
    for (int i = 30; i < N; i++) {  // only classes 0-2 keep confident images here
        if (labels[i] >= 3)
            logits[i * K + labels[i]] = -0.5f, logits[i * K + 0] = -0.6f;
    }
    std::vector<int64_t> order = localisation_order(logits, labels, 2, 42);
    ASSERT_FALSE(order.empty());
    ASSERT_EQ(order.size() % 2, 0u);
    std::vector<int> last_used(K, -1);
    for (size_t i = 0; i < order.size(); i++) {
        const int64_t img = order[i];
        EXPECT_NE(img, 7);
        EXPECT_NE(img, 3);
        const int c = labels[img];
        EXPECT_GT(logits[img * K + c], 0.0f) << "unconfident image " << img;
        // per class, most confident first
        EXPECT_GT(img, last_used[c]);
        last_used[c] = int(img);
        if (i % 2 == 1) {
            EXPECT_NE(labels[order[i - 1]], c) << "block " << i / 2 << " repeats a class";
        }
    }
    // it stops once only per_grid (= 2) classes are left with confident images
    const int confident[K] = {8, 8, 7, 5, 6};
    std::vector<int> used(K, 0);
    for (int64_t img : order)
        used[labels[img]]++;
    int left = 0;
    for (int c = 0; c < K; c++) {
        EXPECT_LE(used[c], confident[c]);
        left += used[c] < confident[c];
    }
    EXPECT_LE(left, 2);
    EXPECT_EQ(used[3], 5);  // classes 3 and 4 ran out first
    EXPECT_EQ(used[4], 6);
    EXPECT_EQ(order, localisation_order(logits, labels, 2, 42)) << "not deterministic";
    EXPECT_NE(order, localisation_order(logits, labels, 2, 43)) << "the seed has no effect";
    EXPECT_CODA_ERROR(localisation_order(logits, labels, 5, 42), "needs more classes than cells");
}

// Step 3: distinct classes per grid, duplicates skipped, and the
// reference's offset (one image skipped after each grid).
TEST(Localisation, GridsFromOrder) {
    std::vector<int> labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1};
    std::vector<int64_t> order = {0, 1, 10, 2, 3, 11, 4, 5, 6, 7};
    std::vector<GridSample> grids = localisation_grids(order, labels, 2, 10);
    ASSERT_EQ(grids.size(), 2u);
    // grid 0: 0, 1, (10 is class 0 again: skipped), 2, 3; then 11 is skipped
    EXPECT_EQ(grids[0].images, (std::vector<int64_t>{0, 1, 2, 3}));
    EXPECT_EQ(grids[0].classes, (std::vector<int>{0, 1, 2, 3}));
    EXPECT_EQ(grids[1].images, (std::vector<int64_t>{4, 5, 6, 7}));
    EXPECT_EQ(localisation_grids(order, labels, 2, 1).size(), 1u);
    EXPECT_TRUE(localisation_grids({0, 1, 2}, labels, 2, 5).empty());
}

// The grid model shares the parameters; with the sum pool its logit - b0 is
// the sum over the tiles (exact for a pointwise net): spec pitfall 7, the
// logit scale grows with the area.
TEST(Localisation, GridModelSumsOverTheTiles) {
    CodaNet net(pointwise_net());
    net.init(5);
    CodaNet grid = grid_model(net, 2);
    EXPECT_EQ(grid.config().image_height, 8);
    EXPECT_EQ(grid.config().image_width, 6);
    Tensor img = random_images(4, net.config(), 6);
    GridSample g{{0, 1, 2, 3}, {0, 1, 2, 3}};
    Tensor tiles = grid_images(img, {g}, 2);
    Tensor lg = grid.forward(tiles).logits, l = net.forward(img).logits;
    const double b0 = net.config().logit_bias;
    for (int c = 0; c < 4; c++) {
        double sum = 0;
        for (int i = 0; i < 4; i++)
            sum += l[i * 4 + c] - b0;
        EXPECT_NEAR(lg[c] - b0, sum, 1e-5 * (1 + std::fabs(sum)));
    }
    // Scores for all classes of one grid through the driver: coda maps of a
    // pointwise net only depend on each tile, so every score is well defined.
    LocalisationResult r = localisation(grid, tiles, {g}, 2, parse_attribution_method("coda"), 1);
    ASSERT_EQ(r.scores.size(), 4u);
    ASSERT_EQ(r.example_maps.size(), 1u);
    EXPECT_EQ(r.example_maps[0].shape(), (Shape{4, 8, 6}));
    for (double s : r.scores) {
        EXPECT_GE(s, 0.0);
        EXPECT_LE(s, 1.0);
    }
}

TEST(PixelRemoval, OrderOfAConstructedMap) {
    const float map[6] = {0.5f, -2.0f, 3.0f, 0.5f, 0.0f, -1.0f};
    EXPECT_EQ(removal_order(map, 6, false), (std::vector<int>{1, 5, 4, 0, 3, 2}));
    EXPECT_EQ(removal_order(map, 6, true), (std::vector<int>{2, 0, 3, 4, 5, 1}));
}

TEST(PixelRemoval, EvaluationPoints) {
    PixelRemovalOptions o;
    std::vector<int> p32 = removal_points(32 * 32, o);  // the reference: 129 points, step 2
    ASSERT_EQ(p32.size(), 129u);
    EXPECT_EQ(p32[1], 2);
    EXPECT_EQ(p32.back(), 256);
    std::vector<int> p28 = removal_points(28 * 28, o);  // 196 / 128 -> step 1
    EXPECT_EQ(p28.size(), 197u);
    o.step = 10;
    EXPECT_EQ(removal_points(100, o), (std::vector<int>{0, 10, 20}));
    o.max_fraction = 1.5;
    EXPECT_CODA_ERROR(removal_points(100, o), "max fraction");
}

// Removal zeroes BOTH encoded channels (x and 1 - x) at the removed pixels,
// in the map's ascending order; the first point is the untouched image.
TEST(PixelRemoval, ZeroesBothEncodedChannels) {
    CodaNet net(small_net());
    net.init(9);
    Tensor img = random_images(2, net.config(), 10);
    Tensor maps({2, 6, 5});
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(-1, 1);
    for (float &v : maps.values())
        v = u(rng);
    std::vector<int> labels = {3, 1}, points = {0, 1, 4, 30};
    PixelRemovalOptions o;
    o.batch = 3;  // rows of different images share a call
    auto probs = removal_probabilities(net, img, labels, maps, points, o);
    Tensor encoded = net.encode(img);
    for (int b = 0; b < 2; b++) {
        std::vector<int> order = removal_order(maps.data() + b * 30, 30, false);
        for (size_t j = 0; j < points.size(); j++) {
            Tensor e = select_rows(encoded, {b});  // (1, 2, 8, 7)
            for (int k = 0; k < points[j]; k++) {
                const int y = order[k] / 5 + 1, x = order[k] % 5 + 1;
                e[(0 * 8 + y) * 7 + x] = 0.0f;
                e[(1 * 8 + y) * 7 + x] = 0.0f;
            }
            const double expected =
                1 / (1 + std::exp(-double(net.forward_encoded(e).logits[labels[b]])));
            EXPECT_NEAR(probs[b][j], expected, 1e-6) << "image " << b << " point " << j;
        }
    }
    const double untouched = 1 / (1 + std::exp(-double(net.forward(img).logits[labels[0]])));
    EXPECT_NEAR(probs[0][0], untouched, 1e-6);
    // everything removed: the encoded input is all zero, so every layer gives
    // 0 and the logit is the bias
    auto all = removal_probabilities(net, img, labels, maps, {30}, o);
    EXPECT_NEAR(all[0][0], 1 / (1 + std::exp(-net.config().logit_bias)), 1e-6);
}

TEST(PixelRemoval, CurveIsTheMeanOverImages) {
    CodaNet net(small_net());
    net.init(13);
    Tensor img = random_images(3, net.config(), 14);
    std::vector<int> labels = {0, 2, 3};
    PixelRemovalOptions o;
    o.step = 2;
    AttributionMethod grad = parse_attribution_method("grad");
    RemovalCurve curve = pixel_removal(net, img, labels, grad, o);
    EXPECT_EQ(curve.removed, (std::vector<int>{0, 2, 4, 6}));  // 25% of 30 pixels = 7
    Tensor maps = attribute(net, img, {0, 1, 2}, labels, grad);
    auto probs = removal_probabilities(net, img, labels, maps, curve.removed, o);
    for (size_t j = 0; j < curve.removed.size(); j++) {
        EXPECT_NEAR(curve.probability[j], (probs[0][j] + probs[1][j] + probs[2][j]) / 3, 1e-9);
        EXPECT_DOUBLE_EQ(curve.fraction[j], curve.removed[j] / 30.0);
    }
    EXPECT_DOUBLE_EQ(curve_at(curve, 0.0), curve.probability[0]);
    EXPECT_DOUBLE_EQ(curve_at(curve, 0.15), curve.probability[2]);  // 4/30 is nearest
    EXPECT_DOUBLE_EQ(curve_at(curve, 0.25), curve.probability[3]);
}

TEST(Statistics, QuantilesAsNumPy) {
    std::vector<double> v = {7, 1, 3, 5};
    EXPECT_DOUBLE_EQ(quantile(v, 0.5), 4.0);   // numpy.median
    EXPECT_DOUBLE_EQ(quantile(v, 0.25), 2.5);  // numpy.percentile(v, 25)
    EXPECT_DOUBLE_EQ(quantile(v, 1.0), 7.0);
    EXPECT_DOUBLE_EQ(mean(v), 4.0);
    std::vector<double> w = {0, 1, 2, 3, 4, 5, 6, 7, 8, 100};
    BoxStats b = box_stats(w);
    EXPECT_DOUBLE_EQ(b.q1, 2.25);
    EXPECT_DOUBLE_EQ(b.q3, 6.75);
    EXPECT_DOUBLE_EQ(b.low, 0.0);
    EXPECT_DOUBLE_EQ(b.high, 8.0);  // 100 is beyond 1.5 IQR: an outlier
    EXPECT_CODA_ERROR(quantile(v, 1.5), "outside [0, 1]");
}

}  // namespace
}  // namespace coda
