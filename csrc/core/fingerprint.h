// A 64-bit fingerprint of a buffer's bytes, read at memory speed: the inference cache compares
// it with the packed copy's to see any write to the parameters, through a NumPy view included.
// Any single changed 4-byte word always changes it (every hashing step is a bijection); other
// changes collide with probability about 2^-64. The bytes are cut into fixed 256 KiB segments,
// hashed by the threads and combined in order, so the value never depends on the thread count
// or the ISA.
#pragma once
#include <cstdint>

namespace gradfall {

uint64_t fingerprint(const void* data, int64_t bytes);

}  // namespace gradfall
