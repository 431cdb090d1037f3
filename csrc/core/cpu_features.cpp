#include "core/cpu_features.h"

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
#define GRADFALL_CPUID 1
#if defined(_MSC_VER) && !defined(__clang__)
#include <immintrin.h>
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

namespace gradfall {
namespace {

struct CpuFeatures {
  bool avx2_fma = false;
  bool avx512 = false;
};

#if defined(GRADFALL_CPUID)

struct Registers {
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

// CPUID leaf/subleaf; all zeros when the CPU does not have that leaf.
Registers cpuid(uint32_t leaf, uint32_t subleaf) {
  Registers r;
#if defined(_MSC_VER) && !defined(__clang__)
  int out[4];
  __cpuidex(out, static_cast<int>(leaf), static_cast<int>(subleaf));
  r = {static_cast<uint32_t>(out[0]), static_cast<uint32_t>(out[1]),
       static_cast<uint32_t>(out[2]), static_cast<uint32_t>(out[3])};
#else
  if (!__get_cpuid_count(leaf, subleaf, &r.eax, &r.ebx, &r.ecx, &r.edx)) r = Registers{};
#endif
  return r;
}

// XCR0: which register states the OS saves. Only call when CPUID reports OSXSAVE.
uint64_t enabled_register_states() {
#if defined(_MSC_VER) && !defined(__clang__)
  return _xgetbv(0);
#else
  // The instruction itself, not _xgetbv: that intrinsic needs -mxsave on the whole file.
  uint32_t low = 0, high = 0;
  __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
  return (static_cast<uint64_t>(high) << 32) | low;
#endif
}

bool bit(uint32_t value, int index) { return (value >> index) & 1u; }

CpuFeatures detect() {
  CpuFeatures f;
  const uint32_t max_leaf = cpuid(0, 0).eax;
  if (max_leaf < 7) return f;
  const Registers leaf1 = cpuid(1, 0);
  const bool fma = bit(leaf1.ecx, 12), osxsave = bit(leaf1.ecx, 27), avx = bit(leaf1.ecx, 28);
  if (!osxsave || !avx) return f;
  const uint64_t states = enabled_register_states();
  const bool os_saves_ymm = (states & 0x6) == 0x6;     // SSE and AVX state
  const bool os_saves_zmm = (states & 0xE0) == 0xE0;   // opmask, upper zmm0-15, zmm16-31
  const Registers leaf7 = cpuid(7, 0);
  const bool avx2 = bit(leaf7.ebx, 5);
  const bool avx512f = bit(leaf7.ebx, 16), avx512dq = bit(leaf7.ebx, 17);
  const bool avx512bw = bit(leaf7.ebx, 30), avx512vl = bit(leaf7.ebx, 31);
  f.avx2_fma = os_saves_ymm && avx2 && fma;
  f.avx512 = f.avx2_fma && os_saves_zmm && avx512f && avx512dq && avx512bw && avx512vl;
  return f;
}

#else

CpuFeatures detect() { return CpuFeatures{}; }  // not x86: only the portable kernels exist

#endif

const CpuFeatures& features() {
  static const CpuFeatures detected = detect();
  return detected;
}

}  // namespace

bool cpu_supports_avx2_fma() { return features().avx2_fma; }
bool cpu_supports_avx512() { return features().avx512; }

}  // namespace gradfall
