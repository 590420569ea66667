// Every knob of the CPU schedules keeps the values the algorithm defines: each
// pass compiled with Halide's JIT under tunings from the autotuner's search
// space (its checked-in x86 ones of Zen 4 and Intel, whichever the build
// uses, and corner cases: vectors spanning two rows,
// tiles of a whole 8-row map, no unrolling, no row split) must give what the
// same pass gives unscheduled (everything computed at root, no tiles). The
// algorithm itself is checked against PyTorch's golden vectors and finite
// differences elsewhere; this test is about the schedules the tuner may pick,
// of which the build only compiles the winners.
//
// Shapes are chosen so that tiles run past every edge: maps 6 and 18 wide
// (not multiples of 8 or 16 lanes), odd channel counts and ranks, stride 2,
// batch 3.
//
// Tolerance: 1e-4 of the largest magnitude of each output. Both sides sum
// the same float products (at most D*r = 45*7 here) in different orders,
// about 1e-6 relative; a wrong index, a dropped tile or a race changes whole
// values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "layer_jit.h"
#include "x86/intel/tuning.h"
#include "x86/tuning.h"

namespace coda {
namespace {

using jit::LayerPipeline;
using jit::of_pass;
using jit::Pass;
using jit::Schedule;

// in_channels, out_channels, rank, kernel, stride, pad, in_size, batch
const LayerShape kShapes[] = {
    {5, 7, 6, 3, 1, 1, 6, 3},   // 6x6 maps: narrower than any tile
    {4, 9, 5, 3, 2, 1, 11, 2},  // stride 2, 6x6 output
    {3, 5, 7, 3, 1, 1, 18, 2},  // 18 wide: one full 16-lane tile and a ragged one
    {6, 3, 4, 1, 1, 0, 8, 1},   // 1x1 kernel, batch 1
};

struct Case {
    Pass pass;
    std::string name;
    CpuTuning tuning;
};

constexpr Pass kPasses[] = {Pass::forward, Pass::backward, Pass::contribution,
                            Pass::backward_materialized};

// Each pass under the checked-in x86 tunings of that pass (both sets; the
// materialised backward runs with the backward's), each distinct one once,
// and every pass under the corner cases. A checked-in tuning is not tried on
// the other passes: the build never runs it there, and the tuner compares
// every candidate with its starting schedule before it may win. (All passes
// under all tunings took about half of CI's time.)
std::vector<Case> cases() {
    std::vector<Case> all;
    auto add = [&](Pass pass, const std::string &name, const CpuTuning &t) {
        auto same = [&](const Case &c) { return c.pass == pass && c.tuning == t; };
        if (std::none_of(all.begin(), all.end(), same)) {
            all.push_back({pass, name, t});
        }
    };
    for (Pass pass : kPasses) {
        for (const auto &[set, tunings] :
             {std::pair{"x86_", &x86::kTunings}, std::pair{"x86_intel_", &x86::intel::kTunings}}) {
            for (LayerClass c : kLayerClasses) {
                add(pass, set + std::string(layer_class_name(c)), of_pass(tunings->of(c), pass));
            }
        }
        add(pass, "two_rows_per_vector", {16, 2, 4, 32, 3, false, 2});
        add(pass, "whole_8_row_tiles", {16, 8, 2, 16, 64, true, 2});
        add(pass, "no_unrolling_one_row", {8, 1, 2, 16, 1, false, 1});
    }
    return all;
}

void expect_close(const std::vector<float> &got, const std::vector<float> &want,
                  const std::string &what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    double scale = 0, err = 0;
    for (size_t i = 0; i < want.size(); i++) {
        scale = std::max(scale, double(std::fabs(want[i])));
        err = std::max(err, double(std::fabs(got[i] - want[i])));
    }
    EXPECT_GT(scale, 0) << what << ": all-zero reference";
    EXPECT_TRUE(std::isfinite(err) && err <= 1e-4 * scale)
        << what << ": max error " << err << " against max magnitude " << scale;
}

class ScheduleKnobs : public ::testing::TestWithParam<Case> {};

TEST_P(ScheduleKnobs, MatchTheUnscheduledPass) {
    const Pass pass = GetParam().pass;
    const Halide::Target target = jit::cpu_target();
    Schedule tuned, naive;
    tuned.tuning = GetParam().tuning;
    naive.kind = Schedule::Kind::naive;
    LayerPipeline scheduled(pass, tuned, target), reference(pass, naive, target);
    for (const LayerShape &s : kShapes) {
        scheduled.prepare(s);
        reference.prepare(s);  // the same inputs: a fixed seed
        scheduled.run();
        reference.run();
        auto got = scheduled.output_buffers(), want = reference.output_buffers();
        ASSERT_EQ(got.size(), want.size());
        for (size_t i = 0; i < got.size(); i++) {
            expect_close(got[i], want[i],
                         "output " + std::to_string(i) + " of shape Cin" +
                             std::to_string(s.in_channels) + " O" + std::to_string(s.out_channels) +
                             " r" + std::to_string(s.rank) + " k" + std::to_string(s.kernel) +
                             " s" + std::to_string(s.stride) + " map" + std::to_string(s.in_size) +
                             " batch" + std::to_string(s.batch));
        }
    }
}

INSTANTIATE_TEST_SUITE_P(AllPasses, ScheduleKnobs, ::testing::ValuesIn(cases()),
                         [](const auto &info) {
                             return std::string(jit::pass_name(info.param.pass)) + "_" +
                                    info.param.name;
                         });

}  // namespace
}  // namespace coda
