#include "core/peak.h"

#include <omp.h>

#include <algorithm>

#include "core/dispatch.h"

namespace gradfall {
namespace {

template <typename T>
double run_peak(const kernels::MicroKernel<T>& uk, double seconds, int threads) {
  // Calibrate the iteration count on one thread, then time all threads together.
  int64_t iterations = 1 << 16;
  T sink = 0;
  for (;;) {
    const double t0 = omp_get_wtime();
    uk.fma_loop(iterations, &sink);
    const double elapsed = omp_get_wtime() - t0;
    if (elapsed > seconds / 4 || iterations > (int64_t(1) << 40)) {
      iterations = static_cast<int64_t>(iterations * (seconds / std::max(elapsed, 1e-9)));
      break;
    }
    iterations *= 4;
  }
  double flops = 0;
  const double t0 = omp_get_wtime();
#pragma omp parallel num_threads(threads) reduction(+ : flops)
  {
    T local_sink = 0;
    flops += uk.fma_loop(std::max<int64_t>(iterations, 1), &local_sink);
    if (local_sink == T(12345.678)) flops += 0;  // keeps the loop's result observable
  }
  const double elapsed = omp_get_wtime() - t0;
  return flops / elapsed * 1e-9;
}

}  // namespace

double fma_peak_gflops(bool double_precision, double seconds, int threads) {
  const kernels::KernelSet& set = active_kernels();
  return double_precision ? run_peak(set.f64, seconds, threads) : run_peak(set.f32, seconds, threads);
}

}  // namespace gradfall
