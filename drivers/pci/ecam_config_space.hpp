#pragma once
// ECAM: configuration space as memory (PCIe 5.0 sec 7.2.2, table 7-1; the window comes from the
// ACPI MCFG table, PCI Firmware 3.2 sec 4.1.2). Kernel only: it dereferences the mapping.
//
// The caller maps [base, base + (end_bus - start_bus + 1) MiB) uncached before constructing one
// and keeps it mapped for the object's lifetime.
#include <cstdint>

#include "drivers/pci/config_space.hpp"

namespace hv::pci {

class EcamConfigSpace final : public ConfigSpace {
  public:
    // `mapped_base` is the virtual address of bus `start_bus` in segment `segment`.
    EcamConfigSpace(volatile void* mapped_base, std::uint16_t segment, std::uint8_t start_bus,
                    std::uint8_t end_bus);

    std::uint32_t read32(Bdf bdf, std::uint16_t off) override;
    void write32(Bdf bdf, std::uint16_t off, std::uint32_t value) override;
    [[nodiscard]] bool has_extended() const override { return true; }
    [[nodiscard]] bool covers(Bdf bdf) const {
        return bdf.segment() == segment_ && bdf.bus() >= start_bus_ && bdf.bus() <= end_bus_;
    }

  private:
    // The dword for (bdf, off), or nullptr when this window does not cover it.
    [[nodiscard]] volatile std::uint32_t* locate(Bdf bdf, std::uint16_t off) const;

    volatile std::uint8_t* base_;
    std::uint16_t segment_;
    std::uint8_t start_bus_;
    std::uint8_t end_bus_;
};

}  // namespace hv::pci
