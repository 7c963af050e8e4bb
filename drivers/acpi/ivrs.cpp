#include "drivers/acpi/ivrs.hpp"

#include "drivers/acpi/field.hpp"
#include "drivers/acpi/sdt.hpp"

namespace hv::acpi {
namespace {

constexpr SdtErrors kIvrsErrors{
    "IVRS shorter than its header",
    "IVRS length past end of bytes",
    "IVRS checksum mismatch",
    "IVRS signature is not IVRS",
};

// AMD IOMMU spec 3.x sec 5.2.1: IVinfo at 36, 8 reserved bytes, blocks from 48.
constexpr std::size_t kIvinfoOffset = 36;
constexpr std::size_t kBlocksOffset = 48;

// Sec 5.2.2 / 5.2.3: every block starts with type, flags and a 16-bit length.
constexpr std::size_t kBlockHeaderLength = 4;
// Sec 5.2.2.1: device entries follow 24 bytes of IVHD fields (type 10h) or 40 (11h, 40h, which
// add the EFR and EFR2 images).
constexpr std::size_t kIvhd10EntriesOffset = 24;
constexpr std::size_t kIvhd11EntriesOffset = 40;
// Sec 5.2.3: IVMD blocks are 32 bytes.
constexpr std::size_t kIvmdLength = 32;

// Sec 5.2.2.2, IVHD device entry type codes.
enum DeviceEntryType : std::uint8_t {
    kPad = 0,
    kAll = 1,
    kSelect = 2,
    kRangeStart = 3,
    kRangeEnd = 4,
    kAliasSelect = 66,
    kAliasRangeStart = 67,
    kExtendedSelect = 70,
    kExtendedRangeStart = 71,
    kSpecial = 72,
    kAcpiHid = 240,
};
// Type 240 is variable: 22 fixed bytes, the UID length at byte 21, then the UID.
constexpr std::size_t kAcpiHidFixedLength = 22;
constexpr std::size_t kAcpiHidUidLengthOffset = 21;

// Sec 5.2.2.2: types 0-63 are 4 bytes, 64-127 are 8 bytes (the top two bits of the type encode
// the size); of the rest only 240 is defined.
Result<std::size_t> entry_length(Bytes rest) {
    std::uint8_t type = field<std::uint8_t>(rest, 0);
    if (type < 0x80) return std::size_t{4} << (type >> 6);
    if (type != kAcpiHid) {
        return make_error(Errc::kInvalid, "IVRS IVHD device entry type has no defined length");
    }
    if (rest.size() < kAcpiHidFixedLength) {
        return make_error(Errc::kInvalid, "IVRS IVHD device entry past block end");
    }
    return kAcpiHidFixedLength + field<std::uint8_t>(rest, kAcpiHidUidLengthOffset);
}

// The start of a range, waiting for its type 4 end entry.
struct PendingRange {
    bool open;
    IvhdEntry entry;
};

Result<Ok> push_entry(Ivhd& ivhd, const IvhdEntry& e) {
    if (!ivhd.entries.push(e)) {
        return make_error(Errc::kTooMany, "IVRS IVHD has more device entries than supported");
    }
    return Ok{};
}

Result<Ok> decode_entry(Bytes e, Ivhd& ivhd, PendingRange& pending) {
    std::uint8_t type = field<std::uint8_t>(e, 0);
    auto devid = field<std::uint16_t>(e, 1);
    auto data = field<std::uint8_t>(e, 3);
    IvhdEntry out{};
    out.first = devid;
    out.last = devid;
    out.data = data;
    auto start_range = [&](IvhdEntryKind kind) -> Result<Ok> {
        if (pending.open) {
            return make_error(Errc::kInvalid, "IVRS IVHD range start inside an open range");
        }
        out.kind = kind;
        pending = {true, out};
        return Ok{};
    };
    switch (type) {
        case kAll:
            out.kind = IvhdEntryKind::kAll;
            out.first = 0;
            out.last = 0xFFFF;
            return push_entry(ivhd, out);
        case kSelect:
            out.kind = IvhdEntryKind::kSelect;
            return push_entry(ivhd, out);
        case kRangeStart:
            return start_range(IvhdEntryKind::kRange);
        case kAliasSelect:
        case kAliasRangeStart:
            // Bytes 5-6: the device ID the requests carry instead.
            out.alias = field<std::uint16_t>(e, 5);
            if (type == kAliasRangeStart) return start_range(IvhdEntryKind::kAliasRange);
            out.kind = IvhdEntryKind::kAliasSelect;
            return push_entry(ivhd, out);
        case kExtendedSelect:
        case kExtendedRangeStart:
            out.extended = field<std::uint32_t>(e, 4);
            if (type == kExtendedRangeStart) return start_range(IvhdEntryKind::kExtendedRange);
            out.kind = IvhdEntryKind::kExtendedSelect;
            return push_entry(ivhd, out);
        case kRangeEnd: {
            if (!pending.open) {
                return make_error(Errc::kInvalid, "IVRS IVHD range end without a range start");
            }
            IvhdEntry range = pending.entry;
            if (devid < range.first) {
                return make_error(Errc::kInvalid, "IVRS IVHD range end below its start");
            }
            range.last = devid;
            pending.open = false;
            return push_entry(ivhd, range);
        }
        case kSpecial:
            // Bytes 1-2 are reserved; 4 is the handle, 5-6 the device ID, 7 the variety.
            out.kind = IvhdEntryKind::kSpecial;
            out.handle = field<std::uint8_t>(e, 4);
            out.first = out.last = field<std::uint16_t>(e, 5);
            out.variety = static_cast<SpecialVariety>(field<std::uint8_t>(e, 7));
            return push_entry(ivhd, out);
        case kAcpiHid:
            out.kind = IvhdEntryKind::kAcpiHid;
            return push_entry(ivhd, out);
        default:
            // Type 0 is padding; other defined-length types are reserved and skipped.
            return Ok{};
    }
}

Result<Ok> decode_ivhd(Bytes b, Ivrs& ivrs) {
    auto type = static_cast<IvrsBlockType>(field<std::uint8_t>(b, 0));
    std::size_t entries_offset =
        type == IvrsBlockType::kIvhdLegacy ? kIvhd10EntriesOffset : kIvhd11EntriesOffset;
    if (b.size() < entries_offset) return make_error(Errc::kInvalid, "IVRS IVHD block too short");
    Ivhd ivhd{};
    ivhd.type = type;
    ivhd.flags = field<std::uint8_t>(b, 1);
    ivhd.device_id = field<std::uint16_t>(b, 4);
    ivhd.capability_offset = field<std::uint16_t>(b, 6);
    ivhd.base = field<std::uint64_t>(b, 8);
    ivhd.segment = field<std::uint16_t>(b, 16);
    ivhd.info = field<std::uint16_t>(b, 18);
    ivhd.feature_reporting = field<std::uint32_t>(b, 20);
    if (type != IvrsBlockType::kIvhdLegacy) {
        ivhd.efr = field<std::uint64_t>(b, 24);
        ivhd.efr2 = field<std::uint64_t>(b, 32);
    }

    Bytes entries = b.subspan(entries_offset);
    PendingRange pending{};
    std::size_t off = 0;
    while (off < entries.size()) {
        Bytes rest = entries.subspan(off);
        std::size_t len = TRY(entry_length(rest));
        if (len > rest.size()) {
            return make_error(Errc::kInvalid, "IVRS IVHD device entry past block end");
        }
        TRY(decode_entry(rest.first(len), ivhd, pending));
        off += len;  // len >= 4 for every type, so the walk always advances
    }
    if (pending.open) return make_error(Errc::kInvalid, "IVRS IVHD range start without an end");
    if (!ivrs.ivhds.push(ivhd)) {
        return make_error(Errc::kTooMany, "IVRS lists more IVHD blocks than supported");
    }
    return Ok{};
}

Result<Ok> decode_ivmd(Bytes b, Ivrs& ivrs) {
    if (b.size() < kIvmdLength) return make_error(Errc::kInvalid, "IVRS IVMD block too short");
    Ivmd ivmd{static_cast<IvrsBlockType>(field<std::uint8_t>(b, 0)),
              field<std::uint8_t>(b, 1),
              field<std::uint16_t>(b, 4),
              field<std::uint16_t>(b, 6),
              field<std::uint16_t>(b, 8),
              field<std::uint64_t>(b, 16),
              field<std::uint64_t>(b, 24)};
    if (!ivrs.ivmds.push(ivmd)) {
        return make_error(Errc::kTooMany, "IVRS lists more IVMD blocks than supported");
    }
    return Ok{};
}

}  // namespace

Result<Ivrs> parse_ivrs(Bytes table) {
    Sdt sdt = TRY(parse_sdt(table, "IVRS", kIvrsErrors));
    Bytes t = sdt.table;
    if (t.size() < kBlocksOffset) {
        return make_error(Errc::kInvalid, "IVRS shorter than its fixed fields");
    }
    Ivrs ivrs{};
    ivrs.ivinfo = field<std::uint32_t>(t, kIvinfoOffset);

    std::size_t off = kBlocksOffset;
    while (off < t.size()) {
        if (t.size() - off < kBlockHeaderLength) {
            return make_error(Errc::kInvalid, "IVRS block header past table end");
        }
        auto type = static_cast<IvrsBlockType>(field<std::uint8_t>(t, off));
        std::size_t len = field<std::uint16_t>(t, off + 2);
        // A length below the header would never advance the walk.
        if (len < kBlockHeaderLength) {
            return make_error(Errc::kInvalid, "IVRS block length below 4");
        }
        if (len > t.size() - off)
            return make_error(Errc::kInvalid, "IVRS block length past table end");
        Bytes b = t.subspan(off, len);
        switch (type) {
            case IvrsBlockType::kIvhdLegacy:
            case IvrsBlockType::kIvhdEfr:
            case IvrsBlockType::kIvhdAcpiHid:
                TRY(decode_ivhd(b, ivrs));
                break;
            case IvrsBlockType::kIvmdAll:
            case IvrsBlockType::kIvmdSelect:
            case IvrsBlockType::kIvmdRange:
                TRY(decode_ivmd(b, ivrs));
                break;
            default:
                ++ivrs.unknown_blocks;
                break;
        }
        off += len;
    }
    return ivrs;
}

FixedList<std::size_t, kMaxIvhds> preferred_ivhds(const Ivrs& ivrs,
                                                  std::uint8_t max_supported_type) {
    FixedList<std::size_t, kMaxIvhds> out{};
    auto same_iommu = [](const Ivhd& a, const Ivhd& b) {
        return a.segment == b.segment && a.device_id == b.device_id;
    };
    auto supported = [&](const Ivhd& h) {
        return static_cast<std::uint8_t>(h.type) <= max_supported_type;
    };
    for (std::size_t i = 0; i < ivrs.ivhds.size(); ++i) {
        const Ivhd& candidate = ivrs.ivhds[i];
        if (!supported(candidate)) continue;
        bool done = false;
        for (std::size_t chosen : out) done = done || same_iommu(ivrs.ivhds[chosen], candidate);
        if (done) continue;
        std::size_t best = i;
        for (std::size_t j = i + 1; j < ivrs.ivhds.size(); ++j) {
            const Ivhd& other = ivrs.ivhds[j];
            if (supported(other) && same_iommu(other, candidate) &&
                other.type > ivrs.ivhds[best].type) {
                best = j;
            }
        }
        // Cannot overflow: at most one index per IVHD, and `out` has the IVHD list's capacity.
        (void)out.push(best);
    }
    return out;
}

}  // namespace hv::acpi
