#include "core/peak.h"

#include <omp.h>

#include <algorithm>
#include <ctime>
#include <vector>

#include "core/dispatch.h"

namespace gradfall {
namespace {

// Seconds the calling thread has run on a CPU. Time spent waiting for a core that another
// process holds does not count, so a busy machine cannot pull a two-thread peak down to one
// core's. Without a per-thread CPU clock: wall time (a busy machine then reads low).
double thread_seconds() {
#if defined(CLOCK_THREAD_CPUTIME_ID)
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
#else
  return omp_get_wtime();
#endif
}

template <typename T>
double run_peak(const kernels::MicroKernel<T>& uk, double seconds, int threads) {
  // Calibrate the iteration count on one thread, then run all threads together.
  int64_t iterations = 1 << 16;
  T sink = 0;
  for (;;) {
    const double t0 = thread_seconds();
    uk.fma_loop(iterations, &sink);
    const double elapsed = thread_seconds() - t0;
    if (elapsed > seconds / 4 || iterations > (int64_t(1) << 40)) {
      iterations = static_cast<int64_t>(iterations * (seconds / std::max(elapsed, 1e-9)));
      break;
    }
    iterations *= 4;
  }
  iterations = std::max<int64_t>(iterations, 1);
  // Each thread's own rate: FLOPs over the CPU time it ran. Threads sharing a core's FMA units
  // (SMT) each run slower, so their rates still add up to what the cores can do.
  std::vector<double> rates(static_cast<size_t>(threads), 0.0);
  int team = 1;
#pragma omp parallel num_threads(threads)
  {
    T local_sink = 0;
    const double t0 = thread_seconds();
    const double flops = uk.fma_loop(iterations, &local_sink);
    const double elapsed = thread_seconds() - t0;
    double& rate = rates[static_cast<size_t>(omp_get_thread_num())];
    rate = flops / std::max(elapsed, 1e-9);
    if (local_sink == T(12345.678)) rate += 0;  // keeps the loop's result observable
#pragma omp single
    team = omp_get_num_threads();
  }
  double total = 0;
  for (double rate : rates) total += rate;
  // More threads than CPUs take turns on them: the mean rate times the CPUs they can use.
  const int concurrent = std::min(team, std::max(1, omp_get_num_procs()));
  return total / team * concurrent * 1e-9;
}

}  // namespace

double fma_peak_gflops(bool double_precision, double seconds, int threads) {
  const kernels::KernelSet& set = active_kernels();
  return double_precision ? run_peak(set.f64, seconds, threads) : run_peak(set.f32, seconds, threads);
}

}  // namespace gradfall
