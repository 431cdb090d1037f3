#include "core/activations.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/dispatch.h"

namespace gradfall {
namespace {

constexpr int64_t kParallelElements = 1 << 15;

template <typename T>
inline T sigmoid(T z) {
  // Split by sign so exp never overflows.
  if (z >= T(0)) return T(1) / (T(1) + std::exp(-z));
  const T e = std::exp(z);
  return e / (T(1) + e);
}

template <typename T>
void forward_row(Activation act, T slope, const T* b, T* z, int64_t cols) {
  if (!b) {
    thread_local std::vector<T> zeros;
    if (static_cast<int64_t>(zeros.size()) < cols) zeros.assign(cols, T(0));
    b = zeros.data();
  }
  switch (act) {
    case Activation::identity:
      for (int64_t j = 0; j < cols; ++j) z[j] += b[j];
      break;
    case Activation::sigmoid:
      for (int64_t j = 0; j < cols; ++j) z[j] = sigmoid(z[j] + b[j]);
      break;
    case Activation::tanh:
      for (int64_t j = 0; j < cols; ++j) z[j] = std::tanh(z[j] + b[j]);
      break;
    case Activation::relu:
      for (int64_t j = 0; j < cols; ++j) z[j] = std::max(z[j] + b[j], T(0));
      break;
    case Activation::leaky_relu:
      for (int64_t j = 0; j < cols; ++j) {
        const T v = z[j] + b[j];
        z[j] = v > T(0) ? v : slope * v;
      }
      break;
    case Activation::softmax: {
      T peak = z[0] + b[0];
      for (int64_t j = 0; j < cols; ++j) {
        z[j] += b[j];
        peak = std::max(peak, z[j]);
      }
      T total = 0;
      for (int64_t j = 0; j < cols; ++j) {
        z[j] = std::exp(z[j] - peak);
        total += z[j];
      }
      const T inv = T(1) / total;
      for (int64_t j = 0; j < cols; ++j) z[j] *= inv;
      break;
    }
  }
}

template <typename T>
void backward_row(Activation act, T slope, const T* a, T* d, int64_t cols) {
  switch (act) {
    case Activation::identity:
      break;
    case Activation::sigmoid:
      for (int64_t j = 0; j < cols; ++j) d[j] *= a[j] * (T(1) - a[j]);
      break;
    case Activation::tanh:
      for (int64_t j = 0; j < cols; ++j) d[j] *= T(1) - a[j] * a[j];
      break;
    case Activation::relu:
      for (int64_t j = 0; j < cols; ++j) d[j] = a[j] > T(0) ? d[j] : T(0);
      break;
    case Activation::leaky_relu:
      for (int64_t j = 0; j < cols; ++j) d[j] = a[j] > T(0) ? d[j] : slope * d[j];
      break;
    case Activation::softmax: {
      // Full Jacobian-vector product: dZ_j = a_j (dA_j - sum_k a_k dA_k).
      T dot = 0;
      for (int64_t j = 0; j < cols; ++j) dot += a[j] * d[j];
      for (int64_t j = 0; j < cols; ++j) d[j] = a[j] * (d[j] - dot);
      break;
    }
  }
}

}  // namespace

template <typename T>
void bias_activation_forward(Activation act, T slope, const T* b, T* z, int64_t rows, int64_t cols,
                             bool parallel) {
  const bool threaded = parallel && rows * cols >= kParallelElements && num_threads() > 1;
#pragma omp parallel for schedule(static) num_threads(num_threads()) if (threaded)
  for (int64_t i = 0; i < rows; ++i) forward_row(act, slope, b, z + i * cols, cols);
}

template <typename T>
void activation_backward(Activation act, T slope, const T* a, T* d, int64_t rows, int64_t cols,
                         bool parallel) {
  if (act == Activation::identity) return;
  const bool threaded = parallel && rows * cols >= kParallelElements && num_threads() > 1;
#pragma omp parallel for schedule(static) num_threads(num_threads()) if (threaded)
  for (int64_t i = 0; i < rows; ++i) backward_row(act, slope, a + i * cols, d + i * cols, cols);
}

template void bias_activation_forward<float>(Activation, float, const float*, float*, int64_t,
                                             int64_t, bool);
template void bias_activation_forward<double>(Activation, double, const double*, double*, int64_t,
                                              int64_t, bool);
template void activation_backward<float>(Activation, float, const float*, float*, int64_t, int64_t,
                                         bool);
template void activation_backward<double>(Activation, double, const double*, double*, int64_t,
                                          int64_t, bool);

}  // namespace gradfall
