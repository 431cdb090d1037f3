// What the CPU and the operating system together allow: an instruction set counts only when the
// CPU reports it (CPUID) and the OS saves its registers on a context switch (XGETBV).
#pragma once

namespace gradfall {

// AVX2 and FMA, with the ymm state enabled by the OS.
bool cpu_supports_avx2_fma();
// AVX-512 F/DQ/BW/VL (plus AVX2 and FMA), with the opmask and zmm state enabled by the OS.
bool cpu_supports_avx512();

}  // namespace gradfall
