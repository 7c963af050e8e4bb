#include "drivers/acpi/dmar.hpp"

#include "drivers/acpi/field.hpp"
#include "drivers/acpi/sdt.hpp"

namespace hv::acpi {
namespace {

constexpr SdtErrors kDmarErrors{
    "DMAR shorter than its header",
    "DMAR length past end of bytes",
    "DMAR checksum mismatch",
    "DMAR signature is not DMAR",
};

// VT-d 4.1 table 8-1: HAW at 36, flags at 37, 10 reserved bytes, remapping structures from 48.
constexpr std::size_t kHawOffset = 36;
constexpr std::size_t kFlagsOffset = 37;
constexpr std::size_t kStructuresOffset = 48;

// VT-d 4.1 sec 8.2: every remapping structure starts with a 16-bit type and a 16-bit length.
constexpr std::size_t kStructureHeaderLength = 4;
// Sec 8.3 (DRHD) and 8.4 (RMRR): fixed fields before the device scopes.
constexpr std::size_t kDrhdScopesOffset = 16;
constexpr std::size_t kRmrrScopesOffset = 24;
// Sec 8.3.1: type, length, flags, reserved, enumeration ID, start bus, then 2-byte path entries.
constexpr std::size_t kScopeHeaderLength = 6;
constexpr std::size_t kPathEntryLength = 2;

Result<DeviceScope> decode_scope(Bytes s) {
    DeviceScope scope{};
    scope.type = static_cast<DeviceScopeType>(field<std::uint8_t>(s, 0));
    scope.flags = field<std::uint8_t>(s, 2);
    scope.enumeration_id = field<std::uint8_t>(s, 4);
    scope.start_bus = field<std::uint8_t>(s, 5);
    std::size_t path_bytes = s.size() - kScopeHeaderLength;
    if (path_bytes % kPathEntryLength != 0) {
        return make_error(Errc::kInvalid, "DMAR device scope path has an odd length");
    }
    if (path_bytes / kPathEntryLength > kMaxScopePath) {
        return make_error(Errc::kTooMany, "DMAR device scope path longer than supported");
    }
    scope.path_length = static_cast<std::uint8_t>(path_bytes / kPathEntryLength);
    for (std::size_t i = 0; i < scope.path_length; ++i) {
        std::size_t off = kScopeHeaderLength + i * kPathEntryLength;
        scope.path[i] = {field<std::uint8_t>(s, off), field<std::uint8_t>(s, off + 1)};
    }
    return scope;
}

// `scopes` is the tail of a structure after its fixed fields.
Result<DeviceScopes> decode_scopes(Bytes scopes) {
    DeviceScopes out{};
    std::size_t off = 0;
    while (off < scopes.size()) {
        if (scopes.size() - off < kScopeHeaderLength) {
            return make_error(Errc::kInvalid, "DMAR device scope header past structure end");
        }
        std::size_t len = field<std::uint8_t>(scopes, off + 1);
        if (len < kScopeHeaderLength) {
            return make_error(Errc::kInvalid, "DMAR device scope length below 6");
        }
        if (len > scopes.size() - off) {
            return make_error(Errc::kInvalid, "DMAR device scope length past structure end");
        }
        DeviceScope scope = TRY(decode_scope(scopes.subspan(off, len)));
        if (!out.push(scope)) {
            return make_error(Errc::kTooMany,
                              "DMAR structure has more device scopes than supported");
        }
        off += len;
    }
    return out;
}

Result<Ok> decode_drhd(Bytes s, Dmar& dmar) {
    if (s.size() < kDrhdScopesOffset) return make_error(Errc::kInvalid, "DMAR DRHD too short");
    Drhd drhd{};
    drhd.flags = field<std::uint8_t>(s, 4);
    drhd.size = field<std::uint8_t>(s, 5);
    drhd.segment = field<std::uint16_t>(s, 6);
    drhd.register_base = field<std::uint64_t>(s, 8);
    drhd.scopes = TRY(decode_scopes(s.subspan(kDrhdScopesOffset)));
    if (!dmar.drhds.push(drhd)) {
        return make_error(Errc::kTooMany, "DMAR lists more DRHD units than supported");
    }
    return Ok{};
}

Result<Ok> decode_rmrr(Bytes s, Dmar& dmar) {
    if (s.size() < kRmrrScopesOffset) return make_error(Errc::kInvalid, "DMAR RMRR too short");
    Rmrr rmrr{};
    rmrr.segment = field<std::uint16_t>(s, 6);
    rmrr.base = field<std::uint64_t>(s, 8);
    rmrr.limit = field<std::uint64_t>(s, 16);
    if (rmrr.limit < rmrr.base) return make_error(Errc::kInvalid, "DMAR RMRR limit below base");
    rmrr.scopes = TRY(decode_scopes(s.subspan(kRmrrScopesOffset)));
    if (!dmar.rmrrs.push(rmrr)) {
        return make_error(Errc::kTooMany, "DMAR lists more RMRRs than supported");
    }
    return Ok{};
}

}  // namespace

Result<Dmar> parse_dmar(Bytes table) {
    Sdt sdt = TRY(parse_sdt(table, "DMAR", kDmarErrors));
    Bytes t = sdt.table;
    if (t.size() < kStructuresOffset) {
        return make_error(Errc::kInvalid, "DMAR shorter than its fixed fields");
    }
    Dmar dmar{};
    dmar.host_address_width = field<std::uint8_t>(t, kHawOffset);
    dmar.flags = field<std::uint8_t>(t, kFlagsOffset);

    std::size_t off = kStructuresOffset;
    while (off < t.size()) {
        if (t.size() - off < kStructureHeaderLength) {
            return make_error(Errc::kInvalid, "DMAR structure header past table end");
        }
        auto type = field<std::uint16_t>(t, off);
        std::size_t len = field<std::uint16_t>(t, off + 2);
        // A length below the header would never advance the walk.
        if (len < kStructureHeaderLength) {
            return make_error(Errc::kInvalid, "DMAR structure length below 4");
        }
        if (len > t.size() - off) {
            return make_error(Errc::kInvalid, "DMAR structure length past table end");
        }
        Bytes s = t.subspan(off, len);
        if (type == static_cast<std::uint16_t>(RemappingType::kDrhd)) {
            TRY(decode_drhd(s, dmar));
        } else if (type == static_cast<std::uint16_t>(RemappingType::kRmrr)) {
            TRY(decode_rmrr(s, dmar));
        } else {
            RemappingStructureRef ref{type, static_cast<std::uint16_t>(len),
                                      static_cast<std::uint32_t>(off)};
            if (!dmar.others.push(ref)) ++dmar.others_dropped;
        }
        off += len;
    }
    return dmar;
}

}  // namespace hv::acpi
