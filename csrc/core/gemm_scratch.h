// The GEMM driver's per-thread scratch: 64-byte aligned buffers that only grow and live as long
// as the thread, so a call in a training loop allocates nothing.
#pragma once
#include <atomic>
#include <cstdint>
#include <new>

#include "core/aligned_memory.h"

namespace gradfall::gemm_driver {

// What each of a thread's scratch buffers holds.
enum class Scratch {
  own_b,    // the B slivers this thread packs for itself (B read in place: its last, narrow one)
  a_block,  // the row block of A this thread packs
  team,     // shared with the team this thread launches: a B panel or all of A, packed together
};

template <typename T>
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer() { aligned_release(data_); }

  // At least n values, 64-byte aligned; the contents are kept only while n does not grow.
  T* get(int64_t n) {
    if (n > size_) {
      aligned_release(data_);
      data_ = nullptr;
      size_ = 0;  // a failed allocation leaves an empty buffer, never a stale size
      const size_t bytes = (sizeof(T) * static_cast<size_t>(n) + 63) / 64 * 64;
      data_ = static_cast<T*>(aligned_allocate(64, bytes));
      if (!data_) throw std::bad_alloc();
      size_ = n;
    }
    return data_;
  }

 private:
  T* data_ = nullptr;
  int64_t size_ = 0;
};

// The calling thread's buffer `which`, holding at least n values.
template <typename T>
T* scratch(Scratch which, int64_t n) {
  thread_local AlignedBuffer<T> buffers[3];
  return buffers[static_cast<int>(which)].get(n);
}

// As scratch, inside an OpenMP region: null (and *failed set) when memory runs out.
template <typename T>
T* scratch_in_team(Scratch which, int64_t n, std::atomic<bool>* failed) noexcept {
  try {
    return scratch<T>(which, n);
  } catch (...) {
    failed->store(true);
    return nullptr;
  }
}

}  // namespace gradfall::gemm_driver
