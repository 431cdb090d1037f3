// Array conversion and validation for the bindings: the core only ever sees raw pointers of the
// right dtype, C-contiguous, with the shapes checked here.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

#include "core/losses.h"
#include "core/network.h"

namespace gradfall::bindings {

namespace py = pybind11;

// Throws ValueError/TypeError unless `array` is a C-contiguous ndarray of dtype T with `ndim` dims.
template <typename T>
py::array_t<T> require(const py::handle& array, const char* name, int ndim, bool writable = false);

bool is_float64(const py::array& array);

// Holds the target arrays alive and exposes them as core Targets for n rows.
template <typename T>
struct TargetArrays {
  py::object labels, dense, weights;
  Targets<T> view;
  TargetArrays(const ModelSpec& spec, int64_t n, const py::object& labels, const py::object& dense,
               const py::object& weights);
};

}  // namespace gradfall::bindings
