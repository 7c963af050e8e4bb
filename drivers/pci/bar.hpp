#pragma once
// Base address registers: decoding what a function asks for and sizing it
// (PCI 3.0 sec 6.2.5.1 for BARs, sec 6.2.5.2 for the expansion ROM).
#include <cstdint>

#include "drivers/pci/config_space.hpp"
#include "kernel/lib/result.hpp"

namespace hv::pci {

enum class BarKind : std::uint8_t {
    kAbsent,  // unimplemented slot, or the upper half of the 64-bit BAR in the slot before
    kIo,
    kMem32,
    kMem64,
};

[[nodiscard]] const char* name(BarKind kind);  // "absent", "io", "mem32", "mem64"

struct Bar {
    BarKind kind = BarKind::kAbsent;
    bool prefetchable = false;
    std::uint64_t base = 0;  // as firmware programmed it, type bits removed
    std::uint64_t size = 0;  // a power of two, non-zero when present

    [[nodiscard]] constexpr bool present() const { return kind != BarKind::kAbsent; }
};

// One function's BARs. bar[i] describes slot i (config offset 0x10 + 4 * i); a 64-bit BAR takes
// slots i and i + 1 and is reported in slot i, slot i + 1 being kAbsent.
struct Bars {
    Bar bar[kType0BarCount]{};
    std::uint8_t slot_count = 0;  // 6 for a type 0 header, 2 for type 1
    Bar rom{};                    // expansion ROM, kMem32 when implemented
};

// What the low bits of a BAR value say (PCI 3.0 sec 6.2.5.1, fig. 6-5/6-6). Memory type 01b (the
// PCI 2.2 "below 1 MiB" type) decodes as kMem32; the reserved type 11b decodes as kAbsent so that
// nothing sizes or maps a BAR we cannot interpret.
struct BarType {
    BarKind kind;
    bool prefetchable;
};
[[nodiscard]] constexpr BarType decode_bar_type(std::uint32_t raw) {
    if ((raw & bar_bits::kIoSpace) != 0) return {BarKind::kIo, false};
    const bool pref = (raw & bar_bits::kMemPrefetchable) != 0;
    switch (raw & bar_bits::kMemTypeMask) {
        case bar_bits::kMemType32:
        case bar_bits::kMemTypeBelow1M:
            return {BarKind::kMem32, pref};
        case bar_bits::kMemType64:
            return {BarKind::kMem64, pref};
        default:
            return {BarKind::kAbsent, false};
    }
}

// Size from the value read back after writing all ones, with the type bits already masked off:
// the lowest address bit that stuck. Zero means the BAR is not implemented. Using the lowest set
// bit rather than ~mask + 1 copes with I/O BARs whose upper 16 bits are hardwired to zero.
[[nodiscard]] constexpr std::uint64_t bar_size_from_mask(std::uint64_t mask) {
    return mask & (~mask + 1);
}

static_assert(bar_size_from_mask(0xfff00000) == 0x100000);
static_assert(bar_size_from_mask(0x0000ffe0) == 0x20);
static_assert(bar_size_from_mask(0) == 0);

// Decodes and sizes every BAR of `bdf` and its expansion ROM. `header` is the raw header
// type register. While sizing, I/O and memory decode are off in the command register so that the
// all-ones probe address never claims a cycle; the original BAR values and the command register
// are restored before returning. Errors: kUnsupported for header layouts other than 0 and 1.
// Not safe while anything else uses the function (in particular not on an exit path).
[[nodiscard]] Result<Bars> probe_bars(ConfigSpace& cs, Bdf bdf, std::uint8_t header);

}  // namespace hv::pci
