// The first layer's products when its input rows are CSR: X W forward and X^T dZ for the weight
// gradient (the first layer needs no dX). Each sums exactly as the dense GEMM does (see
// kernels::RowCombination), so CSR and dense X give the same bits; one thread owns each output
// row, so the result never depends on the thread count.
#pragma once
#include <cstdint>
#include <vector>

#include "core/gemm.h"
#include "core/input.h"

namespace gradfall {

// out (rows x n_out) = X_batch W, then the epilogue on every row. Batch row r is stored row
// x_rows[r] of X (null: row r). Threads own rows of out.
template <typename T>
void sparse_times_dense(const SparseRows<T>& X, const int64_t* x_rows, int64_t rows, const T* W,
                        int64_t n_out, T* out, bool parallel,
                        const GemmEpilogue<T>* epilogue = nullptr);

// The rows of a first-layer weight gradient dW that the last sparse product wrote sums into: the
// columns of X its batch held, ascending. While rest_zero holds, every other row of that dW is
// zero, so the next product into it re-zeroes only these rows rather than all of dW (a pass over
// the largest matrix of a wide sparse input), and a norm may skip the rest. Whoever else writes
// into dW (an L2 term on every weight) must call forget().
struct SparseGradientRows {
  const void* dW = nullptr;
  std::vector<int64_t> rows;
  bool rest_zero = false;
  void forget() { rest_zero = false; }
};

// dW (n_in x n_out) (+)= X_batch^T dZ, dZ (rows x n_out). Threads own rows of dW (columns of X).
// written (optional) carries which rows of dW hold sums from one call to the next.
template <typename T>
void sparse_transpose_times(const SparseRows<T>& X, const int64_t* x_rows, int64_t rows,
                            int64_t n_in, const T* dZ, int64_t n_out, T* dW, bool accumulate,
                            bool parallel, SparseGradientRows* written = nullptr);

}  // namespace gradfall
