// Reading the golden vectors of ../shared/golden (format in its README) and
// comparing tensors with the tolerance that README states.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "coda/tensor.h"

namespace coda::golden {

namespace fs = std::filesystem;

// $CODA_GOLDEN_DIR if set, else ../shared/golden next to the checkout, else
// the snapshot of it kept in tests/golden.
fs::path directory();

// Case directories (those holding a meta.txt) whose kind= matches, sorted.
std::vector<fs::path> cases(const std::string &kind);

using Meta = std::map<std::string, std::string>;
Meta read_meta(const fs::path &case_dir);
int meta_int(const Meta &m, const std::string &key);
std::vector<int> meta_ints(const Meta &m, const std::string &key);  // comma list

Tensor read_tensor(const fs::path &file);

// |a - g| <= atol + rtol*|g| elementwise, rtol = 1e-4 and atol = 1e-5 * max|g|:
// the README's bound for any float32 summation order (the PyTorch reference
// recomputed in float32 uses 4% of it; layout mistakes give errors ~1e-1).
::testing::AssertionResult close_to_golden(const std::string &name, const Tensor &actual,
                                           const Tensor &expected);

}  // namespace coda::golden
