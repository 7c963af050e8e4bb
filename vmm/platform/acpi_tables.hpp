#pragma once
// The ACPI tables every guest finds in its BIOS area: they describe the virtual PC of
// guest_platform.hpp (CPUs, interrupt controllers, fixed-hardware registers, PCI root, COM1).
// Pure: the tables are written into bytes the caller hands in; the caller copies them to guest
// memory at kAcpiTablesBase and may pass the RSDP's address in boot_params.acpi_rsdp_addr.
//
// Layout of [kAcpiTablesBase, + kAcpiTablesSize); every pointer is guest-physical:
//
//   0xE0000  RSDP rev 2  -> XSDT (64-bit), RSDT (32-bit)
//   0xE0040  FACS           64-byte aligned (ACPI 6.5 sec 5.2.10)
//            XSDT, RSDT  -> FADT, MADT, MCFG
//            FADT        -> FACS, DSDT
//            MADT, MCFG
//            DSDT           \_S5, \_SB.PCI0, \_SB.MRES, \_SB.COM1, \_SB.CPUn (dsdt.hpp)
//
// The RSDP comes first so that a scan of 0xE0000-0xFFFFF on 16-byte boundaries finds it (ACPI 6.5
// sec 5.2.5.1); the other tables follow, each on a 16-byte boundary.
#include <cstddef>
#include <cstdint>
#include <span>

#include "kernel/lib/addr.hpp"
#include "kernel/lib/result.hpp"

namespace hv::vmm::platform {

// The DSDT names processors CPU0..CPUF, one hex digit each; vmm/vm.hpp's kMaxVcpusPerVm is the
// same 16.
inline constexpr std::uint32_t kMaxAcpiVcpus = 16;

struct GuestAcpiConfig {
    std::uint32_t vcpus;            // 1..kMaxAcpiVcpus: APIC IDs and ACPI processor UIDs 0..vcpus-1
    std::uint8_t ioapic_id;         // must differ from every APIC ID (e.g. `vcpus`)
    std::uint64_t pci_mmio64_base;  // the 64-bit PCI window, at or above 4 GiB
    std::uint64_t pci_mmio64_size;  // 0: no 64-bit window
};

// Writes the tables into `area`, which stands for guest-physical memory from kAcpiTablesBase (at
// most kAcpiTablesSize bytes of it are used). The whole of `area` is overwritten (unused bytes
// are zeroed, so no stale RSDP signature survives). Returns the RSDP's guest-physical address.
// Errors: kInvalid for a config outside the limits above, kTooMany if `area` is too small (while
// the DSDT is built it needs a few bytes beyond its final end; see aml_builder.hpp).
[[nodiscard]] Result<GuestPhys> build_acpi_tables(const GuestAcpiConfig& config,
                                                  std::span<std::byte> area);

}  // namespace hv::vmm::platform
