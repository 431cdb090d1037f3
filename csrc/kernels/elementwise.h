// Element-wise kernels over one row (bias + activation, activation derivative, math functions),
// written once over a vector-traits type V. VEC_MATH: transcendental functions use VMath
// (float32 on AVX2/AVX-512); otherwise the exact std:: functions, one element at a time.
#pragma once
#include <cmath>
#include <cstdint>

#include "kernels/kernels.h"
#include "kernels/vmath.h"

namespace {

using gradfall::kernels::MapOp;
using gradfall::kernels::MathFn;

template <typename T>
inline T exact_sigmoid(T z) {
  if (z >= T(0)) return T(1) / (T(1) + std::exp(-z));
  const T e = std::exp(z);
  return e / (T(1) + e);
}

template <typename T>
inline T exact_math(MathFn fn, T x) {
  switch (fn) {
    case MathFn::exp: return std::exp(x);
    case MathFn::log: return std::log(x);
    case MathFn::tanh: return std::tanh(x);
    case MathFn::sigmoid: return exact_sigmoid(x);
  }
  return x;
}

// Applies f to whole vectors, then to the masked tail: one pass, no scalar remainder loop.
template <class V, class F>
inline void for_each_vector(const typename V::T* in1, const typename V::T* in2, typename V::T* x,
                            int64_t n, F f) {
  using Reg = typename V::Reg;
  constexpr int W = V::width;
  int64_t j = 0;
  for (; j + W <= n; j += W) {
    const Reg u = in1 ? V::load(in1 + j) : V::zero();
    const Reg v = in2 ? V::load(in2 + j) : V::zero();
    V::store(x + j, f(V::load(x + j), u, v));
  }
  if (j < n) {
    const int rest = static_cast<int>(n - j);
    const Reg u = in1 ? V::load_n(in1 + j, rest) : V::zero();
    const Reg v = in2 ? V::load_n(in2 + j, rest) : V::zero();
    V::store_n(x + j, f(V::load_n(x + j, rest), u, v), rest);
  }
}

template <class V, bool VEC_MATH>
void bias_map(MapOp op, typename V::T slope, const typename V::T* bias, typename V::T* x,
              int64_t n) {
  using T = typename V::T;
  using Reg = typename V::Reg;
  const Reg zero = V::zero(), s = V::broadcast(slope);
  switch (op) {
    case MapOp::identity:
      if (bias) for_each_vector<V>(bias, nullptr, x, n, [](Reg z, Reg b, Reg) { return V::add(z, b); });
      return;
    case MapOp::relu:
      for_each_vector<V>(bias, nullptr, x, n,
                         [&](Reg z, Reg b, Reg) { return V::max(zero, V::add(z, b)); });
      return;
    case MapOp::leaky_relu:
      for_each_vector<V>(bias, nullptr, x, n, [&](Reg z, Reg b, Reg) {
        const Reg v = V::add(z, b);
        return V::lt_blend(zero, v, v, V::mul(s, v));
      });
      return;
    case MapOp::sigmoid:
    case MapOp::tanh:
      if constexpr (VEC_MATH) {
        if (op == MapOp::sigmoid)
          for_each_vector<V>(bias, nullptr, x, n,
                             [](Reg z, Reg b, Reg) { return VMath<V>::sigmoid(V::add(z, b)); });
        else
          for_each_vector<V>(bias, nullptr, x, n,
                             [](Reg z, Reg b, Reg) { return VMath<V>::tanh(V::add(z, b)); });
      } else {
        const MathFn fn = op == MapOp::sigmoid ? MathFn::sigmoid : MathFn::tanh;
        for (int64_t j = 0; j < n; ++j) x[j] = exact_math<T>(fn, bias ? x[j] + bias[j] : x[j]);
      }
      return;
  }
}

template <class V>
void map_grad(MapOp op, typename V::T slope, const typename V::T* a, typename V::T* d,
              int64_t n) {
  using Reg = typename V::Reg;
  const Reg zero = V::zero(), one = V::broadcast(1), s = V::broadcast(slope);
  switch (op) {
    case MapOp::identity:
      return;
    case MapOp::relu:
      for_each_vector<V>(a, nullptr, d, n,
                         [&](Reg g, Reg av, Reg) { return V::lt_blend(zero, av, g, zero); });
      return;
    case MapOp::leaky_relu:
      for_each_vector<V>(a, nullptr, d, n,
                         [&](Reg g, Reg av, Reg) { return V::lt_blend(zero, av, g, V::mul(s, g)); });
      return;
    case MapOp::sigmoid:
      for_each_vector<V>(a, nullptr, d, n, [&](Reg g, Reg av, Reg) {
        return V::mul(g, V::mul(av, V::sub(one, av)));
      });
      return;
    case MapOp::tanh:
      for_each_vector<V>(a, nullptr, d, n,
                         [&](Reg g, Reg av, Reg) { return V::mul(g, V::sub(one, V::mul(av, av))); });
      return;
  }
}

template <class V, bool VEC_MATH>
void math_fn(MathFn fn, const typename V::T* x, typename V::T* y, int64_t n) {
  using T = typename V::T;
  using Reg = typename V::Reg;
  if constexpr (VEC_MATH) {
    using M = VMath<V>;
    auto run = [&](auto f) {
      constexpr int W = V::width;
      int64_t j = 0;
      for (; j + W <= n; j += W) V::store(y + j, f(V::load(x + j)));
      if (j < n) {
        const int rest = static_cast<int>(n - j);
        V::store_n(y + j, f(V::load_n(x + j, rest)), rest);
      }
    };
    switch (fn) {
      case MathFn::exp: run([](Reg v) { return M::exp(v); }); return;
      case MathFn::log: run([](Reg v) { return M::log(v); }); return;
      case MathFn::tanh: run([](Reg v) { return M::tanh(v); }); return;
      case MathFn::sigmoid: run([](Reg v) { return M::sigmoid(v); }); return;
    }
  } else {
    for (int64_t j = 0; j < n; ++j) y[j] = exact_math<T>(fn, x[j]);
  }
}

}  // namespace
