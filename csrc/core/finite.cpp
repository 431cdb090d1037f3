#include "core/finite.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

#include "core/threads.h"

namespace gradfall {
namespace {

template <typename Bits>
bool chunk_finite(const Bits* p, int64_t begin, int64_t end, Bits exponent) {
  Bits hit = 0;
  for (int64_t i = begin; i < end; ++i) hit |= Bits((p[i] & exponent) == exponent);
  return hit == 0;
}

template <typename Bits>
bool bits_finite(const Bits* p, int64_t n, Bits exponent) {
  constexpr int64_t kChunk = 65536;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  if (n < (int64_t(1) << 20) || num_threads() < 2 || omp_in_parallel())
    return chunk_finite(p, 0, n, exponent);
  int bad = 0;
#pragma omp parallel for schedule(static) num_threads(num_threads()) reduction(| : bad)
  for (int64_t c = 0; c < chunks; ++c)
    bad |= !chunk_finite(p, c * kChunk, std::min(n, (c + 1) * kChunk), exponent);
  return bad == 0;
}

}  // namespace

template <>
bool all_finite<float>(const float* x, int64_t n) {
  return bits_finite(reinterpret_cast<const uint32_t*>(x), n, uint32_t(0x7f800000u));
}

template <>
bool all_finite<double>(const double* x, int64_t n) {
  return bits_finite(reinterpret_cast<const uint64_t*>(x), n, uint64_t(0x7ff0000000000000ull));
}

}  // namespace gradfall
