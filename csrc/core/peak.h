// Measured FMA peak of the active ISA: the yardstick the bench harness divides GEMM speed by.
#pragma once

namespace gradfall {

// Runs independent FMA chains on `threads` threads for about `seconds`; returns GFLOP/s.
double fma_peak_gflops(bool double_precision, double seconds, int threads);

}  // namespace gradfall
