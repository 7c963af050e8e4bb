#pragma once
// Where the hypervisor sees physical memory.
//
//   0x0000_0000_0000_0000 .. 4 GiB        boot only: identity (boot page tables); afterwards only
//                                         the AP trampoline page stays identity-mapped
//   kDirectMapBase + phys                 every RAM/firmware range, write-back, no-execute
//   kGuestWindowBase + slot * 1 TiB       each VM's guest RAM, contiguous (loaders, devices)
//   kMmioBase ..                          device registers mapped uncached on demand
//   0xffff_ffff_8000_0000 + phys          the kernel image, per-section permissions
//
// Before the kernel's own page tables are live, the direct map offset is 0 (identity).
#include <cstdint>

#include "kernel/lib/addr.hpp"

namespace hv {

inline constexpr std::uint64_t kDirectMapBase = 0xffff'8880'0000'0000;
inline constexpr std::uint64_t kMmioBase = 0xffff'c000'0000'0000;
// Each VM's guest RAM, seen contiguously by loaders and device models: VM slot i at base + i TiB.
inline constexpr std::uint64_t kGuestWindowBase = 0xffff'a000'0000'0000;
inline constexpr std::uint64_t kGuestWindowSize = 1ull << 40;
inline constexpr std::uint64_t kKernelVirtOffset = 0xffff'ffff'8000'0000;

extern std::uint64_t g_direct_map_offset;

inline void* phys_to_virt(std::uint64_t phys) {
    return reinterpret_cast<void*>(phys + g_direct_map_offset);
}
inline void* phys_to_virt(HostPhys phys) { return phys_to_virt(phys.raw()); }

// The kernel image's symbols: high-window address -> physical, and the low .boot section is
// already physical.
inline std::uint64_t kernel_virt_to_phys(const void* p) {
    const auto v = reinterpret_cast<std::uint64_t>(p);
    return v >= kKernelVirtOffset ? v - kKernelVirtOffset : v;
}

}  // namespace hv

#include "kernel/lib/phys_reader.hpp"

namespace hv {

// Physical addresses below this are covered by the direct map (identity below 4 GiB at boot).
extern std::uint64_t g_direct_map_limit;

// PhysReader over the direct map, for the pure parsers of firmware tables and boot information.
class DirectMapReader final : public PhysReader {
  public:
    Bytes read(std::uint64_t phys, std::uint64_t len) const override {
        if (phys > g_direct_map_limit || len > g_direct_map_limit - phys) return {};
        return Bytes(static_cast<const std::byte*>(phys_to_virt(phys)), len);
    }
};

}  // namespace hv
