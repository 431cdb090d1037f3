// The few-row product y[r, j] = [y +] sum_p x_r[p] * B[p, j] for up to 8 rows, B read in place
// (row-major) and streamed: row p of B is read once, contiguously, and used for every row of x,
// so a one-row product runs at the speed B can be read. Sums stay in an L1-sized block of
// partial rows; each element is summed over p in order from zero with the same fused
// multiply-adds as micro_tile, then added to y when accumulating, so the bits equal a GEMM
// tile's for the same panel.
#pragma once
#include <cstdint>

#include "kernels/kernels.h"
#include "kernels/portable.h"

namespace {

template <class V, int R, int NV>
void gemv_rows(const gradfall::kernels::RowsJob<typename V::T>& job) {
  using T = typename V::T;
  using Reg = typename V::Reg;
  constexpr int W = V::width;
  // Partial sums of R rows over a block of columns: 16 KiB, held in L1 while B streams past.
  constexpr int64_t kBlock = (16384 / (int64_t(sizeof(T)) * R)) / W * W;
  // B's rows are read a column block at a time, a stride the hardware prefetcher follows late.
  constexpr int64_t kPrefetchRows = 4;
  // Rows of B per pass, and vectors per step of a pass: 8 independent FMA chains.
  constexpr int U = R <= 4 ? 4 : 2;
  constexpr int NU = R == 1 ? 8 : R == 2 ? 4 : R <= 4 ? 2 : 1;
  alignas(64) T acc[R][kBlock];
  const int64_t k = job.k, ldb = job.ldb;
  for (int64_t j0 = job.j0; j0 < job.j1; j0 += kBlock) {
    const int64_t jn = job.j1 - j0 < kBlock ? job.j1 - j0 : kBlock;
    const int64_t full = jn / W * W;
    const int tail = static_cast<int>(jn - full);
    GF_UNROLL(8)
    for (int r = 0; r < R; ++r)
      for (int64_t v = 0; v < jn; v += W) V::store(acc[r] + v, V::zero());
    const T* b = job.b + j0;
    int64_t p = 0;
    // U rows of B per pass over the block: each partial sum is loaded and stored once per U
    // fused multiply-adds (the same chain in the same order) rather than once per FMA.
    for (; p + U <= k; p += U, b += U * ldb) {
      Reg a[U][R];
      GF_UNROLL(8)
      for (int u = 0; u < U; ++u)
        GF_UNROLL(8)
        for (int r = 0; r < R; ++r) a[u][r] = V::broadcast(job.x[r][p + u]);
      int64_t v = 0;
      for (; v + NU * W <= full; v += NU * W) {
        Reg sum[R][NU];
        GF_UNROLL(8)
        for (int r = 0; r < R; ++r)
          GF_UNROLL(8)
          for (int n = 0; n < NU; ++n) sum[r][n] = V::load(acc[r] + v + n * W);
        GF_UNROLL(8)
        for (int u = 0; u < U; ++u)
          GF_UNROLL(8)
          for (int n = 0; n < NU; ++n) {
            if ((n * W * int(sizeof(T))) % 64 == 0)
              GF_PREFETCH_FOR_READ(b + (u + kPrefetchRows) * ldb + v + n * W);
            const Reg bv = V::load(b + u * ldb + v + n * W);
            GF_UNROLL(8)
            for (int r = 0; r < R; ++r) sum[r][n] = V::fma(a[u][r], bv, sum[r][n]);
          }
        GF_UNROLL(8)
        for (int r = 0; r < R; ++r)
          GF_UNROLL(8)
          for (int n = 0; n < NU; ++n) V::store(acc[r] + v + n * W, sum[r][n]);
      }
      // The block's last vectors one at a time, the partial one (tail) with masked loads of B.
      for (; v < jn; v += W) {
        const int valid = jn - v < W ? static_cast<int>(jn - v) : W;
        Reg sum[R];
        GF_UNROLL(8)
        for (int r = 0; r < R; ++r) sum[r] = V::load(acc[r] + v);
        GF_UNROLL(8)
        for (int u = 0; u < U; ++u) {
          const Reg bv = valid == W ? V::load(b + u * ldb + v) : V::load_n(b + u * ldb + v, valid);
          GF_UNROLL(8)
          for (int r = 0; r < R; ++r) sum[r] = V::fma(a[u][r], bv, sum[r]);
        }
        GF_UNROLL(8)
        for (int r = 0; r < R; ++r) V::store(acc[r] + v, sum[r]);
      }
    }
    for (; p < k; ++p, b += ldb) {
      Reg a[R];
      GF_UNROLL(8)
      for (int r = 0; r < R; ++r) a[r] = V::broadcast(job.x[r][p]);
      int64_t v = 0;
      for (; v + NV * W <= full; v += NV * W) {
        GF_UNROLL(8)
        for (int u = 0; u < NV; ++u) {
          if ((u * W * int(sizeof(T))) % 64 == 0)
            GF_PREFETCH_FOR_READ(b + kPrefetchRows * ldb + v + u * W);
          const Reg bv = V::load(b + v + u * W);
          GF_UNROLL(8)
          for (int r = 0; r < R; ++r)
            V::store(acc[r] + v + u * W, V::fma(a[r], bv, V::load(acc[r] + v + u * W)));
        }
      }
      for (; v < full; v += W) {
        const Reg bv = V::load(b + v);
        GF_UNROLL(8)
        for (int r = 0; r < R; ++r) V::store(acc[r] + v, V::fma(a[r], bv, V::load(acc[r] + v)));
      }
      if (tail) {
        const Reg bv = V::load_n(b + full, tail);
        GF_UNROLL(8)
        for (int r = 0; r < R; ++r)
          V::store(acc[r] + full, V::fma(a[r], bv, V::load(acc[r] + full)));
      }
    }
    GF_UNROLL(8)
    for (int r = 0; r < R; ++r) {
      T* y = job.y[r] + j0;
      int64_t v = 0;
      for (; v < full; v += W)
        V::store(y + v, job.accumulate ? V::add(V::load(y + v), V::load(acc[r] + v))
                                       : V::load(acc[r] + v));
      if (tail)
        V::store_n(y + full, job.accumulate ? V::add(V::load_n(y + full, tail), V::load(acc[r] + full))
                                            : V::load(acc[r] + full),
                   tail);
    }
  }
}

}  // namespace
