// Inverted dropout during training: unit j of batch row i of a layer is kept with probability
// 1 - p and then scaled by 1/(1 - p), so evaluation (no dropout) needs no rescaling. The mask
// is a counter-based hash of (seed, step, layer, row, unit): no generator state, so any thread
// can draw any element and the result never depends on the thread count.
#pragma once
#include <cstdint>

namespace gradfall {

inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The key of one training step (one batch): the same (seed, step) always draws the same masks.
inline uint64_t dropout_step_key(uint64_t seed, uint64_t step) {
  return mix64(mix64(seed + 0x9E3779B97F4A7C15ull) ^ (step * 0xD1B54A32D192ED03ull));
}

struct DropoutMask {
  double p = 0;      // drop probability
  uint64_t key = 0;  // the step's key mixed with the layer

  DropoutMask(double p_, uint64_t step_key, int64_t layer)
      : p(p_), key(mix64(step_key ^ (static_cast<uint64_t>(layer) * 0xA24BAED4963EE407ull))) {}

  // u = 53 random bits as a double in [0, 1); kept when u >= p.
  bool keep(int64_t row, int64_t unit) const {
    const uint64_t h = mix64(key ^ mix64((static_cast<uint64_t>(row) << 32) ^
                                         static_cast<uint64_t>(unit)));
    return static_cast<double>(h >> 11) * 0x1.0p-53 >= p;
  }

  // x[j] *= kept(row, j0 + j) ? 1/(1-p) : 0 for j < n.
  template <typename T>
  void apply(T* x, int64_t row, int64_t j0, int64_t n) const {
    const T scale = static_cast<T>(1.0 / (1.0 - p));
    for (int64_t j = 0; j < n; ++j) x[j] = keep(row, j0 + j) ? x[j] * scale : T(0);
  }
};

}  // namespace gradfall
