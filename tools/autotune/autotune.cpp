// Autotuner of the layer schedules: for each pass it searches the knobs of a
// checked-in schedule (CPU: schedules/cpu/, struct CpuTuning; GPU with
// --family cuda: schedules/cuda/, struct GpuTuning) by compiling candidates
// with Halide's JIT and timing them on every layer shape of a model config,
// and writes the winners, with the machine, date and command, as
// schedules/<family>/tuning.h (x86: the tuning of Zen 4, x86/intel: of Intel's
// AVX-512 cores), after each search. Never run in CI: the result is checked in.
//
// CPU: each pass is tuned separately for each layer class of the model's
// layers (schedules/layer_class.h): 1x1 kernels, then output maps 32 or more
// columns wide, 16 to 31, and narrower. Search: every register-tile shape
// (vector, rows, block) that fits the registers, then coordinate descent over
// all knobs (each knob in turn over all its values, the others held),
// repeated until a round changes nothing. GPU: every block shape with every
// channel count, then the parameter tiles (one tuning for all layers).
// Objective: milliseconds per image summed over the layers and the requested
// batch sizes (on a GPU: with the data on the device). Every candidate's
// outputs are compared with the starting schedule's before it may win (same
// algorithm, so any difference beyond float reassociation means a broken
// schedule).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "arm/tuning.h"
#include "backward_form_choice.h"
#include "coda/heap_policy.h"
#include "coda/model_config.h"
#include "contribution_form.h"
#include "cuda/tuning.h"
#include "forward_form.h"
#include "generated_header.h"
#include "header_blocks.h"
#include "layer_jit.h"
#include "model_layers.h"
#include "x86/intel/tuning.h"
#include "x86/tuning.h"
#include "x86/winograd_tuning.h"

namespace {

using namespace coda;
using jit::model_layers;
using jit::of_pass;
using jit::Pass;
using tools::describe;

// "large,wide,narrow,pointwise": every layer class, as --classes names them.
std::string all_class_names() {
    std::string names;
    for (LayerClass c : kLayerClasses) {
        names += (names.empty() ? "" : ",") + std::string(layer_class_name(c));
    }
    return names;
}

struct Options {
    std::string config = CODA_SOURCE_DIR "/configs/cifar10_9l_s.cfg";
    std::string passes = "forward,backward,contribution";
    std::string batches = "1,16";
    std::string out;                         // default: schedules/<family>/tuning.h
    std::string family = x86_tuning_name();  // checked-in tuning to start from and write
    int reps = 5;
    int max_rounds = 3;
    std::string evaluate;  // tunings to time instead of searching
    int rounds = 1;        // --evaluate: timing rounds, in alternating order
    int layer = 0;         // 1-based: time only this layer of the config (0: all)
    std::string classes = all_class_names();  // layer classes to tune (CPU)
    bool choose_backward_form = false;        // time the backward forms instead of tuning
    bool tune_winograd = false;               // tune the Winograd forms' knobs instead
};

std::vector<std::string> split(const std::string &s) {
    std::vector<std::string> parts;
    std::stringstream in(s);
    for (std::string p; std::getline(in, p, ',');) {
        parts.push_back(p);
    }
    return parts;
}

// A knob of CpuTuning and the values searched for it.
struct Knob {
    const char *name;
    int CpuTuning::*field;  // int knobs
    std::vector<int> values;
};

// Map rows per vector: 2 fills 16 lanes on 8-wide maps.
constexpr int kRowsPerVector[] = {1, 2};

// Channel blocks: powers of two, and any other block up to 8 that divides
// every tuned layer's output channels (5 for a 10-class head), so that no
// channel of a forward tile is padding.
std::vector<int> blocks_for(const std::vector<LayerShape> &layers) {
    std::vector<int> blocks = {2, 4, 8};
    for (int b : {3, 5, 6, 7}) {
        auto divides = [b](const LayerShape &l) { return l.out_channels % b == 0; };
        if (!layers.empty() && std::all_of(layers.begin(), layers.end(), divides)) {
            blocks.push_back(b);
        }
    }
    return blocks;
}

std::vector<Knob> knobs_of(Pass pass, const std::vector<LayerShape> &layers) {
    std::vector<Knob> k = {{"vector", &CpuTuning::vector, {8, 16}},
                           {"rows", &CpuTuning::rows, {1, 2, 4, 8}},
                           {"block", &CpuTuning::block, blocks_for(layers)}};
    if (pass != Pass::backward) {  // passes that rebuild the dynamic weights from z
        k.push_back({"rank_unroll", &CpuTuning::rank_unroll, {1, 2, 4, 8, 16, 32, 64}});
    }
    if (pass == Pass::backward) {
        k.push_back({"lanes", &CpuTuning::lanes, {16, 32, 64}});
    }
    k.push_back({"rows_per_vector",
                 &CpuTuning::rows_per_vector,
                 {std::begin(kRowsPerVector), std::end(kRowsPerVector)}});
    return k;
}

// A tile shape the schedules can build: a vector spans whole rows of it.
bool spans_whole_rows(const CpuTuning &t) {
    return t.rows % t.rows_per_vector == 0 && t.vector % t.rows_per_vector == 0;
}

// A buildable tile whose accumulators fit the 32 vector registers with room
// for operands: one per vector and channel in every pass's inner reduction.
// The forward's {w.x, ||w||^2} sums are not counted: they take one FMA each
// per rank-long rebuild of w, so where they spill the cost is a few loads
// and stores per r FMAs. (Counting them capped the forward at 8 accumulators,
// and on the Intel Xeon 16 read 1.13x as fast on layers 3-5 at batch 64.)
bool fits_registers(const CpuTuning &t) {
    return spans_whole_rows(t) && t.rows / t.rows_per_vector * t.block <= 16;
}

jit::Schedule schedule_of(const CpuTuning &t) {
    jit::Schedule s;
    s.tuning = t;
    return s;
}

jit::Schedule schedule_of(const WinogradTuning &t) {
    jit::Schedule s;
    s.winograd = t;
    return s;
}

jit::Schedule schedule_of(const GpuTuning &t) {
    jit::Schedule s;
    s.gpu = t;
    return s;
}

// Whether a schedule's outputs match the reference schedule's. Tolerance:
// 1e-4 of the largest reference magnitude, far above float reassociation
// (about 1e-6 relative for these sums) and far below any indexing error.
bool same_outputs(const std::vector<float> &ref, const std::vector<float> &out) {
    if (ref.size() != out.size()) {
        return false;
    }
    double scale = 0, err = 0;
    for (size_t i = 0; i < ref.size(); i++) {
        scale = std::max(scale, double(std::fabs(ref[i])));
        err = std::max(err, double(std::fabs(ref[i] - out[i])));
    }
    return std::isfinite(err) && err <= 1e-4 * scale;
}

// Milliseconds per image of a compiled pass on one layer shape at one batch
// size (median of `reps` runs); its outputs stay readable afterwards.
double ms_per_image(jit::LayerPipeline &p, LayerShape shape, int batch, int reps) {
    shape.batch = batch;
    p.prepare(shape);
    return 1e3 * p.time(reps) / batch;
}

struct Evaluation {
    double objective = INFINITY;              // ms/img summed over layers and batches
    std::vector<std::vector<double>> ms_img;  // [batch][layer]
};

// Times tunings of one pass's schedule (CpuTuning or GpuTuning) on a set of
// layers and keeps the best; the search strategies below drive it.
template<typename Tuning>
class Tuner {
public:
    Tuner(Pass pass, std::vector<LayerShape> layers, std::vector<int> batches, int reps,
          Halide::Target target)
        : pass_(pass), layers_(std::move(layers)), batches_(std::move(batches)), reps_(reps),
          target_(target) {
    }

    Evaluation evaluate(const Tuning &t) {
        auto cached = seen_.find(describe(t));
        if (cached != seen_.end()) {
            return cached->second;
        }
        auto start = std::chrono::steady_clock::now();
        Evaluation e;
        bool correct = true;
        try {
            jit::LayerPipeline p(pass_, schedule_of(t), target_);
            e.objective = 0;
            for (int batch : batches_) {
                std::vector<double> row;
                for (size_t l = 0; l < layers_.size(); l++) {
                    double ms = ms_per_image(p, layers_[l], batch, reps_);
                    row.push_back(ms);
                    e.objective += ms;
                    if (batch == batches_.front()) {
                        correct = correct && matches_reference(l, p.outputs());
                    }
                }
                e.ms_img.push_back(row);
            }
        } catch (const Halide::Error &error) {
            // A tuning the target cannot run (e.g. too many threads per block).
            std::printf("  %s: %s\n", describe(t).c_str(), error.what());
            correct = false;
        }
        if (!correct) {
            e.objective = INFINITY;
        }
        double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        evaluations_++;
        std::printf("  [%s #%d, %.0f s] %-34s %9.3f ms/img%s\n", jit::pass_name(pass_),
                    evaluations_, secs, describe(t).c_str(), e.objective,
                    correct ? "" : "  REJECTED");
        std::fflush(stdout);
        seen_[describe(t)] = e;
        return e;
    }

    // Times t; it becomes the best if it beats the best so far (the first
    // candidate considered is the start). Returns whether it did.
    bool consider(const Tuning &t) {
        Evaluation e = evaluate(t);
        if (!has_best_ || e.objective < best_eval_.objective) {
            bool improved = has_best_;
            best_ = t;
            best_eval_ = e;
            has_best_ = true;
            return improved;
        }
        return false;
    }

    // The first candidate timed on a set of layers ran up to 1.5x slow (seen
    // twice in a run, on the start, which then lost unfairly): time it once
    // and forget the result, so the start's timing is taken warm.
    void warm_up(const Tuning &t) {
        std::printf("  (warm-up, not kept)\n");
        evaluate(t);
        seen_.erase(describe(t));
    }

    const Tuning &best() const {
        return best_;
    }
    const Evaluation &best_evaluation() const {
        return best_eval_;
    }
    int evaluations() const {
        return evaluations_;
    }

private:
    // The first evaluated schedule's outputs are the reference.
    bool matches_reference(size_t layer, const std::vector<float> &out) {
        if (reference_.size() <= layer) {
            reference_.push_back(out);
            return true;
        }
        return same_outputs(reference_[layer], out);
    }

    Pass pass_;
    std::vector<LayerShape> layers_;
    std::vector<int> batches_;
    int reps_;
    Halide::Target target_;
    int evaluations_ = 0;
    std::map<std::string, Evaluation> seen_;  // by describe()
    std::vector<std::vector<float>> reference_;
    bool has_best_ = false;
    Tuning best_{};
    Evaluation best_eval_;
};

// CPU: every register-tile shape (vector, rows, block) first, the other
// knobs held: the shape's knobs interact through the register budget, so
// changing one at a time cannot move between good shapes (e.g. 8x2x4 to
// 16x4x2). Then coordinate descent over all knobs.
void search(Tuner<CpuTuning> &tuner, Pass pass, const std::vector<LayerShape> &layers,
            const CpuTuning &start, int max_rounds) {
    tuner.consider(start);
    const std::vector<Knob> knobs = knobs_of(pass, layers);  // vector, rows, block first
    for (int vector : knobs[0].values) {
        for (int rows : knobs[1].values) {
            for (int block : knobs[2].values) {
                CpuTuning t = start;
                t.vector = vector;
                t.rows = rows;
                t.block = block;
                for (int rows_per_vector : kRowsPerVector) {
                    t.rows_per_vector = rows_per_vector;
                    if (fits_registers(t)) {
                        tuner.consider(t);
                    }
                }
            }
        }
    }
    for (int round = 0; round < max_rounds; round++) {
        bool changed = false;
        for (const Knob &k : knobs) {
            for (int value : k.values) {
                CpuTuning t = tuner.best();
                t.*k.field = value;
                changed |= fits_registers(t) && tuner.consider(t);
            }
        }
        for (bool rows_parallel : {false, true}) {
            CpuTuning t = tuner.best();
            t.parallel_rows = rows_parallel;
            changed |= tuner.consider(t);
        }
        if (!changed) {
            break;
        }
    }
}

// GPU: every block shape (64 to 256 threads) with every number of channels
// per thread, then the parameter tiles.
void search(Tuner<GpuTuning> &tuner, Pass, const std::vector<LayerShape> &, const GpuTuning &start,
            int) {
    tuner.consider(start);
    const std::pair<int, int> blocks[] = {{8, 8}, {16, 8}, {32, 4}, {16, 16}};
    for (auto [x, y] : blocks) {
        for (int channels : {1, 2, 4, 8}) {
            tuner.consider({x, y, channels, start.param_threads});
        }
    }
    for (int param : {8, 16, 32}) {
        GpuTuning t = tuner.best();
        t.param_threads = param;
        tuner.consider(t);
    }
}

template<typename Tuning>
struct PassResult {
    Pass pass;
    LayerClass layer_class;  // the class tuned (GPU tunings cover all)
    std::vector<LayerShape> layers;
    Tuning start, best;
    Evaluation start_eval, best_eval;
    int evaluations;
    std::string finished;  // when the search ended (UTC)
};

// The checked-in tuning of a CPU family ("x86", "x86/intel" or "arm"): the
// search's start.
const FamilyTunings &checked_in(const std::string &family) {
    return family == "arm"         ? arm::kTunings
           : family == "x86/intel" ? x86::intel::kTunings
                                   : x86::kTunings;
}

// "x86/intel" -> "x86::intel"
std::string namespace_of(std::string family) {
    for (size_t slash; (slash = family.find('/')) != std::string::npos;) {
        family.replace(slash, 1, "::");
    }
    return family;
}

std::string gpu_model() {
    std::string name;
    if (FILE *p = popen("nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null", "r")) {
        char line[256];
        if (std::fgets(line, sizeof line, p)) {
            name = line;
        }
        pclose(p);
    }
    while (!name.empty() && name.back() == '\n') {
        name.pop_back();
    }
    return name.empty() ? "unknown GPU" : name;
}

// What every block of a run shares.
struct Run {
    std::string machine, command;
    std::vector<int> batches;
};

// CPU tunings are per layer class; a GPU tuning covers every layer.
template<typename Tuning>
constexpr bool kPerClass = !std::is_same_v<Tuning, GpuTuning>;

// A search's comment block: its layers, the run that made it, the winner
// against the start and the winner's time per layer.
template<typename Tuning>
std::string result_block(const PassResult<Tuning> &r, const Run &run) {
    std::ostringstream h;
    h << "// " << jit::pass_name(r.pass);
    if (kPerClass<Tuning>) {
        h << ", " << layer_class_name(r.layer_class) << " layers";
    }
    h << " (layers";
    for (const LayerShape &l : r.layers) {
        h << " " << l.out_size() << "x" << l.out_size();
    }
    char best[64], start[64];  // lines within the 100 columns of the style check
    std::snprintf(best, sizeof best, "%.3f", r.best_eval.objective);
    std::snprintf(start, sizeof start, "%.3f", r.start_eval.objective);
    h << "):\n//   run:  " << r.finished << ", " << run.machine << "\n"
      << tools::wrapped_comment("//   command:", run.command) << "//   best  " << describe(r.best)
      << ": " << best << " ms/img\n//   start " << describe(r.start) << ": " << start << " ms/img ("
      << r.evaluations << " candidates timed)\n";
    for (size_t b = 0; b < run.batches.size(); b++) {
        h << "//   batch " << run.batches[b] << ", ms/img per layer:";
        for (double ms : r.best_eval.ms_img[b]) {
            char s[32];
            std::snprintf(s, sizeof s, " %.3f", ms);
            h << s;
        }
        h << "\n";
    }
    return h.str();
}

// One tuning of the header: a pass, on a layer class (CPU) or on all layers.
struct Setting {
    Pass pass;
    LayerClass layer_class;
    std::string tuning;  // describe() of what the header will hold
};

// The header's comments: what it holds, then a block per setting, this
// run's where it searched the setting, else the checked-in header's (whose
// blocks hold the other runs' provenance).
template<typename Tuning>
void write_comments(std::ostream &h, const std::vector<PassResult<Tuning>> &results,
                    const std::vector<Setting> &settings, const std::string &checked_in_path,
                    const std::string &what, const Run &run, const Halide::Target &target,
                    const std::string &config, const std::string &knobs, size_t planned) {
    const std::vector<tools::HeaderBlock> previous =
        tools::read_blocks(tools::read_text(checked_in_path));
    constexpr bool per_class = kPerClass<Tuning>;
    std::string blocks, unsearched;
    for (const Setting &s : settings) {
        auto found = std::find_if(results.begin(), results.end(), [&](const auto &r) {
            return r.pass == s.pass && (!per_class || r.layer_class == s.layer_class);
        });
        const std::string class_name = per_class ? layer_class_name(s.layer_class) : "";
        std::string block =
            found != results.end()
                ? result_block(*found, run)
                : tools::carried_block(previous, jit::pass_name(s.pass), class_name, s.tuning);
        if (block.empty()) {
            unsearched += std::string(unsearched.empty() ? "" : ",") + " " +
                          jit::pass_name(s.pass) + (per_class ? " of " + class_name : "");
        }
        blocks += block;
    }
    h << "// " << what << "\n"
      << "// GENERATED by tools/autotune; do not edit by hand, rerun it instead. Each\n"
      << "// block below is one search and the run that made it; a rerun replaces the\n"
      << "// blocks of its searches and keeps the others.\n"
      << "//   target:  " << target.to_string() << "\n"
      << "//   model:   " << tools::source_relative(config) << "\n"
      << "// Objective: ms/img summed over the block's layers at its run's batches.\n"
      << "// Knobs: " << knobs << ".\n";
    if (results.size() < planned) {  // written after each search: a stopped run keeps its wins
        h << "// PARTIAL: " << results.size() << " of the last run's " << planned
          << " searches finished.\n";
    }
    if (!unsearched.empty()) {
        h << tools::wrapped_comment(
            "// Without a block (not searched; as the previous header held them):",
            unsearched + ".");
    }
    h << blocks;
}

// kWide for LayerClass::wide, and so on.
std::string constant_name(LayerClass layer_class) {
    std::string name = layer_class_name(layer_class);
    name[0] = char(std::toupper(name[0]));
    return "k" + name;
}

std::string cpu_header(const std::vector<PassResult<CpuTuning>> &results, size_t planned,
                       const Run &run, const std::string &config, const std::string &family) {
    auto tuning_of = [&](Pass p, LayerClass layer_class) {
        for (const auto &r : results) {
            if (r.pass == p && r.layer_class == layer_class) {
                return r.best;
            }
        }
        return of_pass(checked_in(family).of(layer_class), p);  // not retuned this time
    };
    std::vector<Setting> settings;
    for (Pass p : {Pass::forward, Pass::backward, Pass::contribution}) {
        for (LayerClass layer_class : kLayerClasses) {
            settings.push_back({p, layer_class, describe(tuning_of(p, layer_class))});
        }
    }
    std::ostringstream h;
    write_comments(h, results, settings, CODA_SOURCE_DIR "/schedules/" + family + "/tuning.h",
                   family + " tuning of the CPU schedules (schedules/" + family + "/README.md).",
                   run, jit::cpu_target(), config,
                   "{vector, rows, block, lanes, rank_unroll, parallel_rows, rows_per_vector}",
                   planned);
    h << "#pragma once\n\n#include \"coda_layer_schedule.h\"\n\nnamespace coda::"
      << namespace_of(family) << " {\n";
    std::string all;
    for (LayerClass layer_class : kLayerClasses) {
        std::string name = constant_name(layer_class);
        // As clang-format lays it out (the style check covers this file).
        h << "constexpr CpuTunings " << name << "{\n    "
          << describe(tuning_of(Pass::forward, layer_class)) << ", "
          << describe(tuning_of(Pass::backward, layer_class)) << ", "
          << describe(tuning_of(Pass::contribution, layer_class)) << "};\n";
        all += (all.empty() ? "" : ", ") + name;
    }
    h << "constexpr FamilyTunings kTunings{" << all << "};\n"
      << "}  // namespace coda::" << namespace_of(family) << "\n";
    return h.str();
}

std::string gpu_header(const std::vector<PassResult<GpuTuning>> &results, size_t planned,
                       const Run &run, const std::string &config) {
    auto tuning_of = [&](Pass p) {
        for (const auto &r : results) {
            if (r.pass == p) {
                return r.best;
            }
        }
        return of_pass(cuda::kTunings, p);  // not retuned this time
    };
    std::vector<Setting> settings;
    for (Pass p : {Pass::forward, Pass::backward, Pass::contribution}) {
        settings.push_back({p, LayerClass::wide, describe(tuning_of(p))});
    }
    std::ostringstream h;
    write_comments(h, results, settings, CODA_SOURCE_DIR "/schedules/cuda/tuning.h",
                   "CUDA tuning of the GPU schedules (schedules/cuda/README.md); OpenCL uses it "
                   "too.",
                   run, jit::cuda_target(), config,
                   "{threads_x, threads_y, channels, param_threads}", planned);
    h << "#pragma once\n\n#include \"coda_layer_schedule.h\"\n\nnamespace coda::cuda {\n"
      << "constexpr GpuTunings kTunings{" << describe(tuning_of(Pass::forward)) << ", "
      << describe(tuning_of(Pass::backward)) << ", " << describe(tuning_of(Pass::contribution))
      << "};\n}  // namespace coda::cuda\n";
    return h.str();
}

// The layers of one class.
std::vector<LayerShape> layers_of(const std::vector<LayerShape> &layers, LayerClass layer_class) {
    std::vector<LayerShape> of_class;
    for (const LayerShape &l : layers) {
        if (layer_class_of(l.kernel, l.out_size()) == layer_class) {
            of_class.push_back(l);
        }
    }
    return of_class;
}

// The --classes names, checked.
std::vector<std::string> wanted_classes(const Options &o) {
    const std::vector<std::string> wanted = split(o.classes);
    for (const std::string &w : wanted) {
        auto named = [&](LayerClass layer_class) { return w == layer_class_name(layer_class); };
        if (std::none_of(kLayerClasses.begin(), kLayerClasses.end(), named)) {
            throw std::invalid_argument("--classes: unknown layer class \"" + w + "\" (" +
                                        all_class_names() + ")");
        }
    }
    return wanted;
}

// The layers of the --classes (all layers with the default).
std::vector<LayerShape> layers_of(const std::vector<LayerShape> &layers, const Options &o) {
    const std::vector<std::string> wanted = wanted_classes(o);
    std::vector<LayerShape> of_classes;
    for (const LayerShape &l : layers) {
        const char *name = layer_class_name(layer_class_of(l.kernel, l.out_size()));
        if (std::find(wanted.begin(), wanted.end(), name) != wanted.end()) {
            of_classes.push_back(l);
        }
    }
    return of_classes;
}

// `count` knobs, the last `optional` of which may be left out.
std::vector<int> parse_knobs(const std::string &text, size_t count, size_t optional = 0) {
    std::vector<int> knobs;
    for (const std::string &f : split(text)) {
        knobs.push_back(std::stoi(f));
    }
    if (knobs.size() > count || knobs.size() + optional < count) {
        throw std::invalid_argument("a tuning has " + std::to_string(count - optional) + " to " +
                                    std::to_string(count) + " comma-separated knobs, got \"" +
                                    text + "\"");
    }
    for (int k : knobs) {
        if (k < 0) {
            throw std::invalid_argument("tuning knobs must not be negative: \"" + text + "\"");
        }
    }
    return knobs;
}

// "v,r,b,l,u,p,s" in CpuTuning order, "x,y,c,p" in GpuTuning order.
void parse_tuning(const std::string &text, CpuTuning &t) {
    std::vector<int> f = parse_knobs(text, 7, 1);  // rows_per_vector defaults to 1
    t = CpuTuning{f[0], f[1], f[2], f[3], f[4], f[5] != 0, f.size() > 6 ? f[6] : 1};
    if (t.vector < 1 || t.rows < 1 || t.block < 1 || t.lanes < 1 || t.rank_unroll < 1 ||
        t.rows_per_vector < 1) {
        throw std::invalid_argument("tuning knobs must be positive: \"" + text + "\"");
    }
    if (!spans_whole_rows(t)) {
        throw std::invalid_argument("rows_per_vector must divide vector and rows: \"" + text +
                                    "\"");
    }
}

void parse_tuning(const std::string &text, GpuTuning &t) {
    std::vector<int> f = parse_knobs(text, 4);
    t = GpuTuning{f[0], f[1], f[2], f[3]};
    if (t.threads_x < 1 || t.threads_y < 1 || t.channels < 1 || t.param_threads < 1) {
        throw std::invalid_argument("tuning knobs must be positive: \"" + text + "\"");
    }
}

// Times already compiled tunings against each other: after one warm-up round,
// `rounds` rounds each time every tuning on every layer and batch, the order
// reversed every other round, so that a drift of the host's speed (10-25%
// between runs minutes apart here) falls on all of them alike. Prints each
// tuning's median objective, its rounds, in how many rounds it beat the first
// tuning and its median per batch size; outputs are checked against the first
// tuning's.
template<typename Tuning>
void evaluate_in_rounds(Pass pass, const std::vector<LayerShape> &layers,
                        const std::vector<int> &batches, int reps, int rounds,
                        const Halide::Target &target, const std::vector<Tuning> &tunings) {
    std::vector<std::unique_ptr<jit::LayerPipeline>> pipelines;
    for (const Tuning &t : tunings) {
        pipelines.push_back(std::make_unique<jit::LayerPipeline>(pass, schedule_of(t), target));
    }
    const size_t n = tunings.size();
    std::vector<std::vector<double>> objective(n);
    std::vector<std::vector<std::vector<double>>> per_batch(
        n, std::vector<std::vector<double>>(batches.size()));
    std::vector<std::vector<float>> reference;
    // ms/img of tuning k summed over the layers, per batch size; in the
    // warm-up round its outputs at the first batch are checked too.
    auto time_tuning = [&](size_t k, bool warm_up) {
        std::vector<double> sums;
        for (int batch : batches) {
            double sum = 0;
            for (size_t l = 0; l < layers.size(); l++) {
                sum += ms_per_image(*pipelines[k], layers[l], batch, reps);
                if (!warm_up || batch != batches.front()) {
                    continue;
                }
                if (k == 0) {
                    reference.push_back(pipelines[k]->outputs());
                } else if (!same_outputs(reference.at(l), pipelines[k]->outputs())) {
                    throw std::runtime_error(describe(tunings[k]) +
                                             ": outputs differ from the first tuning's");
                }
            }
            sums.push_back(sum);
        }
        return sums;
    };
    for (int round = 0; round <= rounds; round++) {
        for (size_t i = 0; i < n; i++) {
            const size_t k = round % 2 ? n - 1 - i : i;
            const std::vector<double> sums = time_tuning(k, round == 0);
            if (round == 0) {
                continue;
            }
            for (size_t b = 0; b < batches.size(); b++) {
                per_batch[k][b].push_back(sums[b]);
            }
            objective[k].push_back(std::accumulate(sums.begin(), sums.end(), 0.0));
        }
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    for (size_t k = 0; k < n; k++) {
        int wins = 0;
        for (int r = 0; r < rounds; r++) {
            wins += objective[k][r] < objective[0][r];
        }
        std::printf("  %-34s median %8.3f ms/img, beat the first in %d of %d rounds:",
                    describe(tunings[k]).c_str(), median(objective[k]), wins, rounds);
        for (double v : objective[k]) {
            std::printf(" %.3f", v);
        }
        std::printf("\n   ");
        for (size_t b = 0; b < batches.size(); b++) {
            std::printf(" batch %d: %.3f", batches[b], median(per_batch[k][b]));
        }
        std::printf("\n");
    }
}

template<typename Tuning>
void evaluate_only(Pass pass, const std::vector<LayerShape> &layers,
                   const std::vector<int> &batches, const Options &o,
                   const Halide::Target &target) {
    std::vector<Tuning> tunings;
    std::stringstream list(o.evaluate);
    for (std::string text; std::getline(list, text, ';');) {
        parse_tuning(text, tunings.emplace_back());
    }
    if (o.rounds > 1) {
        evaluate_in_rounds(pass, layers, batches, o.reps, o.rounds, target, tunings);
        return;
    }
    Tuner<Tuning> tuner(pass, layers, batches, o.reps, target);
    // A process's first timed pipeline runs slow (up to 1.7x at batch 1:
    // first-touch allocations), whichever tuning it is.
    tuner.warm_up(tunings.front());
    for (const Tuning &t : tunings) {
        Evaluation e = tuner.evaluate(t);
        for (size_t b = 0; b < e.ms_img.size(); b++) {
            std::printf("    batch %d ms/img:", batches[b]);
            for (double ms : e.ms_img[b]) {
                std::printf(" %.3f", ms);
            }
            std::printf("\n");
        }
    }
}

template<typename Tuning>
PassResult<Tuning> tune(Pass pass, LayerClass layer_class, const std::vector<LayerShape> &layers,
                        const std::vector<int> &batches, const Options &o, const Tuning &start,
                        const Halide::Target &target) {
    Tuner<Tuning> tuner(pass, layers, batches, o.reps, target);
    tuner.warm_up(start);
    PassResult<Tuning> r{pass, layer_class, layers, start, {}, tuner.evaluate(start), {}, 0, ""};
    search(tuner, pass, layers, start, o.max_rounds);
    r.best = tuner.best();
    r.best_eval = tuner.best_evaluation();
    r.evaluations = tuner.evaluations();
    r.finished = tools::now_utc();
    std::printf("%s: best %s %.3f ms/img (start %.3f, %.2fx)\n", jit::pass_name(pass),
                describe(r.best).c_str(), r.best_eval.objective, r.start_eval.objective,
                r.start_eval.objective / r.best_eval.objective);
    std::fflush(stdout);
    return r;
}

// Writes the header after each search, so that a stopped run keeps what it
// found (a search takes minutes to hours).
template<typename Tuning, typename Header>
void write_each(const std::string &out, size_t planned, const Header &header,
                std::vector<PassResult<Tuning>> &results, PassResult<Tuning> found) {
    results.push_back(std::move(found));
    tools::write_atomically(out, header(results, planned));
    std::printf("wrote %s (%zu of %zu searches)\n", out.c_str(), results.size(), planned);
    std::fflush(stdout);
}

// CPU families: each pass per layer class.
void tune_cpu(const std::vector<LayerShape> &layers, const std::vector<int> &batches,
              const Options &o, const std::string &command) {
    const std::vector<std::string> wanted = wanted_classes(o);
    struct Search {
        Pass pass;
        LayerClass layer_class;
        std::vector<LayerShape> layers;
    };
    std::vector<Search> searches;
    for (const std::string &name : split(o.passes)) {
        for (LayerClass layer_class : kLayerClasses) {
            std::vector<LayerShape> of_class = layers_of(layers, layer_class);
            if (!of_class.empty() && std::find(wanted.begin(), wanted.end(),
                                               layer_class_name(layer_class)) != wanted.end()) {
                searches.push_back({jit::parse_pass(name), layer_class, of_class});
            }
        }
    }
    if (searches.empty()) {
        throw std::invalid_argument("no layer of the model is in the classes " + o.classes);
    }
    const Run run{tools::cpu_model() + ", " + std::to_string(jit::threads()) + " threads", command,
                  batches};
    auto header = [&](const std::vector<PassResult<CpuTuning>> &results, size_t planned) {
        return cpu_header(results, planned, run, o.config, o.family);
    };
    std::vector<PassResult<CpuTuning>> results;
    for (const Search &s : searches) {
        std::printf("Tuning %s on %zu %s layers, batches %s, %d threads\n", jit::pass_name(s.pass),
                    s.layers.size(), layer_class_name(s.layer_class), o.batches.c_str(),
                    jit::threads());
        write_each(o.out, searches.size(), header, results,
                   tune(s.pass, s.layer_class, s.layers, batches, o,
                        of_pass(checked_in(o.family).of(s.layer_class), s.pass),
                        jit::cpu_target()));
    }
}

// GPU: each pass over all layers (one tuning for every layer class).
void tune_gpu(const std::vector<LayerShape> &layers, const std::vector<int> &batches,
              const Options &o, const std::string &command) {
    const std::vector<std::string> passes = split(o.passes);
    const Run run{gpu_model(), command, batches};
    auto header = [&](const std::vector<PassResult<GpuTuning>> &results, size_t planned) {
        return gpu_header(results, planned, run, o.config);
    };
    std::vector<PassResult<GpuTuning>> results;
    for (const std::string &name : passes) {
        Pass pass = jit::parse_pass(name);
        std::printf("Tuning %s on %zu layers for %s, batches %s\n", name.c_str(), layers.size(),
                    jit::cuda_target().to_string().c_str(), o.batches.c_str());
        write_each(o.out, passes.size(), header, results,
                   tune(pass, LayerClass::wide, layers, batches, o, of_pass(cuda::kTunings, pass),
                        jit::cuda_target()));
    }
}

// The search's winner against the start, compiled once each and timed in
// alternating rounds (a single pass on a shared host drifts by 10%, more
// than most candidates differ): the winner is kept only if its median over
// the rounds is lower. Records both medians in `h`.
WinogradTuning confirmed_best(Pass pass, const std::vector<LayerShape> &layers,
                              const std::vector<int> &batches, int reps,
                              const WinogradTuning &start, const WinogradTuning &best,
                              std::ostream &h) {
    if (describe(best) == describe(start)) {
        return start;
    }
    constexpr int kRounds = 5;
    jit::LayerPipeline a(pass, schedule_of(start), jit::cpu_target());
    jit::LayerPipeline b(pass, schedule_of(best), jit::cpu_target());
    auto objective = [&](jit::LayerPipeline &p) {
        double sum = 0;
        for (int batch : batches) {
            for (const LayerShape &l : layers) {
                sum += ms_per_image(p, l, batch, reps);
            }
        }
        return sum;
    };
    std::vector<double> ta, tb;
    for (int round = 0; round < kRounds; round++) {
        if (round % 2 == 0) {
            ta.push_back(objective(a));
            tb.push_back(objective(b));
        } else {
            tb.push_back(objective(b));
            ta.push_back(objective(a));
        }
    }
    for (auto *t : {&ta, &tb}) {
        std::sort(t->begin(), t->end());
    }
    double start_ms = ta[kRounds / 2], best_ms = tb[kRounds / 2];
    char prefix[80], line[160];
    std::snprintf(prefix, sizeof prefix,
                  "//   confirmed in %d alternating rounds (medians):", kRounds);
    std::snprintf(line, sizeof line, "start %s %.3f, search's best %s %.3f",
                  describe(start).c_str(), start_ms, describe(best).c_str(), best_ms);
    h << tools::wrapped_comment(prefix, line);
    std::printf("%s %s\n", prefix + 2, line);
    return best_ms < start_ms ? best : start;
}

// The Winograd forms (x86): every register tile of 8 to 24 accumulators
// (tile_vectors x channels, 16-float vectors) timed on the model's layers
// where the runtime runs the form, on their distinct shapes; writes both
// forms' knobs with every candidate's time (schedules/x86/winograd_tuning.h).
void tune_winograd(const std::vector<LayerShape> &layers, const std::vector<int> &batches,
                   const Options &o, const std::string &command) {
    struct Form {
        Pass pass;
        int min_channels;
        WinogradTuning start;
        const char *constant;
    };
    const Form forms[] = {
        {Pass::contribution_winograd, kWinogradMinChannels, x86::kWinograd, "kWinograd"},
        {Pass::forward_winograd, kWinogradForwardMinChannels, x86::kWinogradForward,
         "kWinogradForward"}};
    std::vector<WinogradTuning> candidates;
    for (int tile_vectors : {2, 3, 4, 6, 8}) {
        for (int channels : {2, 4, 8}) {
            if (tile_vectors * channels >= 8 && tile_vectors * channels <= 24) {
                candidates.push_back({16, tile_vectors, channels});
            }
        }
    }
    std::ostringstream h, constants;
    h << "// x86 tuning of the Winograd forms' CPU schedules\n"
         "// (schedules/cpu/coda_winograd_cpu_schedule.cpp), written by tools/autotune\n"
         "// --tune-winograd: every register tile of 8 to 24 accumulators ({vector,\n"
         "// tile_vectors, channels}) timed on the layers where the runtime runs the\n"
         "// form (schedules/contribution_form.h, forward_form.h), ms/img summed over\n"
         "// those layers and the batches. Intel hosts use it too.\n";
    for (const Form &form : forms) {
        std::vector<LayerShape> of_form;
        for (const LayerShape &l : layers) {
            bool seen = std::any_of(of_form.begin(), of_form.end(), [&](const LayerShape &u) {
                return u.in_channels == l.in_channels && u.out_channels == l.out_channels &&
                       u.rank == l.rank && u.in_size == l.in_size;
            });
            if (!seen && winograd_applies(l.kernel, l.stride) &&
                l.in_channels >= form.min_channels) {
                of_form.push_back(l);
            }
        }
        if (of_form.empty()) {
            throw std::invalid_argument("no layer of the model runs the Winograd forms");
        }
        std::printf("Tuning %s on %zu layer shapes, batches %s, %d threads\n",
                    jit::pass_name(form.pass), of_form.size(), o.batches.c_str(), jit::threads());
        Tuner<WinogradTuning> tuner(form.pass, of_form, batches, o.reps, jit::cpu_target());
        tuner.warm_up(form.start);
        tuner.consider(form.start);
        for (const WinogradTuning &c : candidates) {
            tuner.consider(c);
        }
        h << "// " << jit::pass_name(form.pass) << " (layers of";
        for (size_t i = 0; i < of_form.size(); i++) {
            const LayerShape &l = of_form[i];
            h << (i ? ", " : " ") << l.in_channels << " channels " << l.out_size() << "x"
              << l.out_size();
        }
        h << "):\n//   run:  " << tools::now_utc() << ", " << tools::cpu_model() << ", "
          << jit::threads() << " threads\n"
          << tools::wrapped_comment("//   command:", command);
        std::string times;
        for (const WinogradTuning &c : candidates) {
            char t[64];
            std::snprintf(t, sizeof t, "%dx%d %.3f, ", c.tile_vectors, c.channels,
                          tuner.evaluate(c).objective);
            times += t;
        }
        h << tools::wrapped_comment("//   ms/img (tile_vectors x channels):",
                                    times.substr(0, times.size() - 2));
        WinogradTuning best =
            confirmed_best(form.pass, of_form, batches, o.reps, form.start, tuner.best(), h);
        h << "//   best " << describe(best) << "\n";
        constants << "constexpr WinogradTuning " << form.constant << describe(best) << ";\n";
    }
    h << "#pragma once\n\n#include \"coda_layer_schedule.h\"\n\nnamespace coda::x86 {\n"
      << constants.str() << "}  // namespace coda::x86\n";
    tools::write_atomically(o.out, h.str());
    std::printf("wrote %s\n", o.out.c_str());
}

}  // namespace

int main(int argc, char **argv) {
    Options o;
    CLI::App app{"Autotunes the CPU (x86) or GPU (CUDA) schedules of the CoDA layer (Halide JIT "
                 "timing)"};
    app.add_option("--config", o.config, "model config whose layer shapes are timed")
        ->check(CLI::ExistingFile);
    app.add_option("--passes", o.passes,
                   "comma-separated passes to tune (forward, backward, contribution; "
                   "backward_materialized only with --evaluate)");
    app.add_option("--batches", o.batches, "comma-separated batch sizes in the objective");
    app.add_option("--reps", o.reps, "timed runs per layer (median)")->check(CLI::Range(1, 100));
    app.add_option("--max-rounds", o.max_rounds, "coordinate-descent rounds (CPU)")
        ->check(CLI::Range(1, 10));
    app.add_option("--out", o.out, "tuning header to write (default schedules/<family>/tuning.h)");
    app.add_option("--family", o.family,
                   "schedule family: start tuning, header and namespace written; cuda tunes "
                   "the GPU schedules on the CUDA target (CODA_JIT_TARGET overrides it); "
                   "default: the x86 tuning this build uses")
        ->check(CLI::IsMember({"x86", "x86/intel", "arm", "cuda"}));
    app.add_option(
        "--evaluate", o.evaluate,
        "only time these tunings of the first pass, e.g. \"16,4,2,32,8,1,1;16,4,2,32,64,1,2\" "
        "(knobs in CpuTuning order, or GpuTuning's with --family cuda), on the layers of "
        "--classes, and print ms/img per layer; writes nothing");
    app.add_option("--rounds", o.rounds,
                   "with --evaluate: compile each tuning once, then time them all in this many "
                   "rounds, in reverse order every other round, and print each one's median "
                   "(compares tunings on a host whose speed drifts)")
        ->check(CLI::Range(1, 50));
    app.add_option("--classes", o.classes,
                   "comma-separated layer classes to tune (CPU; the others keep the "
                   "checked-in tuning)");
    app.add_option("--layer", o.layer,
                   "time only this layer of the model (1-based), e.g. to "
                   "profile it with CODA_JIT_TARGET=<target>-profile")
        ->check(CLI::PositiveNumber);
    app.add_flag("--choose-backward-form", o.choose_backward_form,
                 "time both CPU backward forms (low-rank, materialised) on each layer at each "
                 "batch size and write up to which size of call each layer class runs the "
                 "materialised one (default schedules/x86/backward_form_caps.h)");
    app.add_flag("--tune-winograd", o.tune_winograd,
                 "time every register tile of the Winograd forward and contribution (x86) on "
                 "the layers where they run and write the best (default "
                 "schedules/x86/winograd_tuning.h)");
    CLI11_PARSE(app, argc, argv);
    coda::keep_large_blocks_on_the_heap();  // as the runtime does

    try {
        std::string command = "tools/autotune";
        for (int i = 1; i < argc; i++) {
            command += std::string(" ") + argv[i];
        }
        std::vector<int> batches;
        for (const std::string &b : split(o.batches)) {
            batches.push_back(std::stoi(b));
            if (batches.back() < 1) {
                throw std::invalid_argument("batch sizes must be positive");
            }
        }
        std::vector<LayerShape> layers = model_layers(load_config(o.config).model);
        if (o.layer > 0) {
            if (o.layer > int(layers.size())) {
                throw std::invalid_argument("--layer " + std::to_string(o.layer) +
                                            ": the model has " + std::to_string(layers.size()) +
                                            " layers");
            }
            layers = {layers[o.layer - 1]};
        }
        const bool gpu = o.family == "cuda";
        if (o.choose_backward_form) {
            if (o.family != "x86" && o.family != "x86/intel") {
                throw std::invalid_argument("--choose-backward-form times x86 only");
            }
            std::sort(batches.begin(), batches.end());
            std::string path =
                o.out.empty() ? CODA_SOURCE_DIR "/schedules/x86/backward_form_caps.h" : o.out;
            tools::write_atomically(
                path, tools::choose_backward_form(
                          {layers, batches, o.reps, checked_in(o.family), command, o.config}));
            std::printf("wrote %s\n", path.c_str());
            return 0;
        }
        if (o.tune_winograd) {
            if (o.family != "x86") {
                throw std::invalid_argument("--tune-winograd times x86 only (family x86)");
            }
            if (o.out.empty()) {
                o.out = CODA_SOURCE_DIR "/schedules/x86/winograd_tuning.h";
            }
            tune_winograd(layers, batches, o, command);
            return 0;
        }
        if (o.rounds > 1 && o.evaluate.empty()) {
            throw std::invalid_argument("--rounds times the tunings of --evaluate: give them");
        }
        if (!o.evaluate.empty()) {
            layers = layers_of(layers, o);
            if (layers.empty()) {
                throw std::invalid_argument("no layer to time in the classes " + o.classes);
            }
            Pass pass = jit::parse_pass(split(o.passes).front());
            if (pass == Pass::forward_winograd || pass == Pass::contribution_winograd) {
                throw std::invalid_argument("the Winograd forms are timed with --tune-winograd");
            }
            gpu ? evaluate_only<GpuTuning>(pass, layers, batches, o, jit::cuda_target())
                : evaluate_only<CpuTuning>(pass, layers, batches, o, jit::cpu_target());
            return 0;
        }
        for (const std::string &name : split(o.passes)) {
            Pass pass = jit::parse_pass(name);
            if (pass == Pass::backward_materialized) {
                throw std::invalid_argument(
                    "backward_materialized runs with the backward's tuning (no tuning of its "
                    "own): time it with --evaluate, tune backward");
            }
            if (pass == Pass::forward_winograd || pass == Pass::contribution_winograd) {
                throw std::invalid_argument("the Winograd forms are tuned with --tune-winograd");
            }
        }
        if (o.out.empty()) {
            o.out = CODA_SOURCE_DIR "/schedules/" + o.family + "/tuning.h";
        }
        gpu ? tune_gpu(layers, batches, o, command) : tune_cpu(layers, batches, o, command);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "autotune: %s\n", e.what());
        return 1;
    }
    return 0;
}
