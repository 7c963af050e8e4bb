#pragma once
// Function 00:00.0 of the guest: the host bridge at the top of its PCI hierarchy. It only has to
// be there, with the identity of a PC host bridge, for the guest to see a normal root bus: a
// type 0 header, class 06/00/00 (PCI Code and ID Assignment 1.11: base class 06h "bridge",
// sub-class 00h "host bridge"), no BARs, no interrupt pin, no capabilities, nothing in extended
// configuration space.
//
// Identity: 8086:29C0, the Intel 82G33/G31/P35/P31 DRAM controller, which is what QEMU's q35
// machine shows at 00:00.0 and which guests therefore already meet in virtual machines. Nothing
// chipset-specific behind it (no PCIEXBAR, PAM or SMRAM registers): the guest finds ECAM through
// the ACPI MCFG table instead. Writes reach only the command register's parity and SERR
// enables; the rest of the header is read-only.
#include <cstdint>

#include "drivers/pci/config_regs.hpp"

#include "vmm/devices/pci_function.hpp"

namespace hv::vmm {

class PciHostBridge final : public PciFunction {
  public:
    static constexpr std::uint16_t kVendorId = 0x8086;  // Intel
    static constexpr std::uint16_t kDeviceId = 0x29C0;  // 82G33/G31/P35/P31 DRAM controller

    std::uint32_t config_read(std::uint16_t reg, std::uint8_t size) override;
    void config_write(std::uint16_t reg, std::uint8_t size, std::uint32_t value) override;

  private:
    [[nodiscard]] std::uint32_t read_dword(std::uint16_t reg) const;

    // Memory decoding and bus mastering are always on in a host bridge (Intel 3 Series chipset
    // datasheet, D0:F0 PCICMD: MAE and BME read-only 1).
    std::uint16_t command_ = pci::command::kMemorySpace | pci::command::kBusMaster;
};

}  // namespace hv::vmm
