#pragma once
// Root System Description Pointer (ACPI 6.5 sec 5.2.5): where the firmware says the RSDT/XSDT is.
// Found by the boot loader (Multiboot2 ACPI tags, UEFI config table) or, on BIOS machines, by
// scanning the EBDA and 0xE0000-0xFFFFF (ACPI 6.5 sec 5.2.5.1).
#include <array>
#include <cstddef>
#include <cstdint>

#include "kernel/lib/bytes.hpp"
#include "kernel/lib/result.hpp"

namespace hv::acpi {

// ACPI 6.5 table 5.3: the ACPI 1.0 structure is 20 bytes, the 2.0+ one 36.
inline constexpr std::size_t kRsdpV1Size = 20;
inline constexpr std::size_t kRsdpV2Size = 36;

struct Rsdp {
    std::uint8_t revision;  // 0 for ACPI 1.0, 2 for ACPI 2.0 and later
    std::array<char, 6> oem_id;
    std::uint32_t rsdt_phys;
    std::uint64_t xsdt_phys;  // 0 when revision < 2
    std::uint32_t length;     // 20 when revision < 2
};

// Validates the signature "RSD PTR ", the checksum of the first 20 bytes and, for revision >= 2,
// the extended checksum over `length` bytes (which must be at least 36 and inside `bytes`).
[[nodiscard]] Result<Rsdp> parse_rsdp(Bytes bytes);

// Searches `area`, which starts at physical address `area_phys`, for a valid RSDP on a 16-byte
// physical boundary (ACPI 6.5 sec 5.2.5.1) and returns its physical address. Candidates whose
// checksums fail are passed over; kNotFound if none is valid.
[[nodiscard]] Result<std::uint64_t> scan_for_rsdp(Bytes area, std::uint64_t area_phys);

}  // namespace hv::acpi
