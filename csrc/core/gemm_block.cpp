// The loops inside one row block: over the job's B slivers (js), then the block's A slivers (is),
// one micro-kernel tile each; and the epilogue that finishes each tile.
#include <algorithm>

#include "core/gemm_plan.h"

namespace gradfall {
namespace {

// d *= f'(a) where a = dropped / scale: the activations before dropout (relu and leaky_relu
// read the sign, which dropping keeps, so they use the dropped values as they are).
template <typename T>
void map_grad_undropped(const GemmEpilogue<T>& e, const kernels::MicroKernel<T>& uk,
                        const T* dropped, T* d, int nv) {
  if (e.op != kernels::MapOp::sigmoid && e.op != kernels::MapOp::tanh) {
    uk.map_grad(e.op, e.slope, dropped, d, nv);
    return;
  }
  constexpr int kChunk = 64;
  T a[kChunk];
  const T keep = static_cast<T>(1.0 - e.dropout->p);
  for (int j0 = 0; j0 < nv; j0 += kChunk) {
    const int n = std::min(kChunk, nv - j0);
    for (int j = 0; j < n; ++j) a[j] = dropped[j0 + j] * keep;
    uk.map_grad(e.op, e.slope, a, d + j0, n);
  }
}

}  // namespace

template <typename T>
void apply_epilogue(const GemmEpilogue<T>& e, const kernels::MicroKernel<T>& uk, T* C,
                    int64_t ldc, int64_t i0, int64_t j0, int mv, int nv) {
  for (int i = 0; i < mv; ++i) {
    T* row = C + (i0 + i) * ldc + j0;
    if (e.grad_of) {
      const T* a = e.grad_of + (i0 + i) * e.ld_grad + j0;
      if (e.dropout) {
        e.dropout->apply(row, i0 + i, j0, nv);
        map_grad_undropped(e, uk, a, row, nv);
      } else {
        uk.map_grad(e.op, e.slope, a, row, nv);
      }
    } else {
      uk.bias_map(e.op, e.slope, e.bias ? e.bias + j0 : nullptr, row, nv);
      if (e.dropout) e.dropout->apply(row, i0 + i, j0, nv);
    }
  }
}

template void apply_epilogue<float>(const GemmEpilogue<float>&, const kernels::MicroKernel<float>&,
                                    float*, int64_t, int64_t, int64_t, int, int);
template void apply_epilogue<double>(const GemmEpilogue<double>&,
                                     const kernels::MicroKernel<double>&, double*, int64_t,
                                     int64_t, int64_t, int, int);

namespace gemm_driver {

using kernels::Tile;

namespace {

// Where the MR rows from i0 of op(A), columns from pc, start in A read in place (rows past m_valid
// repeat the last valid one). Assumes: A^T is never gathered (that case is packed).
template <typename T>
void a_in_place_offsets(const Plan<T>& P, int64_t i0, int mv, int64_t pc, int64_t* a_off) {
  const GemmShape& s = P.s;
  for (int i = 0; i < P.mr(); ++i) {
    const int64_t r = i0 + std::min(i, mv - 1);
    a_off[i] = s.trans_a ? r + pc * P.lda : (s.a_rows ? s.a_rows[r] : r) * P.lda + pc;
  }
}

// The smallest edge kernel that covers mv rows, or null when only a full tile does.
template <typename T>
void (*edge_kernel(const kernels::MicroKernel<T>& uk, int mv))(const Tile<T>&) {
  for (int e = 0; e < 2; ++e)
    if (uk.run_edge[e] && mv <= uk.edge_mr[e]) return uk.run_edge[e];
  return nullptr;
}

}  // namespace

// Assumes: MR <= 32.
template <typename T>
void compute_block(const Plan<T>& P, const BlockJob<T>& job) {
  const GemmShape& s = P.s;
  const int mr = P.mr(), nr = P.nr();
  const int64_t ic = job.ib * P.mcb;
  const int64_t mc = std::min(P.mcb, s.M - ic);
  const int64_t m_slivers = ceil_div(mc, mr);
  const bool last_panel = job.pc + job.kc == s.K;
  if (P.pack_a && !job.a_packed)
    pack_a_slivers(s, P.A, P.lda, ic, mc, job.pc, job.kc, {0, m_slivers}, mr, job.a_block);
  int64_t a_off[32];
  for (int64_t js = job.slivers.begin; js < job.slivers.end; ++js) {
    const int64_t j0 = job.jc + js * nr;
    const int nv = static_cast<int>(std::min<int64_t>(nr, s.N - j0));
    Tile<T> t{};
    t.k = job.kc;
    t.ldc = P.ldc;
    t.accumulate = P.accumulate || job.pc > 0;
    t.n_valid = nv;
    if (P.pack_b) {
      t.b = job.b_panel + (js - job.slivers.begin) * nr * job.kc;
      t.b_rs = nr;
    } else if (nv == nr) {
      t.b = P.B + job.pc * P.ldb + j0;
      t.b_rs = P.ldb;
    } else {  // zero-padded so the kernel's full-vector loads stay in bounds
      t.b = job.edge_b;
      t.b_rs = nr;
    }
    for (int64_t is = 0; is < m_slivers; ++is) {
      const int64_t i0 = ic + is * mr;
      const int mv = static_cast<int>(std::min<int64_t>(mr, s.M - i0));
      t.m_valid = mv;
      t.c = P.C + i0 * P.ldc + j0;
      const auto edge = edge_kernel(P.uk, mv);
      if (P.pack_a && !edge) {
        t.a = job.a_block + is * mr * job.kc;
        P.uk.run_packed(t);
      } else if (P.pack_a) {  // row i of the packed sliver starts at i, its steps MR apart
        for (int i = 0; i < mr; ++i) a_off[i] = i;
        t.a = job.a_block + is * mr * job.kc;
        t.a_off = a_off;
        t.a_cs = mr;
        edge(t);
      } else {
        a_in_place_offsets(P, i0, mv, job.pc, a_off);
        t.a = P.A;
        t.a_off = a_off;
        t.a_cs = s.trans_a ? P.lda : 1;
        (edge ? edge : P.uk.run_strided)(t);
      }
      if (last_panel && P.epilogue) apply_epilogue(*P.epilogue, P.uk, P.C, P.ldc, i0, j0, mv, nv);
    }
  }
}

template void compute_block<float>(const Plan<float>&, const BlockJob<float>&);
template void compute_block<double>(const Plan<double>&, const BlockJob<double>&);

}  // namespace gemm_driver
}  // namespace gradfall
