// The first layer's products when its input rows are CSR: X W forward and X^T dZ for the weight
// gradient (the first layer needs no dX). Each sums exactly as the dense GEMM does (see
// kernels::RowCombination), so CSR and dense X give the same bits; one thread owns each output
// row, so the result never depends on the thread count.
#pragma once
#include <cstdint>

#include "core/gemm.h"
#include "core/input.h"

namespace gradfall {

// out (rows x n_out) = X_batch W, then the epilogue on every row. Batch row r is stored row
// x_rows[r] of X (null: row r). Threads own rows of out.
template <typename T>
void sparse_times_dense(const SparseRows<T>& X, const int64_t* x_rows, int64_t rows, const T* W,
                        int64_t n_out, T* out, bool parallel,
                        const GemmEpilogue<T>* epilogue = nullptr);

// dW (n_in x n_out) (+)= X_batch^T dZ, dZ (rows x n_out). Threads own rows of dW (columns of X).
template <typename T>
void sparse_transpose_times(const SparseRows<T>& X, const int64_t* x_rows, int64_t rows,
                            int64_t n_in, const T* dZ, int64_t n_out, T* dW, bool accumulate,
                            bool parallel);

}  // namespace gradfall
