// Exceptions must not leave an OpenMP region (the runtime would terminate the process): each
// thread's work runs inside guard(), the first exception is kept, the others' work is skipped,
// and rethrow() raises it on the calling thread after the region.
#pragma once
#include <atomic>
#include <exception>
#include <mutex>

namespace gradfall {

class RegionErrors {
 public:
  template <class F>
  void guard(F&& work) noexcept {
    if (failed_.load(std::memory_order_relaxed)) return;
    try {
      work();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!first_) first_ = std::current_exception();
      failed_.store(true);
    }
  }

  void rethrow() const {
    if (first_) std::rethrow_exception(first_);
  }

 private:
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::exception_ptr first_;
};

}  // namespace gradfall
