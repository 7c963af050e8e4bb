#include "drivers/acpi/s5.hpp"

#include <gtest/gtest.h>

#include "tests/unit/drivers/acpi/acpi_builder.hpp"

namespace hv::acpi {
namespace {

using test::as_bytes;
using test::Builder;
using test::make_table;

// AML around the object, as in a real DSDT: a Scope(\_SB) opener and a trailing method stub.
std::vector<std::byte> dsdt_with(const Builder& object) {
    Builder aml;
    aml.u8(0x10).u8(0x0b).chars("\\_SB_").u8(0x5b).u8(0x80).chars("PCI0").u8(0x02);
    aml.append(object);
    aml.u8(0x14).u8(0x08).chars("_PTS").u8(0x01).u8(0xa3).u8(0xa3);
    return make_table("DSDT", 1, aml);
}

TEST(S5, FindsQemuRootPackageOfZeros) {
    // QEMU: Name (\_S5, Package (0x04) { Zero, Zero, Zero, Zero }).
    Builder s5;
    s5.u8(0x08).chars("\\_S5_").u8(0x12).u8(0x06).u8(0x04).u8(0).u8(0).u8(0).u8(0);
    auto r = find_s5(as_bytes(dsdt_with(s5)));
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value().slp_typ_a, 0);
    EXPECT_EQ(r.value().slp_typ_b, 0);
}

TEST(S5, DecodesBytePrefixValues) {
    // Intel boards: Name (_S5, Package () { 0x07, Zero, Zero, Zero }).
    Builder s5;
    s5.u8(0x08).chars("_S5_").u8(0x12).u8(0x07).u8(0x04).u8(0x0a).u8(0x07).u8(0).u8(0).u8(0);
    auto r = find_s5(as_bytes(dsdt_with(s5)));
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value().slp_typ_a, 7);
    EXPECT_EQ(r.value().slp_typ_b, 0);
}

TEST(S5, DecodesOneOpAndWordPrefix) {
    Builder s5;
    s5.u8(0x08).chars("_S5_").u8(0x12).u8(0x06).u8(0x02).u8(0x01).u8(0x0b).u16(0x0005);
    auto r = find_s5(as_bytes(dsdt_with(s5)));
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value().slp_typ_a, 1);
    EXPECT_EQ(r.value().slp_typ_b, 5);
}

TEST(S5, DecodesDWordAndQWordPrefixes) {
    Builder s5;
    s5.u8(0x08).chars("_S5_").u8(0x12).u8(0x10).u8(0x02).u8(0x0c).u32(6).u8(0x0e).u64(3);
    auto r = find_s5(as_bytes(dsdt_with(s5)));
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value().slp_typ_a, 6);
    EXPECT_EQ(r.value().slp_typ_b, 3);
}

TEST(S5, SplitsOneElementPackageIntoBothValues) {
    Builder s5;
    s5.u8(0x08).chars("_S5_").u8(0x12).u8(0x05).u8(0x01).u8(0x0b).u16(0x0507);
    auto r = find_s5(as_bytes(dsdt_with(s5)));
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value().slp_typ_a, 7);
    EXPECT_EQ(r.value().slp_typ_b, 5);
}

TEST(S5, DecodesTwoBytePkgLength) {
    // PkgLength 0x49 0x00: one byte follows; length = 9 | (0x00 << 4), counting both bytes.
    Builder s5;
    s5.u8(0x08).chars("_S5_").u8(0x12).u8(0x40 | 0x09).u8(0x00).u8(0x04);
    s5.u8(0x0a).u8(0x05).u8(0x0a).u8(0x05).u8(0).u8(0);
    auto r = find_s5(as_bytes(dsdt_with(s5)));
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value().slp_typ_a, 5);
    EXPECT_EQ(r.value().slp_typ_b, 5);
}

TEST(S5, DecodesFourBytePkgLength) {
    // Bits 3:0 of the lead byte, then 8 bits per following byte: 0x0a | 0 << 4 | 0 << 12 | 0 << 20.
    Builder s5;
    s5.u8(0x08).chars("_S5_").u8(0x12).u8(0xc0 | 0x0a).u8(0).u8(0).u8(0).u8(0x02);
    s5.u8(0x0a).u8(0x02).u8(0x0a).u8(0x04);
    auto r = find_s5(as_bytes(dsdt_with(s5)));
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value().slp_typ_a, 2);
    EXPECT_EQ(r.value().slp_typ_b, 4);
}

TEST(S5, FindsParentPrefixedName) {
    Builder s5;
    s5.u8(0x08).u8(0x5e).chars("_S5_").u8(0x12).u8(0x04).u8(0x02).u8(0x01).u8(0x01);
    auto r = find_s5(as_bytes(dsdt_with(s5)));
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value().slp_typ_a, 1);
}

TEST(S5, PassesOverAReferenceToFindTheDeclaration) {
    // Store (\_S5, Local0) before the declaration: the name appears without NameOp first.
    Builder s5;
    s5.u8(0x70).chars("\\_S5_").u8(0x60);
    s5.u8(0x08).chars("_S5_").u8(0x12).u8(0x05).u8(0x02).u8(0x0a).u8(0x03).u8(0x00);
    auto r = find_s5(as_bytes(dsdt_with(s5)));
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(r.value().slp_typ_a, 3);
}

TEST(S5, ReportsMissingObject) {
    Builder s3;
    s3.u8(0x08).chars("_S3_").u8(0x12).u8(0x04).u8(0x02).u8(0x01).u8(0x01);
    auto r = find_s5(as_bytes(dsdt_with(s3)));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kNotFound);
}

TEST(S5, RejectsNameThatIsNotAPackage) {
    Builder s5;
    s5.u8(0x08).chars("_S5_").u8(0x0a).u8(0x05);
    auto r = find_s5(as_bytes(dsdt_with(s5)));
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "_S5_ is not a package");
}

TEST(S5, RejectsPackageLengthPastTheEnd) {
    Builder aml;
    aml.u8(0x08).chars("_S5_").u8(0x12).u8(0x3f).u8(0x02).u8(0x00).u8(0x00);
    auto r = find_s5(as_bytes(aml.bytes()));
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "_S5_ package length past AML end");
}

TEST(S5, RejectsElementCutByThePackageEnd) {
    // The package claims 2 elements but ends inside the WordPrefix operand.
    Builder s5;
    s5.u8(0x08).chars("_S5_").u8(0x12).u8(0x04).u8(0x02).u8(0x00).u8(0x0b).u8(0x05).u8(0x00);
    auto r = find_s5(as_bytes(dsdt_with(s5)));
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "_S5_ package element past its end");
}

TEST(S5, RejectsTruncatedAml) {
    Builder aml;
    aml.u8(0x08).chars("_S5_").u8(0x12);
    EXPECT_FALSE(find_s5(as_bytes(aml.bytes())).ok());
}

TEST(S5, RejectsEmptyPackage) {
    Builder s5;
    s5.u8(0x08).chars("_S5_").u8(0x12).u8(0x02).u8(0x00);
    EXPECT_STREQ(find_s5(as_bytes(dsdt_with(s5))).error().what, "_S5_ package is empty");
}

TEST(S5, RejectsComputedElement) {
    // A reference to another name instead of a constant.
    Builder s5;
    s5.u8(0x08).chars("_S5_").u8(0x12).u8(0x07).u8(0x02).chars("SLPA").u8(0x00);
    auto r = find_s5(as_bytes(dsdt_with(s5)));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kUnsupported);
}

TEST(S5, RejectsValueWiderThanTheSlpTypField) {
    Builder s5;
    s5.u8(0x08).chars("_S5_").u8(0x12).u8(0x05).u8(0x02).u8(0x0a).u8(0x08).u8(0x00);
    EXPECT_STREQ(find_s5(as_bytes(dsdt_with(s5))).error().what,
                 "_S5_ SLP_TYP value wider than 3 bits");
}

TEST(S5, Pm1WritesForQemuPowerOff) {
    // SCI_EN set by firmware; QEMU's S5 is SLP_TYP 0.
    Pm1SleepWrites w = pm1_sleep_writes(0x0001, 0);
    EXPECT_EQ(w.prepare, 0x0001);
    EXPECT_EQ(w.enter, 0x2001);
}

TEST(S5, Pm1WritesReplaceTheOldSleepTypeAndKeepOtherBits) {
    Pm1SleepWrites w = pm1_sleep_writes(0x3c07, 5);
    EXPECT_EQ(w.prepare, 0x1407);  // old SLP_TYP 7 and SLP_EN cleared, SLP_TYP 5, bits 0-2 kept
    EXPECT_EQ(w.enter, 0x3407);
}

TEST(S5, Pm1WritesIgnoreBitsAboveTheSlpTypField) {
    EXPECT_EQ(pm1_sleep_writes(0, 0xff).prepare, kPm1SlpTypMask);
}

}  // namespace
}  // namespace hv::acpi
