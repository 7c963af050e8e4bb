#include "kernel/direct_map.hpp"

namespace hv {

// Boot page tables: identity over [0, 4 GiB).
std::uint64_t g_direct_map_offset = 0;
std::uint64_t g_direct_map_limit = 4 * kGiB;

}  // namespace hv
