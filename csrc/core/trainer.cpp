#include "core/trainer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <stdexcept>

#include "core/dispatch.h"
#include "kernels/sum_squares.h"

namespace gradfall {
namespace {

inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// High 64 bits of the 128-bit product a * b, from 32-bit halves: no 128-bit integer type needed.
inline uint64_t multiply_high(uint64_t a, uint64_t b) {
  const uint64_t a_low = a & 0xFFFFFFFFull, a_high = a >> 32;
  const uint64_t b_low = b & 0xFFFFFFFFull, b_high = b >> 32;
  const uint64_t low_low = a_low * b_low, high_low = a_high * b_low;
  const uint64_t low_high = a_low * b_high, high_high = a_high * b_high;
  // At most 2 * (2^32 - 1) + (2^32 - 1)^2 = 2^64 - 1: the middle column cannot overflow.
  const uint64_t middle = (low_low >> 32) + (high_low & 0xFFFFFFFFull) + low_high;
  return high_high + (high_low >> 32) + (middle >> 32);
}

// Sum of squares in double, kernels::kSquareSlots interleaved partial sums: float32 through the
// active ISA's kernel (the same bits on every ISA), float64 in the baseline build, where no fused
// multiply-add changes the rounding of its squares (sum_squares_of_rows below mirrors it).
double sum_squares_of(const float* x, int64_t n) { return active_kernels().sum_squares_f32(x, n); }
double sum_squares_of(const double* x, int64_t n) { return sum_squares<double>(x, n); }

constexpr int64_t kChunk = 1 << 14;

// Sum of squares of x[0..n) in fixed chunks whose partial sums are added in chunk order: the
// same bits for any thread count, and large layers are shared between the threads.
template <typename T>
double chunked_sum_squares(const T* x, int64_t n, std::vector<double>& partial) {
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  partial.resize(chunks);
  const bool threaded = chunks >= 8 && num_threads() > 1;
#pragma omp parallel for schedule(static) num_threads(num_threads()) if (threaded)
  for (int64_t c = 0; c < chunks; ++c)
    partial[c] = sum_squares_of(x + c * kChunk, std::min(kChunk, n - c * kChunk));
  double total = 0;
  for (int64_t c = 0; c < chunks; ++c) total += partial[c];
  return total;
}

// chunked_sum_squares of x[0..n) when only rows `rows` (ascending, `width` values each) and
// the values from dense_from on can be non-zero: the same bits, since a zero adds nothing to
// the same accumulators. Each value goes where sum_squares puts it: slot q % S of its chunk, or
// slot 0 in the chunk's tail past its last whole group of S.
template <typename T>
double sum_squares_of_rows(const T* x, int64_t n, int64_t width, const std::vector<int64_t>& rows,
                           int64_t dense_from) {
  constexpr int S = kernels::kSquareSlots;
  double total = 0, acc[S] = {};
  int64_t chunk = 0;
  const auto close_chunk = [&]() {
    for (int half = S / 2; half > 0; half /= 2)
      for (int j = 0; j < half; ++j) acc[j] += acc[j + half];
    total += acc[0];
    std::fill(acc, acc + S, 0.0);
  };
  const auto square = [x](int64_t i) {
    return static_cast<double>(x[i]) * static_cast<double>(x[i]);
  };
  const auto add_range = [&](int64_t begin, int64_t end) {
    while (begin < end) {
      if (begin / kChunk != chunk) {
        close_chunk();
        chunk = begin / kChunk;
      }
      // Chunks start at multiples of S, so a value's slot is its index mod S.
      const int64_t chunk_end = std::min(n, (chunk + 1) * kChunk), stop = std::min(end, chunk_end);
      const int64_t whole_end = std::min(stop, chunk_end - (chunk_end - chunk * kChunk) % S);
      int64_t i = begin;
      for (; i < whole_end; ++i) acc[i % S] += square(i);
      for (; i < stop; ++i) acc[0] += square(i);
      begin = stop;
    }
  };
  for (int64_t r : rows) add_range(r * width, (r + 1) * width);
  add_range(dense_from, n);
  close_chunk();
  return total;
}

}  // namespace

void shuffled_order(uint64_t seed, uint64_t epoch, std::vector<int64_t>& order) {
  const int64_t n = static_cast<int64_t>(order.size());
  for (int64_t i = 0; i < n; ++i) order[i] = i;
  uint64_t state = seed * 0xD1B54A32D192ED03ull + epoch;
  for (int64_t i = n - 1; i > 0; --i) {
    const uint64_t r = splitmix64(state);
    // floor(r * (i + 1) / 2^64): r scaled to an index in [0, i].
    const int64_t j = static_cast<int64_t>(multiply_high(r, static_cast<uint64_t>(i + 1)));
    std::swap(order[i], order[j]);
  }
}

namespace {

// floor(a * b / c) for 0 <= a, b <= c, c > 0, exact: the 128-bit product (multiply_high and
// the low word) divided by long division, since a * b may overflow 64 bits.
int64_t scaled_floor(int64_t a, int64_t b, int64_t c) {
  const uint64_t high = multiply_high(static_cast<uint64_t>(a), static_cast<uint64_t>(b));
  const uint64_t low = static_cast<uint64_t>(a) * static_cast<uint64_t>(b);
  const uint64_t divisor = static_cast<uint64_t>(c);
  uint64_t remainder = high % divisor, quotient = 0;  // high < c as a * b <= c * c
  for (int bit = 63; bit >= 0; --bit) {
    const bool carry = remainder >> 63;
    remainder = (remainder << 1) | ((low >> bit) & 1);
    quotient <<= 1;
    if (carry || remainder >= divisor) {
      remainder -= divisor;
      quotient |= 1;
    }
  }
  return static_cast<int64_t>(quotient);
}

}  // namespace

template <typename T>
Trainer<T>::Trainer(const ModelSpec& spec, T* params, const Input<T>& X, const Targets<T>& y,
                    int64_t batch_size, uint64_t seed, double l2, const DataParallel* parallel)
    : spec_(spec), params_(params), X_(X), n_(X.n_rows), y_(y), batch_size_(batch_size),
      seed_(seed), l2_(l2) {
  global_rows_ = n_;
  if (parallel) {
    const auto& shards = parallel->shard_rows;
    if (parallel->rank < 0 || parallel->rank >= static_cast<int64_t>(shards.size()) ||
        shards[parallel->rank] != n_ || !parallel->sum.sum_float || !parallel->sum.sum_double)
      throw std::invalid_argument("data-parallel training: this process's shard is not the one "
                                  "described, or no sum across processes was given");
    global_rows_ = 0;
    for (int64_t rows : shards) {
      if (rows < 0) throw std::invalid_argument("data-parallel training: a negative shard size");
      global_rows_ += rows;
    }
    distributed_ = true;
    parallel_ = *parallel;
    // Each process draws its own shuffles and dropout masks (process 0 those of one process).
    seed_ = seed ^ mix64(static_cast<uint64_t>(parallel->rank));
  }
  batch_size_ = std::min(batch_size, global_rows_);
  n_batches_ = (global_rows_ + batch_size_ - 1) / batch_size_;
  int64_t widest = 1;
  for (int64_t j = 0; j < n_batches_; ++j) widest = std::max(widest, batch_rows(j));
  const int64_t block = std::min(widest, kTrainBlockRows);
  ws_.reserve(spec_, block);
  for (int64_t l = 0; l < spec_.n_layers(); ++l)
    has_dropout_ = has_dropout_ || spec_.dropout_rate(l) > 0;
  // The sums across processes carry kReducedScalars values after the gradient.
  grads_.assign(spec_.n_params() + kReducedScalars, T(0));
  order_.resize(n_);
  if (y_.labels) labels_batch_.resize(block);
  if (y_.dense) y_batch_.resize(block * spec_.n_out());
  if (y_.weights) w_batch_.resize(block);
  if (distributed_) {
    global_batch_rows_.resize(n_batches_);
    for (int64_t j = 0; j < n_batches_; ++j) global_batch_rows_[j] = static_cast<double>(batch_rows(j));
    parallel_.sum(global_batch_rows_.data(), n_batches_);
  }
}

template <typename T>
int64_t Trainer<T>::batch_begin(int64_t j) const {
  if (j >= n_batches_) return n_;
  if (!distributed_) return j * batch_size_;
  return scaled_floor(j * batch_size_, n_, global_rows_);
}

template <typename T>
std::vector<int64_t> Trainer<T>::batch_sizes() const {
  std::vector<int64_t> sizes(n_batches_);
  for (int64_t j = 0; j < n_batches_; ++j)
    sizes[j] = distributed_ ? static_cast<int64_t>(global_batch_rows_[j]) : batch_rows(j);
  return sizes;
}

template <typename T>
double Trainer<T>::rows_weight(int64_t start, int64_t rows, bool shuffle) const {
  if (!y_.weights) return static_cast<double>(rows);
  double weight = 0;
  for (int64_t i = 0; i < rows; ++i) weight += y_.weights[shuffle ? order_[start + i] : start + i];
  return weight;
}

template <typename T>
void Trainer<T>::global_batch_weights(bool shuffle) {
  if (!y_.weights) {
    batch_weights_ = global_batch_rows_;
    return;
  }
  batch_weights_.resize(n_batches_);
  for (int64_t j = 0; j < n_batches_; ++j)
    batch_weights_[j] = rows_weight(batch_begin(j), batch_rows(j), shuffle);
  parallel_.sum(batch_weights_.data(), n_batches_);
}

template <typename T>
double Trainer<T>::sum_across_processes(double local_sum, double norm, bool& stop) {
  const int64_t P = spec_.n_params();
  grads_[P] = static_cast<T>(norm > 0 ? local_sum / norm : 0.0);
  grads_[P + 1] = static_cast<T>(stop ? 1 : 0);
  parallel_.sum(grads_.data(), P + kReducedScalars);
  // The summed dW_0 has rows other processes' sparse batches reached: measure all of it.
  ws_.input_rows.forget();
  stop = grads_[P + 1] > 0;
  return static_cast<double>(grads_[P]);
}

template <typename T>
Targets<T> Trainer<T>::block_targets(int64_t start, int64_t rows, bool shuffle) {
  const int64_t k = spec_.n_out();
  if (!shuffle) return y_.slice(start, k);
  const int64_t* idx = order_.data() + start;
  Targets<T> y;
  if (y_.labels) {
    for (int64_t i = 0; i < rows; ++i) labels_batch_[i] = y_.labels[idx[i]];
    y.labels = labels_batch_.data();
  }
  if (y_.dense) {
    for (int64_t i = 0; i < rows; ++i)
      std::memcpy(y_batch_.data() + i * k, y_.dense + idx[i] * k, sizeof(T) * k);
    y.dense = y_batch_.data();
  }
  if (y_.weights) {
    for (int64_t i = 0; i < rows; ++i) w_batch_[i] = y_.weights[idx[i]];
    y.weights = w_batch_.data();
  }
  return y;
}

template <typename T>
double Trainer<T>::batch_loss_gradient(int64_t start, int64_t rows, double norm, bool shuffle,
                                       uint64_t dropout_key) {
  double total = 0;
  for (int64_t done = 0; done < rows; done += kTrainBlockRows) {
    const int64_t block = std::min(kTrainBlockRows, rows - done);
    // The first layer's GEMM reads the block's rows of X by index when shuffled.
    const Input<T> x = shuffle ? X_ : X_.rows_from(start + done);
    const int64_t* x_rows = shuffle ? order_.data() + start + done : nullptr;
    // Blocks after the first draw their own dropout masks.
    const uint64_t key = done == 0 ? dropout_key : mix64(dropout_key ^ static_cast<uint64_t>(done));
    total += network_loss_gradient<T>(spec_, params_, x, block,
                                      block_targets(start + done, block, shuffle), norm,
                                      grads_.data(), done > 0, ws_, true, x_rows,
                                      has_dropout_ ? &key : nullptr);
  }
  return total;
}

template <typename T>
EpochResult Trainer<T>::run_epoch(const OptimizerConfig& cfg, const OptimizerBuffers<T>& state,
                                  const EpochOptions& options) {
  const bool shuffle = options.shuffle;
  EpochResult result;
  const int64_t L = spec_.n_layers();
  result.grad_norms.assign(L, 0.0);
  if (shuffle) shuffled_order(seed_, static_cast<uint64_t>(options.epoch_index), order_);
  double total_weight = static_cast<double>(n_);
  if (distributed_) {
    global_batch_weights(shuffle);
    total_weight = 0;
    for (double w : batch_weights_) total_weight += w;
  } else if (y_.weights) {
    total_weight = sum_weights(y_.weights, n_);
  }
  double weighted_cost = 0, done_weight = 0;
  int64_t batches = 0;
  batch_norms_.assign(L, 0.0);
  for (; batches < n_batches_; ++batches) {
    // Data-parallel: a stop is voted on with the batch's sum, so every process stops alike.
    bool stop = stop_requested(options.stop);
    if (stop && !distributed_) {
      result.stop = StopReason::interrupted;
      break;
    }
    const int64_t start = batch_begin(batches), rows = batch_rows(batches);
    const double norm = distributed_ ? batch_weights_[batches] : rows_weight(start, rows, shuffle);
    // Dropout masks are keyed by (seed, epoch, batch): reproducible, and new every batch.
    const uint64_t dropout_key = dropout_step_key(
        seed_, static_cast<uint64_t>(options.epoch_index * n_batches_ + batches));
    double batch_sum = 0;
    if (rows > 0)
      batch_sum = batch_loss_gradient(start, rows, norm, shuffle, dropout_key);
    else
      std::fill(grads_.begin(), grads_.end(), T(0));
    double batch_loss = norm > 0 ? batch_sum / norm : 0.0;
    if (distributed_) {
      batch_loss = sum_across_processes(batch_sum, norm, stop);
      if (stop) {
        result.stop = StopReason::interrupted;
        break;
      }
    }
    const double penalty = l2_penalty<T>(spec_, params_, l2_, norm, grads_.data());
    if (l2_ > 0) ws_.input_rows.forget();  // the L2 term reached every row of dW_0
    const double batch_cost = norm > 0 ? batch_loss + penalty : 0.0;
    double grad_total = 0;
    for (int64_t l = 0; l < L; ++l) {
      const int64_t begin = spec_.weight_offset(l), end = spec_.weight_offset(l + 1);
      const T* g = grads_.data() + begin;
      // Sparse X: dW_0 is zero outside the rows its batch reached (and b_0 is dense).
      const bool rows_known = l == 0 && ws_.input_rows.rest_zero && ws_.input_rows.dW == g;
      batch_norms_[l] = std::sqrt(
          rows_known ? sum_squares_of_rows(g, end - begin, spec_.sizes[1], ws_.input_rows.rows,
                                           spec_.sizes[0] * spec_.sizes[1])
                     : chunked_sum_squares(g, end - begin, norm_partials_));
      grad_total += batch_norms_[l];
    }
    if (options.stop_on_nonfinite && !(std::isfinite(batch_cost) && std::isfinite(grad_total))) {
      result.stop = StopReason::diverged;
      result.failed_loss = batch_cost;
      break;
    }
    weighted_cost += batch_cost * norm;
    done_weight += norm;
    record_start(batch_cost, norm,
                 distributed_ ? static_cast<int64_t>(global_batch_rows_[batches]) : rows);
    if (options.record_batches) result.batch_losses.push_back(batch_cost);
    for (int64_t l = 0; l < L; ++l) result.grad_norms[l] += batch_norms_[l];
    if (norm > 0) {
      // Readers of the parameters (another thread's forward) see them before or after a step.
      std::unique_lock<std::shared_mutex> lock;
      if (options.params_mutex) lock = std::unique_lock<std::shared_mutex>(*options.params_mutex);
      optimizer_step<T>(cfg, params_, grads_.data(), state, spec_.n_params(), true);
    }
  }
  result.batches_done = batches;
  result.start_loss = start_rows_ >= std::min(kStartSamples, global_rows_) && start_weight_ > 0
                          ? start_sum_ / start_weight_
                          : std::numeric_limits<double>::quiet_NaN();
  for (double& g : result.grad_norms) g /= static_cast<double>(std::max<int64_t>(batches, 1));
  const double weight = result.stop == StopReason::completed ? total_weight : done_weight;
  result.loss = weight > 0 ? weighted_cost / weight : 0.0;
  return result;
}

template <typename T>
void Trainer<T>::record_start(double batch_cost, double norm, int64_t rows) {
  if (start_rows_ >= std::min(kStartSamples, global_rows_)) return;
  start_sum_ += batch_cost * norm;
  start_weight_ += norm;
  start_rows_ += rows;
}

template class Trainer<float>;
template class Trainer<double>;

}  // namespace gradfall
