// The per-ISA kernel table: the only things that differ between scalar, AVX2 and AVX-512 builds.
#pragma once
#include <cstdint>

namespace gradfall::kernels {

// C[0:mr, 0:nr] (row stride ldc) = (accumulate ? C : 0) + sum_p a[p*mr + i] * b[p*nr + j],
// where a is a packed MR-tall sliver of A and b a packed NR-wide sliver of B.
template <typename T>
struct MicroKernel {
  int mr;
  int nr;
  void (*run)(int64_t k, const T* a, const T* b, T* c, int64_t ldc, bool accumulate);
  // Independent FMA chains for the peak measurement; returns the flops it performed.
  double (*fma_loop)(int64_t iterations, T* sink);
};

struct KernelSet {
  const char* name;
  MicroKernel<float> f32;
  MicroKernel<double> f64;
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
