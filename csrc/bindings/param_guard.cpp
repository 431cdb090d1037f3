#include "bindings/param_guard.h"

#include <pybind11/numpy.h>

#include <cstring>
#include <mutex>
#include <stdexcept>

namespace gradfall::bindings {

ParamGuard::ParamGuard(py::array params_) : params(params_) {
  if (!params.writeable() || !(params.flags() & py::array::c_style) || params.ndim() != 1)
    throw py::value_error("a ParamGuard needs a writable C-contiguous vector");
}

void ParamGuard::begin_training() {
  if (training_.exchange(true))
    throw std::runtime_error(
        "this network is already being trained (fit called from another thread while a fit "
        "runs); train a copy, or wait for the first fit to end");
}

ParamGuard* guard_of(const py::object& guard) {
  return guard.is_none() ? nullptr : guard.cast<ParamGuard*>();
}

void bind_param_guard(py::module_& m) {
  py::class_<ParamGuard>(m, "ParamGuard",
                         "The lock of one network's parameters: shared by the core calls that "
                         "read them, exclusive while a training step or a copy writes them.")
      .def(py::init<py::array>(), py::arg("params"))
      .def("begin_training", &ParamGuard::begin_training,
           "Mark a fit as running; RuntimeError if one already is.")
      .def("end_training", &ParamGuard::end_training)
      .def_property_readonly("training", &ParamGuard::training)
      .def("load",
           [](ParamGuard& g, py::array source) {
             if (!(source.flags() & py::array::c_style) ||
                 !g.params.dtype().equal(source.dtype()) || g.params.nbytes() != source.nbytes())
               throw py::value_error("load needs a C-contiguous vector of the parameters' dtype "
                                     "and size");
             void* dst = g.params.mutable_data();
             const void* src = source.data();
             const size_t bytes = static_cast<size_t>(source.nbytes());
             py::gil_scoped_release release;
             std::unique_lock<std::shared_mutex> lock(g.mutex);
             std::memcpy(dst, src, bytes);
           },
           py::arg("source"), "params[...] = source while no core call reads them.");
}

}  // namespace gradfall::bindings
