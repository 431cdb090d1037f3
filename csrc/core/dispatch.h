// Run-time choice of the kernel set: CPUID picks the best, GRADFALL_ISA or set_isa forces one.
#pragma once
#include <string>
#include <vector>

#include "kernels/kernels.h"

namespace gradfall {

const kernels::KernelSet& active_kernels();
std::string active_isa();
std::vector<std::string> available_isas();
// Throws std::invalid_argument for an unknown name or an ISA this CPU (or build) lacks.
void set_isa(const std::string& name);
// Applies GRADFALL_ISA if set, else the best available; called once at import.
void init_isa_from_environment();

// Threads the core uses: the override when one is set, else OpenMP's current default (which
// OMP_NUM_THREADS and threadpoolctl's limits set), read at every call.
int num_threads();
void set_num_threads(int n);
// The override alone: 0 when none is set (the core follows OpenMP); setting 0 removes it.
int thread_override();
void set_thread_override(int n);

}  // namespace gradfall
