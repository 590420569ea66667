#include "coda/coda_layer.h"

#include <atomic>
#include <mutex>

#include "HalideRuntime.h"
#include "backward_form.h"
#include "coda/device.h"
#include "coda/heap_policy.h"
#include "coda_backward.h"
#include "coda_backward_large.h"
#include "coda_backward_materialized.h"
#include "coda_backward_materialized_large.h"
#include "coda_backward_materialized_narrow.h"
#include "coda_backward_materialized_pointwise.h"
#include "coda_backward_narrow.h"
#include "coda_backward_pointwise.h"
#include "coda_contribution.h"
#include "coda_contribution_large.h"
#include "coda_contribution_narrow.h"
#include "coda_contribution_pointwise.h"
#include "coda_contribution_winograd.h"
#include "coda_forward.h"
#include "coda_forward_large.h"
#include "coda_forward_narrow.h"
#include "coda_forward_pointwise.h"
#include "coda_forward_winograd.h"
#include "contribution_form.h"
#include "forward_form.h"
#include "layer_class.h"
#ifdef CODA_HAVE_GPU_LIBS
#include "coda_backward_cuda.h"
#include "coda_backward_opencl.h"
#include "coda_contribution_cuda.h"
#include "coda_contribution_opencl.h"
#include "coda_forward_cuda.h"
#include "coda_forward_opencl.h"
#endif

namespace coda {

namespace {

using Buffer = Halide::Runtime::Buffer<float>;

// The pipelines of one device: every library comes from the same generator,
// so they share signatures. backward_materialized: the backward for small
// calls (schedules/backward_form.h), null on GPUs (they run the low-rank
// form only).
struct Kernels {
    decltype(&coda_forward) forward;
    decltype(&coda_backward) backward;
    decltype(&coda_contribution) contribution;
    decltype(&coda_backward) backward_materialized = nullptr;
    // 3x3 stride-1 layers on CPUs (schedules/forward_form.h, contribution_form.h).
    decltype(&coda_contribution) contribution_winograd = nullptr;
    decltype(&coda_forward) forward_winograd = nullptr;
};

// CPU libraries come in one tuning per layer class (see
// schedules/layer_class.h); GPU schedules have one.
Kernels kernels(Device d, LayerClass layer_class) {
#ifdef CODA_HAVE_GPU_LIBS
    if (d == Device::cuda) {
        return {coda_forward_cuda, coda_backward_cuda, coda_contribution_cuda};
    }
    if (d == Device::opencl) {
        return {coda_forward_opencl, coda_backward_opencl, coda_contribution_opencl};
    }
#endif
    (void)d;
    switch (layer_class) {
    case LayerClass::large:
        return {coda_forward_large,         coda_backward_large,
                coda_contribution_large,    coda_backward_materialized_large,
                coda_contribution_winograd, coda_forward_winograd};
    case LayerClass::narrow:
        return {coda_forward_narrow,        coda_backward_narrow,
                coda_contribution_narrow,   coda_backward_materialized_narrow,
                coda_contribution_winograd, coda_forward_winograd};
    case LayerClass::pointwise:
        return {coda_forward_pointwise, coda_backward_pointwise, coda_contribution_pointwise,
                coda_backward_materialized_pointwise};
    case LayerClass::wide:
        break;
    }
    return {coda_forward,
            coda_backward,
            coda_contribution,
            coda_backward_materialized,
            coda_contribution_winograd,
            coda_forward_winograd};
}

// Whether a call runs a pass's Winograd form: where it applies and the
// device has it, if forced or (automatic) if it pays.
template<typename Form, typename Pipeline>
bool runs_winograd(Form form, const LayerConfig &cfg, Pipeline winograd_pipeline, bool pays) {
    return winograd_applies(cfg.kernel, cfg.stride) && winograd_pipeline &&
           (form == Form::winograd || (form == Form::automatic && pays));
}

Kernels kernels(Device d, int kernel, int out_width) {
    return kernels(d, layer_class_of(kernel, out_width));
}

// GPU pipelines copy inputs to the device when their host copy is marked
// dirty, and leave outputs there: bring them back and free device memory.
struct DeviceCall {
    Device device = current_device();
    std::vector<Buffer *> inputs, outputs;
    DeviceCall(std::vector<Buffer *> in, std::vector<Buffer *> out) : inputs(in), outputs(out) {
        if (device != Device::cpu) {
            for (Buffer *b : inputs)
                b->set_host_dirty();
        }
    }
    ~DeviceCall() {
        if (device != Device::cpu) {
            for (Buffer *b : outputs)
                b->copy_to_host();
            for (auto *list : {&inputs, &outputs}) {
                for (Buffer *b : *list)
                    b->device_free();
            }
        }
    }
};

thread_local std::string halide_message;

void record_halide_error(void *, const char *msg) {
    halide_message = msg;
}

// Once per process, before the first pipeline: Halide's default error handler
// aborts, ours keeps the message for the exception; and the heap policy.
void init_runtime() {
    static std::once_flag once;
    std::call_once(once, [] {
        halide_set_error_handler(record_halide_error);
        keep_large_blocks_on_the_heap();
    });
}

void expect_shape(const LayerConfig &cfg, const char *tensor, const Shape &actual,
                  const Shape &expected) {
    if (actual != expected) {
        throw Error("CoDA layer '" + cfg.name + "': tensor " + tensor + " has shape " +
                    to_string(actual) + " but expected " + to_string(expected));
    }
}

void run_pipeline(const LayerConfig &cfg, const char *pass, int code) {
    if (code != 0) {
        std::string msg = halide_message;
        halide_message.clear();
        while (!msg.empty() && msg.back() == '\n') {
            msg.pop_back();
        }
        throw Error("CoDA layer '" + cfg.name + "': " + pass + " pipeline failed (Halide error " +
                    std::to_string(code) + "): " + msg);
    }
}

Shape activation_shape(const Shape &x, int channels, int height, int width) {
    return {x.at(0), channels, height, width};
}

void check_params(const LayerConfig &cfg, const LayerParams &p) {
    cfg.validate();
    expect_shape(cfg, "C", p.C.shape(), cfg.weight_shape());
    expect_shape(cfg, "M", p.M.shape(), cfg.mix_shape());
    expect_shape(cfg, "b", p.b.shape(), cfg.bias_shape());
}

void check_input(const LayerConfig &cfg, const Shape &x) {
    if (x.size() != 4 || x[1] != cfg.in_channels) {
        throw Error("CoDA layer '" + cfg.name + "': tensor x has shape " + to_string(x) +
                    " but expected (B, " + std::to_string(cfg.in_channels) + ", H, W)");
    }
    cfg.out_size(static_cast<int>(x[2]));
    cfg.out_size(static_cast<int>(x[3]));
}

Shape output_shape(const LayerConfig &cfg, const Shape &x, int channels) {
    return activation_shape(x, channels, cfg.out_size(static_cast<int>(x[2])),
                            cfg.out_size(static_cast<int>(x[3])));
}

// Parameter views in the algorithm's layout (see coda_layer_algorithm.h).
struct ParamViews {
    Halide::Runtime::Buffer<float> C, M, b;
};

ParamViews views(const LayerConfig &cfg, const Tensor &C, const Tensor &M, const Tensor &b) {
    int D = cfg.patch_len(), O = cfg.out_channels, r = cfg.rank;
    return {C.halide({D, r}), M.halide({r, O, D}), b.halide({O, D})};
}

}  // namespace

Norm parse_norm(const std::string &name) {
    if (name == "squash") {
        return Norm::squash;
    }
    if (name == "l2") {
        return Norm::l2;
    }
    throw Error("unknown norm '" + name + "' (expected squash or l2)");
}

std::string to_string(Norm norm) {
    return norm == Norm::squash ? "squash" : "l2";
}

int LayerConfig::out_size(int in) const {
    int span = in + 2 * pad - kernel;
    if (in < 1 || span < 0) {
        throw Error("CoDA layer '" + name + "': input size " + std::to_string(in) +
                    " is smaller than the kernel " + std::to_string(kernel) + " with padding " +
                    std::to_string(pad));
    }
    return span / stride + 1;
}

Shape LayerConfig::weight_shape() const {
    return {rank, in_channels, kernel, kernel};
}

Shape LayerConfig::mix_shape() const {
    return {int64_t{out_channels} * patch_len(), rank, 1, 1};
}

Shape LayerConfig::bias_shape() const {
    return {int64_t{out_channels} * patch_len()};
}

void LayerConfig::validate() const {
    auto fail = [&](const std::string &what) { throw Error("CoDA layer '" + name + "': " + what); };
    if (in_channels < 1 || out_channels < 1 || rank < 1) {
        fail("channels and rank must be positive (in " + std::to_string(in_channels) + ", out " +
             std::to_string(out_channels) + ", rank " + std::to_string(rank) + ")");
    }
    if (kernel < 1 || kernel > 15) {
        fail("kernel size " + std::to_string(kernel) + " is outside 1..15");
    }
    if (stride < 1 || stride > 4) {
        fail("stride " + std::to_string(stride) + " is outside 1..4");
    }
    if (pad < 0 || pad >= kernel) {
        fail("padding " + std::to_string(pad) + " must be in 0.." + std::to_string(kernel - 1));
    }
}

LayerForward layer_forward(const LayerConfig &cfg, const LayerParams &p, const Tensor &x) {
    init_runtime();
    check_params(cfg, p);
    check_input(cfg, x.shape());
    // Outputs of the pipelines are written in full: no zero-fill first.
    LayerForward f{Tensor::uninitialized(output_shape(cfg, x.shape(), cfg.out_channels)),
                   Tensor::uninitialized(output_shape(cfg, x.shape(), cfg.rank)),
                   Tensor::uninitialized(output_shape(cfg, x.shape(), cfg.out_channels)),
                   Tensor::uninitialized(output_shape(cfg, x.shape(), cfg.out_channels))};
    ParamViews pv = views(cfg, p.C, p.M, p.b);
    Buffer xb = x.halide(), y = f.output.halide(), z = f.code.halide(), n = f.norm.halide(),
           q = f.wnorm.halide();
    {
        DeviceCall call({&xb, &pv.C, &pv.M, &pv.b}, {&y, &z, &n, &q});
        Kernels k = kernels(call.device, cfg.kernel, z.width());
        bool winograd = runs_winograd(
            forward_form(), cfg, k.forward_winograd,
            winograd_forward_pays(cfg.in_channels,
                                  winograd_tiles(z.height(), z.width(), z.dim(3).extent())));
        auto forward = winograd ? k.forward_winograd : k.forward;
        run_pipeline(cfg, "forward",
                     forward(xb, pv.C, pv.M, pv.b, cfg.kernel, cfg.stride, cfg.pad,
                             static_cast<int>(cfg.norm), y, z, n, q));
    }
    return f;
}

namespace {
void check_forward(const LayerConfig &cfg, const LayerForward &fwd, const Shape &x) {
    Shape out = output_shape(cfg, x, cfg.out_channels);
    expect_shape(cfg, "code", fwd.code.shape(), output_shape(cfg, x, cfg.rank));
    expect_shape(cfg, "output", fwd.output.shape(), out);
    expect_shape(cfg, "norm", fwd.norm.shape(), out);
    expect_shape(cfg, "wnorm", fwd.wnorm.shape(), out);
}
}  // namespace

namespace {
// The process-wide form of a pass (tests and benchmarks force one).
template<typename Form>
std::atomic<Form> &chosen() {
    static std::atomic<Form> form{Form::automatic};
    return form;
}
}  // namespace

void set_forward_form(ForwardForm form) {
    chosen<ForwardForm>() = form;
}

ForwardForm forward_form() {
    return chosen<ForwardForm>();
}

void set_backward_form(BackwardForm form) {
    chosen<BackwardForm>() = form;
}

BackwardForm backward_form() {
    return chosen<BackwardForm>();
}

void set_contribution_form(ContributionForm form) {
    chosen<ContributionForm>() = form;
}

ContributionForm contribution_form() {
    return chosen<ContributionForm>();
}

LayerGradients layer_backward(const LayerConfig &cfg, const LayerParams &p, const Tensor &x,
                              const LayerForward &fwd, const Tensor &d_output) {
    init_runtime();
    check_params(cfg, p);
    check_input(cfg, x.shape());
    check_forward(cfg, fwd, x.shape());
    expect_shape(cfg, "d_output", d_output.shape(), output_shape(cfg, x.shape(), cfg.out_channels));
    LayerGradients g{Tensor::uninitialized(x.shape()), Tensor::uninitialized(p.C.shape()),
                     Tensor::uninitialized(p.M.shape()), Tensor::uninitialized(p.b.shape())};
    ParamViews pv = views(cfg, p.C, p.M, p.b), dv = views(cfg, g.d_C, g.d_M, g.d_b);
    Buffer xb = x.halide(), z = fwd.code.halide(), y = fwd.output.halide(), n = fwd.norm.halide(),
           q = fwd.wnorm.halide(), dy = d_output.halide(), dx = g.d_input.halide();
    {
        DeviceCall call({&xb, &pv.C, &pv.M, &pv.b, &z, &y, &n, &q, &dy},
                        {&dx, &dv.C, &dv.M, &dv.b});
        LayerClass layer_class = layer_class_of(cfg.kernel, z.width());
        Kernels k = kernels(call.device, layer_class);
        std::size_t positions = std::size_t(z.width()) * z.height() * z.dim(3).extent();
        BackwardForm form = backward_form();
        bool materialize =
            form == BackwardForm::materialized ||
            (form == BackwardForm::automatic &&
             materialize_backward(layer_class, positions, cfg.out_channels, cfg.patch_len()));
        auto backward =
            materialize && k.backward_materialized ? k.backward_materialized : k.backward;
        run_pipeline(cfg, "backward",
                     backward(xb, pv.C, pv.M, pv.b, cfg.kernel, cfg.stride, cfg.pad,
                              static_cast<int>(cfg.norm), z, y, n, q, dy, dx, dv.C, dv.M, dv.b));
    }
    return g;
}

Tensor layer_contribution(const LayerConfig &cfg, const LayerParams &p, const LayerForward &fwd,
                          const Tensor &g_output, const Shape &input_shape, int classes) {
    init_runtime();
    check_params(cfg, p);
    check_input(cfg, input_shape);
    check_forward(cfg, fwd, input_shape);
    if (classes < 1) {
        throw Error("layer " + cfg.name + ": classes per image must be >= 1 (got " +
                    std::to_string(classes) + ")");
    }
    Shape rows = input_shape;  // one row per (image, class)
    rows[0] *= classes;
    expect_shape(cfg, "g_output", g_output.shape(), output_shape(cfg, rows, cfg.out_channels));
    Tensor g_input = Tensor::uninitialized(rows);
    ParamViews pv = views(cfg, p.C, p.M, p.b);
    Buffer z = fwd.code.halide(), n = fwd.norm.halide(), g = g_output.halide(),
           gi = g_input.halide();
    {
        DeviceCall call({&z, &n, &pv.M, &pv.b, &g}, {&gi});
        Kernels k = kernels(call.device, cfg.kernel, z.width());
        bool winograd = runs_winograd(contribution_form(), cfg, k.contribution_winograd,
                                      winograd_pays(cfg.in_channels, classes,
                                                    winograd_tiles(input_shape[2], input_shape[3],
                                                                   input_shape[0] * classes)));
        auto contribution = winograd ? k.contribution_winograd : k.contribution;
        run_pipeline(
            cfg, "contribution",
            contribution(z, n, pv.M, pv.b, cfg.kernel, cfg.stride, cfg.pad, classes, g, gi));
    }
    return g_input;
}

}  // namespace coda
