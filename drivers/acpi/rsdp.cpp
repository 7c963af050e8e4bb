#include "drivers/acpi/rsdp.hpp"

#include "drivers/acpi/field.hpp"

namespace hv::acpi {
namespace {

// ACPI 6.5 table 5.3, RSDP structure offsets.
enum RsdpOffset : std::size_t {
    kSignature = 0,
    kOemId = 9,
    kRevision = 15,
    kRsdtAddress = 16,
    kLength = 20,
    kXsdtAddress = 24,
};

constexpr const char kRsdpSignature[] = "RSD PTR ";
constexpr std::size_t kSignatureLength = 8;

// ACPI 6.5 sec 5.2.5.1: the RSDP sits on a 16-byte boundary.
constexpr std::uint64_t kScanAlignment = 16;

}  // namespace

Result<Rsdp> parse_rsdp(Bytes bytes) {
    if (bytes.size() < kRsdpV1Size) return make_error(Errc::kInvalid, "RSDP shorter than 20 bytes");
    if (!bytes_equal(bytes, kSignature, kRsdpSignature, kSignatureLength)) {
        return make_error(Errc::kInvalid, "RSDP signature is not \"RSD PTR \"");
    }
    if (byte_sum(bytes.first(kRsdpV1Size)) != 0) {
        return make_error(Errc::kInvalid, "RSDP checksum mismatch");
    }
    Rsdp rsdp{};
    rsdp.revision = field<std::uint8_t>(bytes, kRevision);
    rsdp.oem_id = chars_at<6>(bytes, kOemId);
    rsdp.rsdt_phys = field<std::uint32_t>(bytes, kRsdtAddress);
    rsdp.length = kRsdpV1Size;
    if (rsdp.revision < 2) return rsdp;

    // The ACPI 2.0 fields: the length covers the whole structure, the extended checksum all of it.
    if (bytes.size() < kRsdpV2Size) {
        return make_error(Errc::kInvalid, "RSDP revision 2 shorter than 36 bytes");
    }
    std::uint32_t length = field<std::uint32_t>(bytes, kLength);
    if (length < kRsdpV2Size) return make_error(Errc::kInvalid, "RSDP length below 36");
    if (length > bytes.size()) return make_error(Errc::kInvalid, "RSDP length past end of bytes");
    if (byte_sum(bytes.first(length)) != 0) {
        return make_error(Errc::kInvalid, "RSDP extended checksum mismatch");
    }
    rsdp.length = length;
    rsdp.xsdt_phys = field<std::uint64_t>(bytes, kXsdtAddress);
    return rsdp;
}

Result<std::uint64_t> scan_for_rsdp(Bytes area, std::uint64_t area_phys) {
    // Alignment is a property of the physical address, not of the offset into `area`.
    std::size_t first =
        static_cast<std::size_t>((kScanAlignment - area_phys % kScanAlignment) % kScanAlignment);
    for (std::size_t off = first; off < area.size(); off += kScanAlignment) {
        if (!bytes_equal(area, off, kRsdpSignature, kSignatureLength)) continue;
        if (parse_rsdp(area.subspan(off)).ok()) return area_phys + off;
    }
    return make_error(Errc::kNotFound, "RSDP not found in scanned area");
}

}  // namespace hv::acpi
