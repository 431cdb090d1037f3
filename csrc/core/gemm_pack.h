// Packing routines of the GEMM driver: copy slivers of op(A) or op(B) into the contiguous,
// zero-padded layout the micro-kernel streams. Transposes and row gathers are resolved here.
//
// Packed layouts (the contract between packing and compute_block):
//   A block  (rows from i0, depth kc): MR-tall slivers, sliver is at is * mr * kc, a[p*mr + i].
//   B panel  (columns from jc, depth kc): NR-wide slivers, sliver js at js * nr * kc, b[p*nr + j].
// Rows of A and columns of B past the matrix edge are zero.
#pragma once
#include <algorithm>
#include <cstdint>

#include "core/gemm.h"

namespace gradfall::gemm_driver {

// Indices [begin, end): a run of slivers or row blocks.
struct Range {
  int64_t begin, end;
};

// Share part of parts of n items: consecutive, in order, covering [0, n) exactly once.
inline Range share(int64_t n, int part, int parts) {
  return {n * part / parts, n * (part + 1) / parts};
}

// Stored row r of A (through the gather index when there is one).
template <typename T>
inline const T* a_row(const GemmShape& s, const T* A, int64_t lda, int64_t r) {
  return A + (s.a_rows ? s.a_rows[r] : r) * lda;
}

// Rows [i0, i0+mv) x cols [p0, p0+kc) of op(A) as an MR-tall sliver: out[p*mr + i].
template <typename T>
void pack_a_sliver(const GemmShape& s, const T* A, int64_t lda, int64_t i0, int64_t mv,
                   int64_t p0, int64_t kc, int mr, T* out) {
  if (s.trans_a) {
    for (int64_t p = 0; p < kc; ++p) {
      const T* src = a_row(s, A, lda, p0 + p) + i0;
      T* dst = out + p * mr;
      int64_t i = 0;
      for (; i < mv; ++i) dst[i] = src[i];
      for (; i < mr; ++i) dst[i] = T(0);
    }
    return;
  }
  for (int64_t i = 0; i < mr; ++i) {
    if (i < mv) {
      const T* src = a_row(s, A, lda, i0 + i) + p0;
      for (int64_t p = 0; p < kc; ++p) out[p * mr + i] = src[p];
    } else {
      for (int64_t p = 0; p < kc; ++p) out[p * mr + i] = T(0);
    }
  }
}

// Rows [p0, p0+kc) x cols [j0, j0+nv) of op(B) as an NR-wide sliver: out[p*nr + j].
template <typename T>
void pack_b_sliver(const GemmShape& s, const T* B, int64_t ldb, int64_t p0, int64_t kc,
                   int64_t j0, int64_t nv, int nr, T* out) {
  if (!s.trans_b) {
    // Rows of NR elements: an inline loop the compiler vectorises beats a memcpy call per row.
    for (int64_t p = 0; p < kc; ++p) {
      const T* __restrict src = B + (p0 + p) * ldb + j0;
      T* __restrict dst = out + p * nr;
      for (int64_t j = 0; j < nv; ++j) dst[j] = src[j];
      for (int64_t j = nv; j < nr; ++j) dst[j] = T(0);
    }
    return;
  }
  // Transposed: 8 stored rows side by side, so each step writes a contiguous run of 8.
  int64_t jb = 0;
  for (; jb + 8 <= nv; jb += 8) {
    const T* r = B + (j0 + jb) * ldb + p0;
    for (int64_t p = 0; p < kc; ++p) {
      T* dst = out + p * nr + jb;
      for (int64_t j = 0; j < 8; ++j) dst[j] = r[j * ldb + p];
    }
  }
  for (; jb < nv; ++jb) {
    const T* r = B + (j0 + jb) * ldb + p0;
    for (int64_t p = 0; p < kc; ++p) out[p * nr + jb] = r[p];
  }
  for (int64_t p = 0; p < kc && nv < nr; ++p)
    for (int64_t j = nv; j < nr; ++j) out[p * nr + j] = T(0);
}

// Slivers `slivers` of the A block of op(A) rows [i0, i0+mc) x cols [p0, p0+kc), in the packed
// layout with sliver slivers.begin at out.
template <typename T>
void pack_a_slivers(const GemmShape& s, const T* A, int64_t lda, int64_t i0, int64_t mc,
                    int64_t p0, int64_t kc, Range slivers, int mr, T* out) {
  for (int64_t is = slivers.begin; is < slivers.end; ++is)
    pack_a_sliver(s, A, lda, i0 + is * mr, std::min<int64_t>(mr, mc - is * mr), p0, kc, mr,
                  out + (is - slivers.begin) * mr * kc);
}

// Slivers `slivers` of the B panel of op(B) rows [p0, p0+kc) x cols [jc, jc+nc), in the packed
// layout with sliver slivers.begin at out.
template <typename T>
void pack_b_slivers(const GemmShape& s, const T* B, int64_t ldb, int64_t p0, int64_t kc,
                    int64_t jc, int64_t nc, Range slivers, int nr, T* out) {
  for (int64_t js = slivers.begin; js < slivers.end; ++js)
    pack_b_sliver(s, B, ldb, p0, kc, jc + js * nr, std::min<int64_t>(nr, nc - js * nr), nr,
                  out + (js - slivers.begin) * nr * kc);
}

}  // namespace gradfall::gemm_driver
