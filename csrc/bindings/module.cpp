// The _core extension: configuration, matmul and vector math here; the bound types in
// bind_types.cpp, the network entry points in bind_network.cpp.
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "bindings/arrays.h"
#include "bindings/interrupt.h"
#include "core/dispatch.h"
#include "core/finite.h"
#include "core/gemm.h"
#include "core/peak.h"

namespace gradfall::bindings {

void bind_types(py::module_& m);
void bind_inputs(py::module_& m);
void bind_network(py::module_& m);
void bind_param_guard(py::module_& m);

namespace {

template <typename T>
py::array matmul_impl(const py::array& A_in, const py::array& B_in, bool trans_a, bool trans_b) {
  auto A = require<T>(A_in, "A", 2);
  auto B = require<T>(B_in, "B", 2);
  const int64_t M = trans_a ? A.shape(1) : A.shape(0), K = trans_a ? A.shape(0) : A.shape(1);
  const int64_t KB = trans_b ? B.shape(1) : B.shape(0), N = trans_b ? B.shape(0) : B.shape(1);
  if (K != KB)
    throw py::value_error("matmul: inner dimensions differ (" + std::to_string(K) + " vs " +
                          std::to_string(KB) + ")");
  py::array_t<T> C({M, N});
  T* c = C.mutable_data();
  {
    py::gil_scoped_release release;
    gemm<T>({trans_a, trans_b, M, N, K}, A.data(), A.shape(1), B.data(), B.shape(1), c, N, false,
            true);
  }
  return C;
}

// The active ISA's element-wise math (exp, log, tanh, sigmoid) on a copy of x, for the tests.
template <typename T>
py::array vector_math_impl(kernels::MathFn fn, const py::array& x_in) {
  auto x = require<T>(x_in, "x", 1);
  py::array_t<T> y(x.shape(0));
  T* out = y.mutable_data();
  {
    py::gil_scoped_release release;
    kernels::pick<T>(active_kernels()).math(fn, x.data(), out, x.shape(0));
  }
  return y;
}

}  // namespace
}  // namespace gradfall::bindings

PYBIND11_MODULE(_core, m) {
  namespace py = pybind11;
  using namespace gradfall;
  using namespace gradfall::bindings;
  m.doc() = "gradfall's C++ core: SIMD GEMM, layers, losses, optimizers and the training loop";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const std::invalid_argument& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  init_isa_from_environment();
  remember_main_thread();
  bind_types(m);  // first, so every signature below names the bound types
  bind_param_guard(m);
  bind_inputs(m);

  m.def("available_isas", &available_isas, "Kernel sets compiled in and supported by this CPU.");
  m.def("active_isa", &active_isa, "Name of the kernel set in use.");
  m.def("set_isa", &set_isa, py::arg("name"), "Force a kernel set: scalar, avx2 or avx512.");
  m.def("get_num_threads", &num_threads, "Threads the core uses.");
  m.def("set_num_threads", &set_num_threads, py::arg("n"), "Set the threads the core uses.");
  m.def("thread_override", &thread_override,
        "The thread count set for the core, 0 when it follows OpenMP's default.");
  m.def("set_thread_override", &set_thread_override, py::arg("n"),
        "Set the core's thread count; 0 makes it follow OpenMP's default again.");
  m.def("max_threads", &max_threads, "The most threads the core accepts (4 per CPU).");
  m.def("threads_lost_to_fork", &threads_lost_to_fork,
        "True in a child forked after the core used threads: it then runs single-threaded.");
  m.def("fma_peak_gflops",
        [](const std::string& dtype, double seconds, int threads) {
          if (dtype != "float32" && dtype != "float64")
            throw py::value_error("dtype must be 'float32' or 'float64'");
          if (threads < 1) throw py::value_error("threads must be >= 1");
          py::gil_scoped_release release;
          return fma_peak_gflops(dtype == "float64", seconds, threads);
        },
        py::arg("dtype") = "float32", py::arg("seconds") = 0.2, py::arg("threads") = 1,
        "GFLOP/s of independent FMA chains on `threads` threads: the machine's peak.");
  m.def("matmul", [](py::array A, py::array B, bool trans_a, bool trans_b) {
    return is_float64(A) ? matmul_impl<double>(A, B, trans_a, trans_b)
                         : matmul_impl<float>(A, B, trans_a, trans_b);
  }, py::arg("A"), py::arg("B"), py::arg("trans_a") = false, py::arg("trans_b") = false,
        "op(A) @ op(B) by the core's GEMM.");
  m.def("vector_math", [](kernels::MathFn fn, py::array x) {
    return is_float64(x) ? vector_math_impl<double>(fn, x) : vector_math_impl<float>(fn, x);
  }, py::arg("fn"), py::arg("x"), "fn(x) for a 1-D float array, by the active ISA's kernel.");
  m.def("all_finite", [](py::array a) {
    if (!(a.flags() & py::array::c_style)) throw py::value_error("array must be C-contiguous");
    if (py::isinstance<py::array_t<double>>(a)) {
      const double* p = static_cast<const double*>(a.data());
      py::gil_scoped_release release;
      return all_finite<double>(p, a.size());
    }
    if (py::isinstance<py::array_t<float>>(a)) {
      const float* p = static_cast<const float*>(a.data());
      py::gil_scoped_release release;
      return all_finite<float>(p, a.size());
    }
    throw py::type_error("all_finite expects float32 or float64");
  }, py::arg("a"), "True when a C-contiguous float array holds no NaN or infinity.");
  bind_network(m);
}
