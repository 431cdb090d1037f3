// AVX2 + FMA kernels (compiled with -mavx2 -mfma): 6 x 16 float / 6 x 8 double register tiles.
#include <immintrin.h>

#include <limits>

#include "kernels/combine_rows.h"
#include "kernels/elementwise.h"
#include "kernels/fingerprint_blocks.h"
#include "kernels/gemv.h"
#include "kernels/kernels.h"
#include "kernels/microkernel.h"
#include "kernels/sum_squares.h"

namespace gradfall::kernels {
namespace {

struct Avx2Float {
  using T = float;
  using Reg = __m256;
  static constexpr int width = 8;
  static __m256i first(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg load(const T* p) { return _mm256_loadu_ps(p); }
  static void store(T* p, Reg v) { _mm256_storeu_ps(p, v); }
  static Reg load_n(const T* p, int n) { return _mm256_maskload_ps(p, first(n)); }
  static void store_n(T* p, Reg v, int n) { _mm256_maskstore_ps(p, first(n), v); }
  static Reg broadcast(T v) { return _mm256_set1_ps(v); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm256_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) { return _mm256_sub_ps(a, b); }
  static Reg mul(Reg a, Reg b) { return _mm256_mul_ps(a, b); }
  static Reg div(Reg a, Reg b) { return _mm256_div_ps(a, b); }
  static Reg min(Reg a, Reg b) { return _mm256_min_ps(a, b); }
  static Reg max(Reg a, Reg b) { return _mm256_max_ps(a, b); }
  static Reg abs(Reg a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static Reg round(Reg a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  // p * 2^n in two steps so n in [-150, 128] never leaves the exponent range.
  static Reg ldexp(Reg p, Reg n) {
    const __m256i ni = _mm256_cvtps_epi32(n);
    const __m256i n1 = _mm256_srai_epi32(ni, 1);
    const __m256i n2 = _mm256_sub_epi32(ni, n1);
    const __m256i bias = _mm256_set1_epi32(127);
    const Reg s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
    const Reg s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
  }
  // Subnormals are scaled by 2^23 first so their exponent field is meaningful.
  static void frexp1(Reg x, Reg& e, Reg& m) {
    const Reg tiny = _mm256_cmp_ps(x, _mm256_set1_ps(1.17549435e-38f), _CMP_LT_OQ);
    x = _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(8388608.0f)), tiny);
    const __m256i bits = _mm256_castps_si256(x);
    const __m256i ex = _mm256_sub_epi32(
        _mm256_and_si256(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(0xff)), _mm256_set1_epi32(127));
    e = _mm256_add_ps(_mm256_cvtepi32_ps(ex), _mm256_and_ps(tiny, _mm256_set1_ps(-23.0f)));
    m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)),
                                            _mm256_set1_epi32(0x3f800000)));
  }
  static Reg lt_blend(Reg a, Reg b, Reg x, Reg y) {
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_LT_OQ));
  }
  static Reg gt_mask_blend(Reg a, Reg b, Reg x, Reg y) {
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_GT_OQ));
  }
  static Reg copysign(Reg mag, Reg s) {
    const Reg sign = _mm256_set1_ps(-0.0f);
    return _mm256_or_ps(_mm256_andnot_ps(sign, mag), _mm256_and_ps(sign, s));
  }
  static Reg log_specials(Reg x, Reg y) {
    const Reg inf = _mm256_set1_ps(std::numeric_limits<float>::infinity());
    const Reg nan = _mm256_set1_ps(std::numeric_limits<float>::quiet_NaN());
    const Reg minus_inf = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
    y = _mm256_blendv_ps(y, nan, _mm256_cmp_ps(x, zero(), _CMP_LT_OQ));
    y = _mm256_blendv_ps(y, minus_inf, _mm256_cmp_ps(x, zero(), _CMP_EQ_OQ));
    y = _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, inf, _CMP_EQ_OQ));
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
  }
};

struct Avx2Double {
  using T = double;
  using Reg = __m256d;
  static constexpr int width = 4;
  static __m256i first(int n) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  static Reg zero() { return _mm256_setzero_pd(); }
  static Reg load(const T* p) { return _mm256_loadu_pd(p); }
  static void store(T* p, Reg v) { _mm256_storeu_pd(p, v); }
  static Reg load_n(const T* p, int n) { return _mm256_maskload_pd(p, first(n)); }
  static void store_n(T* p, Reg v, int n) { _mm256_maskstore_pd(p, first(n), v); }
  static Reg broadcast(T v) { return _mm256_set1_pd(v); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm256_fmadd_pd(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm256_add_pd(a, b); }
  static Reg sub(Reg a, Reg b) { return _mm256_sub_pd(a, b); }
  static Reg mul(Reg a, Reg b) { return _mm256_mul_pd(a, b); }
  static Reg max(Reg a, Reg b) { return _mm256_max_pd(a, b); }
  static Reg lt_blend(Reg a, Reg b, Reg x, Reg y) {
    return _mm256_blendv_pd(y, x, _mm256_cmp_pd(a, b, _CMP_LT_OQ));
  }
};

}  // namespace

const KernelSet& avx2_kernels() {
  static const KernelSet set{
      "avx2",
      {6, 16, &micro_tile<Avx2Float, 6, 2, true>, &micro_tile<Avx2Float, 6, 2, false>,
       &bias_map<Avx2Float, true>, &map_grad<Avx2Float>, &math_fn<Avx2Float, true>,
       &combine_rows<Avx2Float, 4>, &fma_loop<Avx2Float, 12>,
       {&gemv_rows<Avx2Float, 1, 2>, &gemv_rows<Avx2Float, 2, 2>, &gemv_rows<Avx2Float, 3, 2>,
        &gemv_rows<Avx2Float, 4, 2>, &gemv_rows<Avx2Float, 5, 2>, &gemv_rows<Avx2Float, 6, 2>,
        &gemv_rows<Avx2Float, 7, 2>, &gemv_rows<Avx2Float, 8, 2>},
       16, {2, 4}, {&micro_tile<Avx2Float, 2, 2, false>, &micro_tile<Avx2Float, 4, 2, false>}},
      {6, 8, &micro_tile<Avx2Double, 6, 2, true>, &micro_tile<Avx2Double, 6, 2, false>,
       &bias_map<Avx2Double, false>, &map_grad<Avx2Double>, &math_fn<Avx2Double, false>,
       &combine_rows<Avx2Double, 4>, &fma_loop<Avx2Double, 12>,
       {&gemv_rows<Avx2Double, 1, 2>, &gemv_rows<Avx2Double, 2, 2>, &gemv_rows<Avx2Double, 3, 2>,
        &gemv_rows<Avx2Double, 4, 2>, &gemv_rows<Avx2Double, 5, 2>, &gemv_rows<Avx2Double, 6, 2>,
        &gemv_rows<Avx2Double, 7, 2>, &gemv_rows<Avx2Double, 8, 2>},
       8, {2, 4}, {&micro_tile<Avx2Double, 2, 2, false>, &micro_tile<Avx2Double, 4, 2, false>}},
      &fingerprint_blocks<Avx2Float>,
      &sum_squares<float, Avx2Float>,
  };
  return set;
}

}  // namespace gradfall::kernels
