// The fingerprint's inner loop over whole 512-byte blocks, compiled once per ISA (the compiler
// vectorises the 128 lanes). Lane k hashes word k of every block: s = rotl(s ^ w, 13) * C. Each
// step is a bijection of the lane's state for a fixed word, so changing any single word always
// changes the lane's final state; 128 independent chains keep the multiplier's latency hidden.
// Plain integer code: every ISA computes the same bits.
#pragma once
#include <cstdint>
#include <cstring>

#include "kernels/kernels.h"

namespace {

// Isa: the unit's vector type, only so that each ISA's copy has a symbol of its own.
template <class Isa>
void fingerprint_blocks(const unsigned char* data, int64_t blocks,
                        uint32_t lanes[gradfall::kernels::kFingerprintLanes]) {
  constexpr int L = gradfall::kernels::kFingerprintLanes;
  alignas(64) uint32_t s[L];
  std::memcpy(s, lanes, sizeof(s));
  for (int64_t b = 0; b < blocks; ++b) {
    alignas(64) uint32_t w[L];
    std::memcpy(w, data + b * int64_t(sizeof(w)), sizeof(w));
    for (int k = 0; k < L; ++k) {
      const uint32_t x = s[k] ^ w[k];
      s[k] = ((x << 13) | (x >> 19)) * 0x9E3779B1u;
    }
  }
  std::memcpy(lanes, s, sizeof(s));
}

}  // namespace
