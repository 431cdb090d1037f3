// The training loop: whole epochs of shuffled minibatches (forward, backward, update) in C++.
// Workspace, gradient buffer and batch buffers are allocated once per Trainer (once per fit);
// the rows of X (dense or CSR) are read by index, never gathered.
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
  Trainer(const ModelSpec& spec, T* params, const Input<T>& X, const Targets<T>& y,
          int64_t batch_size, uint64_t seed, double l2);
  EpochResult run_epoch(const OptimizerConfig& cfg, const OptimizerBuffers<T>& state,
                        const EpochOptions& options);

 private:
  ModelSpec spec_;
  T* params_;
  Input<T> X_;
  int64_t n_;
  Targets<T> y_;
  int64_t batch_size_;
  int64_t n_batches_ = 0;
  bool has_dropout_ = false;
  uint64_t seed_;
  double l2_;
  double start_sum_ = 0, start_weight_ = 0;  // the first kStartSamples rows' loss (see start_loss)
  int64_t start_rows_ = 0;
  Workspace<T> ws_;
  std::vector<T> grads_, y_batch_, w_batch_;
  std::vector<int64_t> labels_batch_, order_;
  std::vector<double> norm_partials_, batch_norms_;

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
