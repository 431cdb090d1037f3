#include "core/cache_info.h"

#if __has_include(<unistd.h>)
#include <unistd.h>
#endif

#include <algorithm>

namespace gradfall {
namespace {

int64_t sysconf_or(int name, int64_t fallback) {
#if defined(_SC_LEVEL1_DCACHE_SIZE)
  const long v = sysconf(name);
  if (v > 0) return v;
#endif
  return fallback;
}

CacheSizes detect() {
  CacheSizes c;
#if defined(_SC_LEVEL1_DCACHE_SIZE)
  c.l1 = sysconf_or(_SC_LEVEL1_DCACHE_SIZE, c.l1);
  c.l2 = sysconf_or(_SC_LEVEL2_CACHE_SIZE, c.l2);
  // A VM reports the host's whole L3; more than 32 MiB per process is not to be counted on.
  c.l3 = std::min<int64_t>(sysconf_or(_SC_LEVEL3_CACHE_SIZE, c.l3), 32 << 20);
#endif
  c.l1 = std::clamp<int64_t>(c.l1, 16 << 10, 1 << 20);
  c.l2 = std::clamp<int64_t>(c.l2, 128 << 10, 8 << 20);
  c.l3 = std::max<int64_t>(c.l3, c.l2);
  return c;
}

}  // namespace

const CacheSizes& cache_sizes() {
  static const CacheSizes sizes = detect();
  return sizes;
}

}  // namespace gradfall
