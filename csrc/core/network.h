// A stack of dense layers over one flat parameter buffer (W_l row-major (n_in x n_out), then b_l),
// with one forward and one backward function per layer, as in llm.c.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/activations.h"
#include "core/dropout.h"
#include "core/gemm.h"
#include "core/input.h"
#include "core/stop.h"
#include "core/losses.h"
#include "core/sparse_products.h"

namespace gradfall {

struct ModelSpec {
  std::vector<int64_t> sizes;         // n_0 (features), n_1, ..., n_L (outputs)
  std::vector<Activation> acts;       // one per layer; acts.back() is the output activation
  std::vector<double> slopes;         // leaky_relu slope per layer
  Loss loss = Loss::mse;
  double output_scale = 1.0;
  std::vector<double> dropout;        // per layer: drop probability of its outputs in training
                                      // (empty: none; the output layer's must be 0)

  int64_t n_layers() const { return static_cast<int64_t>(acts.size()); }
  int64_t n_in() const { return sizes.front(); }
  int64_t n_out() const { return sizes.back(); }
  int64_t weight_offset(int64_t l) const;
  int64_t bias_offset(int64_t l) const { return weight_offset(l) + sizes[l] * sizes[l + 1]; }
  int64_t n_params() const { return weight_offset(n_layers()); }
  // Widest of n_1..n_L: a delta's row (the input, n_0, never has one: X needs no gradient).
  int64_t max_delta_width() const;
  double dropout_rate(int64_t l) const { return dropout.empty() ? 0.0 : dropout[l]; }
  void validate() const;  // throws std::invalid_argument on an inconsistent spec
};

// The network's weight matrices packed once for inference in the GEMM's panel layout (PackedB),
// for the ISA active when built; a product that finds them stale packs as usual.
template <typename T>
struct PackedWeights {
  std::vector<T> storage;
  std::vector<PackedB<T>> layers;
  void build(const ModelSpec& spec, const T* params);
  const PackedB<T>* layer(int64_t l) const { return layers.empty() ? nullptr : &layers[l]; }
};

// Activations and deltas for up to `capacity` rows, allocated once and reused for every batch.
template <typename T>
struct Workspace {
  int64_t capacity = 0;
  std::vector<int64_t> sizes;     // the layer widths it was reserved for
  std::vector<std::vector<T>> a;  // a[l] for l = 1..L (a[0] is the input, not stored)
  std::vector<T> z_out;           // output layer pre-activation (logits)
  std::vector<T> delta, delta_prev;
  SparseGradientRows input_rows;  // sparse X: the rows of dW_0 the last backward wrote
  void reserve(const ModelSpec& spec, int64_t rows);
};

// a_prev: the layer's input, rows of X for l == 0 (dense or CSR) or the previous layer's dense
// activations. x_rows: the batch is rows x_rows[0..rows) of X, read in place (null: the first
// `rows` rows); it only applies where a_prev is X. dropout_key: training with dropout, the
// batch's key (dropout_step_key); null: evaluation, no dropout.

// z = a_prev W + b, a = f(z): bias and activation fused into the product's epilogue, and with a
// mask, inverted dropout a = f(z) * keep / (1 - p) too.
template <typename T>
void dense_forward(const ModelSpec& spec, int64_t l, const T* params, const Input<T>& a_prev,
                   T* a_out, int64_t rows, bool parallel, const int64_t* x_rows = nullptr,
                   const DropoutMask* mask = nullptr, const PackedB<T>* packed_W = nullptr);

// dW (+)= a_prev^T dZ, db (+)= colsum dZ, and, when dZ_prev is not null (l > 0, a dense a_prev),
// dZ_prev = (dZ W^T) * f'_{l-1}, the previous layer's derivative (and the mask that dropped its
// outputs, prev_mask) applied in the GEMM epilogue. written: see sparse_transpose_times.
template <typename T>
void dense_backward(const ModelSpec& spec, int64_t l, const T* params, const Input<T>& a_prev,
                    const T* dZ, T* grads, T* dZ_prev, int64_t rows, bool accumulate,
                    bool parallel, const int64_t* x_rows = nullptr,
                    const DropoutMask* prev_mask = nullptr,
                    SparseGradientRows* written = nullptr);

// Forward through every layer for `rows` rows of X; the output lands in ws.a[L] (and the logits
// in ws.z_out; with want_output=false only the logits are computed).
template <typename T>
void network_forward(const ModelSpec& spec, const T* params, const Input<T>& X, int64_t rows,
                     Workspace<T>& ws, bool parallel, const int64_t* x_rows = nullptr,
                     bool want_output = true, const uint64_t* dropout_key = nullptr,
                     const PackedWeights<T>* packed = nullptr);

// One batch: forward, output loss, backward. Returns sum_i w_i loss_i. grads (+)= d(cost)/dparams
// where cost = sum_i w_i loss_i / norm.
template <typename T>
double network_loss_gradient(const ModelSpec& spec, const T* params, const Input<T>& X,
                             int64_t rows, const Targets<T>& y, double norm, T* grads,
                             bool accumulate, Workspace<T>& ws, bool parallel,
                             const int64_t* x_rows = nullptr,
                             const uint64_t* dropout_key = nullptr);

// sklearn-style L2 on weights only: returns 0.5*l2*sum W^2 / norm and adds l2*W/norm to grads.
template <typename T>
double l2_penalty(const ModelSpec& spec, const T* params, double l2, double norm, T* grads);

// Rows per chunk when evaluating all n samples (evaluate_cost, predict_outputs, landscapes): one
// owner, so every whole-data evaluation sums its chunks the same way.
int64_t eval_chunk_rows(const ModelSpec& spec, size_t elem_bytes);

// Whole-data evaluation of all X.n_rows rows in row chunks: returns the cost (sum w_i loss_i /
// sum w_i + L2 term) and writes the gradient when grads is not null. A stop request ends it
// between chunks (the result is then partial: the caller discards it).
template <typename T>
double evaluate_cost(const ModelSpec& spec, const T* params, const Input<T>& X,
                     const Targets<T>& y, double l2, T* grads, bool parallel,
                     const StopFlag* stop = nullptr);

// Output activations for all X.n_rows rows into out (n x n_out); a stop request ends it between
// row chunks. With packed weights and 2+ threads, from 2 blocks of at least 64 rows per thread,
// the threads take whole blocks of rows (sized to L2) through every layer; otherwise every
// product is shared by the threads, chunk after chunk. Both give the same bits. check_finite: a
// dense X holding NaN or infinity throws std::invalid_argument (block by block on the first path).
template <typename T>
void predict_outputs(const ModelSpec& spec, const T* params, const Input<T>& X, T* out,
                     bool parallel, const StopFlag* stop = nullptr,
                     const PackedWeights<T>* packed = nullptr, bool check_finite = false);

double sum_weights(const float* w, int64_t n);
double sum_weights(const double* w, int64_t n);

}  // namespace gradfall
