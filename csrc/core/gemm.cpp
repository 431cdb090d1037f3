#include "core/gemm.h"

#include <omp.h>

#include <algorithm>
#include <vector>

#include "core/dispatch.h"

namespace gradfall {
namespace {

// Cache blocking: a KC x NR sliver of B stays in L1, an MC x KC block of A in L2.
constexpr int64_t kKC = 256;
constexpr int64_t kMC = 144;   // multiple of every MR (4, 6, 12)
constexpr int64_t kNC = 3072;  // multiple of every NR (4, 8, 16, 32)
constexpr double kParallelFlops = 1 << 17;

template <typename T>
inline T element_a(const GemmShape& s, const T* A, int64_t lda, int64_t i, int64_t p) {
  return s.trans_a ? A[p * lda + i] : A[i * lda + p];
}

// Packs rows [i0, i0+mr_valid) x cols [p0, p0+kc) of op(A) as an MR-tall sliver, zero-padded.
template <typename T>
void pack_a_sliver(const GemmShape& s, const T* A, int64_t lda, int64_t i0, int64_t mr_valid,
                   int64_t p0, int64_t kc, int mr, T* out) {
  for (int64_t p = 0; p < kc; ++p) {
    T* dst = out + p * mr;
    int64_t i = 0;
    for (; i < mr_valid; ++i) dst[i] = element_a(s, A, lda, i0 + i, p0 + p);
    for (; i < mr; ++i) dst[i] = T(0);
  }
}

// Packs rows [p0, p0+kc) x cols [j0, j0+nr_valid) of op(B) as an NR-wide sliver, zero-padded.
template <typename T>
void pack_b_sliver(const GemmShape& s, const T* B, int64_t ldb, int64_t p0, int64_t kc,
                   int64_t j0, int64_t nr_valid, int nr, T* out) {
  if (!s.trans_b) {
    for (int64_t p = 0; p < kc; ++p) {
      const T* src = B + (p0 + p) * ldb + j0;
      T* dst = out + p * nr;
      int64_t j = 0;
      for (; j < nr_valid; ++j) dst[j] = src[j];
      for (; j < nr; ++j) dst[j] = T(0);
    }
  } else {
    for (int64_t j = 0; j < nr; ++j) {
      if (j < nr_valid) {
        const T* src = B + (j0 + j) * ldb + p0;
        for (int64_t p = 0; p < kc; ++p) out[p * nr + j] = src[p];
      } else {
        for (int64_t p = 0; p < kc; ++p) out[p * nr + j] = T(0);
      }
    }
  }
}

template <typename T>
std::vector<T>& scratch(int which) {
  thread_local std::vector<T> buffers[2];
  return buffers[which];
}

}  // namespace

template <typename T>
void gemm(const GemmShape& s, const T* A, int64_t lda, const T* B, int64_t ldb, T* C, int64_t ldc,
          bool accumulate, bool parallel) {
  const int64_t M = s.M, N = s.N, K = s.K;
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int64_t i = 0; i < M; ++i) std::fill(C + i * ldc, C + i * ldc + N, T(0));
    return;
  }
  const kernels::MicroKernel<T>& uk = kernels::pick<T>(active_kernels());
  const int mr = uk.mr, nr = uk.nr;
  const int64_t nc_max = std::min<int64_t>(kNC, (N + nr - 1) / nr * nr);
  const int64_t kc_max = std::min<int64_t>(kKC, K);
  const int64_t mc_max = std::min<int64_t>(kMC, (M + mr - 1) / mr * mr);
  std::vector<T>& packed_b = scratch<T>(0);
  std::vector<T>& packed_a = scratch<T>(1);
  if (static_cast<int64_t>(packed_b.size()) < nc_max * kc_max) packed_b.resize(nc_max * kc_max);
  if (static_cast<int64_t>(packed_a.size()) < mc_max * kc_max) packed_a.resize(mc_max * kc_max);
  T* bp = packed_b.data();
  T* ap = packed_a.data();
  const bool threaded = parallel && num_threads() > 1 && 2.0 * M * N * K >= kParallelFlops &&
                        !omp_in_parallel();

#pragma omp parallel num_threads(threaded ? num_threads() : 1) if (threaded)
  {
    T edge_tile[32 * 32];
    for (int64_t jc = 0; jc < N; jc += kNC) {
      const int64_t nc = std::min(kNC, N - jc);
      const int64_t n_slivers = (nc + nr - 1) / nr;
      for (int64_t pc = 0; pc < K; pc += kKC) {
        const int64_t kc = std::min(kKC, K - pc);
        const bool acc = accumulate || pc > 0;
#pragma omp for schedule(static)
        for (int64_t js = 0; js < n_slivers; ++js) {
          const int64_t j0 = js * nr;
          pack_b_sliver(s, B, ldb, pc, kc, jc + j0, std::min<int64_t>(nr, nc - j0), nr,
                        bp + js * nr * kc);
        }
        for (int64_t ic = 0; ic < M; ic += kMC) {
          const int64_t mc = std::min(kMC, M - ic);
          const int64_t m_slivers = (mc + mr - 1) / mr;
#pragma omp for schedule(static)
          for (int64_t is = 0; is < m_slivers; ++is) {
            const int64_t i0 = is * mr;
            pack_a_sliver(s, A, lda, ic + i0, std::min<int64_t>(mr, mc - i0), pc, kc, mr,
                          ap + is * mr * kc);
          }
#pragma omp for schedule(static)
          for (int64_t t = 0; t < n_slivers * m_slivers; ++t) {
            const int64_t js = t / m_slivers, is = t % m_slivers;
            const int64_t i0 = ic + is * mr, j0 = jc + js * nr;
            const int64_t m_valid = std::min<int64_t>(mr, M - i0);
            const int64_t n_valid = std::min<int64_t>(nr, N - j0);
            T* c = C + i0 * ldc + j0;
            const T* a = ap + is * mr * kc;
            const T* b = bp + js * nr * kc;
            if (m_valid == mr && n_valid == nr) {
              uk.run(kc, a, b, c, ldc, acc);
            } else {
              uk.run(kc, a, b, edge_tile, nr, false);
              for (int64_t i = 0; i < m_valid; ++i)
                for (int64_t j = 0; j < n_valid; ++j)
                  c[i * ldc + j] = acc ? c[i * ldc + j] + edge_tile[i * nr + j] : edge_tile[i * nr + j];
            }
          }
        }
      }
    }
  }
}

template void gemm<float>(const GemmShape&, const float*, int64_t, const float*, int64_t, float*,
                          int64_t, bool, bool);
template void gemm<double>(const GemmShape&, const double*, int64_t, const double*, int64_t,
                           double*, int64_t, bool, bool);

}  // namespace gradfall
