#include "core/optimizers.h"

#include <omp.h>

#include <cmath>

#include "core/dispatch.h"

namespace gradfall {
namespace {

constexpr int64_t kParallelParams = 1 << 16;

// The update loops: branch-free bodies over restrict pointers so the compiler vectorises them.
// buf = mu*buf + (g + wd*p); p -= lr * (nesterov ? g + mu*buf : buf)
template <typename T>
void sgd_gradient_sum_range(T* __restrict p, const T* __restrict g, T* __restrict buf, int64_t n,
                            T lr, T mu, T wd, bool nesterov) {
  if (mu == T(0)) {
    for (int64_t i = 0; i < n; ++i) p[i] -= lr * (g[i] + wd * p[i]);
  } else if (nesterov) {
    for (int64_t i = 0; i < n; ++i) {
      const T gi = g[i] + wd * p[i];
      buf[i] = mu * buf[i] + gi;
      p[i] -= lr * (gi + mu * buf[i]);
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      buf[i] = mu * buf[i] + (g[i] + wd * p[i]);
      p[i] -= lr * buf[i];
    }
  }
}

// v = mu*v - lr*(g + wd*p); p += nesterov ? mu*v - lr*g : v
template <typename T>
void sgd_velocity_range(T* __restrict p, const T* __restrict g, T* __restrict v, int64_t n, T lr,
                        T mu, T wd, bool nesterov) {
  if (nesterov) {
    for (int64_t i = 0; i < n; ++i) {
      const T gi = g[i] + wd * p[i];
      v[i] = mu * v[i] - lr * gi;
      p[i] += mu * v[i] - lr * gi;
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      v[i] = mu * v[i] - lr * (g[i] + wd * p[i]);
      p[i] += v[i];
    }
  }
}

template <typename T>
void adam_range(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,
                int64_t n, T step_size, T root_correction2, T b1, T b2, T eps, T wd) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i] + wd * p[i];
    m[i] = b1 * m[i] + (T(1) - b1) * gi;
    v[i] = b2 * v[i] + (T(1) - b2) * gi * gi;
    p[i] -= step_size * m[i] / (std::sqrt(v[i]) / root_correction2 + eps);
  }
}

}  // namespace

template <typename T>
void optimizer_step(const OptimizerConfig& cfg, T* params, const T* grads,
                    const OptimizerBuffers<T>& state, int64_t n, bool parallel) {
  const int64_t step = ++*state.step;
  const bool threaded = parallel && n >= kParallelParams && num_threads() > 1;
  const int nt = threaded ? num_threads() : 1;
  const T lr = static_cast<T>(cfg.lr), mu = static_cast<T>(cfg.momentum);
  const T wd = static_cast<T>(cfg.weight_decay);
  const T b1 = static_cast<T>(cfg.beta1), b2 = static_cast<T>(cfg.beta2);
  const T eps = static_cast<T>(cfg.eps);
  const double t = static_cast<double>(step);
  T step_size = lr, root_correction2 = T(1);
  if (cfg.kind == OptimizerKind::adam) {
    if (cfg.correction == AdamCorrection::moments) {
      // p -= (lr / (1-b1^t)) * m / (sqrt(v) / sqrt(1-b2^t) + eps)
      step_size = static_cast<T>(cfg.lr / (1.0 - std::pow(cfg.beta1, t)));
      root_correction2 = static_cast<T>(std::sqrt(1.0 - std::pow(cfg.beta2, t)));
    } else {
      // lr_t = lr*sqrt(1-b2^t)/(1-b1^t); p -= lr_t * m / (sqrt(v) + eps)
      step_size = static_cast<T>(cfg.lr * std::sqrt(1.0 - std::pow(cfg.beta2, t)) /
                                 (1.0 - std::pow(cfg.beta1, t)));
    }
  }
  // Element-wise, so any split over threads gives the same bits.
  auto run = [&](int64_t begin, int64_t end) {
    const int64_t len = end - begin;
    T* p = params + begin;
    const T* g = grads + begin;
    if (cfg.kind == OptimizerKind::adam)
      adam_range(p, g, state.first_moment + begin, state.second_moment + begin, len, step_size,
                 root_correction2, b1, b2, eps, wd);
    else if (cfg.momentum_form == MomentumForm::gradient_sum)
      sgd_gradient_sum_range(p, g, state.momentum ? state.momentum + begin : nullptr, len, lr, mu,
                             wd, cfg.nesterov);
    else
      sgd_velocity_range(p, g, state.momentum + begin, len, lr, mu, wd, cfg.nesterov);
  };
  if (nt == 1) {
    run(0, n);
    return;
  }
#pragma omp parallel num_threads(nt)
  {
    const int64_t id = omp_get_thread_num(), count = omp_get_num_threads();
    run(n * id / count, n * (id + 1) / count);
  }
}

template void optimizer_step<float>(const OptimizerConfig&, float*, const float*,
                                    const OptimizerBuffers<float>&, int64_t, bool);
template void optimizer_step<double>(const OptimizerConfig&, double*, const double*,
                                     const OptimizerBuffers<double>&, int64_t, bool);

}  // namespace gradfall
