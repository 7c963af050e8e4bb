#pragma once
// The guest's PCI root complex: bus 0 and its two configuration access methods, both reaching
// the same functions.
//
//   Mechanism #1 (PCI Local Bus 3.0 sec 3.2.2.3.2), ports 0xCF8-0xCFF:
//     CONFIG_ADDRESS, a dword at 0xCF8:  31 enable | 30:24 reserved (0) | 23:16 bus |
//                                        15:11 device | 10:8 function | 7:2 register | 1:0 (0)
//     CONFIG_DATA, 0xCFC-0xCFF: byte, word or dword; port 0xCFC + n reaches register + n.
//     Only dword accesses at 0xCF8 touch CONFIG_ADDRESS; narrower ones there are ordinary I/O
//     (which is how the reset register at 0xCF9 shares the address: the VM routes byte accesses
//     to 0xCF9 to the reset port, not here). Without the enable bit, data reads are all ones and
//     writes vanish. The register field has 8 bits, so this path never reaches extended space.
//   ECAM (PCIe Base 5.0 sec 7.2.2), the MMIO window at platform::kEcamBase:
//     offset = bus << 20 | device << 15 | function << 12 | register (0-4095).
//
// Function 00:00.0 is the host bridge (vmm/devices/pci_host_bridge.hpp); other functions on bus 0
// are PciFunction objects attached by the VM. Reads of absent functions (and of buses other than
// 0) return all ones and writes are dropped, as a master abort does (PCI 3.0 sec 6.1). Accesses
// the contract of PciFunction does not cover (misaligned, or crossing a dword) are split into
// byte accesses, the way a host bridge passes byte enables on; bytes outside CONFIG_DATA or the
// ECAM window read all ones. An aligned 8-byte ECAM access is two dword accesses, low first.
//
// Threading: none; the VM serialises accesses with its platform lock. Attached functions must
// outlive the host (or be detached first).
#include <array>
#include <cstdint>

#include "drivers/pci/bdf.hpp"
#include "kernel/lib/result.hpp"
#include "vmm/devices/device.hpp"
#include "vmm/devices/pci_function.hpp"
#include "vmm/devices/pci_host_bridge.hpp"
#include "vmm/platform/guest_platform.hpp"

namespace hv::vmm {

class PciHost final : public PortDevice, public MmioDevice {
  public:
    static constexpr std::uint16_t kConfigAddressPort = platform::kPciConfigAddressPort;
    static constexpr std::uint16_t kConfigDataPort = platform::kPciConfigDataPort;
    static constexpr std::uint16_t kPortCount = 8;  // 0xCF8-0xCFF
    static constexpr std::uint64_t kEcamBase = platform::kEcamBase;
    static constexpr std::uint64_t kEcamSize = platform::kEcamSize;

    PciHost();
    PciHost(const PciHost&) = delete;
    PciHost& operator=(const PciHost&) = delete;

    // Attaches `function` at `bdf`, which must be on segment 0, bus 0 and free (00:00.0 is the
    // host bridge). A guest scans functions 1-7 of a device only if function 0 is present and
    // multi-function (PCI 3.0 sec 6.2.1), so attach function 0 of each device.
    [[nodiscard]] Result<void> attach(pci::Bdf bdf, PciFunction& function);
    // Makes `bdf` absent again; the host bridge stays.
    void detach(pci::Bdf bdf);

    std::uint32_t port_read(std::uint16_t port, std::uint8_t size) override;
    void port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) override;
    // `offset` is from kEcamBase.
    std::uint64_t mmio_read(std::uint64_t offset, std::uint8_t size) override;
    void mmio_write(std::uint64_t offset, std::uint8_t size, std::uint64_t value) override;

  private:
    static constexpr std::uint32_t kDevfnCount = 256;

    [[nodiscard]] PciFunction* function_at(std::uint64_t ecam_offset) const;
    [[nodiscard]] std::uint64_t ecam_read(std::uint64_t offset, std::uint8_t size) const;
    void ecam_write(std::uint64_t offset, std::uint8_t size, std::uint64_t value);

    PciHostBridge bridge_;
    std::array<PciFunction*, kDevfnCount> functions_{};  // bus 0, by device << 3 | function
    std::uint32_t config_address_ = 0;
};

}  // namespace hv::vmm
