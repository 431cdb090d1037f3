// Run-time choice of the kernel set: CPUID picks the best, GRADFALL_ISA or set_isa forces one.
#pragma once
#include <string>
#include <vector>

#include "core/threads.h"
#include "kernels/kernels.h"

namespace gradfall {

const kernels::KernelSet& active_kernels();
std::string active_isa();
std::vector<std::string> available_isas();
// Throws std::invalid_argument for an unknown name or an ISA this CPU (or build) lacks.
void set_isa(const std::string& name);
// Applies GRADFALL_ISA if set, else the best available; called once at import.
void init_isa_from_environment();

}  // namespace gradfall
