#include "core/fingerprint.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/dispatch.h"
#include "core/dropout.h"
#include "core/threads.h"

namespace gradfall {
namespace {

using kernels::kFingerprintBlockBytes;
using kernels::kFingerprintLanes;

constexpr int64_t kSegmentBlocks = 512;  // 256 KiB: an L2-sized share of work per thread
// From this many segments the team hashes them; fewer are read faster than a team wakes.
constexpr int64_t kParallelSegments = 4;

// Segment i of the whole blocks (the zero-padded tail block joins the last segment).
uint64_t hash_segment(const unsigned char* data, int64_t full_blocks, int64_t tail_bytes,
                      int64_t segment, int64_t n_segments) {
  uint32_t lanes[kFingerprintLanes];
  for (int k = 0; k < kFingerprintLanes; ++k)
    lanes[k] = static_cast<uint32_t>(mix64(uint64_t(segment) * kFingerprintLanes + k + 1));
  const int64_t first = segment * kSegmentBlocks;
  const int64_t blocks = std::min(kSegmentBlocks, full_blocks - first);
  const auto& blocks_kernel = active_kernels().fingerprint_blocks;
  if (blocks > 0) blocks_kernel(data + first * kFingerprintBlockBytes, blocks, lanes);
  if (segment + 1 == n_segments && tail_bytes > 0) {
    alignas(64) unsigned char tail[kFingerprintBlockBytes] = {};
    std::memcpy(tail, data + full_blocks * kFingerprintBlockBytes, tail_bytes);
    blocks_kernel(tail, 1, lanes);
  }
  // Folding the lanes: each step is a bijection of one lane pair given the others.
  uint64_t h = uint64_t(segment) * 0xD1B54A32D192ED03ull;
  for (int k = 0; k < kFingerprintLanes; k += 2)
    h = (h ^ (uint64_t(lanes[k]) | uint64_t(lanes[k + 1]) << 32)) * 0x9FB21C651E98DF25ull +
        0x632BE59BD9B4E019ull;
  return mix64(h);
}

}  // namespace

uint64_t fingerprint(const void* data, int64_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  const int64_t full_blocks = bytes / kFingerprintBlockBytes;
  const int64_t tail_bytes = bytes - full_blocks * kFingerprintBlockBytes;
  const int64_t n_segments =
      std::max<int64_t>(1, (full_blocks + (tail_bytes > 0) + kSegmentBlocks - 1) / kSegmentBlocks);
  std::vector<uint64_t> segments(n_segments);
  const int nt = n_segments >= kParallelSegments && !omp_in_parallel()
                     ? static_cast<int>(std::min<int64_t>(num_threads(), n_segments))
                     : 1;
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
  for (int64_t i = 0; i < n_segments; ++i)
    segments[i] = hash_segment(p, full_blocks, tail_bytes, i, n_segments);
  uint64_t h = mix64(static_cast<uint64_t>(bytes));
  for (uint64_t s : segments) h = mix64(h ^ s);
  return h;
}

}  // namespace gradfall
