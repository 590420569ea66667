// Schedules compared inside one run: each pass of the CoDA layer at every layer
// shape of the CIFAR-10 9L-S model (configs/cifar10_9l_s.cfg), batch 64 and 1,
// under the checked-in tuned schedule, no schedule at all (naive: Halide's
// defaults, scalar and single-threaded) and each of Halide 14's
// autoschedulers planning for that exact shape. All are compiled with the JIT
// for the same target, so only the schedule differs.
//
// The backward runs in both algorithm forms (see applies() below).
// Names: <pass>/L<i>/<schedule>/batch:<B>, pass backward_materialized for
// the materialised form. Counters: GFLOP/s (reference FLOP
// count), pct_peak (of the FMA peak measured in this run), ms/img, compile_s.
// --benchmark_repetitions applies to every schedule but the naive one, which
// runs once.
// Adams2019 runs with beam size 1 (HL_BEAM_SIZE, unless set): its default beam
// of 32 needs over 23 GB on this pipeline (shared/notes/performance.md).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <tuple>

#include "backward_form.h"
#include "coda/heap_policy.h"
#include "coda/model_config.h"
#include "flops.h"
#include "fma_peak.h"
#include "layer_jit.h"
#include "model_layers.h"

namespace {

using namespace coda;
using jit::Pass;
using jit::Schedule;

double peak_flops() {
    static double peak = bench::measure_fma_peak(jit::threads());
    return peak;
}

// Compiled pipelines, kept for the whole run: naive ones are shape generic
// (one per pass), tuned ones one per tuning (the layer classes differ),
// autoscheduled ones are planned per shape.
jit::LayerPipeline &pipeline(Pass pass, const Schedule &s) {
    static std::map<std::string, std::unique_ptr<jit::LayerPipeline>> cache;
    std::string key = std::string(jit::pass_name(pass)) + "/" + s.name();
    if (s.kind == Schedule::Kind::tuned) {
        std::apply([&](const auto &...knob) { ((key += "/" + std::to_string(knob)), ...); },
                   s.tuning.knobs());
    }
    if (s.kind == Schedule::Kind::autoscheduler) {
        const LayerShape &e = s.estimate;
        for (int v :
             {e.in_channels, e.out_channels, e.rank, e.kernel, e.stride, e.in_size, e.batch}) {
            key += "/" + std::to_string(v);
        }
    }
    auto &p = cache[key];
    if (!p) {
        p = std::make_unique<jit::LayerPipeline>(pass, s, jit::cpu_target());
    }
    return *p;
}

// FLOPs of one pass over a whole batch, counted the reference's way (flops.h).
double pass_flops(Pass pass, const LayerShape &s) {
    LayerConfig c;
    c.in_channels = s.in_channels, c.out_channels = s.out_channels, c.rank = s.rank;
    c.kernel = s.kernel, c.stride = s.stride, c.pad = s.pad;
    const bench::Pass counted = pass == Pass::forward        ? bench::Pass::forward
                                : pass == Pass::contribution ? bench::Pass::contribution
                                                             : bench::Pass::backward;
    return double(s.batch) * s.out_size() * s.out_size() * bench::flops_per_position(c, counted);
}

void run(benchmark::State &state, Pass pass, LayerShape shape, Schedule schedule) {
    shape.batch = static_cast<int>(state.range(0));
    schedule.estimate = shape;
    try {
        jit::LayerPipeline &p = pipeline(pass, schedule);
        p.prepare(shape);
        // Warm-up run; a schedule slower than kSlowRun seconds (naive ones
        // take up to minutes) is timed by that run alone.
        constexpr double kSlowRun = 2.0;
        double first = p.run();
        double seconds = 0;
        for (auto _ : state) {
            double t = first > kSlowRun ? first : p.run();
            state.SetIterationTime(t);
            seconds += t;
        }
        double flops = pass_flops(pass, shape) * state.iterations() / seconds;
        state.counters["GFLOP/s"] = flops * 1e-9;
        state.counters["pct_peak"] = 100.0 * flops / peak_flops();
        state.counters["ms/img"] = 1e3 * seconds / state.iterations() / shape.batch;
        state.counters["compile_s"] = p.compile_seconds();
    } catch (const std::exception &e) {
        state.SkipWithError(e.what());
    }
}

// Which schedules of a pass run on a layer at a batch size. The backward is
// timed in both algorithm forms, the autoschedulers planning each; the tuned schedule
// only in the form the runtime picks there (schedules/backward_form.h), so
// its row is what the runtime runs. Naive: the low-rank form only.
bool applies(Pass pass, const LayerShape &l, int batch, Schedule::Kind kind) {
    if (pass != Pass::backward && pass != Pass::backward_materialized) {
        return true;
    }
    LayerClass c = layer_class_of(l.kernel, l.out_size());
    bool materialized = pass == Pass::backward_materialized;
    if (kind == Schedule::Kind::tuned) {
        size_t positions = size_t(batch) * l.out_size() * l.out_size();
        return materialized == materialize_backward(c, positions, l.out_channels, l.patch_len());
    }
    return !(materialized && kind == Schedule::Kind::naive);
}

void register_all() {
    std::vector<Schedule> schedules(5);
    schedules[1].kind = Schedule::Kind::naive;
    const char *autoschedulers[] = {"Adams2019", "Mullapudi2016", "Li2018"};
    for (int i = 0; i < 3; i++) {
        schedules[2 + i].kind = Schedule::Kind::autoscheduler;
        schedules[2 + i].autoscheduler = autoschedulers[i];
    }
    std::vector<LayerShape> layers = jit::model_layers(load_config(CODA_CIFAR_CONFIG_FILE).model);
    for (Pass pass :
         {Pass::forward, Pass::backward, Pass::backward_materialized, Pass::contribution}) {
        for (size_t l = 0; l < layers.size(); l++) {
            for (int batch : {64, 1}) {
                for (Schedule s : schedules) {
                    if (!applies(pass, layers[l], batch, s.kind)) {
                        continue;
                    }
                    s.tuning = jit::of_pass(
                        x86_tunings().of(layer_class_of(layers[l].kernel, layers[l].out_size())),
                        pass);
                    std::string name = std::string(jit::pass_name(pass)) + "/L" +
                                       std::to_string(l + 1) + "/" + s.name();
                    auto *b = benchmark::RegisterBenchmark(name.c_str(), run, pass, layers[l], s)
                                  ->Arg(batch)
                                  ->ArgName("batch")
                                  ->Unit(benchmark::kMillisecond)
                                  ->UseManualTime();
                    if (s.kind == Schedule::Kind::naive) {
                        b->Repetitions(1);  // minutes per run, 50-200x off: its noise is moot
                    }
                }
            }
        }
    }
}

}  // namespace

int main(int argc, char **argv) {
    setenv("HL_BEAM_SIZE", "1", /*overwrite=*/0);
    coda::keep_large_blocks_on_the_heap();  // as the runtime does
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    std::printf("FMA peak on %d threads: %.1f GFLOP/s\n", jit::threads(), peak_flops() * 1e-9);
    register_all();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
