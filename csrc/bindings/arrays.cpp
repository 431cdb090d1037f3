#include "bindings/arrays.h"

#include <stdexcept>

namespace gradfall::bindings {

template <typename T>
py::array_t<T> require(const py::handle& handle, const char* name, int ndim, bool writable) {
  if (!py::isinstance<py::array>(handle))
    throw py::type_error(std::string(name) + " must be a numpy array");
  py::array array = py::reinterpret_borrow<py::array>(handle);
  // isinstance compares dtypes by equivalence (byte order included), not by object identity.
  if (!py::isinstance<py::array_t<T>>(array))
    throw py::type_error(std::string(name) + " must have dtype " +
                         std::string(py::str(py::dtype::of<T>())) + ", got " +
                         std::string(py::str(array.dtype())));
  if (array.ndim() != ndim)
    throw py::value_error(std::string(name) + " must be " + std::to_string(ndim) + "-D, got " +
                          std::to_string(array.ndim()) + "-D");
  if (!(array.flags() & py::array::c_style))
    throw py::value_error(std::string(name) + " must be C-contiguous");
  if (writable && !array.writeable()) throw py::value_error(std::string(name) + " must be writable");
  return py::reinterpret_borrow<py::array_t<T>>(array);
}

template py::array_t<float> require<float>(const py::handle&, const char*, int, bool);
template py::array_t<double> require<double>(const py::handle&, const char*, int, bool);
template py::array_t<int64_t> require<int64_t>(const py::handle&, const char*, int, bool);
template py::array_t<int32_t> require<int32_t>(const py::handle&, const char*, int, bool);

bool is_float64(const py::array& array) { return py::isinstance<py::array_t<double>>(array); }

template <typename T>
TargetArrays<T>::TargetArrays(const ModelSpec& spec, int64_t n, const py::object& labels_in,
                              const py::object& dense_in, const py::object& weights_in)
    : labels(labels_in), dense(dense_in), weights(weights_in) {
  if (labels.is_none() == dense.is_none())
    throw py::value_error("exactly one of labels and dense targets must be given");
  if (!labels.is_none()) {
    auto l = require<int64_t>(labels, "labels", 1);
    if (l.shape(0) != n) throw py::value_error("labels must have one entry per row of X");
    const int64_t* p = l.data();
    for (int64_t i = 0; i < n; ++i)
      if (p[i] < 0 || p[i] >= spec.n_out())
        throw py::value_error("label " + std::to_string(p[i]) + " is out of range [0, " +
                              std::to_string(spec.n_out()) + ")");
    if (spec.loss != Loss::cross_entropy)
      throw py::value_error("integer labels are only valid with the cross_entropy loss");
    view.labels = p;
  } else {
    auto y = require<T>(dense, "y", 2);
    if (y.shape(0) != n || y.shape(1) != spec.n_out())
      throw py::value_error("y must have shape (n, n_out)");
    view.dense = y.data();
  }
  if (!weights.is_none()) {
    auto w = require<T>(weights, "sample_weight", 1);
    if (w.shape(0) != n) throw py::value_error("sample_weight must have one entry per row of X");
    view.weights = w.data();
  }
}

template struct TargetArrays<float>;
template struct TargetArrays<double>;

}  // namespace gradfall::bindings
