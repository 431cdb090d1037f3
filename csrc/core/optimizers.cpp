#include "core/optimizers.h"

#include <cmath>

#include "core/dispatch.h"

namespace gradfall {
namespace {
constexpr int64_t kParallelParams = 1 << 16;
}

template <typename T>
void optimizer_step(const OptimizerConfig& cfg, T* params, const T* grads, T* state1, T* state2,
                    int64_t n, int64_t& step, bool parallel) {
  ++step;
  const bool threaded = parallel && n >= kParallelParams && num_threads() > 1;
  const T lr = static_cast<T>(cfg.lr), mu = static_cast<T>(cfg.momentum);
  const T wd = static_cast<T>(cfg.weight_decay);
  const T b1 = static_cast<T>(cfg.beta1), b2 = static_cast<T>(cfg.beta2);
  const T eps = static_cast<T>(cfg.eps);
  const double t = static_cast<double>(step);
  switch (cfg.kind) {
    case OptimizerKind::sgd_torch:
      // torch.optim.SGD: g += wd*p; buf = mu*buf + g; g = nesterov ? g + mu*buf : buf; p -= lr*g
#pragma omp parallel for schedule(static) num_threads(num_threads()) if (threaded)
      for (int64_t i = 0; i < n; ++i) {
        T g = grads[i] + wd * params[i];
        if (mu != T(0)) {
          state1[i] = mu * state1[i] + g;
          g = cfg.nesterov ? g + mu * state1[i] : state1[i];
        }
        params[i] -= lr * g;
      }
      break;
    case OptimizerKind::sgd_sklearn:
      // sklearn SGDOptimizer: v = mu*v - lr*g; p += nesterov ? mu*v - lr*g : v
#pragma omp parallel for schedule(static) num_threads(num_threads()) if (threaded)
      for (int64_t i = 0; i < n; ++i) {
        const T g = grads[i] + wd * params[i];
        state1[i] = mu * state1[i] - lr * g;
        params[i] += cfg.nesterov ? mu * state1[i] - lr * g : state1[i];
      }
      break;
    case OptimizerKind::adam_torch: {
      // torch.optim.Adam: p -= (lr / (1-b1^t)) * m / (sqrt(v) / sqrt(1-b2^t) + eps)
      const T step_size = static_cast<T>(cfg.lr / (1.0 - std::pow(cfg.beta1, t)));
      const T root_correction2 = static_cast<T>(std::sqrt(1.0 - std::pow(cfg.beta2, t)));
#pragma omp parallel for schedule(static) num_threads(num_threads()) if (threaded)
      for (int64_t i = 0; i < n; ++i) {
        const T g = grads[i] + wd * params[i];
        state1[i] = b1 * state1[i] + (T(1) - b1) * g;
        state2[i] = b2 * state2[i] + (T(1) - b2) * g * g;
        params[i] -= step_size * state1[i] / (std::sqrt(state2[i]) / root_correction2 + eps);
      }
      break;
    }
    case OptimizerKind::adam_sklearn: {
      // sklearn AdamOptimizer: lr_t = lr*sqrt(1-b2^t)/(1-b1^t); p -= lr_t * m / (sqrt(v) + eps)
      const T lr_t = static_cast<T>(cfg.lr * std::sqrt(1.0 - std::pow(cfg.beta2, t)) /
                                    (1.0 - std::pow(cfg.beta1, t)));
#pragma omp parallel for schedule(static) num_threads(num_threads()) if (threaded)
      for (int64_t i = 0; i < n; ++i) {
        const T g = grads[i] + wd * params[i];
        state1[i] = b1 * state1[i] + (T(1) - b1) * g;
        state2[i] = b2 * state2[i] + (T(1) - b2) * g * g;
        params[i] -= lr_t * state1[i] / (std::sqrt(state2[i]) + eps);
      }
      break;
    }
  }
}

template void optimizer_step<float>(const OptimizerConfig&, float*, const float*, float*, float*,
                                    int64_t, int64_t&, bool);
template void optimizer_step<double>(const OptimizerConfig&, double*, const double*, double*,
                                     double*, int64_t, int64_t&, bool);

}  // namespace gradfall
