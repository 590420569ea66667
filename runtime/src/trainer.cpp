#include "coda/trainer.h"

#include <chrono>
#include <cmath>
#include <sstream>

#include "coda/augment.h"
#include "coda/batches.h"
#include "coda/checkpoint.h"
#include "coda/loss.h"
#include "coda/progress.h"
#include "coda/random.h"

namespace coda {

namespace {

constexpr const char *kFormat = "coda-halide-checkpoint";

std::string param_name(size_t layer, const char *which) {
    return "layers." + std::to_string(layer) + "." + which;
}

std::string percent(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", 100 * v);
    return buf;
}

void check_compatible(const CodaNet &net, const Dataset &d, const char *what) {
    const ModelConfig &m = net.config();
    if (d.images.rank() != 4 || d.images.dim(1) != m.image_channels ||
        d.images.dim(2) != m.image_height || d.images.dim(3) != m.image_width) {
        throw Error(std::string(what) + " images have shape " + to_string(d.images.shape()) +
                    " but the model expects (N, " + std::to_string(m.image_channels) + ", " +
                    std::to_string(m.image_height) + ", " + std::to_string(m.image_width) + ")");
    }
    if (d.num_classes > m.num_classes()) {
        throw Error(std::string(what) + " set has " + std::to_string(d.num_classes) +
                    " classes but the model only " + std::to_string(m.num_classes()));
    }
}

// Applies the update of one (virtual) batch and clears the accumulators.
void optimizer_step(TrainingState &s, std::vector<LayerGradients> &acc, double lr) {
    for (size_t i = 0; i < acc.size(); i++) {
        LayerParams &p = s.net.params()[i];
        s.adam.update(param_name(i, "C"), p.C, acc[i].d_C, lr);
        s.adam.update(param_name(i, "M"), p.M, acc[i].d_M, lr);
        s.adam.update(param_name(i, "b"), p.b, acc[i].d_b, lr);
        for (Tensor *t : {&acc[i].d_C, &acc[i].d_M, &acc[i].d_b}) {
            std::fill(t->values().begin(), t->values().end(), 0.0f);
        }
    }
    s.adam.finish_step();
}

void accumulate(std::vector<LayerGradients> &acc, const std::vector<LayerGradients> &g) {
    if (acc.empty()) {
        acc = g;
        return;
    }
    for (size_t i = 0; i < g.size(); i++) {
        for (auto [a, b] : {std::pair{&acc[i].d_C, &g[i].d_C}, std::pair{&acc[i].d_M, &g[i].d_M},
                            std::pair{&acc[i].d_b, &g[i].d_b}}) {
            for (int64_t j = 0; j < a->size(); j++) {
                (*a)[j] += (*b)[j];
            }
        }
    }
}

Tensor augment(const Tensor &images, const TrainConfig &t, int64_t epoch, int64_t batch) {
    if (t.crop_pad == 0 && !t.flip) {
        return images;
    }
    std::mt19937_64 rng(derive_seed(t.seed, 0xA06 + epoch, batch));
    Tensor out = t.crop_pad > 0 ? random_crop_with_padding(images, t.crop_pad, rng) : images;
    return t.flip ? random_horizontal_flip(out, rng) : out;
}

}  // namespace

Evaluation evaluate(const CodaNet &net, const Dataset &data, LossKind loss, int batch_size,
                    int64_t limit, bool progress) {
    check_compatible(net, data, "evaluation");
    const int64_t n = limit > 0 ? std::min(limit, data.size()) : data.size();
    Evaluation e;
    std::unique_ptr<ProgressBar> bar;
    if (progress) {
        bar = std::make_unique<ProgressBar>("eval ", n, "img");
    }
    double loss_sum = 0;
    int64_t correct = 0;
    for (int64_t start = 0; start < n; start += batch_size) {
        std::vector<int64_t> idx;
        for (int64_t i = start; i < std::min(n, start + batch_size); i++) {
            idx.push_back(i);
        }
        Batch b = gather_batch(data, idx);
        Trace t = net.forward(b.images);
        LossValue l = classification_loss(loss, t.logits, b.labels);
        loss_sum += l.loss * double(idx.size());
        correct += l.correct;
        for (size_t i = 0; i < idx.size(); i++) {
            e.predictions.push_back(argmax_row(t.logits, int64_t(i)));
        }
        if (bar) {
            bar->update(start + int64_t(idx.size()),
                        "acc " + percent(double(correct) / (start + idx.size())));
        }
    }
    e.count = n;
    e.loss = loss_sum / double(n);
    e.accuracy = double(correct) / double(n);
    if (bar) {
        bar->finish("acc " + percent(e.accuracy));
    }
    return e;
}

TrainingState new_training(const RunConfig &config) {
    TrainingState s{config, CodaNet(config.model), Adam(), 0, {}};
    s.net.init(config.train.seed);
    return s;
}

std::vector<EpochRecord> train(TrainingState &s, const Dataset &train_set, const Dataset &test_set,
                               const TrainOptions &o) {
    check_compatible(s.net, train_set, "training");
    check_compatible(s.net, test_set, "test");
    const TrainConfig &t = s.config.train;
    if (t.virtual_batch % t.batch_size != 0) {
        throw Error("virtual_batch " + std::to_string(t.virtual_batch) +
                    " is not a multiple of batch_size " + std::to_string(t.batch_size));
    }
    const int accumulate_batches = t.virtual_batch / t.batch_size;
    const double loss_scale = double(t.batch_size) / t.virtual_batch;
    s.class_names = train_set.class_names;
    std::vector<EpochRecord> records;
    const int last = o.stop_after > 0 ? std::min(t.epochs, s.epochs_done + o.stop_after) : t.epochs;
    for (int epoch = s.epochs_done; epoch < last; epoch++) {
        auto start = std::chrono::steady_clock::now();
        BatchIterator batches(train_set, t.batch_size, t.seed, epoch, true, true);
        const int64_t nb = batches.num_batches();
        std::unique_ptr<ProgressBar> bar;
        if (o.progress) {
            bar = std::make_unique<ProgressBar>("epoch " + std::to_string(epoch + 1) + "/" +
                                                    std::to_string(t.epochs),
                                                nb * t.batch_size, "img");
        }
        std::vector<LayerGradients> acc;
        double loss_sum = 0, lr = 0;
        int64_t correct = 0, seen = 0;
        for (int64_t i = 0; i < nb; i++) {
            Batch b = batches.batch(i);
            Trace trace = s.net.forward(augment(b.images, t, epoch, i));
            LossValue l = classification_loss(t.loss, trace.logits, b.labels, loss_scale);
            accumulate(acc, s.net.backward(trace, l.d_logits));
            if ((i + 1) % accumulate_batches == 0 || i + 1 == nb) {
                lr = learning_rate(t, epoch + double(i) / nb);
                optimizer_step(s, acc, lr);
            }
            loss_sum += l.loss * b.labels.size();
            correct += l.correct;
            seen += b.labels.size();
            if (bar) {
                char status[96];
                std::snprintf(status, sizeof status, "loss %.4f acc %s", loss_sum / seen,
                              percent(double(correct) / seen).c_str());
                bar->update(seen, status);
            }
        }
        if (bar) {
            bar->finish();
        }
        EpochRecord r;
        r.epoch = epoch + 1;
        r.lr = lr;
        r.train_loss = loss_sum / seen;
        r.train_accuracy = double(correct) / seen;
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        Evaluation e = evaluate(s.net, test_set, t.loss, 256, o.eval_limit, o.progress);
        r.test_loss = e.loss;
        r.test_accuracy = e.accuracy;
        s.epochs_done = epoch + 1;
        if (!o.checkpoint.empty()) {
            save_training(o.checkpoint, s,
                          {{"test_accuracy", std::to_string(e.accuracy)}, {"dataset", o.dataset}});
        }
        if (o.log) {
            char line[256];
            std::snprintf(line, sizeof line,
                          "epoch=%d lr=%.3g train_loss=%.5f train_acc=%.4f test_loss=%.5f "
                          "test_acc=%.4f seconds=%.1f\n",
                          r.epoch, r.lr, r.train_loss, r.train_accuracy, r.test_loss,
                          r.test_accuracy, r.seconds);
            *o.log << line << std::flush;
        }
        records.push_back(r);
    }
    return records;
}

void save_training(const std::string &path, const TrainingState &s,
                   const std::map<std::string, std::string> &extra) {
    std::map<std::string, Tensor> tensors = s.adam.state();
    for (size_t i = 0; i < s.net.params().size(); i++) {
        const LayerParams &p = s.net.params()[i];
        tensors[param_name(i, "C")] = p.C;
        tensors[param_name(i, "M")] = p.M;
        tensors[param_name(i, "b")] = p.b;
    }
    std::map<std::string, std::string> meta = extra;
    meta["format"] = kFormat;
    meta["version"] = "1";
    meta["config"] = to_text(s.config);
    meta["epochs_done"] = std::to_string(s.epochs_done);
    meta["adam_steps"] = std::to_string(s.adam.steps());
    std::string names;
    for (const std::string &n : s.class_names) {
        names += (names.empty() ? "" : ",") + n;
    }
    meta["class_names"] = names;
    save_checkpoint(path, tensors, meta);
}

TrainingState load_training(const std::string &path) {
    Checkpoint c = load_checkpoint(path);
    auto meta = [&](const std::string &key) {
        auto it = c.metadata.find(key);
        if (it == c.metadata.end()) {
            throw Error(path + ": not a CoDA-Halide checkpoint (no '" + key + "' in its metadata)");
        }
        return it->second;
    };
    if (meta("format") != kFormat) {
        throw Error(path + ": not a CoDA-Halide checkpoint (format '" + meta("format") + "')");
    }
    TrainingState s = new_training(parse_config(meta("config"), path + " (embedded config)"));
    auto take = [&](const std::string &name, Tensor &into) {
        auto it = c.tensors.find(name);
        if (it == c.tensors.end()) {
            throw Error(path + ": checkpoint lacks tensor " + name);
        }
        if (it->second.shape() != into.shape()) {
            throw Error(path + ": tensor " + name + " has shape " + to_string(it->second.shape()) +
                        " but its config needs " + to_string(into.shape()));
        }
        into = it->second;
    };
    for (size_t i = 0; i < s.net.params().size(); i++) {
        LayerParams &p = s.net.params()[i];
        take(param_name(i, "C"), p.C);
        take(param_name(i, "M"), p.M);
        take(param_name(i, "b"), p.b);
    }
    for (const auto &[name, t] : c.tensors) {
        if (name.rfind("opt.", 0) == 0) {  // Adam moments match their parameter
            auto param = c.tensors.find(name.substr(6));
            if (name.size() < 7 || param == c.tensors.end() || param->second.shape() != t.shape()) {
                throw Error(path + ": optimizer tensor " + name + " does not match a parameter");
            }
        }
    }
    try {
        s.epochs_done = std::stoi(meta("epochs_done"));
        s.adam.load_state(c.tensors, std::stoll(meta("adam_steps")));
    } catch (const std::logic_error &) {
        throw Error(path + ": bad epochs_done/adam_steps metadata");
    }
    std::string names = c.metadata.count("class_names") ? c.metadata.at("class_names") : "";
    std::stringstream ss(names);
    for (std::string n; std::getline(ss, n, ',');) {
        s.class_names.push_back(n);
    }
    return s;
}

}  // namespace coda
