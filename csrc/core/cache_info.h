// Data cache sizes of this machine, read once at run time (defaults when the OS does not say).
#pragma once
#include <cstdint>

namespace gradfall {

struct CacheSizes {
  int64_t l1 = 48 << 10;  // bytes per core
  int64_t l2 = 1 << 20;   // bytes per core
  int64_t l3 = 32 << 20;  // bytes shared
};

const CacheSizes& cache_sizes();

}  // namespace gradfall
