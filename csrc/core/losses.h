// Objectives and their gradients with respect to the output layer's pre-activation z.
// loss_i = output_scale * sum_j l(y_ij, z_ij); cost = sum_i w_i loss_i / norm.
#pragma once
#include <cstdint>

#include "core/activations.h"

namespace gradfall {

enum class Loss { mse, mae, binary_cross_entropy, cross_entropy, poisson };

template <typename T>
struct Targets {
  const int64_t* labels = nullptr;  // class indices (cross_entropy), or
  const T* dense = nullptr;         // rows of width n_out
  const T* weights = nullptr;       // per-sample weights, nullptr = all ones

  // The targets of rows [start, ...) of a block whose dense rows have width k.
  Targets slice(int64_t start, int64_t k) const {
    return {labels ? labels + start : nullptr, dense ? dense + start * k : nullptr,
            weights ? weights + start : nullptr};
  }
};

// Returns sum_i w_i * loss_i over the rows (a is not read by cross_entropy, which computes the
// softmax from z itself). When dZ is not null, writes
// dZ = d(sum_i w_i loss_i / norm) / dz, a (rows x k) block.
template <typename T>
double output_loss(Loss loss, Activation out_act, T output_scale, const T* z, const T* a,
                   int64_t rows, int64_t k, const Targets<T>& y, double norm, T* dZ,
                   bool parallel);

}  // namespace gradfall
