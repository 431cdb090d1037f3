// Vectorised float32 exp/log/tanh/sigmoid over a vector-traits type V (AVX2, AVX-512).
// float64 never comes here: it uses the exact std:: functions (see elementwise.h).
//
// Measured max error against float64 numpy on a dense sweep (tests/test_fused_layers.py):
//   exp     x in [-104, 88.7]       <= 1 ulp (0.93 measured, normal results); inf above, NaN -> NaN
//   log     x > 0 (incl. subnormal) <= 1.5 ulp (1.42); log(0) = -inf, log(x<0) = NaN, log(inf) = inf
//   tanh    all x                   <= 1.5 ulp (1.37; odd fitted polynomial for |x| < 0.625)
//   sigmoid all x                   <= 2.5 ulp (2.47) while the result is a normal float
#pragma once
#include <cstdint>

#include "kernels/portable.h"

namespace {

template <class V>
struct VMath {
  using Reg = typename V::Reg;
  static Reg c(float v) { return V::broadcast(v); }

  // Horner's rule, highest coefficient first.
  template <int N>
  static Reg poly(Reg x, const float (&k)[N]) {
    Reg acc = c(k[0]);
    GF_UNROLL(16)
    for (int i = 1; i < N; ++i) acc = V::fma(acc, x, c(k[i]));
    return acc;
  }

  // exp(x) = 2^n * e^r with |r| <= ln2/2 (Cody-Waite split of ln2), Taylor to r^7.
  static Reg exp(Reg x) {
    x = V::min(c(88.75f), V::max(c(-104.0f), x));  // constant first: a NaN x passes through
    const Reg n = V::round(V::mul(x, c(1.44269504088896341f)));
    Reg r = V::fma(n, c(-0.693359375f), x);
    r = V::fma(n, c(2.12194440e-4f), r);
    static const float k[] = {1.0f / 5040, 1.0f / 720, 1.0f / 120, 1.0f / 24,
                              1.0f / 6,    0.5f,       1.0f,       1.0f};
    return V::ldexp(poly(r, k), n);
  }

  // log(x) = e*ln2 + log1p(f), m = 1 + f in [sqrt(1/2), sqrt(2)); log1p(f) = f - s*(f - R(s))
  // with s = f / (2 + f) and R the atanh series: only a small correction is rounded.
  static Reg log(Reg x) {
    Reg e, m;
    V::frexp1(x, e, m);  // x = m * 2^e, m in [1, 2)
    const Reg big = V::gt_mask_blend(m, c(1.41421356f), c(1.0f), c(0.0f));
    m = V::mul(m, V::sub(c(1.0f), V::mul(big, c(0.5f))));
    e = V::add(e, big);
    const Reg f = V::sub(m, c(1.0f));
    const Reg s = V::div(f, V::add(c(2.0f), f));
    const Reg s2 = V::mul(s, s);
    static const float k[] = {2.0f / 9, 2.0f / 7, 2.0f / 5, 2.0f / 3};
    const Reg R = V::mul(s2, poly(s2, k));
    const Reg log1pf = V::sub(f, V::mul(s, V::sub(f, R)));
    const Reg hi = V::fma(e, c(0.693359375f), log1pf);
    return V::log_specials(x, V::fma(e, c(-2.12194440e-4f), hi));
  }

  // |x| < 0.625: x + x^3 P(x^2) (fitted minimax); else sign(x) (1 - 2 / (exp(2|x|) + 1)).
  static Reg tanh(Reg x) {
    const Reg ax = V::abs(x);
    const Reg x2 = V::mul(x, x);
    static const float k[] = {-0.00571889151f, 0.0206530634f, -0.0537446402f, 0.133315131f,
                              -0.333332866f};
    const Reg small = V::fma(V::mul(x, x2), poly(x2, k), x);
    const Reg e = exp(V::add(ax, ax));
    const Reg large = V::sub(c(1.0f), V::div(c(2.0f), V::add(e, c(1.0f))));
    const Reg signed_large = V::copysign(large, x);
    return V::lt_blend(ax, c(0.625f), small, signed_large);
  }

  // e = exp(-|x|) never overflows; x >= 0: 1 / (1 + e), x < 0: e / (1 + e).
  static Reg sigmoid(Reg x) {
    const Reg e = exp(V::sub(V::zero(), V::abs(x)));
    const Reg s = V::div(c(1.0f), V::add(c(1.0f), e));
    return V::lt_blend(x, V::zero(), V::mul(e, s), s);
  }
};

}  // namespace
