// The few-row product y[r, j] = [y +] sum_p x_r[p] * B[p, j] for up to 4 rows, B read in place
// (row-major), vectorised along the columns: each element of B is read once for all the rows.
// Written once over a vector-traits type V like micro_tile, and summing in the same order with
// the same fused multiply-adds: over p in order from zero, then added to y when accumulating,
// so it gives the bits a GEMM tile gives for the same panel.
#pragma once
#include <cstdint>

#include "kernels/kernels.h"
#include "kernels/portable.h"

namespace {

// R rows, NV vectors of columns per step; columns [j0, j1) of B, K rows of B from p0.
template <class V, int R, int NV>
void gemv_rows(const gradfall::kernels::RowsJob<typename V::T>& job) {
  using T = typename V::T;
  using Reg = typename V::Reg;
  constexpr int W = V::width;
  constexpr int STEP = NV * W;
  const T* x[R];
  GF_UNROLL(4)
  for (int r = 0; r < R; ++r) x[r] = job.x[r];
  const int64_t k = job.k;
  const int64_t ldb = job.ldb;
  int64_t j = job.j0;
  for (; j + STEP <= job.j1; j += STEP) {
    Reg acc[R][NV];
    GF_UNROLL(16)
    for (int r = 0; r < R; ++r)
      GF_UNROLL(4)
      for (int v = 0; v < NV; ++v) acc[r][v] = V::zero();
    const T* b = job.b + j;
    for (int64_t p = 0; p < k; ++p, b += ldb) {
      Reg bv[NV];
      GF_UNROLL(4)
      for (int v = 0; v < NV; ++v) bv[v] = V::load(b + v * W);
      GF_UNROLL(4)
      for (int r = 0; r < R; ++r) {
        const Reg a = V::broadcast(x[r][p]);
        GF_UNROLL(4)
        for (int v = 0; v < NV; ++v) acc[r][v] = V::fma(a, bv[v], acc[r][v]);
      }
    }
    GF_UNROLL(4)
    for (int r = 0; r < R; ++r)
      GF_UNROLL(4)
      for (int v = 0; v < NV; ++v) {
        T* y = job.y[r] + j + v * W;
        V::store(y, job.accumulate ? V::add(V::load(y), acc[r][v]) : acc[r][v]);
      }
  }
  // The last columns one vector at a time, the final one masked.
  for (; j < job.j1; j += W) {
    const int n = static_cast<int>(job.j1 - j < W ? job.j1 - j : W);
    Reg acc[R];
    GF_UNROLL(4)
    for (int r = 0; r < R; ++r) acc[r] = V::zero();
    const T* b = job.b + j;
    for (int64_t p = 0; p < k; ++p, b += ldb) {
      const Reg bv = n == W ? V::load(b) : V::load_n(b, n);
      GF_UNROLL(4)
      for (int r = 0; r < R; ++r) acc[r] = V::fma(V::broadcast(x[r][p]), bv, acc[r]);
    }
    GF_UNROLL(4)
    for (int r = 0; r < R; ++r) {
      T* y = job.y[r] + j;
      if (n == W)
        V::store(y, job.accumulate ? V::add(V::load(y), acc[r]) : acc[r]);
      else
        V::store_n(y, job.accumulate ? V::add(V::load_n(y, n), acc[r]) : acc[r], n);
    }
  }
}

}  // namespace
