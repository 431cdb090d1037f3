#include "core/dispatch.h"

#include <omp.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>

#include "core/cpu_features.h"

namespace gradfall {
namespace {

std::atomic<const kernels::KernelSet*> g_active{nullptr};

bool always() { return true; }

// Every ISA gradfall knows, slowest first: its kernels (null when this build lacks them) and
// whether this CPU runs them. The one table the choice is made from.
struct IsaEntry {
  const char* name;
  const kernels::KernelSet* (*kernels)();
  bool (*supported)();
};

const kernels::KernelSet* scalar() { return &kernels::scalar_kernels(); }
#if defined(GRADFALL_X86)
const kernels::KernelSet* avx2() { return &kernels::avx2_kernels(); }
const kernels::KernelSet* avx512() { return &kernels::avx512_kernels(); }
#else
const kernels::KernelSet* avx2() { return nullptr; }
const kernels::KernelSet* avx512() { return nullptr; }
#endif

const IsaEntry kIsas[] = {
    {"scalar", scalar, always},
    {"avx2", avx2, cpu_supports_avx2_fma},
    {"avx512", avx512, cpu_supports_avx512},
};

}  // namespace

std::vector<std::string> available_isas() {
  std::vector<std::string> names;
  for (const IsaEntry& isa : kIsas)
    if (isa.kernels() && isa.supported()) names.emplace_back(isa.name);
  return names;
}

void set_isa(const std::string& name) {
  for (const IsaEntry& isa : kIsas) {
    if (name != isa.name) continue;
    const kernels::KernelSet* set = isa.kernels();
    if (!set) throw std::invalid_argument("ISA '" + name + "' is not compiled into this build");
    if (!isa.supported())
      throw std::invalid_argument("this CPU does not support the ISA '" + name + "'");
    g_active.store(set);
    return;
  }
  throw std::invalid_argument("unknown ISA '" + name + "': expected one of scalar, avx2, avx512");
}

void init_isa_from_environment() {
  const char* forced = std::getenv("GRADFALL_ISA");
  if (forced && *forced) {
    try {
      set_isa(forced);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("GRADFALL_ISA: ") + e.what());
    }
    return;
  }
  set_isa(available_isas().back());
}

const kernels::KernelSet& active_kernels() {
  const kernels::KernelSet* set = g_active.load();
  if (!set) {
    init_isa_from_environment();
    set = g_active.load();
  }
  return *set;
}

std::string active_isa() { return active_kernels().name; }

}  // namespace gradfall
