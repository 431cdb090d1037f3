// Losses at many points theta = center + sum_k coeffs[i,k] * directions[k] (Li et al. 2017 plots).
#pragma once
#include <cstdint>

#include "core/network.h"

namespace gradfall {

// out[i] = cost at point i (no L2 term); a stop request leaves the remaining points unevaluated.
// With many points, points run in parallel (one per thread,
// serial kernels inside); with a hidden layer and a wide input, the products X W_0 of the centre
// and of each direction are computed once per row block and shared by every point. X may be
// dense or CSR (its products then use the sparse kernels).
template <typename T>
void losses_at(const ModelSpec& spec, const T* center, const T* directions, int64_t n_directions,
               const double* coeffs, int64_t n_points, const Input<T>& X, const Targets<T>& y,
               double* out, const StopFlag* stop = nullptr);

}  // namespace gradfall
