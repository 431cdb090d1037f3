#include "core/gemm.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

#include "core/cache_info.h"
#include "core/dispatch.h"
#include "core/gemm_pack.h"

namespace gradfall {
namespace {

using kernels::MicroKernel;
using kernels::Tile;

// Below this many flops a second thread costs more (team wake-up, barriers) than it saves.
constexpr double kParallelFlops = double(1 << 21);
// An operand this small is read in place: packing it would cost about as much as using it.
constexpr int64_t kDirectBytes = 64 << 10;

// 64-byte aligned scratch that only grows; one per thread, kept for the thread's lifetime.
template <typename T>
struct AlignedBuffer {
  T* data = nullptr;
  int64_t size = 0;
  T* get(int64_t n) {
    if (n > size) {
      std::free(data);
      const size_t bytes = (sizeof(T) * static_cast<size_t>(n) + 63) / 64 * 64;
      data = static_cast<T*>(std::aligned_alloc(64, bytes));
      if (!data) throw std::bad_alloc();
      size = n;
    }
    return data;
  }
  ~AlignedBuffer() { std::free(data); }
};

template <typename T>
AlignedBuffer<T>& thread_buffer(int which) {
  thread_local AlignedBuffer<T> buffers[3];
  return buffers[which];
}

// Block sizes from the caches: a KC x NR sliver of B fills ~60% of L1, an MC x KC block of A
// half of L2, a KC x NC panel of B a quarter of L3.
struct Blocking {
  int64_t kc, mc, nc;
};

template <typename T>
Blocking blocking_for(int mr, int nr) {
  const CacheSizes& cs = cache_sizes();
  Blocking b;
  b.kc = std::clamp<int64_t>(cs.l1 * 6 / 10 / (nr * int64_t(sizeof(T))) / 8 * 8, 64, 1024);
  b.mc = std::max<int64_t>(cs.l2 / 2 / (b.kc * int64_t(sizeof(T))) / mr * mr, mr);
  b.nc = std::clamp<int64_t>(cs.l3 / 4 / (b.kc * int64_t(sizeof(T))) / nr * nr, nr, 8192);
  return b;
}

template <typename T>
struct Plan {
  const GemmShape& s;
  const T *A, *B;
  int64_t lda, ldb;
  T* C;
  int64_t ldc;
  bool accumulate;
  const GemmEpilogue<T>* epi;
  const MicroKernel<T>& uk;
  Blocking blk;
  bool pack_a, pack_b;
  int64_t mcb, n_iblocks;  // row blocks of C: n_iblocks blocks of mcb rows (the last shorter)
  bool split_rows;         // threads share out row blocks (else B slivers)
  T* packed_b;             // shared by the team
  // Row blocks are handed out first come, first served (two counters, one per alternate B
  // panel), so a thread the OS delays does not hold the other back. Which thread computes a
  // tile never changes its sums.
  std::atomic<int64_t>* next_block;
};

template <typename T>
void apply_epilogue(const Plan<T>& P, int64_t i0, int64_t j0, int mv, int nv) {
  const GemmEpilogue<T>& e = *P.epi;
  for (int i = 0; i < mv; ++i) {
    T* row = P.C + (i0 + i) * P.ldc + j0;
    if (e.grad_of)
      P.uk.map_grad(e.op, e.slope, e.grad_of + (i0 + i) * e.ld_grad + j0, row, nv);
    else
      P.uk.bias_map(e.op, e.slope, e.bias ? e.bias + j0 : nullptr, row, nv);
  }
}

// One thread's share of the whole product. Threads meet only at the B panel's barriers.
template <typename T>
void gemm_thread(const Plan<T>& P, int tid, int nt) {
  const GemmShape& s = P.s;
  const int mr = P.uk.mr, nr = P.uk.nr;
  const int64_t M = s.M, N = s.N, K = s.K;
  const Blocking& blk = P.blk;
  T* packed_a = P.pack_a ? thread_buffer<T>(1).get(P.mcb * blk.kc) : nullptr;
  T* edge_b = !P.pack_b ? thread_buffer<T>(2).get(blk.kc * nr) : nullptr;
  int64_t a_off[32];
  const bool dynamic = nt > 1 && P.split_rows && P.pack_b;
  int64_t step = 0;
  for (int64_t jc = 0; jc < N; jc += blk.nc) {
    const int64_t nc = std::min(blk.nc, N - jc);
    const int64_t n_slivers = (nc + nr - 1) / nr;
    const int64_t js_begin = P.split_rows ? 0 : n_slivers * tid / nt;
    const int64_t js_end = P.split_rows ? n_slivers : n_slivers * (tid + 1) / nt;
    for (int64_t pc = 0; pc < K; pc += blk.kc, ++step) {
      const int64_t kc = std::min(blk.kc, K - pc);
      const bool acc = P.accumulate || pc > 0;
      const bool last = pc + kc == K;
      if (P.pack_b) {
        if (nt > 1) {
#pragma omp barrier
        }
        if (dynamic && tid == 0) P.next_block[(step + 1) % 2].store(0, std::memory_order_relaxed);
        for (int64_t js = n_slivers * tid / nt; js < n_slivers * (tid + 1) / nt; ++js)
          pack_b_sliver(s, P.B, P.ldb, pc, kc, jc + js * nr, std::min<int64_t>(nr, nc - js * nr),
                        nr, P.packed_b + js * nr * kc);
        if (nt > 1) {
#pragma omp barrier
        }
      }
      bool edge_packed = false;
      const int64_t ib_begin = P.split_rows ? P.n_iblocks * tid / nt : 0;
      const int64_t ib_end = P.split_rows ? P.n_iblocks * (tid + 1) / nt : P.n_iblocks;
      std::atomic<int64_t>& counter = P.next_block[step % 2];
      for (int64_t ib = dynamic ? counter.fetch_add(1) : ib_begin;
           dynamic ? ib < P.n_iblocks : ib < ib_end;
           ib = dynamic ? counter.fetch_add(1) : ib + 1) {
        const int64_t ic = ib * P.mcb;
        const int64_t mc = std::min(P.mcb, M - ic);
        const int64_t m_slivers = (mc + mr - 1) / mr;
        if (P.pack_a)
          for (int64_t is = 0; is < m_slivers; ++is)
            pack_a_sliver(s, P.A, P.lda, ic + is * mr, std::min<int64_t>(mr, mc - is * mr), pc, kc,
                          mr, packed_a + is * mr * kc);
        for (int64_t js = js_begin; js < js_end; ++js) {
          const int64_t j0 = jc + js * nr;
          const int nv = static_cast<int>(std::min<int64_t>(nr, N - j0));
          Tile<T> t{};
          t.k = kc;
          t.ldc = P.ldc;
          t.accumulate = acc;
          t.n_valid = nv;
          if (P.pack_b) {
            t.b = P.packed_b + js * nr * kc;
            t.b_rs = nr;
          } else if (nv == nr) {
            t.b = P.B + pc * P.ldb + j0;
            t.b_rs = P.ldb;
          } else {  // the last, narrow sliver: zero-padded so full-vector loads stay in bounds
            if (!edge_packed) pack_b_sliver(s, P.B, P.ldb, pc, kc, j0, nv, nr, edge_b);
            edge_packed = true;
            t.b = edge_b;
            t.b_rs = nr;
          }
          for (int64_t is = 0; is < m_slivers; ++is) {
            const int64_t i0 = ic + is * mr;
            const int mv = static_cast<int>(std::min<int64_t>(mr, M - i0));
            t.m_valid = mv;
            t.c = P.C + i0 * P.ldc + j0;
            if (P.pack_a) {
              t.a = packed_a + is * mr * kc;
              P.uk.run_packed(t);
            } else {
              for (int i = 0; i < mr; ++i) {
                const int64_t r = i0 + std::min(i, mv - 1);
                a_off[i] = s.trans_a ? r + pc * P.lda : (s.a_rows ? s.a_rows[r] : r) * P.lda + pc;
              }
              t.a = P.A;
              t.a_off = a_off;
              t.a_cs = s.trans_a ? P.lda : 1;
              P.uk.run_strided(t);
            }
            if (last && P.epi) apply_epilogue(P, i0, j0, mv, nv);
          }
        }
      }
    }
  }
}

}  // namespace

template <typename T>
void gemm(const GemmShape& s, const T* A, int64_t lda, const T* B, int64_t ldb, T* C, int64_t ldc,
          bool accumulate, bool parallel, const GemmEpilogue<T>* epilogue) {
  const int64_t M = s.M, N = s.N, K = s.K;
  if (M <= 0 || N <= 0) return;
  const MicroKernel<T>& uk = kernels::pick<T>(active_kernels());
  if (K <= 0) {
    for (int64_t i = 0; i < M; ++i) {
      if (!accumulate) std::fill(C + i * ldc, C + i * ldc + N, T(0));
      if (epilogue) {
        Plan<T> P{s, A, B, lda, ldb, C, ldc, accumulate, epilogue, uk, {}, false, false, 0, 0,
                  false, nullptr, nullptr};
        apply_epilogue(P, i, 0, 1, static_cast<int>(N));
      }
    }
    return;
  }
  const Blocking blk = blocking_for<T>(uk.mr, uk.nr);
  const int mr = uk.mr;
  const bool threaded = parallel && num_threads() > 1 && 2.0 * M * N * K >= kParallelFlops &&
                        !omp_in_parallel();
  const int nt = threaded ? num_threads() : 1;

  std::atomic<int64_t> counters[2] = {0, 0};
  Plan<T> P{s, A, B, lda, ldb, C, ldc, accumulate, epilogue, uk, blk, true, true, 0, 0, true,
            nullptr, counters};
  const int64_t a_bytes = M * K * int64_t(sizeof(T)), b_bytes = K * N * int64_t(sizeof(T));
  P.pack_a = (s.trans_a && s.a_rows) || a_bytes > kDirectBytes || M > blk.mc;
  P.pack_b = s.trans_b || b_bytes > kDirectBytes;
  // Row blocks: as many as L2 asks for, rounded up to a multiple of the thread count.
  int64_t nb = (M + blk.mc - 1) / blk.mc;
  const int64_t m_tiles = (M + mr - 1) / mr;
  P.split_rows = nt == 1 || m_tiles >= 2 * nt;
  if (P.split_rows && nt > 1) nb = std::min(std::max(nb, 4 * int64_t(nt)), m_tiles);
  P.mcb = ((M + nb - 1) / nb + mr - 1) / mr * mr;
  P.n_iblocks = (M + P.mcb - 1) / P.mcb;
  if (P.pack_b)
    P.packed_b = thread_buffer<T>(0).get(std::min(blk.nc, (N + uk.nr - 1) / uk.nr * uk.nr) *
                                         std::min(blk.kc, K));
  if (nt == 1) {
    gemm_thread(P, 0, 1);
    return;
  }
#pragma omp parallel num_threads(nt)
  gemm_thread(P, omp_get_thread_num(), omp_get_num_threads());
}

template void gemm<float>(const GemmShape&, const float*, int64_t, const float*, int64_t, float*,
                          int64_t, bool, bool, const GemmEpilogue<float>*);
template void gemm<double>(const GemmShape&, const double*, int64_t, const double*, int64_t,
                           double*, int64_t, bool, bool, const GemmEpilogue<double>*);

}  // namespace gradfall
