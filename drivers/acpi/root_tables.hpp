#pragma once
// The root table (XSDT, or RSDT on ACPI 1.0 firmware; ACPI 6.5 sec 5.2.7-5.2.8): the list of all
// other tables. The walker reads every listed table's header and checksum once, keeps the good
// ones and records why each bad one was skipped, so that one broken SSDT does not cost the MADT.
//
// Reads go through a PhysReader; nothing is cached beyond physical addresses and lengths, so
// find_table() reads and validates the table again before handing out its bytes.
#include <cstddef>
#include <cstdint>

#include "drivers/acpi/fixed_list.hpp"
#include "drivers/acpi/rsdp.hpp"
#include "drivers/acpi/sdt.hpp"
#include "kernel/lib/bytes.hpp"
#include "kernel/lib/phys_reader.hpp"
#include "kernel/lib/result.hpp"

namespace hv::acpi {

// Large servers list one SSDT per socket or more; 128 covers them with room to spare.
inline constexpr std::size_t kMaxTables = 128;
inline constexpr std::size_t kMaxSkippedTables = 16;

struct TableRef {
    Signature signature;
    std::uint64_t phys;
    std::uint32_t length;
};

// A listed table that was not accepted. `signature` is "????" when the header was unreadable.
// `reason` is a static string, e.g. "checksum mismatch".
struct SkippedTable {
    Signature signature;
    std::uint64_t phys;
    const char* reason;
};

struct RootTables {
    Signature root_signature;  // "XSDT" or "RSDT"
    std::uint64_t root_phys;
    FixedList<TableRef, kMaxTables> tables;
    FixedList<SkippedTable, kMaxSkippedTables> skipped;
    std::size_t skipped_unrecorded;  // skips beyond the `skipped` capacity
};

// Walks the XSDT when the RSDP is revision >= 2 with a non-zero XSDT address, else the RSDT.
// If the XSDT itself is bad and an RSDT exists, falls back to the RSDT (as ACPICA does) and
// records the XSDT in `skipped`. Errors only when no root table is usable.
[[nodiscard]] Result<RootTables> walk_root_tables(const PhysReader& mem, const Rsdp& rsdp);

// Reads the table at `phys`: its header for the length, then the whole table, then validates
// length and checksum. The bytes are the whole table, header included.
[[nodiscard]] Result<Bytes> read_table(const PhysReader& mem, std::uint64_t phys);

// The `instance`-th (0-based) listed table with `signature`, read and validated again.
[[nodiscard]] Result<Bytes> find_table(const PhysReader& mem, const RootTables& roots,
                                       Signature signature, std::size_t instance = 0);

}  // namespace hv::acpi
