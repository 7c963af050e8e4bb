#include "drivers/acpi/sdt.hpp"

#include <gtest/gtest.h>

#include "kernel/lib/format.hpp"
#include "tests/unit/drivers/acpi/acpi_builder.hpp"

namespace hv::acpi {
namespace {

using test::as_bytes;
using test::Builder;
using test::make_table;

constexpr SdtErrors kTestErrors{"TEST too short", "TEST past end", "TEST checksum",
                                "TEST signature"};

TEST(Sdt, DecodesHeaderFields) {
    auto raw = make_table("HPET", 1, Builder().u32(0x8086a201).zeros(16));
    auto r = parse_sdt(as_bytes(raw));
    ASSERT_TRUE(r.ok()) << r.error().what;
    const SdtHeader& h = r.value().header;
    EXPECT_EQ(h.signature, Signature("HPET"));
    EXPECT_EQ(h.length, 56u);
    EXPECT_EQ(h.revision, 1);
    EXPECT_EQ(std::string_view(h.oem_id.data(), 6), "BOCHS ");
    EXPECT_EQ(std::string_view(h.oem_table_id.data(), 8), "BXPC    ");
    EXPECT_EQ(h.oem_revision, 1u);
    EXPECT_EQ(std::string_view(h.creator_id.data(), 4), "BXPC");
    EXPECT_EQ(h.creator_revision, 1u);
}

TEST(Sdt, BodyIsWhatFollowsTheHeader) {
    auto raw = make_table("HPET", 1, Builder().u32(0x8086a201));
    auto r = parse_sdt(as_bytes(raw));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().table.size(), 40u);
    ASSERT_EQ(r.value().body.size(), 4u);
    EXPECT_EQ(r.value().body[0], std::byte{0x01});
}

TEST(Sdt, IgnoresBytesPastTheLength) {
    auto raw = make_table("SSDT", 1, Builder().u8(0x10));
    raw.push_back(std::byte{0xAB});
    auto r = parse_sdt(as_bytes(raw));
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value().table.size(), 37u);
}

TEST(Sdt, RejectsInputShorterThanTheHeader) {
    auto raw = make_table("SSDT", 1, Builder());
    EXPECT_STREQ(parse_sdt(as_bytes(raw).first(35)).error().what,
                 "ACPI table shorter than its 36-byte header");
}

TEST(Sdt, RejectsLengthFieldBelowTheHeader) {
    auto raw = make_table("SSDT", 1, Builder().zeros(8));
    raw[4] = std::byte{20};
    test::fix_table_checksum(raw);
    EXPECT_FALSE(parse_sdt(as_bytes(raw)).ok());
    EXPECT_FALSE(parse_sdt_header(as_bytes(raw)).ok());
}

TEST(Sdt, RejectsLengthPastTheBytes) {
    auto raw = make_table("SSDT", 1, Builder().zeros(8));
    raw.pop_back();
    EXPECT_STREQ(parse_sdt(as_bytes(raw)).error().what, "ACPI table length past end of bytes");
}

TEST(Sdt, RejectsChecksumMismatch) {
    auto raw = make_table("SSDT", 1, Builder().zeros(8));
    raw[40] = std::byte{1};
    EXPECT_STREQ(parse_sdt(as_bytes(raw)).error().what, "ACPI table checksum mismatch");
}

TEST(Sdt, HeaderParseNeedsNoChecksum) {
    auto raw = make_table("SSDT", 1, Builder().zeros(8));
    raw[40] = std::byte{1};
    auto r = parse_sdt_header(as_bytes(raw).first(36));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().length, 44u);
}

TEST(Sdt, UsesTheCallersMessages) {
    auto raw = make_table("SSDT", 1, Builder().zeros(8));
    EXPECT_STREQ(parse_sdt(as_bytes(raw), "TEST", kTestErrors).error().what, "TEST signature");
    raw[40] = std::byte{1};
    for (std::size_t i = 0; i < 4; ++i) raw[i] = static_cast<std::byte>("TEST"[i]);
    EXPECT_STREQ(parse_sdt(as_bytes(raw), "TEST", kTestErrors).error().what, "TEST checksum");
}

TEST(Sdt, ChecksSignatureBeforeChecksum) {
    auto raw = make_table("DSDT", 1, Builder().zeros(8));
    raw[40] = std::byte{1};
    EXPECT_STREQ(parse_sdt(as_bytes(raw), "TEST", kTestErrors).error().what, "TEST signature");
}

TEST(Sdt, SignaturePrintsAsFourCharacters) {
    BufferSink<16> sink;
    print(sink, Signature("APIC"));
    EXPECT_STREQ(sink.c_str(), "APIC");
}

}  // namespace
}  // namespace hv::acpi
