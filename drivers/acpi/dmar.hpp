#pragma once
// DMA Remapping Reporting table, "DMAR" (Intel VT-d spec rev 4.1 ch. 8): the VT-d remapping units
// (DRHD), the memory firmware keeps using for DMA after boot (RMRR), and which devices each one
// covers (device scopes).
#include <array>
#include <cstddef>
#include <cstdint>

#include "drivers/acpi/fixed_list.hpp"
#include "kernel/lib/bytes.hpp"
#include "kernel/lib/result.hpp"

namespace hv::acpi {

inline constexpr std::size_t kMaxDrhds = 8;
inline constexpr std::size_t kMaxRmrrs = 16;
inline constexpr std::size_t kMaxDeviceScopes = 16;
inline constexpr std::size_t kMaxScopePath = 8;
inline constexpr std::size_t kMaxOtherRemappingStructures = 32;

// VT-d 4.1 table 8-1 (sec 8.1), DMAR flags.
inline constexpr std::uint8_t kDmarIntrRemap = 1u << 0;
inline constexpr std::uint8_t kDmarX2apicOptOut = 1u << 1;
inline constexpr std::uint8_t kDmarDmaCtrlPlatformOptIn = 1u << 2;

// VT-d 4.1 sec 8.2, Remapping Structure Types.
enum class RemappingType : std::uint16_t {
    kDrhd = 0,
    kRmrr = 1,
    kAtsr = 2,
    kRhsa = 3,
    kAndd = 4,
    kSatc = 5,
    kSidp = 6,
};

// VT-d 4.1 sec 8.3.1, Device Scope Entry types. Other values are reserved and kept as read.
enum class DeviceScopeType : std::uint8_t {
    kPciEndpoint = 1,
    kPciSubHierarchy = 2,
    kIoApic = 3,
    kMsiCapableHpet = 4,
    kAcpiNamespaceDevice = 5,
};

struct PciPathEntry {
    std::uint8_t device;
    std::uint8_t function;
};

// A device (or bridge hierarchy) named by a walk from `start_bus` through `path`: each entry is
// the device/function of a bridge, the last one the device itself (VT-d 4.1 sec 8.3.1.1).
struct DeviceScope {
    DeviceScopeType type;
    std::uint8_t flags;
    std::uint8_t enumeration_id;  // I/O APIC ID, HPET number or ACPI device number, by type
    std::uint8_t start_bus;
    std::uint8_t path_length;
    std::array<PciPathEntry, kMaxScopePath> path;
};

using DeviceScopes = FixedList<DeviceScope, kMaxDeviceScopes>;

// VT-d 4.1 sec 8.3, DRHD flags.
inline constexpr std::uint8_t kDrhdIncludePciAll = 1u << 0;

struct Drhd {
    std::uint8_t flags;
    std::uint8_t size;  // bits 3:0: the register set is 2^N 4 KiB pages
    std::uint16_t segment;
    std::uint64_t register_base;
    DeviceScopes scopes;

    // The unit covers every device of its segment not claimed by another DRHD.
    [[nodiscard]] constexpr bool include_pci_all() const {
        return (flags & kDrhdIncludePciAll) != 0;
    }
    [[nodiscard]] constexpr std::uint64_t register_set_bytes() const {
        return std::uint64_t{4096} << (size & 0xF);
    }
};

// Memory [base, limit] (inclusive) that the scoped devices keep using for DMA.
struct Rmrr {
    std::uint16_t segment;
    std::uint64_t base;
    std::uint64_t limit;
    DeviceScopes scopes;
};

// ATSR, RHSA, ANDD, SATC, SIDP and reserved types: where they are, for a later parser.
struct RemappingStructureRef {
    std::uint16_t type;
    std::uint16_t length;
    std::uint32_t offset;  // from the start of the table
};

struct Dmar {
    std::uint8_t host_address_width;  // the table's HAW field; the width in bits is this + 1
    std::uint8_t flags;
    FixedList<Drhd, kMaxDrhds> drhds;
    FixedList<Rmrr, kMaxRmrrs> rmrrs;
    FixedList<RemappingStructureRef, kMaxOtherRemappingStructures> others;
    std::size_t others_dropped;  // beyond the `others` capacity; none of them is needed to boot

    [[nodiscard]] constexpr unsigned address_width_bits() const {
        return static_cast<unsigned>(host_address_width) + 1;
    }
    [[nodiscard]] constexpr bool intr_remap() const { return (flags & kDmarIntrRemap) != 0; }
    [[nodiscard]] constexpr bool x2apic_opt_out() const { return (flags & kDmarX2apicOptOut) != 0; }
    [[nodiscard]] constexpr bool dma_ctrl_platform_opt_in() const {
        return (flags & kDmarDmaCtrlPlatformOptIn) != 0;
    }
};

// Parses a whole DMAR (signature "DMAR", checksum checked). Errors on zero-length or overlong
// structures and scopes, odd path lengths, an RMRR limit below its base, and (kTooMany) more
// DRHDs, RMRRs, scopes per structure or path entries than the capacities above: a unit or scope
// that was dropped would leave devices unprotected.
[[nodiscard]] Result<Dmar> parse_dmar(Bytes table);

}  // namespace hv::acpi
