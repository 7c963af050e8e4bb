#pragma once
// ConfigSpace: how the PCI code reaches configuration registers, whatever the access mechanism
// (ECAM MMIO, legacy ports 0xCF8/0xCFC, or a fake in unit tests).
//
// Backends implement only aligned dword accesses; the narrower accessors here are derived from
// them. Threading: none of this locks. Both hardware mechanisms need their callers serialised
// (the legacy one uses a shared address port), so the owner of a ConfigSpace holds its lock.
#include <cstdint>

#include "drivers/pci/bdf.hpp"
#include "drivers/pci/config_regs.hpp"

namespace hv::pci {

class ConfigSpace {
  public:
    // `off` is dword aligned and below kExtendedConfigSize (callers guarantee it; backends may
    // mask the low bits). An absent function, a bus or segment the backend does not reach, or an
    // offset past what the mechanism can address reads as 0xffffffff; writes there are dropped.
    virtual std::uint32_t read32(Bdf bdf, std::uint16_t off) = 0;
    virtual void write32(Bdf bdf, std::uint16_t off, std::uint32_t value) = 0;
    // True when offsets 0x100..0xfff are reachable (ECAM); false for the legacy mechanism.
    [[nodiscard]] virtual bool has_extended() const = 0;

    // `off` is 2-byte aligned.
    std::uint16_t read16(Bdf bdf, std::uint16_t off);
    std::uint8_t read8(Bdf bdf, std::uint16_t off);

    // Writes one 16-bit register as a dword read-modify-write. The other half of the dword keeps
    // its value, except where it is a status register whose bits are RW1C (Status beside Command,
    // PCI 3.0 sec 6.2.3; Secondary Status beside I/O Base/Limit in a type 1 header, PPB 1.2 sec
    // 3.2.5.7): those are written as zero so that a pending error bit is not cleared by accident.
    // Capability registers have RW1C neighbours too (PCIe Device Control/Status); callers that
    // write them use write32 with a value they composed themselves.
    void write16(Bdf bdf, std::uint16_t off, std::uint16_t value);

    std::uint32_t read(Bdf bdf, Reg32 reg) { return read32(bdf, offset(reg)); }
    std::uint16_t read(Bdf bdf, Reg16 reg) { return read16(bdf, offset(reg)); }
    std::uint8_t read(Bdf bdf, Reg8 reg) { return read8(bdf, offset(reg)); }
    void write(Bdf bdf, Reg32 reg, std::uint32_t value) { write32(bdf, offset(reg), value); }
    void write(Bdf bdf, Reg16 reg, std::uint16_t value) { write16(bdf, offset(reg), value); }

  protected:
    ~ConfigSpace() = default;
};

}  // namespace hv::pci
