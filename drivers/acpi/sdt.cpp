#include "drivers/acpi/sdt.hpp"

namespace hv::acpi {
namespace {

// ACPI 6.5 table 5.4: offsets of the header fields.
enum SdtOffset : std::size_t {
    kSignature = 0,
    kLength = 4,
    kRevision = 8,
    kChecksum = 9,
    kOemId = 10,
    kOemTableId = 16,
    kOemRevision = 24,
    kCreatorId = 28,
    kCreatorRevision = 32,
};
static_assert(kCreatorRevision + 4 == kSdtHeaderSize);

constexpr SdtErrors kGenericErrors{
    "ACPI table shorter than its 36-byte header",
    "ACPI table length past end of bytes",
    "ACPI table checksum mismatch",
    "ACPI table has an unexpected signature",
};

Result<SdtHeader> decode_header(Bytes bytes, const SdtErrors& errors) {
    if (bytes.size() < kSdtHeaderSize) return make_error(Errc::kInvalid, errors.too_short);
    SdtHeader h{};
    h.signature = Signature(chars_at<4>(bytes, kSignature));
    h.length = field<std::uint32_t>(bytes, kLength);
    h.revision = field<std::uint8_t>(bytes, kRevision);
    h.checksum = field<std::uint8_t>(bytes, kChecksum);
    h.oem_id = chars_at<6>(bytes, kOemId);
    h.oem_table_id = chars_at<8>(bytes, kOemTableId);
    h.oem_revision = field<std::uint32_t>(bytes, kOemRevision);
    h.creator_id = chars_at<4>(bytes, kCreatorId);
    h.creator_revision = field<std::uint32_t>(bytes, kCreatorRevision);
    if (h.length < kSdtHeaderSize) return make_error(Errc::kInvalid, errors.too_short);
    return h;
}

// `expected` is null when any signature will do. The signature is checked before the checksum so
// that a table handed to the wrong parser is reported as such.
Result<Sdt> validate(Bytes bytes, const Signature* expected, const SdtErrors& errors) {
    SdtHeader h = TRY(decode_header(bytes, errors));
    if (expected && h.signature != *expected) {
        return make_error(Errc::kInvalid, errors.wrong_signature);
    }
    if (h.length > bytes.size()) return make_error(Errc::kInvalid, errors.past_end);
    Bytes table = bytes.first(h.length);
    // ACPI 6.5 sec 5.2.6: "the entire table, including the checksum field, must add to zero".
    if (byte_sum(table) != 0) return make_error(Errc::kInvalid, errors.bad_checksum);
    return Sdt{h, table, table.subspan(kSdtHeaderSize)};
}

}  // namespace

Result<SdtHeader> parse_sdt_header(Bytes bytes) { return decode_header(bytes, kGenericErrors); }

Result<Sdt> parse_sdt(Bytes bytes) { return validate(bytes, nullptr, kGenericErrors); }

Result<Sdt> parse_sdt(Bytes bytes, Signature expected, const SdtErrors& errors) {
    return validate(bytes, &expected, errors);
}

}  // namespace hv::acpi
