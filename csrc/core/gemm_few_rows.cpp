// Products of at most kFewRows rows (one row: a matrix-vector product): B is read in place, row
// by row, once per group of kGemvMaxRows rows, and the threads split its columns. Packing B, as
// the blocked driver does, would cost more than the whole product. The K panels and the epilogue
// are the blocked driver's, so the result has the same bits.
#include <omp.h>

#include <algorithm>

#include "core/dispatch.h"
#include "core/gemm_plan.h"

namespace gradfall::gemm_driver {
namespace {

// A layer this large (bytes of B) is worth a second thread: reading it takes longer than waking
// the team.
constexpr int64_t kParallelBytes = 256 << 10;

template <typename T>
void few_rows_columns(const GemmShape& s, const T* A, int64_t lda, const T* B, int64_t ldb, T* C,
                      int64_t ldc, bool accumulate, const GemmEpilogue<T>* epilogue,
                      const kernels::MicroKernel<T>& uk, int64_t kc, int64_t j0, int64_t j1) {
  if (j1 <= j0) return;
  const int rows = static_cast<int>(s.M);
  kernels::RowsJob<T> job{};
  job.ldb = ldb;
  job.j0 = j0;
  job.j1 = j1;
  for (int64_t pc = 0; pc < s.K; pc += kc) {
    job.b = B + pc * ldb;
    job.k = std::min(kc, s.K - pc);
    job.accumulate = accumulate || pc > 0;
    for (int r0 = 0; r0 < rows; r0 += kernels::kGemvMaxRows) {
      const int group = std::min(kernels::kGemvMaxRows, rows - r0);
      for (int r = 0; r < group; ++r) {
        job.x[r] = A + (s.a_rows ? s.a_rows[r0 + r] : r0 + r) * lda + pc;
        job.y[r] = C + (r0 + r) * ldc;
      }
      uk.gemv[group - 1](job);
    }
  }
  if (epilogue) apply_epilogue(*epilogue, uk, C, ldc, 0, j0, rows, static_cast<int>(j1 - j0));
}

}  // namespace

template <typename T>
void gemm_few_rows(const GemmShape& s, const T* A, int64_t lda, const T* B, int64_t ldb, T* C,
                   int64_t ldc, bool accumulate, bool parallel, const GemmEpilogue<T>* epilogue,
                   const kernels::MicroKernel<T>& uk, int64_t kc) {
  const int64_t steps = ceil_div(s.N, uk.gemv_step);
  const bool threaded = parallel && num_threads() > 1 && !omp_in_parallel() && steps > 1 &&
                        s.K * s.N * int64_t(sizeof(T)) >= kParallelBytes;
  if (!threaded) {
    few_rows_columns(s, A, lda, B, ldb, C, ldc, accumulate, epilogue, uk, kc, 0, s.N);
    return;
  }
  const int nt = static_cast<int>(std::min<int64_t>(num_threads(), steps));
  // Whole steps of columns per thread: every element of C has one owner.
#pragma omp parallel num_threads(nt)
  {
    const int64_t t = omp_get_thread_num(), team = omp_get_num_threads();
    const int64_t j0 = steps * t / team * uk.gemv_step;
    const int64_t j1 = std::min(s.N, steps * (t + 1) / team * uk.gemv_step);
    few_rows_columns(s, A, lda, B, ldb, C, ldc, accumulate, epilogue, uk, kc, j0, j1);
  }
}

template void gemm_few_rows<float>(const GemmShape&, const float*, int64_t, const float*, int64_t,
                                   float*, int64_t, bool, bool, const GemmEpilogue<float>*,
                                   const kernels::MicroKernel<float>&, int64_t);
template void gemm_few_rows<double>(const GemmShape&, const double*, int64_t, const double*,
                                    int64_t, double*, int64_t, bool, bool,
                                    const GemmEpilogue<double>*,
                                    const kernels::MicroKernel<double>&, int64_t);

}  // namespace gradfall::gemm_driver
