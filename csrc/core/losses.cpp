#include "core/losses.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/dispatch.h"

namespace gradfall {
namespace {

template <typename T>
inline T sign(T v) {
  return static_cast<T>((v > T(0)) - (v < T(0)));
}

// Cross-entropy of softmax(z) against a label or a target distribution, in double.
template <typename T>
double softmax_xent(const T* z, int64_t k, const int64_t* label, const T* y) {
  double peak = z[0];
  for (int64_t j = 1; j < k; ++j) peak = std::max(peak, static_cast<double>(z[j]));
  double sum_exp = 0;
  for (int64_t j = 0; j < k; ++j) sum_exp += std::exp(z[j] - peak);
  const double lse = peak + std::log(sum_exp);
  if (label) return lse - z[*label];
  double mass = 0, dot = 0;
  for (int64_t j = 0; j < k; ++j) {
    mass += y[j];
    dot += static_cast<double>(y[j]) * z[j];
  }
  return lse * mass - dot;
}

// Softmax, its cross-entropy and the gradient c*scale*(softmax(z)*mass - y) in one pass over z:
// the exponentials land in d (through the ISA's exp kernel) and are normalised in place.
template <typename T>
double softmax_xent_grad(T c, const T* z, int64_t k, const int64_t* label, const T* y, T scale,
                         T* d) {
  const T peak = *std::max_element(z, z + k);
  for (int64_t j = 0; j < k; ++j) d[j] = z[j] - peak;
  kernels::pick<T>(active_kernels()).math(kernels::MathFn::exp, d, d, k);
  double sum_exp = 0;
  for (int64_t j = 0; j < k; ++j) sum_exp += d[j];
  const double lse = static_cast<double>(peak) + std::log(sum_exp);
  const T inv = static_cast<T>(1.0 / sum_exp);
  if (label) {
    const T g = c * scale;
    for (int64_t j = 0; j < k; ++j) d[j] = g * (d[j] * inv);
    d[*label] -= g;
    return lse - z[*label];
  }
  double mass = 0, dot = 0;
  for (int64_t j = 0; j < k; ++j) {
    mass += y[j];
    dot += static_cast<double>(y[j]) * z[j];
  }
  const T m = static_cast<T>(mass);
  for (int64_t j = 0; j < k; ++j) d[j] = c * (d[j] * inv * m - y[j]) * scale;
  return lse * mass - dot;
}

// Computes one row's loss (without the weight) and, if d is set, scale * dloss/dz into d.
template <typename T>
double row_loss(Loss loss, Activation out_act, T c, const T* z, const T* a, int64_t k,
                const int64_t* label, const T* y, T scale, T* d) {
  double total = 0;
  switch (loss) {
    case Loss::mse:
      for (int64_t j = 0; j < k; ++j) {
        const T diff = a[j] - y[j];
        total += static_cast<double>(diff) * diff;
        if (d) {
          T g = T(2) * c * diff * scale;
          if (out_act == Activation::sigmoid) g *= a[j] * (T(1) - a[j]);
          d[j] = g;
        }
      }
      break;
    case Loss::mae:
      for (int64_t j = 0; j < k; ++j) {
        const T diff = a[j] - y[j];
        total += std::fabs(static_cast<double>(diff));
        if (d) {
          T g = c * sign(diff) * scale;
          if (out_act == Activation::sigmoid) g *= a[j] * (T(1) - a[j]);
          d[j] = g;
        }
      }
      break;
    case Loss::binary_cross_entropy:
      // Stable from the logits: max(z,0) - z*y + log1p(exp(-|z|)).
      for (int64_t j = 0; j < k; ++j) {
        const double zj = z[j];
        total += std::max(zj, 0.0) - zj * y[j] + std::log1p(std::exp(-std::fabs(zj)));
        if (d) d[j] = c * (a[j] - y[j]) * scale;
      }
      break;
    case Loss::cross_entropy:
      total = d ? softmax_xent_grad(c, z, k, label, y, scale, d) : softmax_xent(z, k, label, y);
      break;
    case Loss::poisson:
      // Half Poisson deviance of a = e^z: y log(y/a) - y + a = e^z - y z + (y log y - y).
      for (int64_t j = 0; j < k; ++j) {
        const double zj = z[j], yj = y[j];
        total += std::exp(zj) - yj * zj + (yj > 0 ? yj * std::log(yj) : 0.0) - yj;
        if (d) d[j] = c * (a[j] - y[j]) * scale;
      }
      break;
  }
  return static_cast<double>(c) * total;
}

}  // namespace

template <typename T>
double output_loss(Loss loss, Activation out_act, T output_scale, const T* z, const T* a,
                   int64_t rows, int64_t k, const Targets<T>& y, double norm, T* dZ,
                   bool parallel) {
  thread_local std::vector<double> row_losses;
  row_losses.resize(rows);
  double* per_row = row_losses.data();
  const bool threaded = parallel && rows * k >= (1 << 14) && num_threads() > 1;
#pragma omp parallel for schedule(static) num_threads(num_threads()) if (threaded)
  for (int64_t i = 0; i < rows; ++i) {
    const T w = y.weights ? y.weights[i] : T(1);
    const T scale = norm > 0 ? static_cast<T>(w / norm) : T(0);
    per_row[i] = w * row_loss(loss, out_act, output_scale, z + i * k, a + i * k, k,
                              y.labels ? y.labels + i : nullptr, y.dense ? y.dense + i * k : nullptr,
                              scale, dZ ? dZ + i * k : nullptr);
  }
  double total = 0;  // summed in row order whatever the thread count
  for (int64_t i = 0; i < rows; ++i) total += per_row[i];
  return total;
}

template double output_loss<float>(Loss, Activation, float, const float*, const float*, int64_t,
                                   int64_t, const Targets<float>&, double, float*, bool);
template double output_loss<double>(Loss, Activation, double, const double*, const double*, int64_t,
                                    int64_t, const Targets<double>&, double, double*, bool);

}  // namespace gradfall
