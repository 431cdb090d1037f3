// Ctrl-C during a long core call. While a SigintWatch lives (on the main thread, for calls
// long enough to be worth stopping), SIGINT only raises the core's StopFlag; the core stops
// between its steps and, once the watch ends and Python's handler is back, the caller delivers
// the signal to Python (deliver()), which raises KeyboardInterrupt as usual. On other threads,
// or without POSIX signals, a watch does nothing.
#pragma once
#include "core/stop.h"

namespace gradfall::bindings {

class SigintWatch {
 public:
  explicit SigintWatch(bool wanted);
  ~SigintWatch();
  SigintWatch(const SigintWatch&) = delete;
  SigintWatch& operator=(const SigintWatch&) = delete;

  const StopFlag* flag() const;  // null when not watching
  bool fired() const;
  // Ends the watch and hands a caught SIGINT to Python's handler: Python raises (or runs the
  // user's handler) when control returns to it. Call with the GIL held.
  void deliver();

 private:
  bool active_ = false;
  void restore();
};

// Records the interpreter's main thread; call once at import, on the importing thread.
void remember_main_thread();

}  // namespace gradfall::bindings
