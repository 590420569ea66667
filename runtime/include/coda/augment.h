// Training-time augmentation of a batch (B, C, H, W), as in the reference
// (torchvision RandomCrop(size, padding) and RandomHorizontalFlip(0.5)), with
// the portable draws of coda/random.h so a seeded run is reproducible.
#pragma once

#include <random>

#include "coda/tensor.h"

namespace coda {

// Per image: pads each side with `pad` zeros and crops an H x W window at a
// uniformly random offset in [0, 2 pad] x [0, 2 pad] (offsets drawn y, then x).
Tensor random_crop_with_padding(const Tensor &batch_images, int pad, std::mt19937_64 &rng);

// Per image: mirrors left-right with probability 0.5 (one draw per image).
Tensor random_horizontal_flip(const Tensor &batch_images, std::mt19937_64 &rng);

}  // namespace coda
