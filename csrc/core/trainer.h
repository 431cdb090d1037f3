// The training loop: whole epochs of shuffled minibatches (forward, backward, update) in C++.
// Workspace, gradient buffer and batch buffers are allocated once per Trainer (once per fit);
// the rows of X are read by index, never gathered.
#pragma once
#include <cstdint>
#include <vector>

#include "core/network.h"
#include "core/optimizers.h"

namespace gradfall {

struct EpochResult {
  double loss = 0;                    // mean training loss over the epoch's samples
  std::vector<double> batch_losses;   // per batch, when recorded
  std::vector<double> grad_norms;     // per layer: mean over batches of ||(dW_l, db_l)||_2
};

template <typename T>
class Trainer {
 public:
  Trainer(const ModelSpec& spec, T* params, const T* X, int64_t n, const Targets<T>& y,
          int64_t batch_size, uint64_t seed, double l2, T* state1, T* state2, int64_t* step);
  EpochResult run_epoch(const OptimizerConfig& cfg, int64_t epoch_index, bool shuffle,
                        bool record_batches);

 private:
  ModelSpec spec_;
  T* params_;
  const T* X_;
  int64_t n_;
  Targets<T> y_;
  int64_t batch_size_;
  uint64_t seed_;
  double l2_;
  T* state1_;
  T* state2_;
  int64_t* step_;
  Workspace<T> ws_;
  std::vector<T> grads_, y_batch_, w_batch_;
  std::vector<int64_t> labels_batch_, order_;
  std::vector<double> norm_partials_;
};

// Seeded Fisher-Yates permutation of 0..n-1 (splitmix64), the same on every platform.
void shuffled_order(uint64_t seed, uint64_t epoch, std::vector<int64_t>& order);

}  // namespace gradfall
