// GEMM driver in the Goto/BLIS style: C (M x N) = [C +] op(A) (M x K) * op(B) (K x N), row-major.
// Transposes are read by the packing routines, never materialised.
#pragma once
#include <cstdint>

namespace gradfall {

struct GemmShape {
  bool trans_a;   // A is stored K x M (row stride lda) when true, else M x K
  bool trans_b;   // B is stored N x K (row stride ldb) when true, else K x N
  int64_t M, N, K;
};

// parallel=false keeps the call on the calling thread (used inside outer parallel loops).
// Every element of C is owned by one thread and summed in a fixed order, so the result does not
// depend on the thread count.
template <typename T>
void gemm(const GemmShape& shape, const T* A, int64_t lda, const T* B, int64_t ldb, T* C,
          int64_t ldc, bool accumulate, bool parallel);

}  // namespace gradfall
