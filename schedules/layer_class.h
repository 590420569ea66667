// Shape classes of a layer: the CPU schedules have one tuning per class,
// compiled into separate AOT libraries per pass, and the runtime picks the
// library by the layer's kernel and output width. A register tile spanning a
// 16-lane vector of one row would be half padding on an 8-wide map, hence
// narrow; the large maps of a net's first layers hold few channels and a short
// rank (the 9-layer net: 16 channels, rank 32, against 32-64 and 64 deeper),
// which want longer unrolled rank loops and taller tiles than the 16-wide
// maps. Pointwise (1x1) layers are a net's classifier head: a patch of one
// pixel and as many output channels as classes (10), which a block of 4
// channels would pad by a fifth.
#pragma once

#include <array>

namespace coda {

constexpr int kLargeMapWidth = 32;
constexpr int kWideMapWidth = 16;
enum class LayerClass { large, wide, narrow, pointwise };
constexpr std::array<LayerClass, 4> kLayerClasses{LayerClass::large, LayerClass::wide,
                                                  LayerClass::narrow, LayerClass::pointwise};

inline LayerClass layer_class_of(int kernel, int out_width) {
    return kernel == 1                   ? LayerClass::pointwise
           : out_width >= kLargeMapWidth ? LayerClass::large
           : out_width >= kWideMapWidth  ? LayerClass::wide
                                         : LayerClass::narrow;
}

inline const char *layer_class_name(LayerClass c) {
    constexpr const char *names[] = {"large", "wide", "narrow", "pointwise"};  // enum order
    static_assert(sizeof names / sizeof *names == kLayerClasses.size());
    return names[static_cast<int>(c)];
}

}  // namespace coda
