#include "drivers/acpi/madt.hpp"

#include "drivers/acpi/field.hpp"
#include "drivers/acpi/sdt.hpp"

namespace hv::acpi {
namespace {

constexpr SdtErrors kMadtErrors{
    "MADT shorter than its header",
    "MADT length past end of bytes",
    "MADT checksum mismatch",
    "MADT signature is not APIC",
};

// ACPI 6.5 table 5.21: local interrupt controller address at 36, flags at 40, entries from 44.
constexpr std::size_t kLocalApicAddressOffset = 36;
constexpr std::size_t kFlagsOffset = 40;
constexpr std::size_t kEntriesOffset = 44;

// Entry lengths from ACPI 6.5 tables 5.23, 5.25, 5.26, 5.28, 5.30, 5.33, 5.39, 5.41. Newer
// revisions may lengthen an entry, so these are minimums.
constexpr std::size_t kLocalApicLength = 8;
constexpr std::size_t kIoApicLength = 12;
constexpr std::size_t kOverrideLength = 10;
constexpr std::size_t kNmiSourceLength = 8;
constexpr std::size_t kLocalApicNmiLength = 6;
constexpr std::size_t kAddressOverrideLength = 12;
constexpr std::size_t kLocalX2ApicLength = 16;
constexpr std::size_t kLocalX2ApicNmiLength = 12;

// Entry header: type byte, length byte (ACPI 6.5 sec 5.2.12).
constexpr std::size_t kEntryHeaderLength = 2;

Result<Ok> decode_entry(Bytes e, Madt& madt) {
    auto need = [&](std::size_t min, const char* what) -> Result<Ok> {
        if (e.size() < min) return make_error(Errc::kInvalid, what);
        return Ok{};
    };
    switch (static_cast<MadtEntryType>(field<std::uint8_t>(e, 0))) {
        case MadtEntryType::kLocalApic: {
            TRY(need(kLocalApicLength, "MADT local APIC entry too short"));
            Processor p{field<std::uint8_t>(e, 2), field<std::uint8_t>(e, 3),
                        field<std::uint32_t>(e, 4), false};
            if (!madt.cpus.push(p)) ++madt.cpus_dropped;
            return Ok{};
        }
        case MadtEntryType::kLocalX2Apic: {
            TRY(need(kLocalX2ApicLength, "MADT local x2APIC entry too short"));
            // Table 5.39: reserved 2 bytes, x2APIC ID, flags, ACPI processor UID.
            Processor p{field<std::uint32_t>(e, 12), field<std::uint32_t>(e, 4),
                        field<std::uint32_t>(e, 8), true};
            if (!madt.cpus.push(p)) ++madt.cpus_dropped;
            return Ok{};
        }
        case MadtEntryType::kIoApic: {
            TRY(need(kIoApicLength, "MADT I/O APIC entry too short"));
            IoApic io{field<std::uint8_t>(e, 2), field<std::uint32_t>(e, 4),
                      field<std::uint32_t>(e, 8)};
            if (!madt.io_apics.push(io)) {
                return make_error(Errc::kTooMany, "MADT lists more I/O APICs than supported");
            }
            return Ok{};
        }
        case MadtEntryType::kInterruptSourceOverride: {
            TRY(need(kOverrideLength, "MADT interrupt source override entry too short"));
            InterruptOverride o{field<std::uint8_t>(e, 2),
                                field<std::uint8_t>(e, 3),
                                field<std::uint32_t>(e, 4),
                                {field<std::uint16_t>(e, 8)}};
            if (!madt.overrides.push(o)) {
                return make_error(Errc::kTooMany,
                                  "MADT lists more interrupt source overrides than supported");
            }
            return Ok{};
        }
        case MadtEntryType::kNmiSource: {
            TRY(need(kNmiSourceLength, "MADT NMI source entry too short"));
            NmiSource n{{field<std::uint16_t>(e, 2)}, field<std::uint32_t>(e, 4)};
            if (!madt.nmi_sources.push(n)) {
                return make_error(Errc::kTooMany, "MADT lists more NMI sources than supported");
            }
            return Ok{};
        }
        case MadtEntryType::kLocalApicNmi: {
            TRY(need(kLocalApicNmiLength, "MADT local APIC NMI entry too short"));
            LocalApicNmi n{field<std::uint8_t>(e, 2),
                           {field<std::uint16_t>(e, 3)},
                           field<std::uint8_t>(e, 5),
                           false};
            if (!madt.local_apic_nmis.push(n)) ++madt.local_apic_nmis_dropped;
            return Ok{};
        }
        case MadtEntryType::kLocalX2ApicNmi: {
            TRY(need(kLocalX2ApicNmiLength, "MADT local x2APIC NMI entry too short"));
            LocalApicNmi n{field<std::uint32_t>(e, 4),
                           {field<std::uint16_t>(e, 2)},
                           field<std::uint8_t>(e, 8),
                           true};
            if (!madt.local_apic_nmis.push(n)) ++madt.local_apic_nmis_dropped;
            return Ok{};
        }
        case MadtEntryType::kLocalApicAddressOverride:
            TRY(need(kAddressOverrideLength, "MADT local APIC address override entry too short"));
            madt.local_apic_base = field<std::uint64_t>(e, 4);
            return Ok{};
    }
    ++madt.unknown_entries;
    return Ok{};
}

}  // namespace

Result<Madt> parse_madt(Bytes table) {
    Sdt sdt = TRY(parse_sdt(table, "APIC", kMadtErrors));
    Bytes t = sdt.table;
    if (t.size() < kEntriesOffset) {
        return make_error(Errc::kInvalid, "MADT shorter than its fixed fields");
    }
    Madt madt{};
    madt.revision = sdt.header.revision;
    madt.local_apic_base = field<std::uint32_t>(t, kLocalApicAddressOffset);
    madt.flags = field<std::uint32_t>(t, kFlagsOffset);

    std::size_t off = kEntriesOffset;
    while (off < t.size()) {
        if (t.size() - off < kEntryHeaderLength) {
            return make_error(Errc::kInvalid, "MADT entry header past table end");
        }
        std::size_t len = field<std::uint8_t>(t, off + 1);
        // A length below the header would never advance the walk.
        if (len < kEntryHeaderLength)
            return make_error(Errc::kInvalid, "MADT entry length below 2");
        if (len > t.size() - off) {
            return make_error(Errc::kInvalid, "MADT entry length past table end");
        }
        TRY(decode_entry(t.subspan(off, len), madt));
        off += len;
    }
    return madt;
}

UsableCpus usable_cpus(const Madt& madt) {
    // ACPI 6.3 (MADT revision 5) defined Online Capable; before that the bit was reserved.
    constexpr std::uint8_t kOnlineCapableRevision = 5;
    bool honour_online_capable = madt.revision >= kOnlineCapableRevision;
    UsableCpus out{};
    for (const Processor& p : madt.cpus) {
        if (!p.enabled() && !(honour_online_capable && p.online_capable())) continue;
        bool seen = false;
        for (std::uint32_t id : out.apic_ids) seen = seen || id == p.apic_id;
        // Cannot overflow: at most one ID per entry of `cpus`, which has the same capacity.
        if (!seen) (void)out.apic_ids.push(p.apic_id);
    }
    return out;
}

}  // namespace hv::acpi
