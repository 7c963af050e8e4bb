#pragma once
// Which device IDs an AMD-Vi unit translates, from its IVHD device entries (AMD IOMMU spec
// 48882, sec 5.2.2.2 "IVHD Device Entries"), and which device table entry a function's DMA
// is looked up in.
//
// - A function is covered when an entry on the IVHD's PCI segment names its device ID: type 1
//   (all), select / range, alias and extended kinds, the special (IOAPIC, HPET) and ACPI HID
//   entries.
// - The IOMMU's own function is never covered: its table walks and event log writes are not
//   requests through itself, and blocking it would only hide its MSI.
// - Alias entries (types 66, 67): the unit sees requests of the named devices with the alias
//   as device ID (a PCIe-to-PCI bridge taking ownership), so the device table entry to program
//   is the alias's.
// When several entries name a device, the last one wins, as in the firmware's list order.
// Pure: reads the parsed IVRS only.
#include <cstdint>

#include "drivers/acpi/ivrs.hpp"
#include "drivers/pci/bdf.hpp"
#include "kernel/lib/optional.hpp"

namespace hv::amdvi {

// The device table index `bdf`'s DMA is translated through, or none when the IVHD does not
// cover `bdf`.
[[nodiscard]] inline Optional<std::uint16_t> requester_id(const acpi::Ivhd& ivhd, pci::Bdf bdf) {
    if (bdf.segment() != ivhd.segment) return kNone;
    const std::uint16_t id = bdf.routing_id();
    if (id == ivhd.device_id) return kNone;
    Optional<std::uint16_t> found;
    for (const acpi::IvhdEntry& e : ivhd.entries) {
        if (id < e.first || id > e.last) continue;
        const bool alias = e.kind == acpi::IvhdEntryKind::kAliasSelect ||
                           e.kind == acpi::IvhdEntryKind::kAliasRange;
        found = alias ? e.alias : id;
    }
    return found;
}

[[nodiscard]] inline bool covers(const acpi::Ivhd& ivhd, pci::Bdf bdf) {
    return requester_id(ivhd, bdf).has_value();
}

}  // namespace hv::amdvi
