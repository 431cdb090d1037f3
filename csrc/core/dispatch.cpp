#include "core/dispatch.h"

#include <omp.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>

#include "core/cpu_features.h"

namespace gradfall {
namespace {

std::atomic<const kernels::KernelSet*> g_active{nullptr};

bool cpu_has(const std::string& name) {
#if defined(GRADFALL_X86)
  if (name == "avx2") return cpu_supports_avx2_fma();
  if (name == "avx512") return cpu_supports_avx512();
#endif
  return name == "scalar";
}

const kernels::KernelSet* kernels_named(const std::string& name) {
  if (name == "scalar") return &kernels::scalar_kernels();
#if defined(GRADFALL_X86)
  if (name == "avx2") return &kernels::avx2_kernels();
  if (name == "avx512") return &kernels::avx512_kernels();
#endif
  return nullptr;
}

const char* const kAllIsas[] = {"scalar", "avx2", "avx512"};

}  // namespace

std::vector<std::string> available_isas() {
  std::vector<std::string> names;
  for (const char* name : kAllIsas)
    if (kernels_named(name) && cpu_has(name)) names.emplace_back(name);
  return names;
}

void set_isa(const std::string& name) {
  bool known = false;
  for (const char* n : kAllIsas) known = known || name == n;
  if (!known)
    throw std::invalid_argument("unknown ISA '" + name + "': expected one of scalar, avx2, avx512");
  const kernels::KernelSet* set = kernels_named(name);
  if (!set) throw std::invalid_argument("ISA '" + name + "' is not compiled into this build");
  if (!cpu_has(name)) throw std::invalid_argument("this CPU does not support the ISA '" + name + "'");
  g_active.store(set);
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
