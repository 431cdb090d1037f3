// A request to stop long work early (Ctrl-C): set by whoever watches for it, read between the
// steps of the work (batches, row chunks, grid points) by any thread. A relaxed atomic load
// per step costs nothing next to a step.
#pragma once
#include <atomic>

namespace gradfall {

struct StopFlag {
  std::atomic<bool> requested{false};
  bool stop() const { return requested.load(std::memory_order_relaxed); }
};

inline bool stop_requested(const StopFlag* flag) { return flag && flag->stop(); }

}  // namespace gradfall
