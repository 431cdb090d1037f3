// Sum of squares in double: value i of x goes to partial sum i % 32 (32 independent chains the
// compiler vectorises), the partials added in a fixed tree. The square of a float is exact in
// double, so a fused multiply-add gives the same bits: float32 sums are the same on every ISA.
// (A double's square rounds, so float64 sums use the baseline build only; see the trainer.)
#pragma once
#include <cstdint>

#include "kernels/kernels.h"

namespace {

// Isa: the unit's vector type in the kernel tables (void in the baseline build), only so that
// each ISA's copy has a symbol of its own.
template <typename T, class Isa = void>
double sum_squares(const T* x, int64_t n) {
  constexpr int S = gradfall::kernels::kSquareSlots;
  double acc[S] = {};
  int64_t i = 0;
  for (; i + S <= n; i += S)
    for (int j = 0; j < S; ++j) acc[j] += static_cast<double>(x[i + j]) * static_cast<double>(x[i + j]);
  for (; i < n; ++i) acc[0] += static_cast<double>(x[i]) * static_cast<double>(x[i]);
  for (int width = S / 2; width > 0; width /= 2)
    for (int j = 0; j < width; ++j) acc[j] += acc[j + width];
  return acc[0];
}

}  // namespace
