// Products with few columns of C (the weight gradient of a 10-class output layer): the vector
// lanes run along C's columns, so N columns fill N/NR of each vector. Computed as the transposed
// product C^T = op(B)^T op(A)^T instead, the lanes run along C's rows and are full. Each element
// of C is the same FMA chain over the same K panels (a*b = b*a), so the bits do not change.
// Only with A transposed: A^T is then packed either way, whereas a forward product reads A in
// place, and there the transpose's repacking cost what its full vectors saved (measured: 1-2%
// slower predict on 64-64-10, training 1-2% faster from the gradients alone).
#include <vector>

#include "core/gemm_plan.h"

namespace gradfall::gemm_driver {

template <typename T>
bool is_narrow(const GemmShape& s, const kernels::MicroKernel<T>& uk) {
  return s.trans_a && !s.a_rows && 2 * s.N <= uk.nr && s.M >= uk.nr;
}

template <typename T>
void gemm_narrow(const GemmShape& s, const T* A, int64_t lda, const T* B, int64_t ldb, T* C,
                 int64_t ldc, bool accumulate, bool parallel) {
  const int64_t M = s.M, N = s.N;
  // C^T, N x M; kept per thread (a product inside a parallel region has its own).
  thread_local std::vector<T> transposed;
  transposed.resize(static_cast<size_t>(N * M));
  T* Ct = transposed.data();
  if (accumulate)
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) Ct[j * M + i] = C[i * ldc + j];
  // op(B)^T is op(B) read the other way round, and likewise op(A)^T.
  const GemmShape flipped{!s.trans_b, !s.trans_a, N, M, s.K};
  gemm<T>(flipped, B, ldb, A, lda, Ct, M, accumulate, parallel);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) C[i * ldc + j] = Ct[j * M + i];
}

template bool is_narrow<float>(const GemmShape&, const kernels::MicroKernel<float>&);
template bool is_narrow<double>(const GemmShape&, const kernels::MicroKernel<double>&);
template void gemm_narrow<float>(const GemmShape&, const float*, int64_t, const float*, int64_t,
                                 float*, int64_t, bool, bool);
template void gemm_narrow<double>(const GemmShape&, const double*, int64_t, const double*,
                                  int64_t, double*, int64_t, bool, bool);

}  // namespace gradfall::gemm_driver
