// An optimizer's state as Python holds it: NumPy buffers (so it pickles with the optimizer and
// the scikit-learn converters can read and write it) plus the step count.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>

#include "core/optimizers.h"

namespace gradfall::bindings {

namespace py = pybind11;

class OptimizerState {
 public:
  OptimizerState(OptimizerKind kind, int64_t n_params, py::dtype dtype);

  OptimizerKind kind = OptimizerKind::sgd;
  py::object momentum = py::none();       // SGD
  py::object first_moment = py::none();   // Adam's m
  py::object second_moment = py::none();  // Adam's v
  int64_t step = 0;

  bool matches(int64_t n_params, py::dtype dtype) const;
  // The core's view; throws ValueError unless every buffer is a writable C-contiguous vector of
  // dtype T with n_params entries.
  template <typename T>
  OptimizerBuffers<T> buffers(int64_t n_params);

  py::tuple to_tuple() const;
  static OptimizerState from_tuple(const py::tuple& t);

 private:
  OptimizerState() = default;
};

}  // namespace gradfall::bindings
