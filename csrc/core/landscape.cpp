#include "core/landscape.h"

#include <omp.h>

#include <algorithm>
#include <vector>

#include "core/dispatch.h"
#include "core/region_errors.h"

namespace gradfall {
namespace {

// theta[p] = center[p] + sum_k c[k] * directions[k][p] for p in [begin, end), summed in double.
template <typename T>
void combine(const T* center, const T* directions, int64_t n_directions, int64_t P, const double* c,
             int64_t begin, int64_t end, T* theta) {
  for (int64_t p = begin; p < end; ++p) {
    double v = center[p];
    for (int64_t k = 0; k < n_directions; ++k) v += c[k] * static_cast<double>(directions[k * P + p]);
    theta[p] = static_cast<T>(v);
  }
}

// Every point evaluated from scratch: used when the first-layer shortcut does not pay.
template <typename T>
void losses_direct(const ModelSpec& spec, const T* center, const T* directions, int64_t K,
                   const double* coeffs, int64_t n_points, const Input<T>& X,
                   const Targets<T>& y, double* out, const StopFlag* stop) {
  const int64_t P = spec.n_params();
  const bool outer_parallel = n_points >= num_threads() && num_threads() > 1;
  const int n_workers = outer_parallel ? num_threads() : 1;
  std::vector<std::vector<T>> theta(n_workers, std::vector<T>(P));
  RegionErrors errors;
#pragma omp parallel for schedule(dynamic, 1) num_threads(n_workers) if (outer_parallel)
  for (int64_t i = 0; i < n_points; ++i) {
    if (stop_requested(stop)) continue;
    errors.guard([&] {
      T* th = theta[outer_parallel ? omp_get_thread_num() : 0].data();
      combine(center, directions, K, P, coeffs + i * K, 0, P, th);
      out[i] = evaluate_cost<T>(spec, th, X, y, 0.0, nullptr, !outer_parallel);
    });
  }
  errors.rethrow();
}

// Layers 1..L-1 as a network of their own: its parameters are the tail of the flat buffer.
ModelSpec tail_spec(const ModelSpec& spec) {
  ModelSpec tail = spec;
  tail.sizes.erase(tail.sizes.begin());
  tail.acts.erase(tail.acts.begin());
  tail.slopes.erase(tail.slopes.begin());
  if (!tail.dropout.empty()) tail.dropout.erase(tail.dropout.begin());
  return tail;
}

// First-layer shortcut. z_1 = X W_0(theta) is linear in theta, so per row block
//   X W_0(theta_i) = X W_0(center) + sum_k c_ik X W_0(d_k):
// K+1 products per block serve every point, and each point only pays for layers 1..L-1.
template <typename T>
void losses_first_layer_shared(const ModelSpec& spec, const T* center, const T* directions,
                               int64_t K, const double* coeffs, int64_t n_points,
                               const Input<T>& X, const Targets<T>& y, double* out,
                               const StopFlag* stop) {
  const int64_t P = spec.n_params(), n0 = spec.sizes[0], n1 = spec.sizes[1], n = X.n_rows;
  const int64_t tail_offset = spec.weight_offset(1), b0 = spec.bias_offset(0);
  const ModelSpec tail = tail_spec(spec);
  ModelSpec first{{n0, n1}, {Activation::identity}, {0.0}, spec.loss, 1.0, {}};  // X W, no bias
  const double norm = y.weights ? sum_weights(y.weights, n) : static_cast<double>(n);
  // evaluate_cost's chunks, so the loss at the centre has the same bits as the network's own.
  const int64_t block_rows = eval_chunk_rows(spec, sizeof(T));
  const int64_t block = std::min(n, block_rows);

  // products[k] = X_block W_0(source k): source 0 is the centre, then each direction.
  std::vector<std::vector<T>> products(K + 1, std::vector<T>(block * n1));
  std::vector<T> first_params(n0 * n1 + n1, T(0));
  const bool outer_parallel = n_points >= num_threads() && num_threads() > 1;
  const int n_workers = outer_parallel ? num_threads() : 1;
  // Everything the points need is allocated here: nothing is allocated inside the region.
  std::vector<std::vector<T>> theta(n_workers, std::vector<T>(P));
  std::vector<std::vector<T>> z1(n_workers, std::vector<T>(block * n1));
  std::vector<Workspace<T>> ws(n_workers);
  for (Workspace<T>& w : ws) w.reserve(tail, block);
  std::fill(out, out + n_points, 0.0);
  RegionErrors errors;

  for (int64_t start = 0; start < n && !stop_requested(stop); start += block_rows) {
    const int64_t rows = std::min(block_rows, n - start);
    for (int64_t k = 0; k <= K; ++k) {
      const T* source = k == 0 ? center : directions + (k - 1) * P;
      std::copy(source, source + n0 * n1, first_params.begin());
      dense_forward<T>(first, 0, first_params.data(), X.rows_from(start), products[k].data(),
                       rows, true);
    }
    const Targets<T> chunk = y.slice(start, spec.n_out());
#pragma omp parallel for schedule(dynamic, 1) num_threads(n_workers) if (outer_parallel)
    for (int64_t i = 0; i < n_points; ++i) {
      if (stop_requested(stop)) continue;
      errors.guard([&] {
        const int w = outer_parallel ? omp_get_thread_num() : 0;
        const double* c = coeffs + i * K;
        T* th = theta[w].data();
        combine(center, directions, K, P, c, b0, P, th);  // b_0 and the tail; W_0 is not needed
        // In T, one direction at a time, so the loops vectorise; at c = 0 z is the centre's.
        T* z = z1[w].data();
        std::copy(products[0].begin(), products[0].begin() + rows * n1, z);
        for (int64_t k = 0; k < K; ++k) {
          const T ck = static_cast<T>(c[k]);
          const T* product = products[k + 1].data();
          for (int64_t j = 0; j < rows * n1; ++j) z[j] += ck * product[j];
        }
        bias_activation_forward<T>(spec.acts[0], static_cast<T>(spec.slopes[0]), th + b0, z, rows,
                                   n1, !outer_parallel);
        out[i] += network_loss_gradient<T>(tail, th + tail_offset,
                                           Input<T>::dense_rows(z, rows, n1), rows, chunk, norm,
                                           nullptr, false, ws[w], !outer_parallel);
      });
    }
    errors.rethrow();
  }
  for (int64_t i = 0; i < n_points; ++i) out[i] = norm > 0 ? out[i] / norm : 0.0;
}

}  // namespace

template <typename T>
void losses_at(const ModelSpec& spec, const T* center, const T* directions, int64_t n_directions,
               const double* coeffs, int64_t n_points, const Input<T>& X, const Targets<T>& y,
               double* out, const StopFlag* stop) {
  // The shortcut needs a hidden layer, and pays when the input is wider than the direction count.
  if (spec.n_layers() >= 2 && spec.sizes[0] > n_directions + 1 && X.n_rows > 0)
    losses_first_layer_shared<T>(spec, center, directions, n_directions, coeffs, n_points, X, y,
                                 out, stop);
  else
    losses_direct<T>(spec, center, directions, n_directions, coeffs, n_points, X, y, out, stop);
}

template void losses_at<float>(const ModelSpec&, const float*, const float*, int64_t,
                               const double*, int64_t, const Input<float>&,
                               const Targets<float>&, double*, const StopFlag*);
template void losses_at<double>(const ModelSpec&, const double*, const double*, int64_t,
                                const double*, int64_t, const Input<double>&,
                                const Targets<double>&, double*, const StopFlag*);

}  // namespace gradfall
