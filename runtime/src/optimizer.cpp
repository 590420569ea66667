#include "coda/optimizer.h"

#include <cmath>

namespace coda {

void Adam::update(const std::string &name, Tensor &param, const Tensor &grad, double lr) {
    if (grad.shape() != param.shape()) {
        throw Error("gradient of " + name + " has shape " + to_string(grad.shape()) +
                    " but the parameter has " + to_string(param.shape()));
    }
    Tensor &m = m_.try_emplace(name, param.shape()).first->second;
    Tensor &v = v_.try_emplace(name, param.shape()).first->second;
    if (m.shape() != param.shape() || v.shape() != param.shape()) {
        throw Error("optimizer state of " + name + " does not match its shape " +
                    to_string(param.shape()));
    }
    const double t = double(step_ + 1);
    const double c1 = 1 - std::pow(beta1_, t), c2 = 1 - std::pow(beta2_, t);
    const float b1 = float(beta1_), b2 = float(beta2_);
    for (int64_t i = 0; i < param.size(); i++) {
        float g = grad[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        param[i] -= float(lr * (m[i] / c1) / (std::sqrt(v[i] / c2) + eps_));
    }
}

std::map<std::string, Tensor> Adam::state() const {
    std::map<std::string, Tensor> s;
    for (const auto &[name, t] : m_) {
        s["opt.m." + name] = t;
    }
    for (const auto &[name, t] : v_) {
        s["opt.v." + name] = t;
    }
    return s;
}

void Adam::load_state(const std::map<std::string, Tensor> &tensors, int64_t steps) {
    m_.clear();
    v_.clear();
    for (const auto &[name, t] : tensors) {
        if (name.rfind("opt.m.", 0) == 0) {
            m_[name.substr(6)] = t;
        } else if (name.rfind("opt.v.", 0) == 0) {
            v_[name.substr(6)] = t;
        }
    }
    step_ = steps;
}

double learning_rate(const TrainConfig &t, double epoch) {
    if (epoch < t.warmup_epochs) {
        return t.lr * (epoch + 1e-3) / t.warmup_epochs;
    }
    if (t.lr_schedule == "step") {
        return t.lr * std::pow(t.lr_gamma, std::floor(epoch / t.lr_step_epochs));
    }
    double span = std::max(1.0, double(t.epochs - t.warmup_epochs));
    double progress = std::min(1.0, (epoch - t.warmup_epochs) / span);
    return t.lr * 0.5 * (1 + std::cos(M_PI * progress));
}

}  // namespace coda
