// A linear combination of rows of B (the sparse products' kernel), written once over a
// vector-traits type V. Its sums are the GEMM micro-kernel's: the same V::fma from zero within
// each K panel and the same V::add between panels, so a sparse product equals the dense one.
#pragma once
#include <cstdint>

#include "kernels/kernels.h"
#include "kernels/portable.h"

namespace {

// y[0:cols) for one block of up to NV vectors; FULL: cols == NV * V::width.
template <class V, int NV, bool FULL>
void combine_block(const gradfall::kernels::RowCombination<typename V::T>& c, typename V::T* y,
                   int cols) {
  using Reg = typename V::Reg;
  constexpr int W = V::width;
  const int n_vectors = FULL ? NV : (cols + W - 1) / W;
  const int tail = FULL ? W : cols - (n_vectors - 1) * W;  // lanes of the last vector
  auto load = [&](const typename V::T* p, int j) {
    return FULL || j + 1 < n_vectors ? V::load(p + j * W) : V::load_n(p + j * W, tail);
  };
  Reg sum[NV], acc[NV];
  bool has_sum = c.accumulate;
GF_UNROLL(8)
  for (int j = 0; j < NV; ++j) {
    acc[j] = V::zero();
    sum[j] = j < n_vectors && c.accumulate ? load(y, j) : V::zero();
  }
  int64_t panel_begin = 0, panel_end = -1;  // K range of the open panel (none yet)
  for (int64_t e = 0; e < c.count; ++e) {
    const int64_t k = c.rows[e];
    if (k < panel_begin || k >= panel_end) {
      if (panel_end >= 0) {
GF_UNROLL(8)
        for (int j = 0; j < NV; ++j) {
          sum[j] = has_sum ? V::add(sum[j], acc[j]) : acc[j];
          acc[j] = V::zero();
        }
        has_sum = true;
      }
      panel_begin = k / c.panel * c.panel;
      panel_end = panel_begin + c.panel;
    }
    const Reg v = V::broadcast(c.values[e]);
    const typename V::T* b = c.B + k * c.ldb;
GF_UNROLL(8)
    for (int j = 0; j < NV; ++j)
      if (FULL || j < n_vectors) acc[j] = V::fma(v, load(b, j), acc[j]);
  }
  if (panel_end >= 0) {
GF_UNROLL(8)
    for (int j = 0; j < NV; ++j) sum[j] = has_sum ? V::add(sum[j], acc[j]) : acc[j];
  }
GF_UNROLL(8)
  for (int j = 0; j < NV; ++j) {
    if (!FULL && j >= n_vectors) break;
    if (FULL || j + 1 < n_vectors) V::store(y + j * W, sum[j]);
    else V::store_n(y + j * W, sum[j], tail);
  }
}

// Whole blocks of NV vectors, then one narrower block for the rest of the row.
template <class V, int NV>
void combine_rows(const gradfall::kernels::RowCombination<typename V::T>& c, typename V::T* y,
                  int64_t n) {
  constexpr int64_t block = int64_t(NV) * V::width;
  int64_t j0 = 0;
  for (; j0 + block <= n; j0 += block) {
    gradfall::kernels::RowCombination<typename V::T> part = c;
    part.B = c.B + j0;
    combine_block<V, NV, true>(part, y + j0, static_cast<int>(block));
  }
  if (j0 < n) {
    gradfall::kernels::RowCombination<typename V::T> part = c;
    part.B = c.B + j0;
    combine_block<V, NV, false>(part, y + j0, static_cast<int>(n - j0));
  }
}

}  // namespace
