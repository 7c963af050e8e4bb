#pragma once
// I/O Virtualization Reporting Structure, "IVRS" (AMD I/O Virtualization Technology (IOMMU)
// Specification rev 3.x sec 5.2): the AMD IOMMUs (IVHD blocks), the devices each one translates
// for (IVHD device entries) and memory that must stay mapped (IVMD blocks).
//
// Firmware usually describes each IOMMU more than once: a type 10h block for old software and a
// type 11h and/or 40h block with the EFR image and ACPI HID entries. All are exposed;
// preferred_ivhds() picks one per IOMMU.
#include <cstddef>
#include <cstdint>

#include "drivers/acpi/fixed_list.hpp"
#include "kernel/lib/bytes.hpp"
#include "kernel/lib/result.hpp"

namespace hv::acpi {

// Eight IOMMUs, each possibly described by two block types.
inline constexpr std::size_t kMaxIvhds = 16;
inline constexpr std::size_t kMaxIvhdEntries = 64;
inline constexpr std::size_t kMaxIvmds = 16;

// AMD IOMMU spec 3.x sec 5.2.2 / 5.2.3, IVRS block types.
enum class IvrsBlockType : std::uint8_t {
    kIvhdLegacy = 0x10,
    kIvhdEfr = 0x11,
    kIvhdAcpiHid = 0x40,
    kIvmdAll = 0x20,
    kIvmdSelect = 0x21,
    kIvmdRange = 0x22,
};

// A compact device entry. A range start (types 3, 67, 71) and its end (type 4) become one entry
// with `first` <= `last`; single-device kinds have `first == last`.
enum class IvhdEntryKind : std::uint8_t {
    kAll,             // type 1: every device ID
    kSelect,          // type 2
    kRange,           // types 3 + 4
    kAliasSelect,     // type 66: requests appear with `alias` as their device ID
    kAliasRange,      // types 67 + 4
    kExtendedSelect,  // type 70: `extended` carries the extended data settings
    kExtendedRange,   // types 71 + 4
    kSpecial,         // type 72: an I/O APIC or HPET known by `handle` and `variety`
    kAcpiHid,         // type 240: an ACPI-enumerated device (its HID/UID are not kept)
};

// AMD IOMMU spec 3.x sec 5.2.2.2, special device (type 72) variety.
enum class SpecialVariety : std::uint8_t { kNone = 0, kIoApic = 1, kHpet = 2 };

struct IvhdEntry {
    IvhdEntryKind kind;
    std::uint8_t data;  // DTE settings (INITPass, EIntPass, NMIPass, SysMgt, Lint0/1Pass)
    std::uint16_t first;
    std::uint16_t last;
    std::uint16_t alias;  // kAlias* only
    std::uint32_t extended;
    std::uint8_t handle;  // kSpecial: I/O APIC ID or HPET number
    SpecialVariety variety;
};

struct Ivhd {
    IvrsBlockType type;  // kIvhdLegacy, kIvhdEfr or kIvhdAcpiHid
    std::uint8_t flags;
    std::uint16_t device_id;  // BDF of the IOMMU's own PCI function
    std::uint16_t capability_offset;
    std::uint64_t base;  // MMIO register base
    std::uint16_t segment;
    std::uint16_t info;               // MSI number bits 4:0, UnitID bits 12:8
    std::uint32_t feature_reporting;  // type 10h: IOMMU feature info; 11h/40h: attributes
    std::uint64_t efr;                // 11h/40h: EFR register image; 0 for 10h
    std::uint64_t efr2;               // 11h/40h: EFR2 register image; 0 for 10h
    FixedList<IvhdEntry, kMaxIvhdEntries> entries;

    [[nodiscard]] constexpr std::uint8_t msi_number() const { return info & 0x1F; }
    [[nodiscard]] constexpr std::uint8_t unit_id() const { return (info >> 8) & 0x1F; }
};

// Memory to keep identity-mapped (unity) or excluded for the named devices.
struct Ivmd {
    IvrsBlockType type;       // kIvmdAll, kIvmdSelect or kIvmdRange
    std::uint8_t flags;       // bit 0 Unity, 1 IR, 2 IW, 3 ExclusionRange
    std::uint16_t device_id;  // select: the device; range: the first device
    std::uint16_t auxiliary;  // range: the last device
    std::uint16_t segment;    // PCI segment group (reserved, so 0, before spec rev 3.07)
    std::uint64_t start;
    std::uint64_t length;
};

struct Ivrs {
    std::uint32_t ivinfo;
    FixedList<Ivhd, kMaxIvhds> ivhds;
    FixedList<Ivmd, kMaxIvmds> ivmds;
    std::size_t unknown_blocks;  // block types this parser does not know, skipped by length

    // AMD IOMMU spec 3.x sec 5.2.1, IVinfo fields.
    [[nodiscard]] constexpr bool efr_supported() const { return (ivinfo & 1u) != 0; }
    // Firmware used the IOMMU for pre-boot DMA protection; keep translating.
    [[nodiscard]] constexpr bool dma_remap() const { return (ivinfo & (1u << 1)) != 0; }
    [[nodiscard]] constexpr std::uint8_t gva_size_field() const { return (ivinfo >> 5) & 0x7; }
    [[nodiscard]] constexpr std::uint8_t physical_address_bits() const {
        return (ivinfo >> 8) & 0x7F;
    }
    [[nodiscard]] constexpr std::uint8_t virtual_address_bits() const {
        return (ivinfo >> 15) & 0x7F;
    }
    [[nodiscard]] constexpr bool ht_ats_reserved() const { return (ivinfo & (1u << 22)) != 0; }
};

// Parses a whole IVRS (signature "IVRS", checksum checked). Errors on zero-length, short or
// overlong blocks and device entries, device entry types with no defined length, unmatched range
// start/end entries, and (kTooMany) more IVHDs, IVMDs or entries per IVHD than the capacities
// above: a dropped IOMMU or entry would leave devices unprotected.
[[nodiscard]] Result<Ivrs> parse_ivrs(Bytes table);

// For each IOMMU (identified by segment and device_id), the index in `ivrs.ivhds` of its block
// with the highest type not above `max_supported_type`, in order of first appearance. IOMMUs with
// no block the caller supports are left out. Linux makes the same choice per table.
[[nodiscard]] FixedList<std::size_t, kMaxIvhds> preferred_ivhds(const Ivrs& ivrs,
                                                                std::uint8_t max_supported_type);

}  // namespace hv::acpi
