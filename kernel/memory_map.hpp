#pragma once
// Turns the firmware memory map into the list of page frames the hypervisor may hand out.
//
// Firmware maps are untrusted in shape: unsorted, overlapping (SeaBIOS and some EFI firmware
// report a reserved hole inside a larger usable range), zero-length, or with base + length
// wrapping past 2^64. normalize_memory_map() makes them safe:
//   1. clip every entry to the architectural physical address limit (2^52);
//   2. split the address space at every entry boundary; a piece is usable only if at least one
//      usable entry covers it and no entry of any other type does (the reserved claim wins);
//   3. shrink each usable run inward to whole pages;
//   4. cut out the caller's reserved ranges (kernel image, modules, boot information, the first
//      MiB, the AP trampoline page), each widened outward to whole pages.
// The result is sorted, disjoint, page-aligned and non-empty.
//
// Pure: no globals, no allocation; everything lives in the caller's MemoryLayout.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "boot/multiboot_info.hpp"
#include "kernel/lib/result.hpp"

namespace hv {

// A host-physical range [base, end).
struct PhysRange {
    std::uint64_t base;
    std::uint64_t end;
    [[nodiscard]] constexpr std::uint64_t size() const { return end - base; }
    friend constexpr bool operator==(const PhysRange&, const PhysRange&) = default;
};

// Firmware entries accepted (as many as BootInfo can hold) and reserved ranges accepted.
inline constexpr std::size_t kMaxFirmwareRegions = boot::kMaxMemoryRegions;
inline constexpr std::size_t kMaxReservedRanges = 64;
// Every reserved range can split one free range in two.
inline constexpr std::size_t kMaxFreeRanges = kMaxFirmwareRegions + kMaxReservedRanges;

// Intel SDM vol. 3A, sec 4.1.4: MAXPHYADDR is at most 52, so nothing at or above 2^52 is RAM.
inline constexpr std::uint64_t kPhysAddressLimit = 1ull << 52;

struct MemoryLayout {
    std::array<PhysRange, kMaxFreeRanges> ranges{};
    std::size_t count = 0;

    std::uint64_t usable_bytes = 0;     // page-aligned usable RAM, before reservations
    std::uint64_t free_bytes = 0;       // what `free()` adds up to
    std::uint64_t highest_usable = 0;   // exclusive end of the highest usable page, 0 if none
    std::uint64_t highest_address = 0;  // exclusive end of the highest entry of any type

    [[nodiscard]] std::span<const PhysRange> free() const { return {ranges.data(), count}; }
};

// Fills `out` (reset first). Errors: more than kMaxFirmwareRegions entries or kMaxReservedRanges
// reservations, or more free ranges than kMaxFreeRanges; `out` is then left empty, never partial.
[[nodiscard]] Result<void> normalize_memory_map(std::span<const boot::MemoryRegion> firmware,
                                                std::span<const PhysRange> reserved,
                                                MemoryLayout& out);

}  // namespace hv
