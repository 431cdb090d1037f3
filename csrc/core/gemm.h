// GEMM driver in the Goto/BLIS style: C (M x N) = [C +] op(A) (M x K) * op(B) (K x N), row-major.
// Transposes (and a row gather of A) are read by the packing routines, never materialised.
#pragma once
#include <cstdint>

#include "core/dropout.h"
#include "kernels/kernels.h"

namespace gradfall {

struct GemmShape {
  bool trans_a;   // A is stored K x M (row stride lda) when true, else M x K
  bool trans_b;   // B is stored N x K (row stride ldb) when true, else K x N
  int64_t M, N, K;
  // Stored row r of A is A + a_rows[r] * lda (a shuffled batch read in place); null = identity.
  const int64_t* a_rows = nullptr;
};

// Applied to each tile of C once its sum is complete, by the thread that owns the tile.
template <typename T>
struct GemmEpilogue {
  kernels::MapOp op = kernels::MapOp::identity;
  T slope = 0;
  const T* bias = nullptr;     // C = f(C + bias[j])          (forward layer)
  const T* grad_of = nullptr;  // C *= f'(z), a = grad_of     (backward, row stride ld_grad)
  int64_t ld_grad = 0;
  // Row i of C is batch row i. Forward: the activations are dropped and scaled by the mask.
  // Backward: C is multiplied by the mask's scaled keep; grad_of then holds the dropped
  // activations, and f' is taken at them divided by the scale.
  const DropoutMask* dropout = nullptr;
};

// B (K x N, row-major) packed once in the driver's panel layout for the active kernels and
// blocking: products with that B read its panels instead of packing them again (a layer's weights
// across many inference calls). A product uses it only when everything it was packed for still
// holds (ISA, K, N, blocking); otherwise it packs as usual, so a stale description is never
// wrong, only slower.
template <typename T>
struct PackedB {
  const T* data = nullptr;
  int64_t K = 0, N = 0, kc = 0, nc = 0;
  int nr = 0;
  const void* kernels = nullptr;  // the KernelSet it was packed for
};

// Values pack_b_once writes for a K x N B with the active kernels.
template <typename T>
int64_t packed_b_values(int64_t K, int64_t N);

// Packs B into out (packed_b_values(K, N) values) and describes it.
template <typename T>
PackedB<T> pack_b_once(const T* B, int64_t ldb, int64_t K, int64_t N, T* out);

// The epilogue on rows [i0, i0+mv) x cols [j0, j0+nv) of C, whose sums are complete; the sparse
// products finish their rows with it too, so every layer input shares one activation code path.
template <typename T>
void apply_epilogue(const GemmEpilogue<T>& e, const kernels::MicroKernel<T>& uk, T* C,
                    int64_t ldc, int64_t i0, int64_t j0, int mv, int nv);

// Products of up to this many rows (neither operand transposed) read B in place, once per group
// of kernels::kGemvMaxRows rows (gemm_few_rows.cpp): packing B would cost more than the product.
constexpr int64_t kFewRows = 2 * kernels::kGemvMaxRows;

// Up to this many rows of C, A is read in place rather than packed (unless its stride aliases
// L1 sets): callers that choose their own row blocks keep wide inputs below it.
constexpr int64_t kGemmInPlaceRows = 512;

// Depth of the K panels for the active kernels: each element of C is an FMA chain from zero over
// each panel of this many K indices, the panels added in order (what RowCombination mirrors).
template <typename T>
int64_t gemm_k_panel();

// parallel=false keeps the call on the calling thread (used inside outer parallel loops).
// Every element of C is owned by one thread and summed in a fixed order, so the result does not
// depend on the thread count.
template <typename T>
void gemm(const GemmShape& shape, const T* A, int64_t lda, const T* B, int64_t ldb, T* C,
          int64_t ldc, bool accumulate, bool parallel, const GemmEpilogue<T>* epilogue = nullptr,
          const PackedB<T>* packed_b = nullptr);

}  // namespace gradfall
