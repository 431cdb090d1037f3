#include "bindings/param_guard.h"

#include <pybind11/numpy.h>

#include <cstring>
#include <mutex>
#include <stdexcept>

namespace gradfall::bindings {

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
      .def(py::init<>())
      .def("begin_training", &ParamGuard::begin_training,
           "Mark a fit as running; RuntimeError if one already is.")
      .def("end_training", &ParamGuard::end_training)
      .def_property_readonly("training", &ParamGuard::training)
      .def("copy_into",
           [](ParamGuard& g, py::array destination, py::array source) {
             if (!destination.writeable() || !(destination.flags() & py::array::c_style) ||
                 !(source.flags() & py::array::c_style) ||
                 !destination.dtype().equal(source.dtype()) ||
                 destination.nbytes() != source.nbytes())
               throw py::value_error("copy_into needs two C-contiguous arrays of one dtype and size");
             void* dst = destination.mutable_data();
             const void* src = source.data();
             const size_t bytes = static_cast<size_t>(source.nbytes());
             py::gil_scoped_release release;
             std::unique_lock<std::shared_mutex> lock(g.mutex);
             std::memcpy(dst, src, bytes);
           },
           py::arg("destination"), py::arg("source"),
           "destination[...] = source while no core call reads the parameters.");
}

}  // namespace gradfall::bindings
