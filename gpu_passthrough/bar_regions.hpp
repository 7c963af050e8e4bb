#pragma once
// How one memory BAR of an assigned function is split between the second stage and the VM's
// traps. Pages holding the MSI-X table or PBA (PCI 3.0 sec 6.8.2.4-6.8.2.5) are trapped, so the
// guest never writes a message address the device would then use; a BAR smaller than a page is
// trapped whole, because the rest of its host page may belong to another function. Everything
// else maps straight to the device.
//
//   BAR: |   direct   | trapped (table) |  direct  | trapped (PBA) |  direct  |
//
// Pure: host-tested in tests/unit/gpu_passthrough/bar_regions_test.cpp.
#include <array>
#include <cstdint>
#include <span>

namespace hv::passthrough {

struct ByteRange {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
};

struct BarRegion {
    std::uint64_t offset = 0;  // from the BAR's base, page aligned
    std::uint64_t size = 0;    // a multiple of the page size
    bool trapped = false;
};

struct BarRegions {
    static constexpr unsigned kMax = 5;  // two traps split a BAR into at most five pieces
    std::array<BarRegion, kMax> region{};
    unsigned count = 0;

    [[nodiscard]] std::span<const BarRegion> list() const { return {region.data(), count}; }
};

// `bar_size` is the BAR's size (a power of two); `traps` (at most two) are byte ranges inside it
// that must trap, e.g. the MSI-X table and PBA. Ranges outside the BAR are ignored. The regions
// cover max(bar_size, 4 KiB) bytes, in address order.
[[nodiscard]] BarRegions split_bar(std::uint64_t bar_size, std::span<const ByteRange> traps);

}  // namespace hv::passthrough
