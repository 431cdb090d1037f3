// The GEMM's plan: cache blocking, which operands are packed, the ThreadStrategy and the row
// blocks, all fixed here before the team starts; then every thread runs gemm_thread.
#include "core/gemm.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <new>

#include "core/cache_info.h"
#include "core/dispatch.h"
#include "core/gemm_plan.h"
#include "core/gemm_scratch.h"

namespace gradfall {
namespace gemm_driver {
namespace {

// Below this many flops a second thread costs more (team wake-up, barriers) than it saves.
constexpr double kParallelFlops = double(1 << 21);
// An operand this small is read in place: packing it would cost about as much as using it.
constexpr int64_t kDirectBytes = 64 << 10;
// Largest B each thread packs for itself (rows_single_panel); a larger one is packed once by the
// team, which costs two barriers a panel but not a copy of B per thread.
constexpr int64_t kSinglePanelBytes = int64_t(1) << 20;

// KC is long (a KC x NR sliver of B fills 1/8 of L2, streamed from there): every extra KC step
// re-reads and re-writes the C tiles, which costs more than L1 misses on B. An MC x KC block of
// A fills half of L2; a KC x NC panel of B a quarter of L3.
template <typename T>
Blocking blocking_for(int mr, int nr) {
  const CacheSizes& cs = cache_sizes();
  const int64_t s = sizeof(T);
  Blocking b;
  b.kc = std::clamp<int64_t>(cs.l2 / 8 / (nr * s) / 8 * 8, 128, 1024);
  b.mc = std::max<int64_t>(cs.l2 / 2 / (b.kc * s) / mr * mr, mr);
  b.nc = std::clamp<int64_t>(cs.l3 / 4 / (b.kc * s) / nr * nr, nr, 8192);
  return b;
}

// A is read in place (rows through their gather index) while it fits half of L2, or is
// batch-sized (<= kGemmInPlaceRows: a row block of it stays in L2), unless its row stride aliases
// L1 sets; a gathered A^T has no fixed stride and is always packed.
template <typename T>
bool should_pack_a(const GemmShape& s, int64_t lda) {
  const int64_t a_bytes = s.M * s.K * int64_t(sizeof(T));
  const bool aliases = (lda * int64_t(sizeof(T))) % 2048 == 0 && a_bytes > kDirectBytes;
  return (s.trans_a && s.a_rows) || aliases ||
         (a_bytes > cache_sizes().l2 / 2 && s.M > kGemmInPlaceRows);
}

template <typename T>
bool should_pack_b(const GemmShape& s) {
  return s.trans_b || s.K * s.N * int64_t(sizeof(T)) > kDirectBytes;
}

// Threads split rows when C is tall, else columns (column shares each re-pack A, which is small
// for batch-sized M). Row blocks share one B panel packed by the team when A is packed too (a
// large product), else each thread packs its own B.
template <typename T>
ThreadStrategy choose_strategy(const Plan<T>& P, int nt) {
  if (nt == 1) return ThreadStrategy::serial;
  const int64_t M = P.s.M, N = P.s.N, K = P.s.K;
  const bool split_rows =
      ceil_div(M, P.mr()) >= 2 * nt && (!P.pack_b || M >= N || M >= 256 * nt);
  const bool both_packed = P.pack_a && P.pack_b;
  const bool one_panel = K <= P.blk.kc && N <= P.blk.nc;
  if (split_rows && !both_packed) return ThreadStrategy::rows_private_b;
  if (split_rows && one_panel && K * N * int64_t(sizeof(T)) <= kSinglePanelBytes)
    return ThreadStrategy::rows_single_panel;
  if (split_rows) return ThreadStrategy::rows_shared_b;
  if (both_packed && one_panel) return ThreadStrategy::columns_shared_a;
  return ThreadStrategy::columns_private;
}

// The strategies whose threads share out the row blocks of C.
bool splits_rows(ThreadStrategy strategy) {
  return strategy == ThreadStrategy::rows_private_b ||
         strategy == ThreadStrategy::rows_single_panel || strategy == ThreadStrategy::rows_shared_b;
}

// Rows of C per row block, a multiple of MR: at most MC, and when threads split rows, small
// enough for four blocks per thread (as far as M has MR rows for them) so the team balances.
template <typename T>
int64_t rows_per_block(const Plan<T>& P, int nt) {
  const int64_t M = P.s.M;
  int64_t n_blocks = ceil_div(M, P.blk.mc);
  if (splits_rows(P.strategy))
    n_blocks = std::max(n_blocks, std::min<int64_t>(4 * nt, ceil_div(M, P.mr())));
  return round_up(ceil_div(M, n_blocks), P.mr());
}

}  // namespace
}  // namespace gemm_driver

template <typename T>
void gemm(const GemmShape& s, const T* A, int64_t lda, const T* B, int64_t ldb, T* C, int64_t ldc,
          bool accumulate, bool parallel, const GemmEpilogue<T>* epilogue,
          const PackedB<T>* packed_b) {
  using namespace gemm_driver;
  const int64_t M = s.M, N = s.N, K = s.K;
  if (M <= 0 || N <= 0) return;
  const kernels::MicroKernel<T>& uk = kernels::pick<T>(active_kernels());
  if (K <= 0) {
    for (int64_t i = 0; i < M; ++i) {
      if (!accumulate) std::fill(C + i * ldc, C + i * ldc + N, T(0));
      if (epilogue) apply_epilogue(*epilogue, uk, C, ldc, i, 0, 1, static_cast<int>(N));
    }
    return;
  }
  if (M <= kFewRows && !s.trans_a && !s.trans_b) {
    gemm_few_rows(s, A, lda, B, ldb, C, ldc, accumulate, parallel, epilogue, uk,
                  blocking_for<T>(uk.mr, uk.nr).kc);
    return;
  }
  if (!epilogue && is_narrow(s, uk)) {
    gemm_narrow(s, A, lda, B, ldb, C, ldc, accumulate, parallel);
    return;
  }
  const bool threaded = parallel && num_threads() > 1 && 2.0 * M * N * K >= kParallelFlops &&
                        !omp_in_parallel();
  const int nt = threaded ? num_threads() : 1;

  std::atomic<int64_t> next_block[2] = {0, 0};
  Plan<T> P{s, A, lda, B, ldb, C, ldc, accumulate, epilogue, uk,
            blocking_for<T>(uk.mr, uk.nr), should_pack_a<T>(s, lda), should_pack_b<T>(s),
            0, 0, ThreadStrategy::serial, nullptr, nullptr, next_block};
  if (packed_b && packed_b->data && !s.trans_b && packed_b->K == K && packed_b->N == N &&
      packed_b->kc == P.blk.kc && packed_b->nc == P.blk.nc && packed_b->nr == uk.nr &&
      packed_b->kernels == &active_kernels()) {
    P.pack_b = true;
    P.prepacked_b = packed_b->data;
  }
  P.strategy = choose_strategy(P, nt);
  P.mcb = rows_per_block(P, nt);
  P.n_iblocks = ceil_div(M, P.mcb);
  if (P.strategy == ThreadStrategy::rows_shared_b && !P.prepacked_b)
    P.shared_b_panel = scratch<T>(Scratch::team, P.b_panel_size());
  if (P.strategy == ThreadStrategy::columns_shared_a)
    P.shared_a = scratch<T>(Scratch::team, round_up(M, P.mr()) * K);
  if (P.strategy == ThreadStrategy::serial) {
    gemm_thread(P, 0, 1);
    return;
  }
  std::atomic<bool> out_of_memory{false};
  P.out_of_memory = &out_of_memory;
#pragma omp parallel num_threads(nt)
  gemm_thread(P, omp_get_thread_num(), omp_get_num_threads());
  if (out_of_memory.load()) throw std::bad_alloc();
}

template <typename T>
int64_t gemm_k_panel() {
  const kernels::MicroKernel<T>& uk = kernels::pick<T>(active_kernels());
  return gemm_driver::blocking_for<T>(uk.mr, uk.nr).kc;
}

template int64_t gemm_k_panel<float>();
template int64_t gemm_k_panel<double>();
template void gemm<float>(const GemmShape&, const float*, int64_t, const float*, int64_t, float*,
                          int64_t, bool, bool, const GemmEpilogue<float>*,
                          const PackedB<float>*);
template void gemm<double>(const GemmShape&, const double*, int64_t, const double*, int64_t,
                           double*, int64_t, bool, bool, const GemmEpilogue<double>*,
                           const PackedB<double>*);

template <typename T>
int64_t packed_b_values(int64_t K, int64_t N) {
  using namespace gemm_driver;
  const kernels::MicroKernel<T>& uk = kernels::pick<T>(active_kernels());
  return round_up(N, uk.nr) * K;  // NC is a multiple of NR: only the last sliver is padded
}

template <typename T>
PackedB<T> pack_b_once(const T* B, int64_t ldb, int64_t K, int64_t N, T* out) {
  using namespace gemm_driver;
  const kernels::MicroKernel<T>& uk = kernels::pick<T>(active_kernels());
  const Blocking blk = blocking_for<T>(uk.mr, uk.nr);
  const GemmShape s{false, false, 0, N, K};
  for (int64_t jc = 0; jc < N; jc += blk.nc) {
    const int64_t nc = std::min(blk.nc, N - jc);
    const Range slivers{0, ceil_div(nc, uk.nr)};
    for (int64_t pc = 0; pc < K; pc += blk.kc)
      pack_b_slivers(s, B, ldb, pc, std::min(blk.kc, K - pc), jc, nc, slivers, uk.nr,
                     out + jc * K + slivers.end * uk.nr * pc);
  }
  return PackedB<T>{out, K, N, blk.kc, blk.nc, uk.nr, &active_kernels()};
}

template int64_t packed_b_values<float>(int64_t, int64_t);
template int64_t packed_b_values<double>(int64_t, int64_t);
template PackedB<float> pack_b_once<float>(const float*, int64_t, int64_t, int64_t, float*);
template PackedB<double> pack_b_once<double>(const double*, int64_t, int64_t, int64_t, double*);

}  // namespace gradfall
