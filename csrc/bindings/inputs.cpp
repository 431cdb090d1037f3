#include "bindings/inputs.h"

#include "bindings/arrays.h"

namespace gradfall::bindings {
namespace {

// The first structural fault of the CSR arrays, or "" when there is none.
std::string csr_fault(const int64_t* indptr, int64_t n_rows, const int32_t* indices, int64_t nnz,
                      int64_t n_cols) {
  if (indptr[0] != 0) return "indptr must start at 0, got " + std::to_string(indptr[0]);
  for (int64_t i = 0; i < n_rows; ++i)
    if (indptr[i + 1] < indptr[i])
      return "indptr must be non-decreasing (row " + std::to_string(i) + " ends before it starts)";
  if (indptr[n_rows] != nnz)
    return "indptr ends at " + std::to_string(indptr[n_rows]) + " but there are " +
           std::to_string(nnz) + " stored values";
  for (int64_t p = 0; p < nnz; ++p)
    if (indices[p] < 0 || indices[p] >= n_cols)
      return "column index " + std::to_string(indices[p]) + " (stored value " +
             std::to_string(p) + ") is outside 0.." + std::to_string(n_cols - 1);
  return "";
}

}  // namespace

CsrMatrix::CsrMatrix(const py::handle& indptr_in, const py::handle& indices_in,
                     const py::handle& data_in, int64_t n_cols_in, const std::string& name)
    : n_cols(n_cols_in) {
  const std::string prefix = name + " (sparse): ";
  if (n_cols < 0) throw py::value_error(prefix + "the column count must be >= 0");
  auto p = require<int64_t>(indptr_in, (name + ".indptr").c_str(), 1);
  auto k = require<int32_t>(indices_in, (name + ".indices").c_str(), 1);
  if (!py::isinstance<py::array_t<float>>(data_in) && !py::isinstance<py::array_t<double>>(data_in))
    throw py::type_error(prefix + "data must be a float32 or float64 array");
  auto v = py::reinterpret_borrow<py::array>(data_in);
  if (v.ndim() != 1 || !(v.flags() & py::array::c_style))
    throw py::value_error(prefix + "data must be 1-D and C-contiguous");
  if (p.shape(0) < 1) throw py::value_error(prefix + "indptr needs at least one entry");
  if (k.shape(0) != v.shape(0))
    throw py::value_error(prefix + "indices and data must have the same length");
  n_rows = p.shape(0) - 1;
  std::string fault;
  {
    py::gil_scoped_release release;
    fault = csr_fault(p.data(), n_rows, k.data(), k.shape(0), n_cols);
  }
  if (!fault.empty()) throw py::value_error(prefix + fault);
  indptr = p;
  indices = k;
  data = v;
}

bool CsrMatrix::is_float64() const { return py::isinstance<py::array_t<double>>(data); }

template <typename T>
Input<T> input_of(const py::handle& X, int64_t n_cols) {
  const auto features = [n_cols](int64_t got) {
    if (got != n_cols)
      throw py::value_error("X has " + std::to_string(got) + " features, the network expects " +
                            std::to_string(n_cols));
  };
  if (py::isinstance<CsrMatrix>(X)) {
    const CsrMatrix& csr = X.cast<const CsrMatrix&>();
    if (!py::isinstance<py::array_t<T>>(csr.data))
      throw py::type_error("X must have dtype " + std::string(py::str(py::dtype::of<T>())) +
                           ", got " + std::string(py::str(csr.data.dtype())));
    features(csr.n_cols);
    SparseRows<T> rows{static_cast<const int64_t*>(csr.indptr.data()),
                       static_cast<const int32_t*>(csr.indices.data()),
                       static_cast<const T*>(csr.data.data())};
    return Input<T>::sparse_rows(rows, csr.n_rows, csr.n_cols);
  }
  auto x = require<T>(X, "X", 2);
  features(x.shape(1));
  return Input<T>::dense_rows(x.data(), x.shape(0), x.shape(1));
}

template Input<float> input_of<float>(const py::handle&, int64_t);
template Input<double> input_of<double>(const py::handle&, int64_t);

void bind_inputs(py::module_& m) {
  py::class_<CsrMatrix>(m, "CsrMatrix",
                        "Compressed sparse rows the core reads in place: row i's values are "
                        "data[indptr[i]:indptr[i+1]] at columns indices[indptr[i]:indptr[i+1]]. "
                        "indptr int64, indices int32, data float32 or float64; checked here.")
      .def(py::init<const py::handle&, const py::handle&, const py::handle&, int64_t,
                    const std::string&>(),
           py::arg("indptr"), py::arg("indices"), py::arg("data"), py::arg("n_cols"),
           py::arg("name") = "X")
      .def_readonly("indptr", &CsrMatrix::indptr)
      .def_readonly("indices", &CsrMatrix::indices)
      .def_readonly("data", &CsrMatrix::data)
      .def_property_readonly("shape",
                             [](const CsrMatrix& c) { return py::make_tuple(c.n_rows, c.n_cols); })
      .def_property_readonly("dtype", [](const CsrMatrix& c) { return c.data.dtype(); })
      .def_property_readonly("nnz", [](const CsrMatrix& c) { return c.data.shape(0); });
}

}  // namespace gradfall::bindings
