// Summaries of score distributions for the metric tables and box plots.
#pragma once

#include <vector>

namespace coda {

double mean(const std::vector<double> &values);  // 0 for no values

// The q-quantile (0 <= q <= 1) with linear interpolation between order
// statistics (NumPy's default); 0 for no values.
double quantile(std::vector<double> values, double q);

// A box of a box plot as matplotlib draws it: quartiles, median, whiskers at
// the most extreme values within 1.5 IQR of the box, and the mean.
struct BoxStats {
    double low = 0, q1 = 0, median = 0, q3 = 0, high = 0, mean = 0;
};
BoxStats box_stats(const std::vector<double> &values);

}  // namespace coda
