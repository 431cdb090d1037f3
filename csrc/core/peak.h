// Measured FMA peak of the active ISA: the yardstick the bench harness divides GEMM speed by.
#pragma once

namespace gradfall {

// Runs independent FMA chains on `threads` threads for about `seconds` of CPU time each;
// returns GFLOP/s: the sum of the rates the threads reach while they run (see peak.cpp).
double fma_peak_gflops(bool double_precision, double seconds, int threads);

}  // namespace gradfall
