// AVX-512 kernels (compiled with -mavx512f and friends): 12 x 32 float / 12 x 16 double tiles,
// 24 accumulators + 2 B vectors + 1 broadcast out of 32 zmm registers.
#include <immintrin.h>

#include "kernels/kernels.h"
#include "kernels/microkernel.h"

namespace gradfall::kernels {
namespace {

struct Avx512Float {
  using T = float;
  using Reg = __m512;
  static constexpr int width = 16;
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg load(const T* p) { return _mm512_loadu_ps(p); }
  static void store(T* p, Reg v) { _mm512_storeu_ps(p, v); }
  static Reg broadcast(T v) { return _mm512_set1_ps(v); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
};

struct Avx512Double {
  using T = double;
  using Reg = __m512d;
  static constexpr int width = 8;
  static Reg zero() { return _mm512_setzero_pd(); }
  static Reg load(const T* p) { return _mm512_loadu_pd(p); }
  static void store(T* p, Reg v) { _mm512_storeu_pd(p, v); }
  static Reg broadcast(T v) { return _mm512_set1_pd(v); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_pd(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm512_add_pd(a, b); }
};

}  // namespace

const KernelSet& avx512_kernels() {
  static const KernelSet set{
      "avx512",
      {12, 32, &micro_kernel<Avx512Float, 12, 2>, &fma_loop<Avx512Float, 16>},
      {12, 16, &micro_kernel<Avx512Double, 12, 2>, &fma_loop<Avx512Double, 16>},
  };
  return set;
}

}  // namespace gradfall::kernels
