#include "drivers/pci/port_config_space.hpp"

#include "arch/x86/cpu/io.hpp"

namespace hv::pci {
namespace {

// PCI 3.0 sec 3.2.2.3.2, fig. 3-2.
constexpr std::uint16_t kAddressPort = 0xcf8;
constexpr std::uint16_t kDataPort = 0xcfc;
constexpr std::uint32_t kEnable = 1u << 31;

[[nodiscard]] constexpr bool reachable(Bdf bdf, std::uint16_t off) {
    return bdf.segment() == 0 && off < kLegacyConfigSize;
}

// Enable bit 31, bus 23:16, device 15:11, function 10:8, register 7:2; bits 1:0 are zero for a
// configuration cycle of type 0/1 chosen by the host bridge.
[[nodiscard]] constexpr std::uint32_t address(Bdf bdf, std::uint16_t off) {
    return kEnable | static_cast<std::uint32_t>(bdf.routing_id()) << 8 | (off & 0xfcu);
}

static_assert(address(Bdf(0, 0x12, 0x1f, 7), 0x3e) == 0x8012ff3cu);

}  // namespace

std::uint32_t PortConfigSpace::read32(Bdf bdf, std::uint16_t off) {
    if (!reachable(bdf, off)) return 0xffffffffu;
    x86::outl(kAddressPort, address(bdf, off));
    return x86::inl(kDataPort);
}

void PortConfigSpace::write32(Bdf bdf, std::uint16_t off, std::uint32_t value) {
    if (!reachable(bdf, off)) return;
    x86::outl(kAddressPort, address(bdf, off));
    x86::outl(kDataPort, value);
}

}  // namespace hv::pci
