#include "coda/statistics.h"

#include <algorithm>
#include <cmath>

#include "coda/coda_layer.h"

namespace coda {

double mean(const std::vector<double> &values) {
    double s = 0;
    for (double v : values) {
        s += v;
    }
    return values.empty() ? 0.0 : s / double(values.size());
}

double quantile(std::vector<double> values, double q) {
    if (!(q >= 0 && q <= 1)) {
        throw Error("quantile " + std::to_string(q) + " outside [0, 1]");
    }
    if (values.empty()) {
        return 0.0;
    }
    std::sort(values.begin(), values.end());
    const double at = q * double(values.size() - 1);
    const size_t i = static_cast<size_t>(std::floor(at));
    const size_t j = std::min(i + 1, values.size() - 1);
    return values[i] + (at - double(i)) * (values[j] - values[i]);
}

BoxStats box_stats(const std::vector<double> &values) {
    BoxStats b;
    if (values.empty()) {
        return b;
    }
    b.q1 = quantile(values, 0.25), b.median = quantile(values, 0.5), b.q3 = quantile(values, 0.75);
    b.mean = mean(values);
    const double reach = 1.5 * (b.q3 - b.q1);
    b.low = b.q1, b.high = b.q3;
    for (double v : values) {
        if (v >= b.q1 - reach && v < b.low) {
            b.low = v;
        }
        if (v <= b.q3 + reach && v > b.high) {
            b.high = v;
        }
    }
    return b;
}

}  // namespace coda
