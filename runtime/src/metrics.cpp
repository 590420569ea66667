#include "coda/metrics.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <random>

#include "coda/loss.h"
#include "coda/progress.h"
#include "coda/random.h"

namespace coda {

namespace {

std::unique_ptr<ProgressBar> make_bar(const std::string &label, int64_t total, const char *unit) {
    return label.empty() ? nullptr : std::make_unique<ProgressBar>(label, total, unit);
}

float sigmoid(float v) {
    return 1.0f / (1.0f + std::exp(-v));
}

}  // namespace

Tensor dataset_logits(const CodaNet &net, const Dataset &d, int batch, bool progress) {
    const int K = net.config().num_classes();
    Tensor logits({d.size(), K});
    auto bar = make_bar(progress ? "logits" : "", d.size(), "img");
    for (int64_t s = 0; s < d.size(); s += batch) {
        std::vector<int> rows;
        for (int64_t i = s; i < std::min(d.size(), s + batch); i++) {
            rows.push_back(static_cast<int>(i));
        }
        Tensor l = net.forward(select_rows(d.images, rows)).logits;
        std::copy_n(l.data(), l.size(), logits.data() + s * K);
        if (bar) {
            bar->update(s + int64_t(rows.size()));
        }
    }
    if (bar) {
        bar->finish();
    }
    return logits;
}

std::vector<int64_t> localisation_order(const Tensor &logits, const std::vector<int> &labels,
                                        int per_grid, uint64_t seed) {
    const int64_t N = logits.dim(0);
    const int K = static_cast<int>(logits.dim(1));
    if (int64_t(labels.size()) != N) {
        throw Error("localisation: " + std::to_string(N) + " logit rows but " +
                    std::to_string(labels.size()) + " labels");
    }
    if (K <= per_grid) {
        throw Error("localisation needs more classes than cells per grid (" + std::to_string(K) +
                    " classes, " + std::to_string(per_grid) + " cells)");
    }
    // 1. correct images per class, most confident first (stable: ties by index)
    std::vector<std::vector<std::pair<int64_t, float>>> confident(K);
    for (int64_t i = 0; i < N; i++) {
        if (argmax_row(logits, i) == labels[i]) {
            confident[labels[i]].push_back({i, logits[i * K + labels[i]]});
        }
    }
    for (auto &list : confident) {
        std::stable_sort(list.begin(), list.end(),
                         [](const auto &a, const auto &b) { return a.second > b.second; });
    }
    // 2. draw per_grid of the classes that still have a confident image
    std::vector<size_t> next(K, 0);
    auto available = [&](int c) {
        return next[c] < confident[c].size() && sigmoid(confident[c][next[c]].second) > 0.5f;
    };
    std::mt19937_64 rng(seed);
    std::vector<int64_t> order;
    while (true) {
        std::vector<int> open;
        for (int c = 0; c < K; c++) {
            if (available(c)) {
                open.push_back(c);
            }
        }
        if (int(open.size()) <= per_grid) {
            break;
        }
        std::vector<int64_t> perm = random_permutation(int64_t(open.size()), rng);
        for (int j = 0; j < per_grid; j++) {
            const int c = open[perm[j]];
            order.push_back(confident[c][next[c]++].first);
        }
    }
    return order;
}

std::vector<GridSample> localisation_grids(const std::vector<int64_t> &order,
                                           const std::vector<int> &labels, int n, int max_grids) {
    if (n < 1) {
        throw Error("localisation grid size " + std::to_string(n) + ", expected >= 1");
    }
    std::vector<GridSample> grids;
    size_t pos = 0;
    while (int(grids.size()) < max_grids) {
        GridSample g;
        size_t i = pos;
        for (; i < order.size() && int(g.images.size()) < n * n; i++) {
            const int c = labels.at(order[i]);
            if (std::find(g.classes.begin(), g.classes.end(), c) == g.classes.end()) {
                g.images.push_back(order[i]);
                g.classes.push_back(c);
            }
        }
        if (int(g.images.size()) < n * n) {
            break;  // the order ran out
        }
        grids.push_back(std::move(g));
        pos = i + 1;  // the reference's offset: one image skipped
    }
    return grids;
}

Tensor grid_images(const Tensor &images, const std::vector<GridSample> &grids, int n) {
    const int64_t C = images.dim(1), H = images.dim(2), W = images.dim(3);
    Tensor out({int64_t(grids.size()), C, n * H, n * W});
    for (size_t g = 0; g < grids.size(); g++) {
        for (int i = 0; i < n * n; i++) {
            const int64_t src = grids[g].images.at(i), row = i % n, col = i / n;
            if (src < 0 || src >= images.dim(0)) {
                throw Error("grid image " + std::to_string(src) + " outside " +
                            std::to_string(images.dim(0)) + " images");
            }
            for (int64_t c = 0; c < C; c++) {
                for (int64_t y = 0; y < H; y++) {
                    std::copy_n(images.data() + ((src * C + c) * H + y) * W, W,
                                out.data() + ((int64_t(g) * C + c) * n * H + row * H + y) * n * W +
                                    col * W);
                }
            }
        }
    }
    return out;
}

CodaNet grid_model(const CodaNet &net, int n) {
    ModelConfig c = net.config();
    c.image_height *= n;
    c.image_width *= n;
    CodaNet grid(c);
    grid.params() = net.params();
    return grid;
}

double localisation_score(const Tensor &maps, int64_t row, int n, int cell) {
    const int64_t H = maps.dim(1), W = maps.dim(2), h = H / n, w = W / n;
    const int64_t r0 = (cell % n) * h, c0 = (cell / n) * w;
    double inside = 0, total = 0;
    for (int64_t y = 0; y < H; y++) {
        for (int64_t x = 0; x < W; x++) {
            const double v = std::max(0.0f, maps[(row * H + y) * W + x]);
            total += v;
            if (y >= r0 && y < r0 + h && x >= c0 && x < c0 + w) {
                inside += v;
            }
        }
    }
    return total > 0 ? inside / total : 0.0;
}

LocalisationResult localisation(const CodaNet &grid_net, const Tensor &grids_images,
                                const std::vector<GridSample> &grids, int n,
                                const AttributionMethod &method, int keep_maps,
                                const std::string &progress_label) {
    const int cells = n * n;
    const int64_t G = int64_t(grids.size());
    LocalisationResult r;
    r.scores.assign(size_t(G) * cells, 0.0);
    auto bar = make_bar(progress_label, G, "grid");
    // Several grids per call when each is cheap (one pass per class), so the
    // pipelines see full batches; one grid at a time for the many-pass
    // methods, which batch their own copies (and keep the bar moving).
    const bool cheap = method.kind == AttributionKind::coda ||
                       method.kind == AttributionKind::gradient ||
                       method.kind == AttributionKind::input_x_gradient;
    const int64_t chunk = cheap ? std::max<int64_t>(1, method.batch / cells) : 1;
    for (int64_t s = 0; s < G; s += chunk) {
        const int64_t e = std::min(G, s + chunk);
        std::vector<int> rows, image_of, classes;
        for (int64_t g = s; g < e; g++) {
            rows.push_back(static_cast<int>(g));
            for (int i = 0; i < cells; i++) {
                image_of.push_back(static_cast<int>(g - s));
                classes.push_back(grids[g].classes.at(i));
            }
        }
        Tensor maps =
            attribute(grid_net, select_rows(grids_images, rows), image_of, classes, method);
        for (int64_t g = s; g < e; g++) {
            for (int i = 0; i < cells; i++) {
                r.scores[g * cells + i] = localisation_score(maps, (g - s) * cells + i, n, i);
            }
            if (g < keep_maps) {
                std::vector<int> mine(cells);
                std::iota(mine.begin(), mine.end(), int((g - s) * cells));
                r.example_maps.push_back(select_rows(maps, mine));
            }
        }
        if (bar) {
            bar->update(e);
        }
    }
    if (bar) {
        bar->finish();
    }
    return r;
}

std::vector<int> removal_points(int pixels, const PixelRemovalOptions &o) {
    if (!(o.max_fraction >= 0 && o.max_fraction <= 1) || o.step < 0) {
        throw Error("pixel removal: max fraction must be in [0, 1] and the step >= 0");
    }
    const int max_removed = static_cast<int>(o.max_fraction * pixels);
    const int step = o.step > 0 ? o.step : std::max(1, max_removed / 128);
    std::vector<int> points;
    for (int r = 0; r <= max_removed; r += step) {
        points.push_back(r);
    }
    return points;
}

std::vector<int> removal_order(const float *map, int pixels, bool most_important_first) {
    std::vector<int> order(pixels);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return most_important_first ? map[a] > map[b] : map[a] < map[b];
    });
    return order;
}

std::vector<std::vector<double>> removal_probabilities(const CodaNet &net, const Tensor &images,
                                                       const std::vector<int> &labels,
                                                       const Tensor &maps,
                                                       const std::vector<int> &points,
                                                       const PixelRemovalOptions &options) {
    const ModelConfig &m = net.config();
    const int64_t B = images.dim(0);
    const int H = m.image_height, W = m.image_width, K = m.num_classes();
    if (int64_t(labels.size()) != B || maps.rank() != 3 || maps.dim(0) != B || maps.dim(1) != H ||
        maps.dim(2) != W) {
        throw Error("pixel removal: " + std::to_string(B) + " images, " +
                    std::to_string(labels.size()) + " labels and maps " + to_string(maps.shape()) +
                    " do not match the model's " + std::to_string(H) + "x" + std::to_string(W));
    }
    for (int p : points) {
        if (p < 0 || p > H * W) {
            throw Error("pixel removal: cannot remove " + std::to_string(p) + " of " +
                        std::to_string(H * W) + " pixels");
        }
    }
    const Tensor encoded = net.encode(images);
    const int64_t Ce = encoded.dim(1), He = encoded.dim(2), We = encoded.dim(3);
    const int64_t row = Ce * He * We;
    const int pad = m.input_pad;
    std::vector<std::vector<int>> orders;
    for (int64_t b = 0; b < B; b++) {
        orders.push_back(
            removal_order(maps.data() + b * H * W, H * W, options.most_important_first));
    }
    std::vector<std::vector<double>> probs(B, std::vector<double>(points.size()));
    // All (image, point) rows, batched through forward_encoded.
    const int64_t total = B * int64_t(points.size()), batch = std::max(1, options.batch);
    for (int64_t s = 0; s < total; s += batch) {
        const int64_t n = std::min(batch, total - s);
        Tensor t({n, Ce, He, We});
        for (int64_t i = 0; i < n; i++) {
            const int64_t b = (s + i) / int64_t(points.size()),
                          j = (s + i) % int64_t(points.size());
            float *dst = t.data() + i * row;
            std::copy_n(encoded.data() + b * row, row, dst);
            for (int k = 0; k < points[j]; k++) {
                const int y = orders[b][k] / W + pad, x = orders[b][k] % W + pad;
                for (int64_t c = 0; c < Ce; c++) {
                    dst[(c * He + y) * We + x] = 0.0f;  // both x and 1 - x
                }
            }
        }
        Tensor logits = net.forward_encoded(t).logits;
        for (int64_t i = 0; i < n; i++) {
            const int64_t b = (s + i) / int64_t(points.size()),
                          j = (s + i) % int64_t(points.size());
            probs[b][j] = sigmoid(logits[i * K + labels[b]]);
        }
    }
    return probs;
}

RemovalCurve pixel_removal(const CodaNet &net, const Tensor &images, const std::vector<int> &labels,
                           const AttributionMethod &method, const PixelRemovalOptions &options,
                           const std::string &progress_label) {
    const ModelConfig &m = net.config();
    const int pixels = m.image_height * m.image_width;
    RemovalCurve curve;
    curve.removed = removal_points(pixels, options);
    for (int r : curve.removed) {
        curve.fraction.push_back(double(r) / pixels);
    }
    curve.probability.assign(curve.removed.size(), 0.0);
    const int64_t B = images.dim(0);
    if (B == 0) {
        throw Error("pixel removal needs at least one image");
    }
    auto bar = make_bar(progress_label, B, "img");
    // Chunks of images keep the copies' memory bounded and the bar moving.
    const int64_t chunk = 16;
    for (int64_t s = 0; s < B; s += chunk) {
        const int64_t e = std::min(B, s + chunk);
        std::vector<int> rows, image_of;
        std::vector<int> chunk_labels(labels.begin() + s, labels.begin() + e);
        for (int64_t b = s; b < e; b++) {
            rows.push_back(static_cast<int>(b));
            image_of.push_back(static_cast<int>(b - s));
        }
        Tensor x = select_rows(images, rows);
        Tensor maps = attribute(net, x, image_of, chunk_labels, method);
        auto probs = removal_probabilities(net, x, chunk_labels, maps, curve.removed, options);
        for (const auto &p : probs) {
            for (size_t j = 0; j < p.size(); j++) {
                curve.probability[j] += p[j] / double(B);
            }
        }
        if (bar) {
            bar->update(e);
        }
    }
    if (bar) {
        bar->finish();
    }
    return curve;
}

double curve_at(const RemovalCurve &curve, double fraction) {
    if (curve.fraction.empty()) {
        throw Error("empty pixel-removal curve");
    }
    size_t best = 0;
    for (size_t j = 1; j < curve.fraction.size(); j++) {
        if (std::fabs(curve.fraction[j] - fraction) < std::fabs(curve.fraction[best] - fraction)) {
            best = j;
        }
    }
    return curve.probability[best];
}

}  // namespace coda
