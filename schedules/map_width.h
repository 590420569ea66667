// Map-width classes of a layer's output: the CPU schedules have one tuning per
// class, compiled into separate AOT libraries per pass, and the runtime picks
// the library by the output width. A register tile spanning a 16-lane vector
// of one row would be half padding on an 8-wide map, hence narrow; the large
// maps of a net's first layers hold few channels and a short rank (the
// 9-layer net: 16 channels, rank 32, against 32-64 and 64 deeper), which
// want longer unrolled rank loops and taller tiles than the 16-wide maps.
#pragma once

#include <array>

namespace coda {

constexpr int kLargeMapWidth = 32;
constexpr int kWideMapWidth = 16;
enum class MapWidth { large, wide, narrow };
constexpr std::array<MapWidth, 3> kMapWidthClasses{MapWidth::large, MapWidth::wide,
                                                   MapWidth::narrow};

inline MapWidth map_width_of(int out_width) {
    return out_width >= kLargeMapWidth  ? MapWidth::large
           : out_width >= kWideMapWidth ? MapWidth::wide
                                        : MapWidth::narrow;
}

inline const char *map_width_name(MapWidth w) {
    return w == MapWidth::large ? "large" : w == MapWidth::wide ? "wide" : "narrow";
}

}  // namespace coda
