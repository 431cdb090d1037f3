#include "core/gemm.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

#include "core/aligned_memory.h"
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
      aligned_release(data);
      const size_t bytes = (sizeof(T) * static_cast<size_t>(n) + 63) / 64 * 64;
      data = static_cast<T*>(aligned_allocate(64, bytes));
      if (!data) throw std::bad_alloc();
      size = n;
    }
    return data;
  }
  ~AlignedBuffer() { aligned_release(data); }
};

template <typename T>
AlignedBuffer<T>& thread_buffer(int which) {
  thread_local AlignedBuffer<T> buffers[3];  // own B panel (or edge sliver), A block, team B panel
  return buffers[which];
}

// Block sizes from the caches. KC is long (a KC x NR sliver of B fills 1/8 of L2, streamed
// from there): every extra KC step re-reads and re-writes the C tiles, which costs more than L1
// misses on B. An MC x KC block of A fills half of L2; a KC x NC panel of B a quarter of L3.
struct Blocking {
  int64_t kc, mc, nc;
};

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
  bool split_rows;         // threads share out row blocks (else fixed shares of B slivers)
  T* shared_b;                       // the team's B panel (large products), else null
  T* shared_a;                       // the team's packed A (batch-sized products), else null
  std::atomic<int64_t>* next_block;  // two counters: the next row block nobody has taken
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

// One row block ib of C against slivers [js_begin, js_end) of the packed panel (jc, pc) of B;
// b_panel holds sliver js at (js - js_begin) * nr * kc. A is packed here when the plan says so.
template <typename T>
void compute_block(const Plan<T>& P, int64_t ib, int64_t jc, int64_t pc, int64_t kc,
                   int64_t js_begin, int64_t js_end, const T* b_panel, T* packed_a, T* edge_b,
                   bool& edge_packed, bool a_ready = false) {
  const GemmShape& s = P.s;
  const int mr = P.uk.mr, nr = P.uk.nr;
  const int64_t M = s.M, N = s.N;
  const bool acc = P.accumulate || pc > 0;
  const bool last = pc + kc == s.K;
  const int64_t ic = ib * P.mcb;
  const int64_t mc = std::min(P.mcb, M - ic);
  const int64_t m_slivers = (mc + mr - 1) / mr;
  if (P.pack_a && !a_ready)
    for (int64_t is = 0; is < m_slivers; ++is)
      pack_a_sliver(s, P.A, P.lda, ic + is * mr, std::min<int64_t>(mr, mc - is * mr), pc, kc, mr,
                    packed_a + is * mr * kc);
  int64_t a_off[32];
  for (int64_t js = js_begin; js < js_end; ++js) {
    const int64_t j0 = jc + js * nr;
    const int nv = static_cast<int>(std::min<int64_t>(nr, N - j0));
    Tile<T> t{};
    t.k = kc;
    t.ldc = P.ldc;
    t.accumulate = acc;
    t.n_valid = nv;
    if (P.pack_b) {
      t.b = b_panel + (js - js_begin) * nr * kc;
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

// Row blocks [ib_begin, ib_end) against B slivers part/parts of each panel; the thread packs
// the B slivers it uses itself, so it never waits for another.
template <typename T>
void gemm_private_b(const Plan<T>& P, int64_t ib_begin, int64_t ib_end, int part, int parts) {
  const int nr = P.uk.nr;
  const Blocking& blk = P.blk;
  T* packed_a = P.pack_a ? thread_buffer<T>(1).get(P.mcb * blk.kc) : nullptr;
  const int64_t panel = std::min(blk.nc, (P.s.N + nr - 1) / nr * nr) * std::min(blk.kc, P.s.K);
  T* packed_b = thread_buffer<T>(0).get(P.pack_b ? panel : blk.kc * nr);
  for (int64_t jc = 0; jc < P.s.N; jc += blk.nc) {
    const int64_t nc = std::min(blk.nc, P.s.N - jc);
    const int64_t n_slivers = (nc + nr - 1) / nr;
    const int64_t js_begin = n_slivers * part / parts, js_end = n_slivers * (part + 1) / parts;
    for (int64_t pc = 0; pc < P.s.K; pc += blk.kc) {
      const int64_t kc = std::min(blk.kc, P.s.K - pc);
      if (P.pack_b)
        for (int64_t js = js_begin; js < js_end; ++js)
          pack_b_sliver(P.s, P.B, P.ldb, pc, kc, jc + js * nr, std::min<int64_t>(nr, nc - js * nr),
                        nr, packed_b + (js - js_begin) * nr * kc);
      bool edge_packed = false;
      for (int64_t ib = ib_begin; ib < ib_end; ++ib)
        compute_block(P, ib, jc, pc, kc, js_begin, js_end, packed_b, packed_a, packed_b,
                      edge_packed);
    }
  }
}

// Large products: the team packs each B panel together (two barriers per panel; KC is long, so
// panels are few), then takes row blocks first come, first served, so a thread the OS delays
// does not hold the other back. Two counters alternate between consecutive panels.
template <typename T>
void gemm_shared_b(const Plan<T>& P, int tid, int nt) {
  const int nr = P.uk.nr;
  const Blocking& blk = P.blk;
  T* packed_a = thread_buffer<T>(1).get(P.mcb * blk.kc);
  int64_t step = 0;
  for (int64_t jc = 0; jc < P.s.N; jc += blk.nc) {
    const int64_t nc = std::min(blk.nc, P.s.N - jc);
    const int64_t n_slivers = (nc + nr - 1) / nr;
    for (int64_t pc = 0; pc < P.s.K; pc += blk.kc, ++step) {
      const int64_t kc = std::min(blk.kc, P.s.K - pc);
      if (step > 0) {
#pragma omp barrier
      }
      if (tid == 0) P.next_block[(step + 1) % 2].store(0, std::memory_order_relaxed);
      for (int64_t js = n_slivers * tid / nt; js < n_slivers * (tid + 1) / nt; ++js)
        pack_b_sliver(P.s, P.B, P.ldb, pc, kc, jc + js * nr, std::min<int64_t>(nr, nc - js * nr),
                      nr, P.shared_b + js * nr * kc);
#pragma omp barrier
      std::atomic<int64_t>& next = P.next_block[step % 2];
      bool edge_packed = false;
      for (int64_t ib = next.fetch_add(1); ib < P.n_iblocks; ib = next.fetch_add(1))
        compute_block<T>(P, ib, jc, pc, kc, 0, n_slivers, P.shared_b, packed_a, nullptr,
                         edge_packed);
    }
  }
}

// Products with one (jc, pc) panel of at most 1 MiB: each thread packs the whole B for itself and
// takes row blocks first come, first served, with no barrier at all. A thread that starts late
// (the OS ran something else) finds the blocks taken and the team does not wait for it.
template <typename T>
void gemm_single_panel(const Plan<T>& P) {
  std::atomic<int64_t>& next = P.next_block[0];
  int64_t ib = next.fetch_add(1);
  if (ib >= P.n_iblocks) return;
  const int nr = P.uk.nr;
  const int64_t N = P.s.N, K = P.s.K;
  const int64_t n_slivers = (N + nr - 1) / nr;
  T* packed_a = thread_buffer<T>(1).get(P.mcb * K);
  T* packed_b = thread_buffer<T>(0).get(n_slivers * nr * K);
  for (int64_t js = 0; js < n_slivers; ++js)
    pack_b_sliver(P.s, P.B, P.ldb, 0, K, js * nr, std::min<int64_t>(nr, N - js * nr), nr,
                  packed_b + js * nr * K);
  bool edge_packed = false;
  for (; ib < P.n_iblocks; ib = next.fetch_add(1))
    compute_block<T>(P, ib, 0, 0, K, 0, n_slivers, packed_b, packed_a, nullptr, edge_packed);
}

// Batch-sized products split by columns with a single panel: the team packs all of A once
// (one barrier), then each thread packs and uses its own share of the B slivers.
template <typename T>
void gemm_columns_shared_a(const Plan<T>& P, int tid, int nt) {
  const int mr = P.uk.mr, nr = P.uk.nr;
  const int64_t M = P.s.M, N = P.s.N, K = P.s.K;
  const int64_t m_tiles = (M + mr - 1) / mr;
  for (int64_t is = m_tiles * tid / nt; is < m_tiles * (tid + 1) / nt; ++is)
    pack_a_sliver(P.s, P.A, P.lda, is * mr, std::min<int64_t>(mr, M - is * mr), 0, K, mr,
                  P.shared_a + is * mr * K);
  const int64_t n_slivers = (N + nr - 1) / nr;
  const int64_t js_begin = n_slivers * tid / nt, js_end = n_slivers * (tid + 1) / nt;
  T* packed_b = thread_buffer<T>(0).get((js_end - js_begin) * nr * K);
  for (int64_t js = js_begin; js < js_end; ++js)
    pack_b_sliver(P.s, P.B, P.ldb, 0, K, js * nr, std::min<int64_t>(nr, N - js * nr), nr,
                  packed_b + (js - js_begin) * nr * K);
#pragma omp barrier
  bool edge_packed = false;
  for (int64_t ib = 0; ib < P.n_iblocks; ++ib)
    compute_block<T>(P, ib, 0, 0, K, js_begin, js_end, packed_b, P.shared_a + ib * P.mcb * K,
                     nullptr, edge_packed, true);
}

// One thread's share. Each tile of C is summed by one thread in the same order whatever the
// thread count: tall C shares out row blocks, short C fixed shares of the columns.
template <typename T>
void gemm_thread(const Plan<T>& P, int tid, int nt) {
  if (nt == 1)
    gemm_private_b(P, 0, P.n_iblocks, 0, 1);
  else if (P.shared_b && P.s.K <= P.blk.kc && P.s.N <= P.blk.nc &&
           P.s.K * P.s.N * int64_t(sizeof(T)) <= (int64_t(1) << 20))
    gemm_single_panel(P);
  else if (P.shared_b)
    gemm_shared_b(P, tid, nt);
  else if (P.split_rows)
    gemm_private_b(P, P.n_iblocks * tid / nt, P.n_iblocks * (tid + 1) / nt, 0, 1);
  else if (P.shared_a)
    gemm_columns_shared_a(P, tid, nt);
  else
    gemm_private_b(P, 0, P.n_iblocks, tid, nt);
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
                  false, nullptr, nullptr, nullptr};
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

  std::atomic<int64_t> next_block[2] = {0, 0};
  Plan<T> P{s, A, B, lda, ldb, C, ldc, accumulate, epilogue, uk, blk, true, true, 0, 0, true,
            nullptr, nullptr, next_block};
  const int64_t a_bytes = M * K * int64_t(sizeof(T)), b_bytes = K * N * int64_t(sizeof(T));
  // A is read in place (rows through their gather index) while it fits half of L2, or is
  // batch-sized (<= kGemmInPlaceRows: a row block of it stays in L2), unless its row stride aliases L1
  // sets; a gathered A^T has no fixed stride and is always packed.
  const bool a_aliases = (lda * int64_t(sizeof(T))) % 2048 == 0 && a_bytes > kDirectBytes;
  P.pack_a = (s.trans_a && s.a_rows) || a_aliases || (a_bytes > cache_sizes().l2 / 2 && M > kGemmInPlaceRows);
  P.pack_b = s.trans_b || b_bytes > kDirectBytes;
  // Threads split rows when C is tall, else columns (column shares each re-pack A, which is
  // small for batch-sized M). Row blocks share one B panel packed by the team when A is packed
  // too (a large product), else each thread packs its own B and takes a fixed run of blocks.
  int64_t nb = (M + blk.mc - 1) / blk.mc;
  const int64_t m_tiles = (M + mr - 1) / mr;
  P.split_rows = nt == 1 || (m_tiles >= 2 * nt && (!P.pack_b || M >= N || M >= 256 * nt));
  if (nt > 1 && P.split_rows) {
    nb = std::max(nb, std::min<int64_t>(4 * nt, m_tiles));
    if (P.pack_a && P.pack_b)
      P.shared_b = thread_buffer<T>(2).get(std::min(blk.nc, (N + uk.nr - 1) / uk.nr * uk.nr) *
                                           std::min(blk.kc, K));
  }
  if (nt > 1 && !P.split_rows && P.pack_a && P.pack_b && K <= blk.kc && N <= blk.nc)
    P.shared_a = thread_buffer<T>(2).get((M + mr - 1) / mr * mr * K);
  P.mcb = ((M + nb - 1) / nb + mr - 1) / mr * mr;
  P.n_iblocks = (M + P.mcb - 1) / P.mcb;
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
