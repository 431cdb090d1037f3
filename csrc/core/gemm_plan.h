// The GEMM driver's shared state: one Plan per call, fixed in gemm() before any thread starts and
// read by every thread; one BlockJob per unit of work handed to compute_block.
//
// The loops, outermost first, and where each lives:
//   gemm.cpp             blocking, what is packed, the ThreadStrategy; launches the team
//   gemm_strategies.cpp  per strategy: panels of B (jc, then pc) and row blocks of C (ib)
//   gemm_block.cpp       one row block against a run of B slivers: slivers (js), then A (is)
//   kernels/             one MR x NR tile
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>

#include "core/gemm.h"
#include "core/gemm_pack.h"
#include "kernels/kernels.h"

namespace gradfall::gemm_driver {

inline int64_t ceil_div(int64_t n, int64_t d) { return (n + d - 1) / d; }
inline int64_t round_up(int64_t n, int64_t d) { return ceil_div(n, d) * d; }

// Cache blocks: KC rows of op(B) per panel, MC rows of A per block, NC columns of B per panel.
struct Blocking {
  int64_t kc, mc, nc;
};

// How a team of threads shares C. In every strategy each tile of C is summed by one thread over
// the K panels in order, so the result is the same for any strategy and thread count.
enum class ThreadStrategy {
  serial,             // one thread: every row block against every panel of B
  rows_private_b,     // a fixed run of row blocks per thread; each packs the B it reads itself
  rows_single_panel,  // B is one panel of at most 1 MiB: each thread packs all of it, then takes
                      // row blocks first come, first served; no barrier
  rows_shared_b,      // per panel, the team packs B together (two barriers), then takes row
                      // blocks first come, first served
  columns_shared_a,   // B is one panel: the team packs all of A (one barrier); each thread a
                      // fixed share of the B slivers against every row block
  columns_private,    // each thread a fixed share of the B slivers of every panel against every
                      // row block; packs its A and B itself
};

template <typename T>
struct Plan {
  const GemmShape& s;
  const T* A;
  int64_t lda;
  const T* B;
  int64_t ldb;
  T* C;
  int64_t ldc;
  bool accumulate;                  // the first K panel adds to C rather than overwriting it
  const GemmEpilogue<T>* epilogue;  // null: none
  const kernels::MicroKernel<T>& uk;
  Blocking blk;
  bool pack_a, pack_b;  // false: the operand is read in place
  int64_t mcb;          // rows of C per row block (a multiple of MR; the last block is shorter)
  int64_t n_iblocks;
  ThreadStrategy strategy;
  T* shared_b_panel;  // rows_shared_b: the team's B panel; else null
  T* shared_a;        // columns_shared_a: all of A in packed blocks of mcb rows; else null
  std::atomic<int64_t>* next_block;  // two counters: the next row block nobody has taken
  // Set by a thread of the team that could not get its scratch: it then computes nothing (but
  // still meets the team at every barrier) and the call throws std::bad_alloc after the region,
  // since an exception must not leave an OpenMP region.
  std::atomic<bool>* out_of_memory = nullptr;
  const T* prepacked_b = nullptr;  // B packed ahead (PackedB): read, never packed here

  int mr() const { return uk.mr; }
  // The packed panel (jc, pc) of a prepacked B: full panels of NC columns come first, each NC x K.
  const T* packed_panel(int64_t jc, int64_t pc) const {
    return prepacked_b + jc * s.K + round_up(std::min(blk.nc, s.N - jc), nr()) * pc;
  }
  int nr() const { return uk.nr; }
  // Values in the largest packed B panel of this product.
  int64_t b_panel_size() const {
    return std::min(blk.nc, round_up(s.N, nr())) * std::min(blk.kc, s.K);
  }
};

// One row block of C against a run of slivers of one panel of op(B).
template <typename T>
struct BlockJob {
  int64_t ib;          // row block of C: rows from ib * mcb
  int64_t jc, pc, kc;  // the panel of op(B): columns from jc, rows [pc, pc + kc)
  Range slivers;       // the NR-wide slivers of the panel this job covers
  const T* b_panel;    // B packed: sliver slivers.begin onwards in the packed layout; else null
  const T* edge_b;     // B in place: the panel's last, narrow sliver packed, if the job has it
  T* a_block;          // A packed: the block in the packed layout (mcb * kc values); else null
  bool a_packed;       // a_block already holds this block's A; else compute_block packs it
};

// C[block ib, job's columns] = [C +] op(A) op(B) over the job's panel, then the epilogue on the
// last K panel. Assumes: when pc > 0, the previous K panel of these tiles is done.
template <typename T>
void compute_block(const Plan<T>& P, const BlockJob<T>& job);

// C = [C +] A B for at most kFewRows rows of A, neither operand transposed: B read in place, K
// split into the blocked driver's panels of kc rows (the same bits), the epilogue on each
// thread's columns (gemm_few_rows.cpp).
template <typename T>
void gemm_few_rows(const GemmShape& s, const T* A, int64_t lda, const T* B, int64_t ldb, T* C,
                   int64_t ldc, bool accumulate, bool parallel, const GemmEpilogue<T>* epilogue,
                   const kernels::MicroKernel<T>& uk, int64_t kc);

// A product op(A) = A^T with at most NR/2 columns of C and at least NR rows (A not gathered),
// which gemm_narrow computes as its transpose: the same bits, with full vectors.
template <typename T>
bool is_narrow(const GemmShape& s, const kernels::MicroKernel<T>& uk);

// C = [C +] op(A) op(B) via C^T = op(B)^T op(A)^T in a per-thread buffer (gemm_narrow.cpp); no
// epilogue (the weight gradients it serves have none).
template <typename T>
void gemm_narrow(const GemmShape& s, const T* A, int64_t lda, const T* B, int64_t ldb, T* C,
                 int64_t ldc, bool accumulate, bool parallel);

// Thread tid of a team of nt: its share of the work under P.strategy. Any nt >= 1 gives the
// same C; every thread of the team must call it (some strategies have barriers).
template <typename T>
void gemm_thread(const Plan<T>& P, int tid, int nt);

}  // namespace gradfall::gemm_driver
