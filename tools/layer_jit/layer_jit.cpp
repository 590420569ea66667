#include "layer_jit.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <type_traits>

namespace coda::jit {

using Halide::Buffer;
using Halide::Func;
using Halide::ImageParam;
using Halide::Param;

const char *pass_name(Pass p) {
    switch (p) {
    case Pass::forward:
        return "forward";
    case Pass::backward:
        return "backward";
    case Pass::contribution:
        return "contribution";
    case Pass::backward_materialized:
        return "backward_materialized";
    case Pass::forward_winograd:
        return "forward_winograd";
    case Pass::contribution_winograd:
        return "contribution_winograd";
    }
    return "?";
}

Pass parse_pass(const std::string &name) {
    for (Pass p : {Pass::forward, Pass::backward, Pass::contribution, Pass::backward_materialized,
                   Pass::forward_winograd, Pass::contribution_winograd}) {
        if (name == pass_name(p)) {
            return p;
        }
    }
    throw std::invalid_argument(
        "unknown pass '" + name +
        "' (expected forward, backward, contribution, "
        "backward_materialized, forward_winograd or contribution_winograd)");
}

std::string Schedule::name() const {
    switch (kind) {
    case Kind::tuned:
        return "tuned";
    case Kind::naive:
        return "naive";
    case Kind::autoscheduler: {
        std::string n = autoscheduler;
        std::transform(n.begin(), n.end(), n.begin(), ::tolower);
        return n;
    }
    }
    return "?";
}

Halide::Target cpu_target() {
    if (const char *target = std::getenv("CODA_JIT_TARGET")) {
        return Halide::Target(target);  // e.g. with -profile for per-stage timings
    }
    return Halide::get_host_target().without_feature(Halide::Target::AVX512_SapphireRapids);
}

Halide::Target cuda_target() {
    const char *target = std::getenv("CODA_JIT_TARGET");
    return Halide::Target(target ? target : CODA_CUDA_TARGET);
}

namespace {

// Loads the autoscheduler plugins shipped with Debian's Halide once.
void load_autoschedulers() {
    static std::once_flag once;
    std::call_once(once, [] {
        for (const char *lib : {"adams2019", "mullapudi2016", "li2018"}) {
            Halide::load_plugin(std::string(CODA_HALIDE_PLUGIN_DIR) + "/libautoschedule_" + lib +
                                ".so");
        }
    });
}

Buffer<float> make_buffer(const std::vector<int> &sizes) {
    return Buffer<float>(sizes);
}

Buffer<float> random_buffer(const std::vector<int> &sizes, float lo, float hi, std::mt19937 &rng) {
    Buffer<float> b = make_buffer(sizes);
    std::uniform_real_distribution<float> u(lo, hi);
    b.for_each_value([&](float &v) { v = u(rng); });
    return b;
}

}  // namespace

int threads() {
    const char *env = std::getenv("HL_NUM_THREADS");
    return env ? std::max(1, std::atoi(env)) : int(std::thread::hardware_concurrency());
}

struct LayerPipeline::Impl {
    Pass pass;
    ImageParam input{Halide::Float(32), 4, "input"}, C{Halide::Float(32), 2, "C"},
        M{Halide::Float(32), 3, "M"}, b{Halide::Float(32), 2, "b"},
        code{Halide::Float(32), 4, "code"}, output{Halide::Float(32), 4, "output"},
        norm{Halide::Float(32), 4, "norm"}, wnorm{Halide::Float(32), 4, "wnorm"},
        d_output{Halide::Float(32), 4, "d_output"};
    Param<int> kernel{"kernel"}, stride{"stride"}, pad{"pad"}, norm_kind{"norm_kind"},
        classes{"classes"};
    LayerVars v;
    Halide::Pipeline pipeline;
    Halide::Target target;
    std::vector<Buffer<float>> results;

    // Builds the pass; returns its outputs (in the AOT generators' order).
    std::vector<Func> build(const Schedule &s) {
        switch (pass) {
        case Pass::forward: {
            auto f = forward_pipeline(input, C, M, b, kernel, stride, pad, norm_kind, v);
            if (s.kind == Schedule::Kind::tuned) {
                target.has_gpu_feature() ? gpu::schedule_forward(f, v, s.gpu)
                                         : cpu::schedule_forward(f, v, s.tuning);
            }
            return {f.output, f.code_out, f.norm, f.wnorm};
        }
        case Pass::backward:
            return build_backward<BackwardFuncs>(s);
        case Pass::backward_materialized:
            return build_backward<MaterializedBackwardFuncs>(s);
        case Pass::contribution: {
            // The contribution pass reads the upstream gradient where the
            // backward reads d_output; one ImageParam serves both.
            auto f = contribution_pipeline<ContributionFuncs>(code, norm, M, b, kernel, stride, pad,
                                                              classes, d_output, v);
            if (s.kind == Schedule::Kind::tuned) {
                target.has_gpu_feature() ? gpu::schedule_contribution(f, v, s.gpu)
                                         : cpu::schedule_contribution(f, v, s.tuning);
            }
            return {f.fold.d_input};
        }
        case Pass::forward_winograd: {
            auto f = forward_pipeline<WinogradForwardFuncs>(input, C, M, b, kernel, stride, pad,
                                                            norm_kind, v);
            if (s.kind == Schedule::Kind::tuned) {
                cpu::schedule_forward(f, v, winograd_tuning(s));
            }
            return {f.output, f.code_out, f.norm, f.wnorm};
        }
        case Pass::contribution_winograd: {
            auto f = contribution_pipeline<WinogradContributionFuncs>(
                code, norm, M, b, kernel, stride, pad, classes, d_output, v);
            if (s.kind == Schedule::Kind::tuned) {
                cpu::schedule_contribution(f, v, winograd_tuning(s));
            }
            return {f.d_input};
        }
        }
        return {};
    }

    const WinogradTuning &winograd_tuning(const Schedule &s) const {
        if (target.has_gpu_feature()) {
            throw std::invalid_argument("the Winograd forms have no GPU schedule");
        }
        return s.winograd;
    }

    template<typename Funcs>
    std::vector<Func> build_backward(const Schedule &s) {
        auto f = backward_pipeline<Funcs>(input, C, M, b, kernel, stride, pad, norm_kind,
                                          SavedForward<ImageParam>{code, output, norm, wnorm},
                                          d_output, v);
        if (s.kind == Schedule::Kind::tuned) {
            if (!target.has_gpu_feature()) {
                cpu::schedule_backward(f, v, s.tuning);
            } else if constexpr (std::is_same_v<Funcs, BackwardFuncs>) {
                gpu::schedule_backward(f, v, s.gpu);
            } else {
                throw std::invalid_argument("the materialized backward has no GPU schedule");
            }
        }
        return {f.fold.d_input, f.d_C, f.d_M, f.d_b};
    }

    void set_estimates(std::vector<Func> &outs, const LayerShape &e) {
        const int so = e.out_size();
        estimate_activation(input, e.in_channels, e.in_size, e.batch);
        estimate_C(C, e);
        estimate_M(M, e);
        estimate_b(b, e);
        estimate_activation(code, e.rank, so, e.batch);
        for (ImageParam *p : {&output, &norm, &wnorm, &d_output}) {
            estimate_activation(*p, e.out_channels, so, e.batch);
        }
        kernel.set_estimate(e.kernel);
        stride.set_estimate(e.stride);
        pad.set_estimate(e.pad);
        norm_kind.set_estimate(0);
        classes.set_estimate(1);
        if (pass == Pass::forward || pass == Pass::forward_winograd) {
            estimate_activation(outs[0], e.out_channels, so, e.batch);
            estimate_activation(outs[1], e.rank, so, e.batch);
            estimate_activation(outs[2], e.out_channels, so, e.batch);
            estimate_activation(outs[3], e.out_channels, so, e.batch);
        } else {
            estimate_activation(outs[0], e.in_channels, e.in_size, e.batch);
        }
        if (pass == Pass::backward || pass == Pass::backward_materialized) {
            estimate_C(outs[1], e);
            estimate_M(outs[2], e);
            estimate_b(outs[3], e);
        }
    }

    // Output buffers in the order of build()'s outputs.
    std::vector<Buffer<float>> allocate_outputs(const LayerShape &s) const {
        const int so = s.out_size(), D = s.patch_len();
        const Buffer<float> d_input = make_buffer({s.in_size, s.in_size, s.in_channels, s.batch});
        switch (pass) {
        case Pass::forward:
        case Pass::forward_winograd:
            return {make_buffer({so, so, s.out_channels, s.batch}),
                    make_buffer({so, so, s.rank, s.batch}),
                    make_buffer({so, so, s.out_channels, s.batch}),
                    make_buffer({so, so, s.out_channels, s.batch})};
        case Pass::backward:
        case Pass::backward_materialized:
            return {d_input, make_buffer({D, s.rank}), make_buffer({s.rank, s.out_channels, D}),
                    make_buffer({s.out_channels, D})};
        case Pass::contribution:
        case Pass::contribution_winograd:
            return {d_input};
        }
        return {};
    }
};

LayerPipeline::LayerPipeline(Pass pass, const Schedule &schedule, const Halide::Target &target)
    : impl_(std::make_unique<Impl>()) {
    impl_->pass = pass;
    impl_->target = target;
    std::vector<Func> outs = impl_->build(schedule);
    if (schedule.kind == Schedule::Kind::naive) {
        naive::schedule(outs);
    }
    impl_->pipeline = Halide::Pipeline(outs);
    auto start = std::chrono::steady_clock::now();
    if (schedule.kind == Schedule::Kind::autoscheduler) {
        load_autoschedulers();
        impl_->set_estimates(outs, schedule.estimate);
        // machine_params: threads, last-level cache bytes, balance (toolchain.md).
        Halide::MachineParams machine(threads(), 32000000, 40);
        impl_->pipeline.auto_schedule(schedule.autoscheduler, target, machine);
    }
    impl_->pipeline.compile_jit(target);
    if (target.has_gpu_feature()) {
        // As the runtime does (coda_layer.cpp): no device malloc per run.
        Halide::Internal::JITSharedRuntime::reuse_device_allocations(true);
    }
    compile_seconds_ =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

LayerPipeline::~LayerPipeline() = default;

void LayerPipeline::prepare(const LayerShape &s) {
    Impl &m = *impl_;
    std::mt19937 rng(1234);
    const int so = s.out_size(), D = s.patch_len();
    m.input.set(random_buffer({s.in_size, s.in_size, s.in_channels, s.batch}, 0, 1, rng));
    m.C.set(random_buffer({D, s.rank}, -0.1f, 0.1f, rng));
    m.M.set(random_buffer({s.rank, s.out_channels, D}, -0.1f, 0.1f, rng));
    m.b.set(random_buffer({s.out_channels, D}, -0.1f, 0.1f, rng));
    m.code.set(random_buffer({so, so, s.rank, s.batch}, -1, 1, rng));
    m.output.set(random_buffer({so, so, s.out_channels, s.batch}, -1, 1, rng));
    // Norm divisors are positive by construction.
    m.norm.set(random_buffer({so, so, s.out_channels, s.batch}, 0.5f, 1.5f, rng));
    m.wnorm.set(random_buffer({so, so, s.out_channels, s.batch}, 0.5f, 1.5f, rng));
    m.d_output.set(random_buffer({so, so, s.out_channels, s.batch}, -1, 1, rng));
    m.kernel.set(s.kernel);
    m.stride.set(s.stride);
    m.pad.set(s.pad);
    m.norm_kind.set(0);
    m.classes.set(1);
    m.results = m.allocate_outputs(s);
    // A GPU pipeline copies an input to the device only if its host copy is
    // marked dirty; otherwise it would read uninitialised device memory.
    for (ImageParam *p :
         {&m.input, &m.C, &m.M, &m.b, &m.code, &m.output, &m.norm, &m.wnorm, &m.d_output}) {
        p->get().set_host_dirty();
    }
}

double LayerPipeline::run() {
    std::vector<Buffer<>> outs(impl_->results.begin(), impl_->results.end());
    Halide::Realization r(outs);
    auto start = std::chrono::steady_clock::now();
    impl_->pipeline.realize(r, impl_->target);
    for (Buffer<float> &b : impl_->results) {
        b.device_sync();
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double LayerPipeline::time(int reps) {
    run();  // warm-up: first-touch of the outputs, thread pool start
    std::vector<double> t;
    for (int i = 0; i < std::max(reps, 1); i++) {
        t.push_back(run());
    }
    std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
    return t[t.size() / 2];
}

std::vector<std::vector<float>> LayerPipeline::output_buffers() {
    std::vector<std::vector<float>> each;
    for (Buffer<float> &b : impl_->results) {
        b.copy_to_host();
        each.emplace_back(b.data(), b.data() + b.number_of_elements());
    }
    return each;
}

std::vector<float> LayerPipeline::outputs() {
    std::vector<float> all;
    for (const std::vector<float> &b : output_buffers()) {
        all.insert(all.end(), b.begin(), b.end());
    }
    return all;
}

}  // namespace coda::jit
