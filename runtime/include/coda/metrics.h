// The interpretability metrics of spec section 5, for any attribution method
// (coda/attribution.h):
//  - localisation (5.1): n x n grids of confidently classified test images of
//    distinct classes; the score of a class is the share of its positive
//    attribution that falls inside its own cell;
//  - pixel removal (5.2): pixels removed from the least to the most important
//    (both encoded channels zeroed), the mean target-class probability
//    recorded along the way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "coda/attribution.h"
#include "coda/data.h"

namespace coda {

// Logits (N, K) of every image of d, in batches.
Tensor dataset_logits(const CodaNet &net, const Dataset &d, int batch = 256, bool progress = true);

// ---- Localisation (spec 5.1) ----

// Steps 1-2: the correctly classified images of each class sorted by their
// true-class logit (most confident first); then, while MORE than
// `per_grid` classes still have an unused image with sigmoid(logit) > 0.5,
// `per_grid` of those classes drawn at random (without replacement) each
// give their next image. The reference seeds NumPy with 42; NumPy's stream
// cannot be reproduced, so the draws use std::mt19937_64 seeded from `seed`
// (coda/random.h): deterministic, but not the reference's selection.
std::vector<int64_t> localisation_order(const Tensor &logits, const std::vector<int> &labels,
                                        int per_grid, uint64_t seed = 42);

// One grid: n*n data-set indices and their (distinct) labels; image i goes
// to row i mod n, column i div n.
struct GridSample {
    std::vector<int64_t> images;
    std::vector<int> classes;
};

// Step 3: up to max_grids grids from the order. From the current position
// the next images of classes not yet in the grid are taken (others skipped);
// as in the reference, the next grid starts one index after the last image
// taken, so one image is skipped per grid. Fewer grids come back when the
// order runs out.
std::vector<GridSample> localisation_grids(const std::vector<int64_t> &order,
                                           const std::vector<int> &labels, int n, int max_grids);

// The grids as images (G, C, n*H, n*W).
Tensor grid_images(const Tensor &images, const std::vector<GridSample> &grids, int n);

// The same layers and parameters for (n*H, n*W) inputs. The sum pool makes
// its logits about n*n times larger (spec pitfall 7); that is kept.
CodaNet grid_model(const CodaNet &net, int n);

// Step 4 for map `row` of maps (N, n*H, n*W): positive attribution inside
// cell `cell` over the positive attribution of the whole map; 0 if there is
// none.
double localisation_score(const Tensor &maps, int64_t row, int n, int cell);

struct LocalisationResult {
    std::vector<double> scores;        // grid g, cell i at g*n*n + i
    std::vector<Tensor> example_maps;  // the maps (n*n, n*H, n*W) of the first grids
};

// Scores of every class of every grid (grid_net: grid_model(net, n)). The
// maps of the first `keep_maps` grids are returned for pictures. A
// non-empty progress_label draws a progress bar.
LocalisationResult localisation(const CodaNet &grid_net, const Tensor &grids_images,
                                const std::vector<GridSample> &grids, int n,
                                const AttributionMethod &method, int keep_maps = 0,
                                const std::string &progress_label = "");

// ---- Pixel removal (spec 5.2) ----

struct PixelRemovalOptions {
    double max_fraction = 0.25;  // remove up to this share of the pixels
    int step = 0;  // evaluate every step-th removal; 0: max(1, max_removed / 128) as the reference
    bool most_important_first = false;  // the reference's "most" config
    int batch = 64;                     // modified images per forward pass
};

// Numbers of removed pixels at which the probability is recorded:
// 0, step, 2 step, ... up to floor(max_fraction * pixels).
std::vector<int> removal_points(int pixels, const PixelRemovalOptions &options);

// Pixel indices (y * W + x) of a map in removal order: ascending value
// (least important first; ties by index), or descending.
std::vector<int> removal_order(const float *map, int pixels, bool most_important_first);

// sigmoid(logit of labels[b]) of image b with the first points[j] pixels of
// its removal order removed (both encoded channels zeroed), for every image
// (rows) and point (columns). maps: (B, H, W).
std::vector<std::vector<double>> removal_probabilities(const CodaNet &net, const Tensor &images,
                                                       const std::vector<int> &labels,
                                                       const Tensor &maps,
                                                       const std::vector<int> &points,
                                                       const PixelRemovalOptions &options);

struct RemovalCurve {
    std::vector<int> removed;         // pixels removed at each point
    std::vector<double> fraction;     // removed / (H*W)
    std::vector<double> probability;  // mean over the images
};

// The whole evaluation of one method: maps for the labels, then the curve.
RemovalCurve pixel_removal(const CodaNet &net, const Tensor &images, const std::vector<int> &labels,
                           const AttributionMethod &method, const PixelRemovalOptions &options,
                           const std::string &progress_label = "");

// The curve's value at the point nearest to `fraction` removed.
double curve_at(const RemovalCurve &curve, double fraction);

}  // namespace coda
