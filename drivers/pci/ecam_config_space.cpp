#include "drivers/pci/ecam_config_space.hpp"

namespace hv::pci {
namespace {

// PCIe 5.0 sec 7.2.2, table 7-1: address bits 27:20 bus, 19:15 device, 14:12 function,
// 11:0 register offset.
constexpr unsigned kBusShift = 20;
constexpr unsigned kDeviceShift = 15;
constexpr unsigned kFunctionShift = 12;

}  // namespace

EcamConfigSpace::EcamConfigSpace(volatile void* mapped_base, std::uint16_t segment,
                                 std::uint8_t start_bus, std::uint8_t end_bus)
    : base_(static_cast<volatile std::uint8_t*>(mapped_base)),
      segment_(segment),
      start_bus_(start_bus),
      end_bus_(end_bus) {}

volatile std::uint32_t* EcamConfigSpace::locate(Bdf bdf, std::uint16_t off) const {
    if (bdf.segment() != segment_ || bdf.bus() < start_bus_ || bdf.bus() > end_bus_) {
        return nullptr;
    }
    if (off >= kExtendedConfigSize) return nullptr;
    const std::uint64_t delta = static_cast<std::uint64_t>(bdf.bus() - start_bus_) << kBusShift |
                                static_cast<std::uint64_t>(bdf.device()) << kDeviceShift |
                                static_cast<std::uint64_t>(bdf.function()) << kFunctionShift |
                                (off & 0xffcu);
    // ECAM accesses are naturally aligned dwords (PCIe 5.0 sec 7.2.2.1), hence the mask above.
    return reinterpret_cast<volatile std::uint32_t*>(base_ + delta);
}

std::uint32_t EcamConfigSpace::read32(Bdf bdf, std::uint16_t off) {
    volatile std::uint32_t* reg = locate(bdf, off);
    return reg ? *reg : 0xffffffffu;
}

void EcamConfigSpace::write32(Bdf bdf, std::uint16_t off, std::uint32_t value) {
    volatile std::uint32_t* reg = locate(bdf, off);
    if (reg) *reg = value;
}

}  // namespace hv::pci
