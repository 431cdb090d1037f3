// Aligned heap blocks on every platform: std::aligned_alloc where the C library has it, the
// C runtime's _aligned_malloc on Windows (whose blocks must be released by _aligned_free).
#pragma once
#include <cstddef>
#include <cstdlib>

#if defined(_WIN32)
#include <malloc.h>
#endif

namespace gradfall {

// `bytes` must be a multiple of `alignment` (a power of two); nullptr when out of memory.
inline void* aligned_allocate(std::size_t alignment, std::size_t bytes) {
#if defined(_WIN32)
  return _aligned_malloc(bytes, alignment);
#else
  return std::aligned_alloc(alignment, bytes);
#endif
}

// Releases a block from aligned_allocate (nullptr is allowed).
inline void aligned_release(void* block) {
#if defined(_WIN32)
  _aligned_free(block);
#else
  std::free(block);
#endif
}

}  // namespace gradfall
