// Update rules over the one flat parameter vector: theta <- theta - alpha * step(grad, state).
#pragma once
#include <cstdint>

namespace gradfall {

enum class OptimizerKind { sgd, adam };

// Where SGD's learning rate enters. gradient_sum: the buffer sums gradients, buf = mu*buf + g,
// theta -= lr*buf. velocity: the buffer holds scaled steps, v = mu*v - lr*g, theta += v
// (Sutskever et al. 2013). Identical at a constant rate; after the rate changes, the velocity
// still carries steps taken at the old one.
enum class MomentumForm { gradient_sum, velocity };

// Where Adam's bias correction goes. moments: theta -= lr * m_hat / (sqrt(v_hat) + eps) with
// m_hat = m/(1-b1^t), v_hat = v/(1-b2^t). step_size: folded into the rate,
// theta -= lr*sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps), so eps meets the uncorrected sqrt(v).
enum class AdamCorrection { moments, step_size };

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::sgd;
  double lr = 0.01;
  double momentum = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  MomentumForm momentum_form = MomentumForm::gradient_sum;
  AdamCorrection correction = AdamCorrection::moments;
};

// The state an update reads and writes, one entry per parameter: SGD's momentum buffer, Adam's
// first and second moments (null where the rule does not use them), and the number of updates
// done so far (incremented by each step).
template <typename T>
struct OptimizerBuffers {
  T* momentum = nullptr;
  T* first_moment = nullptr;
  T* second_moment = nullptr;
  int64_t* step = nullptr;
};

template <typename T>
void optimizer_step(const OptimizerConfig& cfg, T* params, const T* grads,
                    const OptimizerBuffers<T>& state, int64_t n, bool parallel);

}  // namespace gradfall
