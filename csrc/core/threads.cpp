#include "core/threads.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#endif

namespace gradfall {
namespace {

std::atomic<int> g_override{0};
std::atomic<bool> g_team_used{false};     // a multi-threaded region may have run here
std::atomic<bool> g_lost_to_fork{false};  // forked after that: the workers are gone

#if defined(__unix__) || defined(__APPLE__)
void after_fork_in_child() {
  if (g_team_used.load()) g_lost_to_fork.store(true);
}

const bool g_at_fork_registered = pthread_atfork(nullptr, nullptr, &after_fork_in_child) == 0;
#endif

}  // namespace

int max_threads() {
  // omp_get_num_procs asks the OS for the affinity mask (a system call): asked once, not at
  // every num_threads() of every training batch.
  static const int cap = std::max(4, 4 * std::max(1, omp_get_num_procs()));
  return cap;
}

int num_threads() {
  if (g_lost_to_fork.load(std::memory_order_relaxed)) return 1;
  const int set = g_override.load(std::memory_order_relaxed);
  const int n = std::clamp(set > 0 ? set : omp_get_max_threads(), 1, max_threads());
  if (n > 1 && !g_team_used.load(std::memory_order_relaxed)) g_team_used.store(true);
  return n;
}

void set_num_threads(int n) {
  if (n < 1 || n > max_threads())
    throw std::invalid_argument("the number of threads must be in 1.." +
                                std::to_string(max_threads()) + " (4 per CPU), got " +
                                std::to_string(n));
  g_override.store(n);
}

int thread_override() { return g_override.load(); }

void set_thread_override(int n) {
  if (n != 0) set_num_threads(n);
  g_override.store(n);
}

bool threads_lost_to_fork() { return g_lost_to_fork.load(); }

}  // namespace gradfall
