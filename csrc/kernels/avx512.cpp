// AVX-512 kernels (compiled with -mavx512f and friends): 12 x 32 float / 12 x 16 double tiles,
// 24 accumulators + 2 B vectors + 1 broadcast out of 32 zmm registers.
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

struct Avx512Float {
  using T = float;
  using Reg = __m512;
  static constexpr int width = 16;
  static __mmask16 first(int n) { return static_cast<__mmask16>((1u << n) - 1); }
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg load(const T* p) { return _mm512_loadu_ps(p); }
  static void store(T* p, Reg v) { _mm512_storeu_ps(p, v); }
  static Reg load_n(const T* p, int n) { return _mm512_maskz_loadu_ps(first(n), p); }
  static void store_n(T* p, Reg v, int n) { _mm512_mask_storeu_ps(p, first(n), v); }
  static Reg broadcast(T v) { return _mm512_set1_ps(v); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) { return _mm512_sub_ps(a, b); }
  static Reg mul(Reg a, Reg b) { return _mm512_mul_ps(a, b); }
  static Reg div(Reg a, Reg b) { return _mm512_div_ps(a, b); }
  static Reg min(Reg a, Reg b) { return _mm512_min_ps(a, b); }
  static Reg max(Reg a, Reg b) { return _mm512_max_ps(a, b); }
  static Reg abs(Reg a) { return _mm512_abs_ps(a); }
  static Reg round(Reg a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static Reg ldexp(Reg p, Reg n) { return _mm512_scalef_ps(p, n); }
  static void frexp1(Reg x, Reg& e, Reg& m) {
    e = _mm512_getexp_ps(x);
    m = _mm512_getmant_ps(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
  }
  static Reg lt_blend(Reg a, Reg b, Reg x, Reg y) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), y, x);
  }
  static Reg gt_mask_blend(Reg a, Reg b, Reg x, Reg y) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_GT_OQ), y, x);
  }
  static Reg copysign(Reg mag, Reg s) {
    const __m512i sign = _mm512_set1_epi32(static_cast<int>(0x80000000u));
    return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(sign, _mm512_castps_si512(s),
                                                         _mm512_castps_si512(mag), 0xCA));
  }
  static Reg log_specials(Reg x, Reg y) {
    const Reg inf = _mm512_set1_ps(std::numeric_limits<float>::infinity());
    const Reg nan = _mm512_set1_ps(std::numeric_limits<float>::quiet_NaN());
    const Reg minus_inf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    y = _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, zero(), _CMP_LT_OQ), nan);
    y = _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, zero(), _CMP_EQ_OQ), minus_inf);
    y = _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, inf, _CMP_EQ_OQ), x);
    return _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), x);
  }
};

struct Avx512Double {
  using T = double;
  using Reg = __m512d;
  static constexpr int width = 8;
  static __mmask8 first(int n) { return static_cast<__mmask8>((1u << n) - 1); }
  static Reg zero() { return _mm512_setzero_pd(); }
  static Reg load(const T* p) { return _mm512_loadu_pd(p); }
  static void store(T* p, Reg v) { _mm512_storeu_pd(p, v); }
  static Reg load_n(const T* p, int n) { return _mm512_maskz_loadu_pd(first(n), p); }
  static void store_n(T* p, Reg v, int n) { _mm512_mask_storeu_pd(p, first(n), v); }
  static Reg broadcast(T v) { return _mm512_set1_pd(v); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_pd(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm512_add_pd(a, b); }
  static Reg sub(Reg a, Reg b) { return _mm512_sub_pd(a, b); }
  static Reg mul(Reg a, Reg b) { return _mm512_mul_pd(a, b); }
  static Reg max(Reg a, Reg b) { return _mm512_max_pd(a, b); }
  static Reg lt_blend(Reg a, Reg b, Reg x, Reg y) {
    return _mm512_mask_blend_pd(_mm512_cmp_pd_mask(a, b, _CMP_LT_OQ), y, x);
  }
};

}  // namespace

const KernelSet& avx512_kernels() {
  static const KernelSet set{
      "avx512",
      {12, 32, &micro_tile<Avx512Float, 12, 2, true>, &micro_tile<Avx512Float, 12, 2, false>,
       &bias_map<Avx512Float, true>, &map_grad<Avx512Float>, &math_fn<Avx512Float, true>,
       &combine_rows<Avx512Float, 4>, &fma_loop<Avx512Float, 16>,
       {&gemv_rows<Avx512Float, 1, 4>, &gemv_rows<Avx512Float, 2, 4>, &gemv_rows<Avx512Float, 3, 4>,
        &gemv_rows<Avx512Float, 4, 4>, &gemv_rows<Avx512Float, 5, 4>, &gemv_rows<Avx512Float, 6, 4>,
        &gemv_rows<Avx512Float, 7, 4>, &gemv_rows<Avx512Float, 8, 4>},
       64, {4, 8}, {&micro_tile<Avx512Float, 4, 2, false>, &micro_tile<Avx512Float, 8, 2, false>}},
      {12, 16, &micro_tile<Avx512Double, 12, 2, true>, &micro_tile<Avx512Double, 12, 2, false>,
       &bias_map<Avx512Double, false>, &map_grad<Avx512Double>, &math_fn<Avx512Double, false>,
       &combine_rows<Avx512Double, 4>, &fma_loop<Avx512Double, 16>,
       {&gemv_rows<Avx512Double, 1, 4>, &gemv_rows<Avx512Double, 2, 4>, &gemv_rows<Avx512Double, 3, 4>,
        &gemv_rows<Avx512Double, 4, 4>, &gemv_rows<Avx512Double, 5, 4>, &gemv_rows<Avx512Double, 6, 4>,
        &gemv_rows<Avx512Double, 7, 4>, &gemv_rows<Avx512Double, 8, 4>},
       32, {4, 8}, {&micro_tile<Avx512Double, 4, 2, false>, &micro_tile<Avx512Double, 8, 2, false>}},
      &fingerprint_blocks<Avx512Float>,
      &sum_squares<float, Avx512Float>,
  };
  return set;
}

}  // namespace gradfall::kernels
