// One network's parameters shared between Python threads. The guard holds the buffer the
// trainer and load() write. Core calls that read the parameters (forward, loss, gradients, landscapes) hold the guard shared for the
// whole call; a training step holds it exclusively while the update writes them, so a reader
// sees the parameters of one step, never half of one. Only one fit may run at a time.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <atomic>
#include <shared_mutex>

namespace gradfall::bindings {

namespace py = pybind11;

class ParamGuard {
 public:
  explicit ParamGuard(py::array params);

  std::shared_mutex mutex;
  py::array params;  // the buffer (Network.params)

  // Throws RuntimeError when a fit of this network is already running.
  void begin_training();
  void end_training() { training_.store(false); }
  bool training() const { return training_.load(); }

 private:
  std::atomic<bool> training_{false};
};

// The guard a Python argument names: null for None.
ParamGuard* guard_of(const py::object& guard);

void bind_param_guard(py::module_& m);

}  // namespace gradfall::bindings
