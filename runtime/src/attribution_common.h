// Helpers shared by the attribution files (not part of the public API).
#pragma once

#include <vector>

#include "coda/model.h"

namespace coda::detail {

// Throws Error unless images fit the model and every pair names an image of
// the batch and a class of the model.
void check_pairs(const CodaNet &net, const Tensor &images, const std::vector<int> &image_of,
                 const std::vector<int> &classes);

// Up to `batch` consecutive pairs: the distinct images they need (indices
// into the batch), the pairs' indices, and for each pair its image's row in
// `images`.
struct PairChunk {
    std::vector<int> images, pairs, rows;
};
std::vector<PairChunk> chunk_pairs(const std::vector<int> &image_of, int batch);

// The pairs (indices into image_of) of each of the n_images images.
std::vector<std::vector<int>> pairs_by_image(int64_t n_images, const std::vector<int> &image_of);

// dL/d(encoded input) (N, Ce, He, We) to dL/d(raw image) (N, C, H, W): the
// padding cropped and, with add_inverse, d/dx = g[x] - g[1 - x].
Tensor raw_from_encoded(const Tensor &g, const ModelConfig &m);

// (N, C, H, W) summed over C: (N, H, W).
Tensor channel_sum(const Tensor &t);

// (classes.size(), K) rows with a 1 at each class.
Tensor one_hot(const std::vector<int> &classes, int K);

// Row from_row of `from` (dim 0) copied into row to_row of `to` (same row size).
void copy_row(const Tensor &from, int64_t from_row, Tensor &to, int64_t to_row);

}  // namespace coda::detail
