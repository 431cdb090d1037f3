// Update rules over the one flat parameter vector: theta <- theta - alpha * step(grad, state).
#pragma once
#include <cstdint>

namespace gradfall {

enum class OptimizerKind { sgd_torch, sgd_sklearn, adam_torch, adam_sklearn };

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::sgd_torch;
  double lr = 0.01;
  double momentum = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

// state1: momentum buffer / velocity / Adam's first moment; state2: Adam's second moment.
// step: number of updates done so far (incremented here).
template <typename T>
void optimizer_step(const OptimizerConfig& cfg, T* params, const T* grads, T* state1, T* state2,
                    int64_t n, int64_t& step, bool parallel);

}  // namespace gradfall
