// The rows a network reads: a dense row-major block, or compressed sparse rows (CSR). Only the
// first layer's products look inside; every other layer's input is a dense activation block.
#pragma once
#include <cstdint>

namespace gradfall {

// Row i's nonzeros are values[p] at column indices[p] for p in [indptr[i], indptr[i+1]).
// Offsets are absolute, so a view of later rows is the same arrays with indptr moved on.
template <typename T>
struct SparseRows {
  const int64_t* indptr = nullptr;
  const int32_t* indices = nullptr;
  const T* values = nullptr;
};

template <typename T>
struct Input {
  const T* dense = nullptr;  // row-major (n_rows x n_cols), or
  SparseRows<T> csr;         // the rows as CSR (indptr not null)
  int64_t n_rows = 0, n_cols = 0;

  static Input dense_rows(const T* X, int64_t n_rows, int64_t n_cols) {
    return {X, {}, n_rows, n_cols};
  }
  static Input sparse_rows(const SparseRows<T>& rows, int64_t n_rows, int64_t n_cols) {
    return {nullptr, rows, n_rows, n_cols};
  }
  bool is_sparse() const { return csr.indptr != nullptr; }
  // Rows [start, n_rows).
  Input rows_from(int64_t start) const {
    Input rest = *this;
    rest.n_rows = n_rows - start;
    if (is_sparse()) rest.csr.indptr = csr.indptr + start;
    else rest.dense = dense + start * n_cols;
    return rest;
  }
};

}  // namespace gradfall
