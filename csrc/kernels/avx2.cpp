// AVX2 + FMA kernels (compiled with -mavx2 -mfma): 6 x 16 float / 6 x 8 double register tiles.
#include <immintrin.h>

#include "kernels/kernels.h"
#include "kernels/microkernel.h"

namespace gradfall::kernels {
namespace {

struct Avx2Float {
  using T = float;
  using Reg = __m256;
  static constexpr int width = 8;
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg load(const T* p) { return _mm256_loadu_ps(p); }
  static void store(T* p, Reg v) { _mm256_storeu_ps(p, v); }
  static Reg broadcast(T v) { return _mm256_set1_ps(v); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm256_add_ps(a, b); }
};

struct Avx2Double {
  using T = double;
  using Reg = __m256d;
  static constexpr int width = 4;
  static Reg zero() { return _mm256_setzero_pd(); }
  static Reg load(const T* p) { return _mm256_loadu_pd(p); }
  static void store(T* p, Reg v) { _mm256_storeu_pd(p, v); }
  static Reg broadcast(T v) { return _mm256_set1_pd(v); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm256_fmadd_pd(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm256_add_pd(a, b); }
};

}  // namespace

const KernelSet& avx2_kernels() {
  static const KernelSet set{
      "avx2",
      {6, 16, &micro_kernel<Avx2Float, 6, 2>, &fma_loop<Avx2Float, 12>},
      {6, 8, &micro_kernel<Avx2Double, 6, 2>, &fma_loop<Avx2Double, 12>},
  };
  return set;
}

}  // namespace gradfall::kernels
