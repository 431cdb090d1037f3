#include "core/activations.h"

#include <algorithm>

#include "core/dispatch.h"

namespace gradfall {
namespace {

constexpr int64_t kParallelElements = 1 << 15;
constexpr int64_t kParallelSoftmaxElements = 1 << 12;  // an exp and a row reduction per element

template <typename T>
void softmax_backward_row(const T* a, T* d, int64_t cols) {
  // Full Jacobian-vector product: dZ_j = a_j (dA_j - sum_k a_k dA_k).
  T dot = 0;
  for (int64_t j = 0; j < cols; ++j) dot += a[j] * d[j];
  for (int64_t j = 0; j < cols; ++j) d[j] = a[j] * (d[j] - dot);
}

}  // namespace

kernels::MapOp map_op(Activation act) {
  switch (act) {
    case Activation::sigmoid: return kernels::MapOp::sigmoid;
    case Activation::tanh: return kernels::MapOp::tanh;
    case Activation::relu: return kernels::MapOp::relu;
    case Activation::leaky_relu: return kernels::MapOp::leaky_relu;
    case Activation::identity:
    case Activation::softmax:
    case Activation::exp: break;
  }
  return kernels::MapOp::identity;
}

template <typename T>
void softmax_row(T* z, int64_t cols) {
  const T peak = *std::max_element(z, z + cols);
  for (int64_t j = 0; j < cols; ++j) z[j] -= peak;
  kernels::pick<T>(active_kernels()).math(kernels::MathFn::exp, z, z, cols);
  T total = 0;
  for (int64_t j = 0; j < cols; ++j) total += z[j];
  const T inv = T(1) / total;
  for (int64_t j = 0; j < cols; ++j) z[j] *= inv;
}

namespace {

// Rows of a softmax taken together: each row's maximum subtracted, one exp call over the whole
// tile, then each row scaled by its sum. Every element sees softmax_row's operations in its
// order (the exp kernel treats every lane alike), so the bits are softmax_row's.
template <typename T>
void softmax_rows(T* z, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i) {
    T* row = z + i * cols;
    const T peak = *std::max_element(row, row + cols);
    for (int64_t j = 0; j < cols; ++j) row[j] -= peak;
  }
  kernels::pick<T>(active_kernels()).math(kernels::MathFn::exp, z, z, rows * cols);
  for (int64_t i = 0; i < rows; ++i) {
    T* row = z + i * cols;
    T total = 0;
    for (int64_t j = 0; j < cols; ++j) total += row[j];
    const T inv = T(1) / total;
    for (int64_t j = 0; j < cols; ++j) row[j] *= inv;
  }
}

// Rows per softmax tile: about 4 KiB of values, held in L1 between the three passes.
template <typename T>
int64_t softmax_tile_rows(int64_t cols) {
  return std::max<int64_t>(1, 4096 / (cols * static_cast<int64_t>(sizeof(T))));
}

}  // namespace

template <typename T>
void bias_activation_forward(Activation act, T slope, const T* b, T* z, int64_t rows, int64_t cols,
                             bool parallel) {
  const kernels::MicroKernel<T>& uk = kernels::pick<T>(active_kernels());
  const kernels::MapOp op = map_op(act);
  if (act == Activation::softmax) {
    const int64_t tile = softmax_tile_rows<T>(cols), tiles = (rows + tile - 1) / tile;
    const bool threaded = parallel && rows * cols >= kParallelSoftmaxElements &&
                          num_threads() > 1 && tiles > 1;
#pragma omp parallel for schedule(static) num_threads(num_threads()) if (threaded)
    for (int64_t t = 0; t < tiles; ++t) {
      const int64_t first = t * tile, count = std::min(tile, rows - first);
      if (b)
        for (int64_t i = first; i < first + count; ++i) uk.bias_map(op, slope, b, z + i * cols, cols);
      softmax_rows(z + first * cols, count, cols);
    }
    return;
  }
  const bool threaded = parallel && rows * cols >= kParallelElements && num_threads() > 1;
#pragma omp parallel for schedule(static) num_threads(num_threads()) if (threaded)
  for (int64_t i = 0; i < rows; ++i) {
    T* row = z + i * cols;
    uk.bias_map(op, slope, b, row, cols);
    if (act == Activation::exp) uk.math(kernels::MathFn::exp, row, row, cols);
  }
}

template <typename T>
void activation_backward(Activation act, T slope, const T* a, T* d, int64_t rows, int64_t cols,
                         bool parallel) {
  if (act == Activation::identity) return;
  const kernels::MicroKernel<T>& uk = kernels::pick<T>(active_kernels());
  const kernels::MapOp op = map_op(act);
  const bool threaded = parallel && rows * cols >= kParallelElements && num_threads() > 1;
#pragma omp parallel for schedule(static) num_threads(num_threads()) if (threaded)
  for (int64_t i = 0; i < rows; ++i) {
    if (act == Activation::softmax)
      softmax_backward_row(a + i * cols, d + i * cols, cols);
    else if (act == Activation::exp)
      for (int64_t j = 0; j < cols; ++j) d[i * cols + j] *= a[i * cols + j];  // (e^z)' = e^z
    else
      uk.map_grad(op, slope, a + i * cols, d + i * cols, cols);
  }
}

template void softmax_row<float>(float*, int64_t);
template void softmax_row<double>(double*, int64_t);
template void bias_activation_forward<float>(Activation, float, const float*, float*, int64_t,
                                             int64_t, bool);
template void bias_activation_forward<double>(Activation, double, const double*, double*, int64_t,
                                              int64_t, bool);
template void activation_backward<float>(Activation, float, const float*, float*, int64_t, int64_t,
                                         bool);
template void activation_backward<double>(Activation, double, const double*, double*, int64_t,
                                          int64_t, bool);

}  // namespace gradfall
