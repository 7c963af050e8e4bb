#include "drivers/pci/bar.hpp"

namespace hv::pci {
namespace {

constexpr std::uint32_t kAllOnes = 0xffffffffu;

[[nodiscard]] constexpr std::uint16_t bar_offset(unsigned slot) {
    return static_cast<std::uint16_t>(offset(Reg32::kBar0) + 4 * slot);
}

// Sizes the BAR in `slot`, returning how many slots it used (2 for a 64-bit BAR, else 1).
unsigned size_bar(ConfigSpace& cs, Bdf bdf, unsigned slot, unsigned slot_count, Bar& out) {
    const std::uint16_t off = bar_offset(slot);
    const std::uint32_t low = cs.read32(bdf, off);
    const BarType type = decode_bar_type(low);
    out = Bar{};
    if (type.kind == BarKind::kAbsent) return 1;

    if (type.kind == BarKind::kMem64) {
        // A 64-bit BAR in the last slot has no upper half: malformed, left alone.
        if (slot + 1 >= slot_count) return 1;
        const std::uint16_t high_off = bar_offset(slot + 1);
        const std::uint32_t high = cs.read32(bdf, high_off);
        cs.write32(bdf, off, kAllOnes);
        cs.write32(bdf, high_off, kAllOnes);
        const std::uint64_t mask = (static_cast<std::uint64_t>(cs.read32(bdf, high_off)) << 32) |
                                   (cs.read32(bdf, off) & bar_bits::kMemAddressMask);
        cs.write32(bdf, off, low);
        cs.write32(bdf, high_off, high);
        const std::uint64_t size = bar_size_from_mask(mask);
        if (size != 0) {
            out = Bar{BarKind::kMem64, type.prefetchable,
                      (static_cast<std::uint64_t>(high) << 32) | (low & bar_bits::kMemAddressMask),
                      size};
        }
        return 2;
    }

    const std::uint32_t address_mask =
        type.kind == BarKind::kIo ? bar_bits::kIoAddressMask : bar_bits::kMemAddressMask;
    cs.write32(bdf, off, kAllOnes);
    const std::uint32_t mask = cs.read32(bdf, off) & address_mask;
    cs.write32(bdf, off, low);
    const std::uint64_t size = bar_size_from_mask(mask);
    if (size != 0) out = Bar{type.kind, type.prefetchable, low & address_mask, size};
    return 1;
}

// PCI 3.0 sec 6.2.5.2: write ones to the address bits with the enable bit clear, read back.
Bar size_rom(ConfigSpace& cs, Bdf bdf, std::uint16_t off) {
    const std::uint32_t original = cs.read32(bdf, off);
    cs.write32(bdf, off, rom_bits::kAddressMask);
    const std::uint32_t mask = cs.read32(bdf, off) & rom_bits::kAddressMask;
    cs.write32(bdf, off, original);
    const std::uint64_t size = bar_size_from_mask(mask);
    if (size == 0) return Bar{};
    return Bar{BarKind::kMem32, false, original & rom_bits::kAddressMask, size};
}

}  // namespace

const char* name(BarKind kind) {
    switch (kind) {
        case BarKind::kAbsent:
            return "absent";
        case BarKind::kIo:
            return "io";
        case BarKind::kMem32:
            return "mem32";
        case BarKind::kMem64:
            return "mem64";
    }
    return "unknown";
}

Result<Bars> probe_bars(ConfigSpace& cs, Bdf bdf, std::uint8_t header) {
    Bars bars;
    std::uint16_t rom_off = 0;
    switch (header & header_type::kLayoutMask) {
        case header_type::kEndpoint:
            bars.slot_count = kType0BarCount;
            rom_off = offset(Reg32::kType0ExpansionRom);
            break;
        case header_type::kBridge:
            bars.slot_count = kType1BarCount;
            rom_off = offset(Reg32::kType1ExpansionRom);
            break;
        default:
            return make_error(Errc::kUnsupported, "pci: bars of this header type not decoded");
    }

    // PCI 3.0 sec 6.2.5.1 (implementation note): turn decode off while a BAR holds the all-ones
    // probe value, or the function may answer cycles meant for something else.
    const std::uint16_t cmd = cs.read(bdf, Reg16::kCommand);
    const std::uint16_t decode = command::kIoSpace | command::kMemorySpace;
    if ((cmd & decode) != 0)
        cs.write(bdf, Reg16::kCommand, static_cast<std::uint16_t>(cmd & ~decode));

    for (unsigned slot = 0; slot < bars.slot_count;) {
        slot += size_bar(cs, bdf, slot, bars.slot_count, bars.bar[slot]);
    }
    bars.rom = size_rom(cs, bdf, rom_off);

    if ((cmd & decode) != 0) cs.write(bdf, Reg16::kCommand, cmd);
    return bars;
}

}  // namespace hv::pci
