// Register-tiled GEMM micro-kernel, written once over a vector-traits type V and instantiated
// by each ISA's translation unit with its own flags. The anonymous namespace gives every TU
// its own copy, so no AVX-512 instruction can leak into the scalar path through the linker.
#pragma once
#include <cstdint>

namespace {

// acc[i][j] accumulates row i, vector j of an MR x (NV * V::width) tile of C.
template <class V, int MR, int NV>
void micro_kernel(int64_t k, const typename V::T* a, const typename V::T* b, typename V::T* c,
                  int64_t ldc, bool accumulate) {
  using Reg = typename V::Reg;
  constexpr int W = V::width;
  constexpr int NR = NV * W;
  Reg acc[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) acc[i][j] = V::zero();
  for (int64_t p = 0; p < k; ++p) {
    Reg bv[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) bv[j] = V::load(b + j * W);
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i) {
      const Reg ai = V::broadcast(a[i]);
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) acc[i][j] = V::fma(ai, bv[j], acc[i][j]);
    }
    a += MR;
    b += NR;
  }
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) {
      typename V::T* cp = c + i * ldc + j * W;
      if (accumulate) acc[i][j] = V::add(V::load(cp), acc[i][j]);
      V::store(cp, acc[i][j]);
    }
}

// CHAINS independent dependency chains hide the FMA latency so the loop runs at the ports' rate.
template <class V, int CHAINS>
double fma_loop(int64_t iterations, typename V::T* sink) {
  using Reg = typename V::Reg;
  Reg acc[CHAINS];
#pragma GCC unroll 32
  for (int c = 0; c < CHAINS; ++c) acc[c] = V::broadcast(static_cast<typename V::T>(c));
  const Reg x = V::broadcast(static_cast<typename V::T>(0.999999));
  const Reg y = V::broadcast(static_cast<typename V::T>(1e-6));
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 32
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
