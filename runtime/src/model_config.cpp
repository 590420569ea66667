#include "coda/model_config.h"

#include <fstream>
#include <sstream>

namespace coda {

namespace {

std::string trim(const std::string &s) {
    auto b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

struct Line {
    const std::string &source;
    int number;
    std::string key, value;

    [[noreturn]] void fail(const std::string &what) const {
        throw Error(source + ":" + std::to_string(number) + ": " + key + ": " + what);
    }
    template<typename T>
    T number_value() const {
        std::istringstream s(value);
        T v;
        if (!(s >> v) || !(s >> std::ws).eof()) {
            fail("expected a number, got '" + value + "'");
        }
        return v;
    }
    int positive_int() const {
        int v = number_value<int>();
        if (v < 1) {
            fail("must be positive, got " + value);
        }
        return v;
    }
    bool boolean() const {
        if (value == "true") {
            return true;
        }
        if (value == "false") {
            return false;
        }
        fail("expected true or false, got '" + value + "'");
    }
};

void parse_input_size(const Line &l, ModelConfig &m) {
    char x1 = 0, x2 = 0;
    std::istringstream s(l.value);
    if (!(s >> m.image_channels >> x1 >> m.image_height >> x2 >> m.image_width) || x1 != 'x' ||
        x2 != 'x' || !(s >> std::ws).eof() || m.image_channels < 1 || m.image_height < 1 ||
        m.image_width < 1) {
        l.fail("expected CxHxW (e.g. 1x28x28), got '" + l.value + "'");
    }
}

LayerSpec parse_layer(const Line &l) {
    LayerSpec s;
    std::istringstream in(l.value);
    if (!(in >> s.out_channels >> s.rank >> s.kernel >> s.stride >> s.pad) ||
        !(in >> std::ws).eof()) {
        l.fail("expected 'out rank kernel stride pad', got '" + l.value + "'");
    }
    return s;
}

void apply(const Line &l, RunConfig &c) {
    ModelConfig &m = c.model;
    TrainConfig &t = c.train;
    const std::string &k = l.key;
    if (k == "input") {
        parse_input_size(l, m);
    } else if (k == "input_pad") {
        m.input_pad = l.number_value<int>();
        if (m.input_pad < 0)
            l.fail("must not be negative");
    } else if (k == "add_inverse") {
        m.add_inverse = l.boolean();
    } else if (k == "norm") {
        m.norm = parse_norm(l.value);
    } else if (k == "temperature") {
        m.temperature = l.number_value<double>();
        if (!(m.temperature > 0))
            l.fail("must be positive");
    } else if (k == "logit_bias") {
        m.logit_bias = l.number_value<double>();
    } else if (k == "layer") {
        m.layers.push_back(parse_layer(l));
    } else if (k == "loss") {
        if (l.value != "bce" && l.value != "ce")
            l.fail("expected bce or ce");
        t.loss = l.value == "bce" ? LossKind::bce : LossKind::ce;
    } else if (k == "epochs") {
        t.epochs = l.positive_int();
    } else if (k == "batch_size") {
        t.batch_size = l.positive_int();
    } else if (k == "virtual_batch") {
        t.virtual_batch = l.positive_int();
    } else if (k == "lr") {
        t.lr = l.number_value<double>();
        if (!(t.lr > 0))
            l.fail("must be positive");
    } else if (k == "lr_schedule") {
        if (l.value != "step" && l.value != "cosine")
            l.fail("expected step or cosine");
        t.lr_schedule = l.value;
    } else if (k == "lr_step_epochs") {
        t.lr_step_epochs = l.positive_int();
    } else if (k == "lr_gamma") {
        t.lr_gamma = l.number_value<double>();
    } else if (k == "warmup_epochs") {
        t.warmup_epochs = l.number_value<int>();
    } else if (k == "crop_pad") {
        t.crop_pad = l.number_value<int>();
    } else if (k == "flip") {
        t.flip = l.boolean();
    } else if (k == "seed") {
        t.seed = l.number_value<uint64_t>();
    } else {
        l.fail("unknown key");
    }
}

}  // namespace

std::vector<LayerConfig> ModelConfig::layer_configs() const {
    if (layers.empty()) {
        throw Error("model config has no layers");
    }
    std::vector<LayerConfig> out;
    int channels = encoded_channels(), h = encoded_height(), w = encoded_width();
    for (size_t i = 0; i < layers.size(); i++) {
        const LayerSpec &s = layers[i];
        LayerConfig c;
        c.name = "L" + std::to_string(i + 1);
        c.in_channels = channels, c.out_channels = s.out_channels, c.rank = s.rank;
        c.kernel = s.kernel, c.stride = s.stride, c.pad = s.pad, c.norm = norm;
        c.validate();
        h = c.out_size(h), w = c.out_size(w);
        channels = s.out_channels;
        out.push_back(c);
    }
    return out;
}

std::pair<int, int> ModelConfig::final_map_size() const {
    int h = encoded_height(), w = encoded_width();
    for (const LayerConfig &c : layer_configs()) {
        h = c.out_size(h), w = c.out_size(w);
    }
    return {h, w};
}

RunConfig parse_config(const std::string &text, const std::string &source) {
    RunConfig c;
    std::istringstream in(text);
    std::string raw;
    int number = 0;
    while (std::getline(in, raw)) {
        number++;
        std::string line = trim(raw.substr(0, raw.find('#')));
        if (line.empty()) {
            continue;
        }
        auto eq = line.find('=');
        if (eq == std::string::npos) {
            throw Error(source + ":" + std::to_string(number) + ": expected 'key = value', got '" +
                        line + "'");
        }
        apply(Line{source, number, trim(line.substr(0, eq)), trim(line.substr(eq + 1))}, c);
    }
    try {
        c.model.layer_configs();
    } catch (const Error &e) {
        throw Error(source + ": " + e.what());
    }
    return c;
}

RunConfig load_config(const std::string &path) {
    std::ifstream f(path);
    if (!f) {
        throw Error("cannot read config file " + path);
    }
    std::stringstream s;
    s << f.rdbuf();
    return parse_config(s.str(), path);
}

std::string to_text(const RunConfig &c) {
    const ModelConfig &m = c.model;
    const TrainConfig &t = c.train;
    std::ostringstream s;
    s.precision(17);
    s << "input = " << m.image_channels << "x" << m.image_height << "x" << m.image_width << "\n"
      << "input_pad = " << m.input_pad << "\n"
      << "add_inverse = " << (m.add_inverse ? "true" : "false") << "\n"
      << "norm = " << to_string(m.norm) << "\n"
      << "temperature = " << m.temperature << "\n"
      << "logit_bias = " << m.logit_bias << "\n"
      << "# layer = out rank kernel stride pad\n";
    for (const LayerSpec &l : m.layers) {
        s << "layer = " << l.out_channels << " " << l.rank << " " << l.kernel << " " << l.stride
          << " " << l.pad << "\n";
    }
    s << "loss = " << (t.loss == LossKind::bce ? "bce" : "ce") << "\n"
      << "epochs = " << t.epochs << "\n"
      << "batch_size = " << t.batch_size << "\n"
      << "virtual_batch = " << t.virtual_batch << "\n"
      << "lr = " << t.lr << "\n"
      << "lr_schedule = " << t.lr_schedule << "\n"
      << "lr_step_epochs = " << t.lr_step_epochs << "\n"
      << "lr_gamma = " << t.lr_gamma << "\n"
      << "warmup_epochs = " << t.warmup_epochs << "\n"
      << "crop_pad = " << t.crop_pad << "\n"
      << "flip = " << (t.flip ? "true" : "false") << "\n"
      << "seed = " << t.seed << "\n";
    return s.str();
}

}  // namespace coda
