// Map-width classes of a layer's output: the CPU schedules have one tuning per
// class, compiled into separate AOT libraries per pass, and the runtime picks
// the library by the output width. A register tile spanning a 16-lane vector
// of one row would be half padding on an 8-wide map, hence the split.
#pragma once

namespace coda {

constexpr int kWideMapWidth = 16;
enum class MapWidth { wide, narrow };

inline MapWidth map_width_of(int out_width) {
    return out_width >= kWideMapWidth ? MapWidth::wide : MapWidth::narrow;
}

inline const char *map_width_name(MapWidth w) {
    return w == MapWidth::wide ? "wide" : "narrow";
}

}  // namespace coda
