#include "drivers/pci/config_space.hpp"

namespace hv::pci {
namespace {

constexpr std::uint16_t kDwordMask = 0xfffc;

// True when the upper half of the dword at `dword_off` is a status register. Every bit of Status
// (PCI 3.0 sec 6.2.3) and Secondary Status (PPB 1.2 sec 3.2.5.7) is either read-only or RW1C, so
// writing the half as zero changes nothing, while writing back what was read would clear pending
// error bits.
[[nodiscard]] bool upper_half_is_status(ConfigSpace& cs, Bdf bdf, std::uint16_t dword_off) {
    if (dword_off == offset(Reg16::kStatus) - 2) return true;
    if (dword_off == offset(Reg16::kSecondaryStatus) - 2) {
        return (cs.read(bdf, Reg8::kHeaderType) & header_type::kLayoutMask) == header_type::kBridge;
    }
    return false;
}

}  // namespace

std::uint16_t ConfigSpace::read16(Bdf bdf, std::uint16_t off) {
    const std::uint32_t dword = read32(bdf, off & kDwordMask);
    return static_cast<std::uint16_t>(dword >> ((off & 2u) * 8));
}

std::uint8_t ConfigSpace::read8(Bdf bdf, std::uint16_t off) {
    const std::uint32_t dword = read32(bdf, off & kDwordMask);
    return static_cast<std::uint8_t>(dword >> ((off & 3u) * 8));
}

void ConfigSpace::write16(Bdf bdf, std::uint16_t off, std::uint16_t value) {
    const std::uint16_t dword_off = off & kDwordMask;
    const std::uint32_t dword = read32(bdf, dword_off);
    if ((off & 2u) != 0) {
        write32(bdf, dword_off, (dword & 0x0000ffffu) | static_cast<std::uint32_t>(value) << 16);
        return;
    }
    const std::uint32_t upper =
        upper_half_is_status(*this, bdf, dword_off) ? 0 : dword & 0xffff0000u;
    write32(bdf, dword_off, upper | value);
}

}  // namespace hv::pci
