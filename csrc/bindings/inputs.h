// The network input as the core reads it: a dense 2-D ndarray, or a CsrMatrix (compressed sparse
// rows whose arrays the core reads in place, checked once when the CsrMatrix is built).
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

#include "core/input.h"

namespace gradfall::bindings {

namespace py = pybind11;

// indptr int64 (n_rows + 1 offsets from 0, non-decreasing, ending at nnz), indices int32 in
// [0, n_cols), data float32 or float64 (nnz each); ValueError/TypeError naming `name` otherwise.
struct CsrMatrix {
  py::array indptr, indices, data;
  int64_t n_rows = 0, n_cols = 0;
  CsrMatrix(const py::handle& indptr, const py::handle& indices, const py::handle& data,
            int64_t n_cols, const std::string& name);
  bool is_float64() const;
};

// X as an Input of dtype T with n_cols columns: a C-contiguous 2-D ndarray or a CsrMatrix, both
// of dtype T. X must outlive the Input (the core reads its memory).
template <typename T>
Input<T> input_of(const py::handle& X, int64_t n_cols);

}  // namespace gradfall::bindings
