// How many threads the core's parallel regions use.
//
// An override set by the user wins; without one the core follows OpenMP's current default
// (OMP_NUM_THREADS, threadpoolctl's limits, omp_set_num_threads), read at every call. Both are
// capped at max_threads(). In a process forked after the core ran a multi-threaded region the
// answer is always 1: the OpenMP runtime's worker threads do not survive fork, and libgomp would
// wait for them forever in the child's first parallel region.
#pragma once

namespace gradfall {

int num_threads();
// The most threads the core accepts: 4 per CPU the process may use when first asked (at least 4).
int max_threads();
// Throws std::invalid_argument outside 1..max_threads().
void set_num_threads(int n);
// The override alone: 0 when none is set; setting 0 removes it.
int thread_override();
void set_thread_override(int n);
// True in a child forked after the parent ran multi-threaded regions (see above).
bool threads_lost_to_fork();

}  // namespace gradfall
