#include "drivers/acpi/rsdp.hpp"

#include <gtest/gtest.h>

#include "tests/unit/drivers/acpi/acpi_builder.hpp"

namespace hv::acpi {
namespace {

using test::as_bytes;
using test::Builder;
using test::fix_checksum;

// ACPI 6.5 table 5.3, as SeaBIOS builds it for QEMU (revision 0) or OVMF (revision 2).
std::vector<std::byte> rsdp_v1(std::uint32_t rsdt) {
    Builder b;
    b.chars("RSD PTR ").u8(0).chars("BOCHS ").u8(0).u32(rsdt);
    auto out = b.bytes();
    fix_checksum(out, 8, 20);
    return out;
}

std::vector<std::byte> rsdp_v2(std::uint32_t rsdt, std::uint64_t xsdt) {
    Builder b;
    b.chars("RSD PTR ").u8(0).chars("BOCHS ").u8(2).u32(rsdt).u32(36).u64(xsdt).u8(0).zeros(3);
    auto out = b.bytes();
    fix_checksum(out, 8, 20);
    fix_checksum(out, 32, 36);
    return out;
}

TEST(Rsdp, ParsesRevisionZeroWithoutXsdt) {
    auto raw = rsdp_v1(0x7ffe2000);
    auto r = parse_rsdp(as_bytes(raw));
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value().revision, 0);
    EXPECT_EQ(r.value().rsdt_phys, 0x7ffe2000u);
    EXPECT_EQ(r.value().xsdt_phys, 0u);
    EXPECT_EQ(r.value().length, 20u);
    EXPECT_EQ(std::string_view(r.value().oem_id.data(), 6), "BOCHS ");
}

TEST(Rsdp, ParsesRevisionTwoWithXsdt) {
    auto raw = rsdp_v2(0x7fb7e074, 0x7fb7e0e8);
    auto r = parse_rsdp(as_bytes(raw));
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value().revision, 2);
    EXPECT_EQ(r.value().rsdt_phys, 0x7fb7e074u);
    EXPECT_EQ(r.value().xsdt_phys, 0x7fb7e0e8u);
    EXPECT_EQ(r.value().length, 36u);
}

TEST(Rsdp, RejectsWrongSignature) {
    auto raw = rsdp_v1(0x1000);
    raw[4] = std::byte{'X'};
    fix_checksum(raw, 8, 20);
    EXPECT_STREQ(parse_rsdp(as_bytes(raw)).error().what, "RSDP signature is not \"RSD PTR \"");
}

TEST(Rsdp, RejectsBadChecksum) {
    auto raw = rsdp_v1(0x1000);
    raw[16] = std::byte{0x55};
    EXPECT_STREQ(parse_rsdp(as_bytes(raw)).error().what, "RSDP checksum mismatch");
}

TEST(Rsdp, RejectsBadExtendedChecksum) {
    auto raw = rsdp_v2(0x1000, 0x2000);
    raw[24] = std::byte{0x99};  // in the XSDT address: only the extended checksum covers it
    EXPECT_STREQ(parse_rsdp(as_bytes(raw)).error().what, "RSDP extended checksum mismatch");
}

TEST(Rsdp, RejectsRevisionTwoTruncatedToTwentyBytes) {
    auto raw = rsdp_v2(0x1000, 0x2000);
    auto r = parse_rsdp(as_bytes(raw).first(20));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kInvalid);
}

TEST(Rsdp, RejectsLengthPastBytes) {
    auto raw = rsdp_v2(0x1000, 0x2000);
    raw[20] = std::byte{40};  // claims 40 bytes, 36 given
    fix_checksum(raw, 8, 20);
    EXPECT_STREQ(parse_rsdp(as_bytes(raw)).error().what, "RSDP length past end of bytes");
}

TEST(Rsdp, RejectsInputShorterThanTwentyBytes) {
    auto raw = rsdp_v1(0x1000);
    EXPECT_FALSE(parse_rsdp(as_bytes(raw).first(19)).ok());
}

// A 0xE0000-0xFFFFF style area with the RSDP at 0xF5A30.
std::vector<std::byte> bios_area_with(const std::vector<std::byte>& rsdp, std::size_t at,
                                      std::size_t size = 0x1000) {
    std::vector<std::byte> area(size, std::byte{0xFF});
    std::copy(rsdp.begin(), rsdp.end(), area.begin() + static_cast<std::ptrdiff_t>(at));
    return area;
}

TEST(Rsdp, ScanFindsRsdpOnSixteenByteBoundary) {
    auto area = bios_area_with(rsdp_v1(0x7ffe2000), 0xA30);
    auto r = scan_for_rsdp(as_bytes(area), 0xF5000);
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value(), 0xF5A30u);
}

TEST(Rsdp, ScanIgnoresSignatureOffTheBoundary) {
    auto area = bios_area_with(rsdp_v1(0x7ffe2000), 0xA38);
    auto r = scan_for_rsdp(as_bytes(area), 0xF5000);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kNotFound);
}

TEST(Rsdp, ScanAlignsOnPhysicalAddressNotOffset) {
    // The area starts 8 bytes past a boundary, so offset 8 is physically aligned.
    auto area = bios_area_with(rsdp_v1(0x7ffe2000), 0x18);
    auto r = scan_for_rsdp(as_bytes(area), 0x9FC08);
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value(), 0x9FC20u);
}

TEST(Rsdp, ScanPassesOverCandidateWithBadChecksum) {
    auto bad = rsdp_v1(0x1111);
    bad[16] = std::byte{0x12};
    auto area = bios_area_with(bad, 0x100);
    auto good = rsdp_v2(0x7ffe2000, 0x7ffe2100);
    std::copy(good.begin(), good.end(), area.begin() + 0x200);
    auto r = scan_for_rsdp(as_bytes(area), 0xE0000);
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value(), 0xE0200u);
}

TEST(Rsdp, ScanRejectsRevisionTwoCutByTheAreaEnd) {
    auto raw = rsdp_v2(0x1000, 0x2000);
    std::vector<std::byte> area(0x40, std::byte{0});
    std::copy(raw.begin(), raw.begin() + 32, area.begin() + 0x20);  // 32 of 36 bytes fit
    EXPECT_FALSE(scan_for_rsdp(as_bytes(area), 0xFFFC0).ok());
}

}  // namespace
}  // namespace hv::acpi
