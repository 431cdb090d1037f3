#include "bindings/optimizer_state.h"

#include <string>
#include <vector>

#include "bindings/arrays.h"

namespace gradfall::bindings {
namespace {

py::object zeros(int64_t n, const py::dtype& dtype) {
  py::array buffer(dtype, std::vector<py::ssize_t>{static_cast<py::ssize_t>(n)});
  py::module_::import("numpy").attr("copyto")(buffer, 0);
  return buffer;
}

bool fits(const py::object& buffer, int64_t n, const py::dtype& dtype) {
  if (buffer.is_none()) return true;
  if (!py::isinstance<py::array>(buffer)) return false;
  const py::array array = py::reinterpret_borrow<py::array>(buffer);
  return array.ndim() == 1 && array.shape(0) == n && array.dtype().equal(dtype);
}

template <typename T>
T* checked(py::object& buffer, const char* name, int64_t n) {
  if (buffer.is_none()) return nullptr;
  auto array = require<T>(buffer, name, 1, true);
  if (array.shape(0) != n)
    throw py::value_error(std::string("optimizer state ") + name + " has " +
                          std::to_string(array.shape(0)) + " entries, the network has " +
                          std::to_string(n) + " parameters");
  return array.mutable_data();
}

}  // namespace

OptimizerState::OptimizerState(OptimizerKind kind_, int64_t n_params, py::dtype dtype)
    : kind(kind_) {
  if (n_params < 0) throw py::value_error("n_params must be >= 0");
  if (kind == OptimizerKind::sgd) {
    momentum = zeros(n_params, dtype);
  } else {
    first_moment = zeros(n_params, dtype);
    second_moment = zeros(n_params, dtype);
  }
}

bool OptimizerState::matches(int64_t n_params, py::dtype dtype) const {
  return fits(momentum, n_params, dtype) && fits(first_moment, n_params, dtype) &&
         fits(second_moment, n_params, dtype);
}

template <typename T>
OptimizerBuffers<T> OptimizerState::buffers(int64_t n_params) {
  OptimizerBuffers<T> view;
  view.momentum = checked<T>(momentum, "momentum", n_params);
  view.first_moment = checked<T>(first_moment, "first_moment", n_params);
  view.second_moment = checked<T>(second_moment, "second_moment", n_params);
  view.step = &step;
  const bool complete = kind == OptimizerKind::sgd ? view.momentum != nullptr
                                                   : view.first_moment && view.second_moment;
  if (!complete) throw py::value_error("optimizer state is missing a buffer its rule needs");
  return view;
}

py::tuple OptimizerState::to_tuple() const {
  return py::make_tuple(static_cast<int>(kind), momentum, first_moment, second_moment, step);
}

OptimizerState OptimizerState::from_tuple(const py::tuple& t) {
  if (t.size() != 5) throw py::value_error("invalid OptimizerState pickle");
  OptimizerState state;
  state.kind = static_cast<OptimizerKind>(t[0].cast<int>());
  state.momentum = t[1];
  state.first_moment = t[2];
  state.second_moment = t[3];
  state.step = t[4].cast<int64_t>();
  return state;
}

template OptimizerBuffers<float> OptimizerState::buffers<float>(int64_t);
template OptimizerBuffers<double> OptimizerState::buffers<double>(int64_t);

}  // namespace gradfall::bindings
