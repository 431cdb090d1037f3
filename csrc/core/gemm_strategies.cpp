// The loops of each ThreadStrategy over the panels of B (jc, then pc) and the row blocks of C
// (ib): what each thread packs, where the team waits, and which BlockJobs each thread runs.
#include <omp.h>

#include <algorithm>

#include "core/gemm_plan.h"
#include "core/gemm_scratch.h"

namespace gradfall::gemm_driver {
namespace {

// The calling thread's scratch: thrown std::bad_alloc on the serial path, inside a team null
// with the plan's out_of_memory flag set.
template <typename T>
T* team_scratch(const Plan<T>& P, Scratch which, int64_t n) {
  return P.out_of_memory ? scratch_in_team<T>(which, n, P.out_of_memory) : scratch<T>(which, n);
}

// B read in place: packs the panel's last sliver into out, zero-padded, when it is narrow and in
// `slivers`; returns out, else null (every sliver the job reads is then full width in place).
template <typename T>
const T* pack_edge_sliver(const Plan<T>& P, int64_t jc, int64_t nc, int64_t pc, int64_t kc,
                          Range slivers, T* out) {
  const int nr = P.nr();
  const int64_t last = slivers.end - 1;
  const int64_t width = nc - last * nr;
  if (slivers.end <= slivers.begin || width >= nr) return nullptr;
  pack_b_sliver(P.s, P.B, P.ldb, pc, kc, jc + last * nr, width, nr, out);
  return out;
}

// serial, rows_private_b, columns_private: row blocks `rows` against B slivers part of parts of
// every panel. Shares nothing: the thread packs all it reads, so it never waits for another.
template <typename T>
void private_b(const Plan<T>& P, Range rows, int part, int parts) {
  const int nr = P.nr();
  const Blocking& blk = P.blk;
  T* a_block = P.pack_a ? team_scratch(P, Scratch::a_block, P.mcb * blk.kc) : nullptr;
  T* own_b = team_scratch(P, Scratch::own_b, P.pack_b ? P.b_panel_size() : blk.kc * nr);
  if ((P.pack_a && !a_block) || !own_b) return;
  for (int64_t jc = 0; jc < P.s.N; jc += blk.nc) {
    const int64_t nc = std::min(blk.nc, P.s.N - jc);
    const Range slivers = share(ceil_div(nc, nr), part, parts);
    for (int64_t pc = 0; pc < P.s.K; pc += blk.kc) {
      const int64_t kc = std::min(blk.kc, P.s.K - pc);
      BlockJob<T> job{rows.begin, jc, pc, kc, slivers, nullptr, nullptr, a_block, false};
      if (P.prepacked_b) {
        job.b_panel = P.packed_panel(jc, pc) + slivers.begin * nr * kc;
      } else if (P.pack_b) {
        pack_b_slivers(P.s, P.B, P.ldb, pc, kc, jc, nc, slivers, nr, own_b);
        job.b_panel = own_b;
      } else {
        job.edge_b = pack_edge_sliver(P, jc, nc, pc, kc, slivers, own_b);
      }
      for (job.ib = rows.begin; job.ib < rows.end; ++job.ib) compute_block(P, job);
    }
  }
}

// rows_single_panel: the thread packs all of B (one panel) only once it has a row block, so a
// thread the OS starts late finds the blocks taken and the team does not wait for it.
template <typename T>
void single_panel(const Plan<T>& P) {
  std::atomic<int64_t>& next = P.next_block[0];
  const int64_t first = next.fetch_add(1);
  if (first >= P.n_iblocks) return;
  const int64_t N = P.s.N, K = P.s.K;
  const Range slivers{0, ceil_div(N, P.nr())};
  T* a_block = team_scratch(P, Scratch::a_block, P.mcb * K);
  T* own_b = P.prepacked_b ? nullptr : team_scratch(P, Scratch::own_b, slivers.end * P.nr() * K);
  if (!a_block || (!own_b && !P.prepacked_b)) return;
  if (!P.prepacked_b) pack_b_slivers(P.s, P.B, P.ldb, 0, K, 0, N, slivers, P.nr(), own_b);
  const T* b_panel = P.prepacked_b ? P.packed_panel(0, 0) : own_b;
  BlockJob<T> job{first, 0, 0, K, slivers, b_panel, nullptr, a_block, false};
  for (; job.ib < P.n_iblocks; job.ib = next.fetch_add(1)) compute_block(P, job);
}

// rows_shared_b: per panel, each thread packs its share of the slivers into the team's panel,
// then all take row blocks from a counter. Two counters alternate between consecutive panels:
// thread 0 resets the next panel's counter once every thread has left the previous panel.
template <typename T>
void shared_b(const Plan<T>& P, int tid, int nt) {
  const int nr = P.nr();
  const Blocking& blk = P.blk;
  T* a_block = team_scratch(P, Scratch::a_block, P.mcb * blk.kc);
  int64_t step = 0;
  for (int64_t jc = 0; jc < P.s.N; jc += blk.nc) {
    const int64_t nc = std::min(blk.nc, P.s.N - jc);
    const int64_t n_slivers = ceil_div(nc, nr);
    for (int64_t pc = 0; pc < P.s.K; pc += blk.kc, ++step) {
      const int64_t kc = std::min(blk.kc, P.s.K - pc);
      if (step > 0) {
#pragma omp barrier
      }
      if (tid == 0) P.next_block[(step + 1) % 2].store(0, std::memory_order_relaxed);
      const Range mine = share(n_slivers, tid, nt);
      if (!P.prepacked_b)
        pack_b_slivers(P.s, P.B, P.ldb, pc, kc, jc, nc, mine, nr,
                       P.shared_b_panel + mine.begin * nr * kc);
#pragma omp barrier
      std::atomic<int64_t>& next = P.next_block[step % 2];
      const T* panel = P.prepacked_b ? P.packed_panel(jc, pc) : P.shared_b_panel;
      BlockJob<T> job{0, jc, pc, kc, {0, n_slivers}, panel, nullptr, a_block, false};
      if (!a_block) continue;  // out of memory: only meet the team at its barriers
      for (job.ib = next.fetch_add(1); job.ib < P.n_iblocks; job.ib = next.fetch_add(1))
        compute_block(P, job);
    }
  }
}

// columns_shared_a: each thread packs its share of A's slivers into the team's copy and its own
// share of B's slivers; after one barrier it runs every row block against its B share.
template <typename T>
void columns_shared_a(const Plan<T>& P, int tid, int nt) {
  const int mr = P.mr(), nr = P.nr();
  const int64_t M = P.s.M, N = P.s.N, K = P.s.K;
  const Range my_a = share(ceil_div(M, mr), tid, nt);
  pack_a_slivers(P.s, P.A, P.lda, 0, M, 0, K, my_a, mr, P.shared_a + my_a.begin * mr * K);
  const Range my_b = share(ceil_div(N, nr), tid, nt);
  T* own_b = P.prepacked_b ? nullptr
                           : team_scratch(P, Scratch::own_b, (my_b.end - my_b.begin) * nr * K);
  if (own_b) pack_b_slivers(P.s, P.B, P.ldb, 0, K, 0, N, my_b, nr, own_b);
#pragma omp barrier
  const T* b_share = P.prepacked_b ? P.packed_panel(0, 0) + my_b.begin * nr * K : own_b;
  if (!b_share) return;
  for (int64_t ib = 0; ib < P.n_iblocks; ++ib)
    compute_block(P, BlockJob<T>{ib, 0, 0, K, my_b, b_share, nullptr,
                                 P.shared_a + ib * P.mcb * K, true});
}

}  // namespace

template <typename T>
void gemm_thread(const Plan<T>& P, int tid, int nt) {
  switch (P.strategy) {
    case ThreadStrategy::serial:
    case ThreadStrategy::rows_private_b:
      private_b(P, share(P.n_iblocks, tid, nt), 0, 1);
      return;
    case ThreadStrategy::rows_single_panel:
      single_panel(P);
      return;
    case ThreadStrategy::rows_shared_b:
      shared_b(P, tid, nt);
      return;
    case ThreadStrategy::columns_shared_a:
      columns_shared_a(P, tid, nt);
      return;
    case ThreadStrategy::columns_private:
      private_b(P, {0, P.n_iblocks}, tid, nt);
      return;
  }
}

template void gemm_thread<float>(const Plan<float>&, int, int);
template void gemm_thread<double>(const Plan<double>&, int, int);

}  // namespace gradfall::gemm_driver
