#pragma once
// The AML of the guest's DSDT (ACPI 6.5 sec 5.2.11.1): what a guest OS cannot learn from the
// static tables. In ASL:
//
//   Name (_S5, Package () { 5, 5, 0, 0 })            // SLP_TYP for PM1a/PM1b: soft-off
//   Scope (_SB) {
//     Device (PCI0) {                                 // the PCIe root bridge, ECAM per MCFG
//       _HID EISAID("PNP0A08"), _CID EISAID("PNP0A03"), _UID 0, _SEG 0, _BBN 0
//       _CRS: buses 0..kEcamLastBus, config ports 0xCF8-0xCFF, I/O 0-0xCF7 and 0xD00-0xFFFF,
//             the 32-bit window, and the 64-bit window if there is one
//     }
//     Device (MRES) { _HID EISAID("PNP0C02"), _CRS: the ECAM range }
//     Device (COM1) { _HID EISAID("PNP0501"), _UID 1, _CRS: ports 0x3F8-0x3FF, IRQ 4 }
//     Device (CPU0) { _HID "ACPI0007", _UID 0 }  ...one per vCPU
//   }
#include <cstddef>
#include <span>

#include "kernel/lib/result.hpp"
#include "vmm/platform/acpi_tables.hpp"

namespace hv::vmm::platform {

// Writes the definition block (the bytes after the 36-byte table header) into `out` and returns
// its size. kInvalid for more than kMaxAcpiVcpus vCPUs or a 64-bit window that wraps; kTooMany
// if `out` is too small.
[[nodiscard]] Result<std::size_t> write_dsdt_aml(const GuestAcpiConfig& config,
                                                 std::span<std::byte> out);

}  // namespace hv::vmm::platform
