#include "core/sparse_products.h"

#include <omp.h>

#include <algorithm>
#include <vector>

#include "core/dispatch.h"

namespace gradfall {
namespace {

// Below this many multiply-adds a second thread costs more (team wake-up) than it saves.
constexpr double kParallelWork = double(1 << 20);

bool use_threads(bool parallel, double work) {
  return parallel && num_threads() > 1 && work >= kParallelWork && !omp_in_parallel();
}

// The batch's nonzeros grouped by column (the batch as CSC): column k's are entries
// [start[k], start[k+1]), in batch row order, each a batch position and a value; `present` lists
// the columns that have any, ascending.
template <typename T>
struct BatchColumns {
  std::vector<int64_t> start, cursor, present;
  std::vector<int32_t> positions;
  std::vector<T> values;

  void build(const SparseRows<T>& X, const int64_t* x_rows, int64_t rows, int64_t n_in) {
    start.assign(n_in + 1, 0);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = x_rows ? x_rows[r] : r;
      for (int64_t p = X.indptr[i]; p < X.indptr[i + 1]; ++p) ++start[X.indices[p] + 1];
    }
    present.clear();
    for (int64_t k = 0; k < n_in; ++k) {
      if (start[k + 1] > 0) present.push_back(k);
      start[k + 1] += start[k];
    }
    cursor.assign(start.begin(), start.end() - 1);
    positions.resize(start[n_in]);
    values.resize(start[n_in]);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = x_rows ? x_rows[r] : r;
      for (int64_t p = X.indptr[i]; p < X.indptr[i + 1]; ++p) {
        const int64_t at = cursor[X.indices[p]]++;
        positions[at] = static_cast<int32_t>(r);
        values[at] = X.values[p];
      }
    }
  }
};

}  // namespace

template <typename T>
void sparse_times_dense(const SparseRows<T>& X, const int64_t* x_rows, int64_t rows, const T* W,
                        int64_t n_out, T* out, bool parallel, const GemmEpilogue<T>* epilogue) {
  if (rows <= 0 || n_out <= 0) return;
  const kernels::MicroKernel<T>& uk = kernels::pick<T>(active_kernels());
  const int64_t panel = gemm_k_panel<T>();
  int64_t nnz = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t i = x_rows ? x_rows[r] : r;
    nnz += X.indptr[i + 1] - X.indptr[i];
  }
  const bool threaded = use_threads(parallel, double(nnz + rows) * double(n_out));
#pragma omp parallel for schedule(dynamic, 8) num_threads(num_threads()) if (threaded)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t i = x_rows ? x_rows[r] : r;
    const int64_t begin = X.indptr[i];
    const kernels::RowCombination<T> terms{X.values + begin, X.indices + begin,
                                           X.indptr[i + 1] - begin, W, n_out, panel, false};
    uk.combine_rows(terms, out + r * n_out, n_out);
    if (epilogue) apply_epilogue(*epilogue, uk, out, n_out, r, 0, 1, static_cast<int>(n_out));
  }
}

template <typename T>
void sparse_transpose_times(const SparseRows<T>& X, const int64_t* x_rows, int64_t rows,
                            int64_t n_in, const T* dZ, int64_t n_out, T* dW, bool accumulate,
                            bool parallel, SparseGradientRows* written) {
  if (n_in <= 0 || n_out <= 0) return;
  // The calling thread's buffers; the team reads them through these pointers (inside the
  // parallel loops the thread_local name would mean each thread's own, empty, copy).
  thread_local BatchColumns<T> columns;
  columns.build(X, x_rows, rows, n_in);
  const int64_t* start = columns.start.data();
  const int32_t* positions = columns.positions.data();
  const T* values = columns.values.data();
  const kernels::MicroKernel<T>& uk = kernels::pick<T>(active_kernels());
  const int64_t panel = gemm_k_panel<T>();
  const int64_t nnz = start[n_in];
  // Known zero outside the rows written last time: clear those, then visit only this batch's.
  const bool known_zero = written && written->rest_zero && written->dW == dW && !accumulate;
  const int64_t* visit = known_zero ? columns.present.data() : nullptr;
  const int64_t n_visit = known_zero ? static_cast<int64_t>(columns.present.size()) : n_in;
  const int64_t* stale = known_zero ? written->rows.data() : nullptr;
  const int64_t n_stale = known_zero ? static_cast<int64_t>(written->rows.size()) : 0;
  const bool threaded = use_threads(parallel, double(nnz + n_visit + n_stale) * double(n_out));
#pragma omp parallel num_threads(num_threads()) if (threaded)
  {
#pragma omp for schedule(static)
    for (int64_t s = 0; s < n_stale; ++s)
      std::fill(dW + stale[s] * n_out, dW + (stale[s] + 1) * n_out, T(0));
#pragma omp for schedule(dynamic, 64)
    for (int64_t v = 0; v < n_visit; ++v) {
      const int64_t k = visit ? visit[v] : v;
      const int64_t begin = start[k], count = start[k + 1] - begin;
      T* row = dW + k * n_out;
      if (count == 0) {
        if (!accumulate) std::fill(row, row + n_out, T(0));
        continue;
      }
      const kernels::RowCombination<T> terms{values + begin, positions + begin, count, dZ, n_out,
                                             panel, accumulate};
      uk.combine_rows(terms, row, n_out);
    }
  }
  if (written) {
    written->dW = dW;
    written->rows = columns.present;
    written->rest_zero = !accumulate;
  }
}

#define GRADFALL_INSTANTIATE(T)                                                                   \
  template void sparse_times_dense<T>(const SparseRows<T>&, const int64_t*, int64_t, const T*,    \
                                      int64_t, T*, bool, const GemmEpilogue<T>*);                 \
  template void sparse_transpose_times<T>(const SparseRows<T>&, const int64_t*, int64_t, int64_t, \
                                          const T*, int64_t, T*, bool, bool, SparseGradientRows*);

GRADFALL_INSTANTIATE(float)
GRADFALL_INSTANTIATE(double)

}  // namespace gradfall
