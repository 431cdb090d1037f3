#include "core/network.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/cache_info.h"
#include "core/dispatch.h"
#include "core/finite.h"
#include "core/gemm.h"
#include "core/sparse_products.h"
#include "core/threads.h"

namespace gradfall {

constexpr const char* kNonFiniteX = "X contains NaN or infinite values";
// Up to this many rows predict_outputs keeps its workspace per thread (a few KiB per layer).
constexpr int64_t kFewRowsWorkspace = 64;
// Rows per thread block wanted at least: smaller blocks are dealt out only when the call has too
// few rows to give each thread one this size (measured on 784-1024-1024-10 at 128 rows: 32-row
// blocks 7% slower than 64; at 64 rows, two 32-row blocks 6% faster than layer-shared products).
constexpr int64_t kMinThreadBlockRows = 64;

// Chunks the GEMM reads in place (no packing of the wide input) pay while the weights are small
// enough that re-packing them for every chunk is cheap; larger weight matrices are better
// amortised over 2048 rows.
int64_t eval_chunk_rows(const ModelSpec& spec, size_t elem_bytes) {
  int64_t largest_weights = 0;
  for (int64_t l = 0; l < spec.n_layers(); ++l)
    largest_weights = std::max(largest_weights, spec.sizes[l] * spec.sizes[l + 1]);
  const bool wide_input = spec.n_in() >= 256;
  const bool small_weights = largest_weights * static_cast<int64_t>(elem_bytes) <= (1 << 20);
  return wide_input && small_weights ? kGemmInPlaceRows : 2048;
}

int64_t ModelSpec::weight_offset(int64_t l) const {
  int64_t offset = 0;
  for (int64_t i = 0; i < l; ++i) offset += sizes[i] * sizes[i + 1] + sizes[i + 1];
  return offset;
}

int64_t ModelSpec::max_delta_width() const {
  return *std::max_element(sizes.begin() + 1, sizes.end());
}

void ModelSpec::validate() const {
  if (sizes.size() < 2) throw std::invalid_argument("a network needs at least one layer");
  if (acts.size() + 1 != sizes.size() || slopes.size() != acts.size())
    throw std::invalid_argument("one activation and one slope per layer are required");
  for (int64_t s : sizes)
    if (s < 1) throw std::invalid_argument("layer sizes must be >= 1, got " + std::to_string(s));
  // Every offset of the flat layout must fit an int64: checked once here, so weight_offset and
  // the buffers sized from it never overflow.
  int64_t total = 0;
  for (size_t l = 0; l + 1 < sizes.size(); ++l) {
    const int64_t limit = std::numeric_limits<int64_t>::max();
    if (sizes[l] > (limit - sizes[l + 1]) / sizes[l + 1] ||
        total > limit - (sizes[l] * sizes[l + 1] + sizes[l + 1]))
      throw std::invalid_argument("the network is too large: its parameter count does not fit a "
                                  "64-bit integer");
    total += sizes[l] * sizes[l + 1] + sizes[l + 1];
  }
  for (size_t l = 0; l + 1 < acts.size(); ++l)
    if (acts[l] == Activation::softmax || acts[l] == Activation::exp)
      throw std::invalid_argument("softmax and exp are only allowed on the output layer");
  if (!dropout.empty()) {
    if (dropout.size() != acts.size())
      throw std::invalid_argument("one dropout rate per layer is required");
    for (double p : dropout)
      if (!(p >= 0 && p < 1)) throw std::invalid_argument("dropout rates must be in [0, 1)");
    if (dropout.back() != 0) throw std::invalid_argument("the output layer cannot have dropout");
  }
}

template <typename T>
void Workspace<T>::reserve(const ModelSpec& spec, int64_t rows) {
  if (rows <= capacity && sizes == spec.sizes) return;
  if (sizes != spec.sizes) capacity = 0;  // another network: nothing of the old shape is kept
  sizes = spec.sizes;
  capacity = std::max(rows, capacity);
  a.assign(spec.n_layers() + 1, {});
  for (int64_t l = 1; l <= spec.n_layers(); ++l) a[l].resize(capacity * spec.sizes[l]);
  z_out.resize(capacity * spec.n_out());
  delta.resize(capacity * spec.max_delta_width());
  delta_prev.resize(capacity * spec.max_delta_width());
}

namespace {

// out = a_prev W_l, each finished row passed through the epilogue: the GEMM over a dense block,
// the sparse product over CSR rows.
template <typename T>
void layer_product(const ModelSpec& spec, int64_t l, const T* params, const Input<T>& a_prev,
                   T* out, int64_t rows, bool parallel, const int64_t* x_rows,
                   const GemmEpilogue<T>* epi, const PackedB<T>* packed_W = nullptr) {
  const int64_t n_in = spec.sizes[l], n_out = spec.sizes[l + 1];
  const T* W = params + spec.weight_offset(l);
  if (a_prev.is_sparse()) {
    sparse_times_dense<T>(a_prev.csr, x_rows, rows, W, n_out, out, parallel, epi);
    return;
  }
  GemmShape shape{false, false, rows, n_out, n_in, x_rows};
  gemm<T>(shape, a_prev.dense, n_in, W, n_out, out, n_out, false, parallel, epi, packed_W);
}

}  // namespace

template <typename T>
void dense_forward(const ModelSpec& spec, int64_t l, const T* params, const Input<T>& a_prev,
                   T* a_out, int64_t rows, bool parallel, const int64_t* x_rows,
                   const DropoutMask* mask, const PackedB<T>* packed_W) {
  GemmEpilogue<T> epi;
  epi.op = map_op(spec.acts[l]);
  epi.slope = static_cast<T>(spec.slopes[l]);
  epi.bias = params + spec.bias_offset(l);
  epi.dropout = mask;
  layer_product<T>(spec, l, params, a_prev, a_out, rows, parallel, x_rows, &epi, packed_W);
  if (spec.acts[l] == Activation::softmax)
    bias_activation_forward<T>(Activation::softmax, T(0), nullptr, a_out, rows, spec.sizes[l + 1],
                               parallel);
}

template <typename T>
void dense_backward(const ModelSpec& spec, int64_t l, const T* params, const Input<T>& a_prev,
                    const T* dZ, T* grads, T* dZ_prev, int64_t rows, bool accumulate,
                    bool parallel, const int64_t* x_rows, const DropoutMask* prev_mask,
                    SparseGradientRows* written) {
  const int64_t n_in = spec.sizes[l], n_out = spec.sizes[l + 1];
  T* dW = grads + spec.weight_offset(l);
  T* db = grads + spec.bias_offset(l);
  if (a_prev.is_sparse()) {
    if (dZ_prev) throw std::invalid_argument("a sparse layer input is data: it has no gradient");
    sparse_transpose_times<T>(a_prev.csr, x_rows, rows, n_in, dZ, n_out, dW, accumulate,
                              parallel, written);
  } else {
    GemmShape dw_shape{true, false, n_in, n_out, rows, x_rows};
    gemm<T>(dw_shape, a_prev.dense, n_in, dZ, n_out, dW, n_out, accumulate, parallel);
  }
  // Column sums in row order with the ISA's vector add: the order never depends on threads.
  const kernels::MicroKernel<T>& uk = kernels::pick<T>(active_kernels());
  if (!accumulate) std::fill(db, db + n_out, T(0));
  for (int64_t i = 0; i < rows; ++i) uk.bias_map(kernels::MapOp::identity, T(0), dZ + i * n_out, db, n_out);
  if (dZ_prev) {
    // dZ_prev = (dZ W^T) * f'(z_prev): the derivative is applied to each tile while it is hot.
    const T* W = params + spec.weight_offset(l);
    GemmEpilogue<T> epi;
    epi.op = map_op(spec.acts[l - 1]);
    epi.slope = static_cast<T>(spec.slopes[l - 1]);
    epi.grad_of = a_prev.dense;
    epi.ld_grad = n_in;
    epi.dropout = prev_mask;
    const bool needed = epi.op != kernels::MapOp::identity || prev_mask;
    gemm<T>({false, true, rows, n_in, n_out}, dZ, n_out, W, n_out, dZ_prev, n_in, false, parallel,
            needed ? &epi : nullptr);
  }
}

template <typename T>
void network_forward(const ModelSpec& spec, const T* params, const Input<T>& X, int64_t rows,
                     Workspace<T>& ws, bool parallel, const int64_t* x_rows, bool want_output,
                     const uint64_t* dropout_key, const PackedWeights<T>* packed) {
  const int64_t L = spec.n_layers();
  Input<T> input = X;
  for (int64_t l = 0; l < L; ++l) {
    const int64_t* gather = l == 0 ? x_rows : nullptr;
    T* out = ws.a[l + 1].data();
    if (l + 1 == L) {
      // Keep the logits: stable losses are computed from z, not from f(z).
      const int64_t n_out = spec.n_out();
      GemmEpilogue<T> epi;
      epi.bias = params + spec.bias_offset(l);
      T* z = ws.z_out.data();
      layer_product<T>(spec, l, params, input, z, rows, parallel, gather, &epi,
                       packed ? packed->layer(l) : nullptr);
      if (want_output) {
        std::memcpy(out, z, sizeof(T) * rows * n_out);
        bias_activation_forward<T>(spec.acts[l], static_cast<T>(spec.slopes[l]), nullptr, out,
                                   rows, n_out, parallel);
      }
    } else if (dropout_key && spec.dropout_rate(l) > 0) {
      const DropoutMask mask(spec.dropout_rate(l), *dropout_key, l);
      dense_forward<T>(spec, l, params, input, out, rows, parallel, gather, &mask);
    } else {
      dense_forward<T>(spec, l, params, input, out, rows, parallel, gather, nullptr,
                       packed ? packed->layer(l) : nullptr);
    }
    input = Input<T>::dense_rows(out, rows, spec.sizes[l + 1]);
  }
}

template <typename T>
double network_loss_gradient(const ModelSpec& spec, const T* params, const Input<T>& X,
                             int64_t rows, const Targets<T>& y, double norm, T* grads,
                             bool accumulate, Workspace<T>& ws, bool parallel,
                             const int64_t* x_rows, const uint64_t* dropout_key) {
  const int64_t L = spec.n_layers();
  // Cross-entropy computes its softmax from the logits itself (fused with its gradient).
  const bool need_output = spec.loss != Loss::cross_entropy;
  network_forward<T>(spec, params, X, rows, ws, parallel, x_rows, need_output, dropout_key);
  T* dZ = ws.delta.data();
  const double total =
      output_loss<T>(spec.loss, spec.acts.back(), static_cast<T>(spec.output_scale),
                     ws.z_out.data(), ws.a[L].data(), rows, spec.n_out(), y, norm,
                     grads ? dZ : nullptr, parallel);
  if (!grads) return total;
  for (int64_t l = L - 1; l >= 0; --l) {
    const Input<T> a_prev = l == 0 ? X : Input<T>::dense_rows(ws.a[l].data(), rows, spec.sizes[l]);
    T* dZ_prev = l == 0 ? nullptr : ws.delta_prev.data();
    const bool dropped = dropout_key && l > 0 && spec.dropout_rate(l - 1) > 0;
    const DropoutMask prev_mask(dropped ? spec.dropout_rate(l - 1) : 0.0,
                                dropout_key ? *dropout_key : 0, l - 1);
    dense_backward<T>(spec, l, params, a_prev, dZ, grads, dZ_prev, rows, accumulate, parallel,
                      l == 0 ? x_rows : nullptr, dropped ? &prev_mask : nullptr,
                      l == 0 ? &ws.input_rows : nullptr);
    if (l > 0) {
      std::swap(ws.delta, ws.delta_prev);
      dZ = ws.delta.data();
    }
  }
  return total;
}

template <typename T>
double l2_penalty(const ModelSpec& spec, const T* params, double l2, double norm, T* grads) {
  if (l2 == 0.0 || norm <= 0) return 0.0;
  double squares = 0;
  const T factor = static_cast<T>(l2 / norm);
  for (int64_t l = 0; l < spec.n_layers(); ++l) {
    const int64_t offset = spec.weight_offset(l), count = spec.sizes[l] * spec.sizes[l + 1];
    for (int64_t i = offset; i < offset + count; ++i) {
      squares += static_cast<double>(params[i]) * params[i];
      if (grads) grads[i] += factor * params[i];
    }
  }
  return 0.5 * l2 * squares / norm;
}

double sum_weights(const float* w, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += w[i];
  return s;
}
double sum_weights(const double* w, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += w[i];
  return s;
}

template <typename T>
double evaluate_cost(const ModelSpec& spec, const T* params, const Input<T>& X,
                     const Targets<T>& y, double l2, T* grads, bool parallel,
                     const StopFlag* stop) {
  const int64_t n = X.n_rows;
  const double norm = y.weights ? sum_weights(y.weights, n) : static_cast<double>(n);
  const int64_t chunk_rows = eval_chunk_rows(spec, sizeof(T));
  Workspace<T> ws;
  ws.reserve(spec, std::min(n, chunk_rows));
  double total = 0;
  for (int64_t start = 0; start < n && !stop_requested(stop); start += chunk_rows) {
    const int64_t rows = std::min(chunk_rows, n - start);
    total += network_loss_gradient<T>(spec, params, X.rows_from(start), rows,
                                      y.slice(start, spec.n_out()), norm,
                                      grads, start > 0, ws, parallel);
  }
  const double cost = norm > 0 ? total / norm : 0.0;
  return cost + l2_penalty<T>(spec, params, l2, norm, grads);
}

namespace {

// Rows per block when each thread runs whole blocks through every layer: the widest pair of
// consecutive activations of a block fills half of L2 (64..512 rows).
int64_t thread_block_rows(const ModelSpec& spec, size_t elem_bytes) {
  int64_t widest = 0;
  for (int64_t l = 0; l < spec.n_layers(); ++l)
    widest = std::max(widest, spec.sizes[l] + spec.sizes[l + 1]);
  const int64_t fit = cache_sizes().l2 / 2 / (widest * static_cast<int64_t>(elem_bytes));
  return std::clamp<int64_t>(fit, kMinThreadBlockRows, 512);
}

// Many rows with the weights packed: each thread takes whole blocks of rows through every layer
// with single-threaded products (no barrier between layers, activations kept in its own cache),
// the blocks dealt out dynamically. Each row is computed by one thread with the products' fixed
// summation order, so the bits are those of the layer-parallel path.
template <typename T>
void predict_thread_blocks(const ModelSpec& spec, const T* params, const Input<T>& X, T* out,
                           const StopFlag* stop, const PackedWeights<T>& packed, int nt,
                           int64_t block, bool check_finite) {
  const int64_t n = X.n_rows, k = spec.n_out();
  const int64_t n_blocks = (n + block - 1) / block;
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
#pragma omp parallel num_threads(nt)
  {
    Workspace<T> ws;
#pragma omp for schedule(dynamic, 1)
    for (int64_t c = 0; c < n_blocks; ++c) {
      if (failed.load(std::memory_order_relaxed) || stop_requested(stop)) continue;
      try {
        const int64_t start = c * block, rows = std::min(block, n - start);
        // Checked here, while the block's rows are in cache for the first product.
        if (check_finite && !all_finite<T>(X.dense + start * spec.n_in(), rows * spec.n_in()))
          throw std::invalid_argument(kNonFiniteX);
        ws.reserve(spec, rows);
        network_forward<T>(spec, params, X.rows_from(start), rows, ws, false, nullptr, true,
                           nullptr, &packed);
        std::memcpy(out + start * k, ws.a[spec.n_layers()].data(), sizeof(T) * rows * k);
      } catch (...) {
#pragma omp critical(gradfall_predict_failure)
        if (!failed.exchange(true)) failure = std::current_exception();
      }
    }
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

template <typename T>
void predict_outputs(const ModelSpec& spec, const T* params, const Input<T>& X, T* out,
                     bool parallel, const StopFlag* stop, const PackedWeights<T>* packed,
                     bool check_finite) {
  const int64_t n = X.n_rows;
  check_finite = check_finite && !X.is_sparse();
  const int nt = parallel && !omp_in_parallel() ? num_threads() : 1;
  // Two blocks per thread, but none under kMinThreadBlockRows rows unless that would leave a
  // thread idle; a thread's rows must outnumber kFewRows, or its products would not read the
  // packed weights.
  const int64_t per_thread = (n + nt - 1) / nt;
  const int64_t block =
      std::min(thread_block_rows(spec, sizeof(T)),
               std::max((n + 2 * nt - 1) / (2 * nt), std::min(per_thread, kMinThreadBlockRows)));
  if (packed && nt > 1 && !X.is_sparse() && per_thread > kFewRows) {
    predict_thread_blocks<T>(spec, params, X, out, stop, *packed, nt, block, check_finite);
    return;
  }
  if (check_finite && !all_finite<T>(X.dense, n * spec.n_in()))
    throw std::invalid_argument(kNonFiniteX);
  const int64_t chunk_rows = eval_chunk_rows(spec, sizeof(T));
  // A few rows (a served request) reuse the calling thread's workspace: no allocation per call.
  thread_local Workspace<T> few_rows_ws;
  Workspace<T> own_ws;
  Workspace<T>& ws = n <= kFewRowsWorkspace ? few_rows_ws : own_ws;
  ws.reserve(spec, std::min(n, chunk_rows));
  const int64_t k = spec.n_out();
  for (int64_t start = 0; start < n && !stop_requested(stop); start += chunk_rows) {
    const int64_t rows = std::min(chunk_rows, n - start);
    network_forward<T>(spec, params, X.rows_from(start), rows, ws, parallel, nullptr, true,
                       nullptr, packed);
    std::memcpy(out + start * k, ws.a[spec.n_layers()].data(), sizeof(T) * rows * k);
  }
}

template <typename T>
void PackedWeights<T>::build(const ModelSpec& spec, const T* params) {
  int64_t total = 0;
  for (int64_t l = 0; l < spec.n_layers(); ++l)
    total += packed_b_values<T>(spec.sizes[l], spec.sizes[l + 1]);
  storage.assign(total, T(0));
  layers.clear();
  T* out = storage.data();
  for (int64_t l = 0; l < spec.n_layers(); ++l) {
    const int64_t K = spec.sizes[l], N = spec.sizes[l + 1];
    layers.push_back(pack_b_once<T>(params + spec.weight_offset(l), N, K, N, out));
    out += packed_b_values<T>(K, N);
  }
}

#define GRADFALL_INSTANTIATE(T)                                                                   \
  template struct Workspace<T>;                                                                   \
  template struct PackedWeights<T>;                                                               \
  template void dense_forward<T>(const ModelSpec&, int64_t, const T*, const Input<T>&, T*,        \
                                 int64_t, bool, const int64_t*, const DropoutMask*,               \
                                 const PackedB<T>*);                                              \
  template void dense_backward<T>(const ModelSpec&, int64_t, const T*, const Input<T>&, const T*, \
                                  T*, T*, int64_t, bool, bool, const int64_t*,                    \
                                  const DropoutMask*, SparseGradientRows*);                       \
  template void network_forward<T>(const ModelSpec&, const T*, const Input<T>&, int64_t,          \
                                   Workspace<T>&, bool, const int64_t*, bool, const uint64_t*,    \
                                   const PackedWeights<T>*);                                      \
  template double network_loss_gradient<T>(const ModelSpec&, const T*, const Input<T>&, int64_t,  \
                                           const Targets<T>&, double, T*, bool, Workspace<T>&,    \
                                           bool, const int64_t*, const uint64_t*);                \
  template double l2_penalty<T>(const ModelSpec&, const T*, double, double, T*);                  \
  template double evaluate_cost<T>(const ModelSpec&, const T*, const Input<T>&, const Targets<T>&, \
                                   double, T*, bool, const StopFlag*);                            \
  template void predict_outputs<T>(const ModelSpec&, const T*, const Input<T>&, T*, bool,         \
                                   const StopFlag*, const PackedWeights<T>*, bool);

GRADFALL_INSTANTIATE(float)
GRADFALL_INSTANTIATE(double)

}  // namespace gradfall
