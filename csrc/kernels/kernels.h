// The per-ISA kernel table: the only things that differ between scalar, AVX2 and AVX-512 builds.
#pragma once
#include <cstdint>

namespace gradfall::kernels {

// One MR x NR micro-tile: C[0:m_valid, 0:n_valid] = (accumulate ? C : 0) + sum_p A(i,p) B(p,j).
// B(p,j) = b[p*b_rs + j] must be readable for j < NR (a packed or zero-padded sliver, or a
// row-major B with at least NR columns left). A(i,p) is a packed MR-tall sliver
// (a[p*MR + i]) for run_packed, or a[a_off[i] + p*a_cs] for run_strided, where a_off holds MR
// offsets (rows past m_valid repeat a valid row; their results are never stored).
template <typename T>
struct Tile {
  int64_t k;
  const T* a;
  const int64_t* a_off;
  int64_t a_cs;
  const T* b;
  int64_t b_rs;
  T* c;
  int64_t ldc;
  int m_valid, n_valid;
  bool accumulate;
};

// Up to kGemvMaxRows rows of a few-row product: y[r][j] = [y[r][j] +] sum_{p<k} x[r][p] b[p*ldb+j]
// for j in [j0, j1). B is read in place, row-major; x[r] and y[r] point at row r.
constexpr int kGemvMaxRows = 8;

template <typename T>
struct RowsJob {
  const T* x[kGemvMaxRows];
  T* y[kGemvMaxRows];
  const T* b;
  int64_t ldb, k, j0, j1;
  bool accumulate;
};

// y[0:n) = [y +] sum_e values[e] * B[rows[e] * ldb + 0:n), a combination of rows of B summed
// as the GEMM sums its K dimension (rows[e] is the K index): an FMA chain from zero within each
// panel of `panel` consecutive K indices, the panels added in the order the terms reach them.
template <typename T>
struct RowCombination {
  const T* values;
  const int32_t* rows;
  int64_t count;
  const T* B;
  int64_t ldb;
  int64_t panel;
  bool accumulate;
};

// Element-wise maps the layers are made of (see vmath.h for the float32 error bounds).
enum class MapOp { identity, relu, leaky_relu, sigmoid, tanh };
enum class MathFn { exp, log, tanh, sigmoid };

template <typename T>
struct MicroKernel {
  int mr;
  int nr;
  void (*run_packed)(const Tile<T>& t);
  void (*run_strided)(const Tile<T>& t);
  // x[j] = f(x[j] + bias[j]) for j < n (bias may be null).
  void (*bias_map)(MapOp op, T slope, const T* bias, T* x, int64_t n);
  // d[j] *= f'(z_j), written through the activation's output a[j] = f(z_j).
  void (*map_grad)(MapOp op, T slope, const T* a, T* d, int64_t n);
  // y[j] = fn(x[j]); y may alias x.
  void (*math)(MathFn fn, const T* x, T* y, int64_t n);
  // The sparse products' inner loop (see RowCombination).
  void (*combine_rows)(const RowCombination<T>& c, T* y, int64_t n);
  // Independent FMA chains for the peak measurement; returns the flops it performed.
  double (*fma_loop)(int64_t iterations, T* sink);
  // gemv[r - 1]: the few-row product for r rows (RowsJob); the columns it steps by at once.
  void (*gemv[kGemvMaxRows])(const RowsJob<T>& job);
  int gemv_step;
  // Tiles of at most edge_mr[e] rows, A read as in run_strided (null: none): the last, short
  // row sliver of a product runs one of these instead of a full MR-row tile. Each element is
  // the same FMA chain over k, so the bits do not change.
  int edge_mr[2];
  void (*run_edge[2])(const Tile<T>& t);
};

// The parameters' fingerprint (core/fingerprint.h) runs kFingerprintLanes uint32 hash chains,
// lane k over word k of each kFingerprintLanes * 4-byte block.
constexpr int kFingerprintLanes = 128;
constexpr int64_t kFingerprintBlockBytes = kFingerprintLanes * 4;
// Partial sums of sum_squares (sum_squares.h): value i goes to slot i % kSquareSlots.
constexpr int kSquareSlots = 32;

struct KernelSet {
  const char* name;
  MicroKernel<float> f32;
  MicroKernel<double> f64;
  // Advances the lanes over `blocks` whole blocks of data (see fingerprint_blocks.h).
  void (*fingerprint_blocks)(const unsigned char* data, int64_t blocks, uint32_t* lanes);
  // sum_i x[i]^2 in double (see sum_squares.h).
  double (*sum_squares_f32)(const float* x, int64_t n);
};

const KernelSet& scalar_kernels();
#if defined(GRADFALL_X86)
const KernelSet& avx2_kernels();
const KernelSet& avx512_kernels();
#endif

template <typename T> inline const MicroKernel<T>& pick(const KernelSet& set);
template <> inline const MicroKernel<float>& pick<float>(const KernelSet& set) { return set.f32; }
template <> inline const MicroKernel<double>& pick<double>(const KernelSet& set) { return set.f64; }

}  // namespace gradfall::kernels
