// The training loop: whole epochs of shuffled minibatches (forward, backward, update) in C++.
// Workspace, gradient buffer and batch buffers are allocated once per Trainer (once per fit);
// the rows of X (dense or CSR) are read by index, never gathered. Data-parallel training (one
// shard of the rows per process) sums each batch's gradient across the processes before the
// update, through a hook the caller provides (an MPI allreduce).
#pragma once
#include <cstdint>
#include <shared_mutex>
#include <vector>

#include "core/network.h"
#include "core/optimizers.h"

namespace gradfall {

struct EpochOptions {
  int64_t epoch_index = 0;      // keys the shuffle: epoch e of a seed always visits rows alike
  bool shuffle = true;
  bool record_batches = false;  // keep every batch's loss in EpochResult::batch_losses
  // A batch whose loss or gradient is not finite stops the epoch before its update.
  bool stop_on_nonfinite = true;
  const StopFlag* stop = nullptr;             // checked between batches (Ctrl-C)
  std::shared_mutex* params_mutex = nullptr;  // held exclusively while an update writes params
};

// Sums buffers across the processes of data-parallel training, in place (an allreduce): every
// process calls it at the same points with buffers of the same length and gets the same sums.
// A sum that fails throws; the epoch then ends with that exception.
struct CrossProcessSum {
  void (*sum_float)(void* context, float* values, int64_t n) = nullptr;
  void (*sum_double)(void* context, double* values, int64_t n) = nullptr;
  void* context = nullptr;
  void operator()(float* values, int64_t n) const { sum_float(context, values, n); }
  void operator()(double* values, int64_t n) const { sum_double(context, values, n); }
};

// This process's place in data-parallel training. Global batch j takes, from each process's
// shard (in its epoch order), the rows [floor(j B n_k / N), floor((j+1) B n_k / N)) (the last
// batch: up to n_k), B the global batch size and N the rows of all shards: every batch is
// split across the processes in proportion to their shards, and with one process it is rows
// [jB, (j+1)B) as in single-process training.
struct DataParallel {
  std::vector<int64_t> shard_rows;  // every process's rows, by rank
  int64_t rank = 0;
  CrossProcessSum sum;
};

// What each process adds to the summed gradient buffer after the gradient: its batch loss sum
// over the batch's global weight, and its vote to stop (Ctrl-C), so one sum carries all three.
constexpr int64_t kReducedScalars = 2;

enum class StopReason { completed, diverged, interrupted };

struct EpochResult {
  double loss = 0;                    // mean training loss over the batches done
  std::vector<double> batch_losses;   // per batch, when recorded
  std::vector<double> grad_norms;     // per layer: mean over batches of ||(dW_l, db_l)||_2
  StopReason stop = StopReason::completed;
  int64_t batches_done = 0;           // batches whose update was applied
  double failed_loss = 0;             // the loss of the batch that stopped the epoch
  // Mean loss of the trainer's first batches, at least kStartSamples rows (or all n): where
  // training started, to tell divergence from noise. NaN until that many rows were seen.
  double start_loss = 0;
};

constexpr int64_t kStartSamples = 32;
// A batch of more rows is computed in blocks of this many whose gradients are summed: the
// workspace is O(block x widths) whatever the batch size. Batches up to it give the same bits
// as one pass; larger ones the same gradient to rounding (another order of the row sums).
constexpr int64_t kTrainBlockRows = 4096;

template <typename T>
class Trainer {
 public:
  // parallel: null for single-process training; else batch_size is the global batch size.
  Trainer(const ModelSpec& spec, T* params, const Input<T>& X, const Targets<T>& y,
          int64_t batch_size, uint64_t seed, double l2, const DataParallel* parallel = nullptr);
  EpochResult run_epoch(const OptimizerConfig& cfg, const OptimizerBuffers<T>& state,
                        const EpochOptions& options);
  // Rows of every batch of an epoch, over all processes' shards.
  std::vector<int64_t> batch_sizes() const;

 private:
  ModelSpec spec_;
  T* params_;
  Input<T> X_;
  int64_t n_;
  Targets<T> y_;
  int64_t batch_size_;
  int64_t n_batches_ = 0;
  bool distributed_ = false;
  DataParallel parallel_;
  int64_t global_rows_ = 0;
  bool has_dropout_ = false;
  uint64_t seed_;
  double l2_;
  double start_sum_ = 0, start_weight_ = 0;  // the first kStartSamples rows' loss (see start_loss)
  int64_t start_rows_ = 0;
  Workspace<T> ws_;
  std::vector<T> grads_, y_batch_, w_batch_;
  std::vector<int64_t> labels_batch_, order_;
  std::vector<double> norm_partials_, batch_norms_;
  // Data-parallel: every batch's rows and weight over all shards.
  std::vector<double> global_batch_rows_, batch_weights_;

  // Where batch j starts in this process's rows (in the epoch's order); j = n_batches_: n_.
  int64_t batch_begin(int64_t j) const;
  int64_t batch_rows(int64_t j) const { return batch_begin(j + 1) - batch_begin(j); }
  // Sum of the sample weights of rows [start, start + rows) of the epoch's order (or rows).
  double rows_weight(int64_t start, int64_t rows, bool shuffle) const;
  // Data-parallel: each batch's weight over every shard into batch_weights_ (one sum across the
  // processes per epoch when the rows are weighted, else the rows counted at construction).
  void global_batch_weights(bool shuffle);
  // Sums the gradient and the scalars after it across the processes; returns this batch's
  // loss over its weight, and sets stop when any process voted to stop.
  double sum_across_processes(double local_sum, double norm, bool& stop);

  void record_start(double batch_cost, double norm, int64_t rows);
  // Rows [start, start + rows) of the epoch's order as the forward pass reads them (X by index
  // when shuffled, never copied) and their targets (gathered into the block buffers).
  Targets<T> block_targets(int64_t start, int64_t rows, bool shuffle);
  // Forward and backward over one batch, block by block; returns sum_i w_i loss_i.
  double batch_loss_gradient(int64_t start, int64_t rows, double norm, bool shuffle,
                             uint64_t dropout_key);
};

// Seeded Fisher-Yates permutation of 0..n-1 (splitmix64), the same on every platform.
void shuffled_order(uint64_t seed, uint64_t epoch, std::vector<int64_t>& order);

}  // namespace gradfall
