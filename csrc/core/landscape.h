// Losses at many points theta = center + sum_k coeffs[i,k] * directions[k] (Li et al. 2017 plots).
#pragma once
#include <cstdint>

#include "core/network.h"

namespace gradfall {

// out[i] = cost at point i. Points run in parallel (one point per thread, serial kernels inside),
// so every value is independent of the thread count.
template <typename T>
void losses_at(const ModelSpec& spec, const T* center, const T* directions, int64_t n_directions,
               const double* coeffs, int64_t n_points, const T* X, int64_t n, const Targets<T>& y,
               double* out);

}  // namespace gradfall
