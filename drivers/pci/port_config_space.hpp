#pragma once
// Legacy configuration mechanism #1: address through port 0xCF8, data through 0xCFC
// (PCI Local Bus 3.0 sec 3.2.2.3.2). Reaches segment 0 and the first 256 bytes of each function
// only. Kernel only: it executes port I/O.
//
// The address/data pair is not atomic: the owner serialises all users of the ports (including
// any other code touching 0xCF8) for the lifetime of this object.
#include <cstdint>

#include "drivers/pci/config_space.hpp"

namespace hv::pci {

class PortConfigSpace final : public ConfigSpace {
  public:
    std::uint32_t read32(Bdf bdf, std::uint16_t off) override;
    void write32(Bdf bdf, std::uint16_t off, std::uint32_t value) override;
    [[nodiscard]] bool has_extended() const override { return false; }
};

}  // namespace hv::pci
