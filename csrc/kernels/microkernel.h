// Register-tiled GEMM micro-kernel, written once over a vector-traits type V and instantiated
// by each ISA's translation unit with its own flags. The anonymous namespace gives every TU
// its own copy, so no AVX-512 instruction can leak into the scalar path through the linker.
#pragma once
#include <cstdint>

#include "kernels/kernels.h"
#include "kernels/portable.h"

namespace {

// acc[i][j] accumulates row i, vector j of an MR x (NV * V::width) tile of C. PACKED reads A
// from a packed sliver (offsets known at compile time), otherwise through t.a_off / t.a_cs.
template <class V, int MR, int NV, bool PACKED>
void micro_tile(const gradfall::kernels::Tile<typename V::T>& t) {
  using T = typename V::T;
  using Reg = typename V::Reg;
  constexpr int W = V::width;
  constexpr int NR = NV * W;
  int64_t off[MR];
  GF_UNROLL(32)
  for (int i = 0; i < MR; ++i) off[i] = PACKED ? i : t.a_off[i];
  const int64_t a_step = PACKED ? MR : t.a_cs;
  const int64_t b_step = t.b_rs;
  const T* a = t.a;
  const T* b = t.b;
  // Start fetching the C tile now: its rows are a large stride apart, which no hardware
  // prefetcher follows, and the k loop is long enough to hide the misses.
  for (int i = 0; i < t.m_valid; ++i)
    GF_UNROLL(4)
    for (int j = 0; j < (NR * int(sizeof(T)) + 63) / 64; ++j)
      GF_PREFETCH_FOR_WRITE(reinterpret_cast<const char*>(t.c + i * t.ldc) + 64 * j);
  Reg acc[MR][NV];
  GF_UNROLL(32)
  for (int i = 0; i < MR; ++i)
    GF_UNROLL(4)
    for (int j = 0; j < NV; ++j) acc[i][j] = V::zero();
  for (int64_t p = 0; p < t.k; ++p) {
    Reg bv[NV];
    GF_UNROLL(4)
    for (int j = 0; j < NV; ++j) bv[j] = V::load(b + j * W);
    GF_UNROLL(32)
    for (int i = 0; i < MR; ++i) {
      const Reg ai = V::broadcast(a[off[i]]);
      GF_UNROLL(4)
      for (int j = 0; j < NV; ++j) acc[i][j] = V::fma(ai, bv[j], acc[i][j]);
    }
    a += a_step;
    b += b_step;
  }
  T* c = t.c;
  if (t.m_valid == MR && t.n_valid == NR) {
    GF_UNROLL(32)
    for (int i = 0; i < MR; ++i)
      GF_UNROLL(4)
      for (int j = 0; j < NV; ++j) {
        T* cp = c + i * t.ldc + j * W;
        V::store(cp, t.accumulate ? V::add(V::load(cp), acc[i][j]) : acc[i][j]);
      }
    return;
  }
  // Edge tile: masked partial vectors, rows past m_valid dropped; the same sums as a full tile.
  GF_UNROLL(32)
  for (int i = 0; i < MR; ++i) {
    if (i >= t.m_valid) break;
    GF_UNROLL(4)
    for (int j = 0; j < NV; ++j) {
      const int cols = t.n_valid - j * W;
      if (cols <= 0) break;
      T* cp = c + i * t.ldc + j * W;
      if (cols >= W) {
        V::store(cp, t.accumulate ? V::add(V::load(cp), acc[i][j]) : acc[i][j]);
      } else {
        V::store_n(cp, t.accumulate ? V::add(V::load_n(cp, cols), acc[i][j]) : acc[i][j], cols);
      }
    }
  }
}

// CHAINS independent dependency chains hide the FMA latency so the loop runs at the ports' rate.
template <class V, int CHAINS>
double fma_loop(int64_t iterations, typename V::T* sink) {
  using Reg = typename V::Reg;
  Reg acc[CHAINS];
  GF_UNROLL(32)
  for (int c = 0; c < CHAINS; ++c) acc[c] = V::broadcast(static_cast<typename V::T>(c));
  const Reg x = V::broadcast(static_cast<typename V::T>(0.999999));
  const Reg y = V::broadcast(static_cast<typename V::T>(1e-6));
  for (int64_t it = 0; it < iterations; ++it) {
    GF_UNROLL(32)
    for (int c = 0; c < CHAINS; ++c) acc[c] = V::fma(acc[c], x, y);
  }
  Reg total = acc[0];
  for (int c = 1; c < CHAINS; ++c) total = V::add(total, acc[c]);
  typename V::T lanes[64];
  V::store(lanes, total);
  *sink = lanes[0];
  return 2.0 * static_cast<double>(iterations) * CHAINS * V::width;
}

}  // namespace
