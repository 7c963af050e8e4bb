#pragma once
// Multiple APIC Description Table (ACPI 6.5 sec 5.2.12): which CPUs exist (by APIC ID), where the
// I/O APICs are, and how ISA IRQs map onto global system interrupts.
#include <cstddef>
#include <cstdint>

#include "drivers/acpi/fixed_list.hpp"
#include "kernel/lib/bytes.hpp"
#include "kernel/lib/result.hpp"

namespace hv::acpi {

inline constexpr std::size_t kMaxCpus = 256;
inline constexpr std::size_t kMaxIoApics = 16;
inline constexpr std::size_t kMaxInterruptOverrides = 32;
inline constexpr std::size_t kMaxNmiSources = 16;
// Servers often give one local APIC NMI entry per processor, so this follows kMaxCpus.
inline constexpr std::size_t kMaxLocalApicNmis = kMaxCpus;

// ACPI 6.5 table 5.22, Interrupt Controller Structure types this parser decodes.
enum class MadtEntryType : std::uint8_t {
    kLocalApic = 0,
    kIoApic = 1,
    kInterruptSourceOverride = 2,
    kNmiSource = 3,
    kLocalApicNmi = 4,
    kLocalApicAddressOverride = 5,
    kLocalX2Apic = 9,
    kLocalX2ApicNmi = 10,
};

// ACPI 6.5 table 5.24 (Local APIC Flags), shared by the x2APIC structure (table 5.40).
inline constexpr std::uint32_t kLapicEnabled = 1u << 0;
inline constexpr std::uint32_t kLapicOnlineCapable = 1u << 1;

// ACPI 6.5 table 5.21: MADT flags.
inline constexpr std::uint32_t kMadtPcatCompat = 1u << 0;

// A type 0 (xAPIC) or type 9 (x2APIC) processor entry.
struct Processor {
    std::uint32_t acpi_uid;  // 8 bits wide in type 0 entries
    std::uint32_t apic_id;   // 8 bits wide in type 0 entries
    std::uint32_t flags;
    bool x2apic;  // from a type 9 entry

    [[nodiscard]] constexpr bool enabled() const { return (flags & kLapicEnabled) != 0; }
    [[nodiscard]] constexpr bool online_capable() const {
        return (flags & kLapicOnlineCapable) != 0;
    }
};

struct IoApic {
    std::uint8_t id;
    std::uint32_t address;
    std::uint32_t gsi_base;
};

// ACPI 6.5 table 5.27, MPS INTI flags: polarity bits 1:0, trigger mode bits 3:2.
enum class Polarity : std::uint8_t {
    kConforms = 0,
    kActiveHigh = 1,
    kReserved = 2,
    kActiveLow = 3
};
enum class TriggerMode : std::uint8_t { kConforms = 0, kEdge = 1, kReserved = 2, kLevel = 3 };

struct MpsIntiFlags {
    std::uint16_t raw;

    [[nodiscard]] constexpr Polarity polarity() const { return static_cast<Polarity>(raw & 0x3); }
    [[nodiscard]] constexpr TriggerMode trigger() const {
        return static_cast<TriggerMode>((raw >> 2) & 0x3);
    }
};

// Type 2: ISA IRQ `source` on `bus` (always 0, ISA) arrives at global system interrupt `gsi`.
struct InterruptOverride {
    std::uint8_t bus;
    std::uint8_t source;
    std::uint32_t gsi;
    MpsIntiFlags flags;
};

// Type 3: a GSI that is wired to NMI.
struct NmiSource {
    MpsIntiFlags flags;
    std::uint32_t gsi;
};

// Types 4 and 10: which LINT pin of which processor is NMI.
inline constexpr std::uint32_t kAllProcessorsXapic = 0xFF;         // ACPI 6.5 table 5.32
inline constexpr std::uint32_t kAllProcessorsX2apic = 0xFFFFFFFF;  // ACPI 6.5 table 5.42
struct LocalApicNmi {
    std::uint32_t acpi_uid;  // kAllProcessorsXapic / kAllProcessorsX2apic for every processor
    MpsIntiFlags flags;
    std::uint8_t lint;
    bool x2apic;  // from a type 10 entry

    [[nodiscard]] constexpr bool all_processors() const {
        return acpi_uid == (x2apic ? kAllProcessorsX2apic : kAllProcessorsXapic);
    }
};

struct Madt {
    std::uint8_t revision;
    // The 32-bit header address, replaced by a type 5 entry's 64-bit one when present.
    std::uint64_t local_apic_base;
    std::uint32_t flags;
    FixedList<Processor, kMaxCpus> cpus;
    // Firmware lists the CPUs a board could hold, not only those present; entries past the
    // capacity are counted here rather than failing the parse.
    std::size_t cpus_dropped;
    FixedList<IoApic, kMaxIoApics> io_apics;
    FixedList<InterruptOverride, kMaxInterruptOverrides> overrides;
    FixedList<NmiSource, kMaxNmiSources> nmi_sources;
    FixedList<LocalApicNmi, kMaxLocalApicNmis> local_apic_nmis;
    std::size_t local_apic_nmis_dropped;  // like cpus_dropped: entries for CPUs past capacity
    std::size_t unknown_entries;          // types not listed in MadtEntryType, skipped by length

    // The machine also has dual 8259 PICs, which must be masked before using the I/O APIC.
    [[nodiscard]] constexpr bool pcat_compat() const { return (flags & kMadtPcatCompat) != 0; }
};

// Parses a whole MADT (signature "APIC", checksum checked). Errors on entries shorter than their
// type's layout, zero-length or past the table end, and on more I/O APICs, overrides or NMI
// sources than the capacities above (kTooMany: dropping one would misroute interrupts).
[[nodiscard]] Result<Madt> parse_madt(Bytes table);

struct UsableCpus {
    FixedList<std::uint32_t, kMaxCpus> apic_ids;
};

// APIC IDs of the processors that may be started: enabled ones, and online-capable ones when the
// MADT revision is >= 5 (ACPI 6.3, where the bit was defined; Linux applies the same rule). An ID
// listed twice (firmware commonly gives both a type 0 and a type 9 entry) appears once, in table
// order.
[[nodiscard]] UsableCpus usable_cpus(const Madt& madt);

}  // namespace hv::acpi
