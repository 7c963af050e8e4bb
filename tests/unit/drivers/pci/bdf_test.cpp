#include "drivers/pci/bdf.hpp"

#include <gtest/gtest.h>

namespace hv::pci {
namespace {

TEST(Bdf, AccessorsReturnEachField) {
    constexpr Bdf bdf(0x0001, 0x3a, 0x1c, 5);
    EXPECT_EQ(bdf.segment(), 0x0001);
    EXPECT_EQ(bdf.bus(), 0x3a);
    EXPECT_EQ(bdf.device(), 0x1c);
    EXPECT_EQ(bdf.function(), 5);
}

TEST(Bdf, RoutingIdPacksBusDeviceAndFunction) {
    EXPECT_EQ(Bdf(0, 0x01, 0x00, 0).routing_id(), 0x0100);
    EXPECT_EQ(Bdf(0, 0x00, 0x1f, 3).routing_id(), 0x00fb);
    EXPECT_EQ(Bdf::from_routing_id(2, 0x00fb), Bdf(2, 0, 0x1f, 3));
}

TEST(Bdf, OrdersBySegmentThenBusThenDeviceThenFunction) {
    EXPECT_LT(Bdf(0, 0, 0x1f, 7), Bdf(0, 1, 0, 0));
    EXPECT_LT(Bdf(0, 0xff, 0x1f, 7), Bdf(1, 0, 0, 0));
    EXPECT_LT(Bdf(0, 0, 3, 7), Bdf(0, 0, 4, 0));
    EXPECT_LT(Bdf(0, 0, 4, 0), Bdf(0, 0, 4, 1));
    EXPECT_NE(Bdf(0, 0, 4, 0), Bdf(0, 0, 4, 1));
    EXPECT_GE(Bdf(0, 0, 4, 1), Bdf(0, 0, 4, 1));
}

TEST(Bdf, ParsesFullForm) {
    auto r = parse_bdf("0000:00:04.0");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), Bdf(0, 0, 4, 0));
}

TEST(Bdf, ParsesShortFormAsSegmentZero) {
    auto r = parse_bdf("3a:1f.7");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), Bdf(0, 0x3a, 0x1f, 7));
}

TEST(Bdf, ParsesUpperCaseHexAndNonZeroSegment) {
    auto r = parse_bdf("00AB:FF:1E.2");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), Bdf(0xab, 0xff, 0x1e, 2));
}

TEST(Bdf, RejectsDeviceAbove31) {
    auto r = parse_bdf("0000:00:20.0");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kInvalid);
    EXPECT_STREQ(r.error().what, "pci: bdf device above 0x1f");
}

TEST(Bdf, RejectsFunctionAbove7) {
    auto r = parse_bdf("00:04.8");
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "pci: bdf function above 7");
}

TEST(Bdf, RejectsEmptyText) {
    auto r = parse_bdf("");
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "pci: bdf is empty");
}

TEST(Bdf, RejectsNonHexDigits) {
    auto r = parse_bdf("0000:0g:04.0");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kInvalid);
}

TEST(Bdf, RejectsMissingSeparators) {
    EXPECT_FALSE(parse_bdf("0000000040").ok());
    EXPECT_FALSE(parse_bdf("00:04:0").ok());
    EXPECT_FALSE(parse_bdf("0000:00:04").ok());
    EXPECT_FALSE(parse_bdf("0:0:0:04.0").ok());
}

TEST(Bdf, RejectsOverlongFields) {
    EXPECT_FALSE(parse_bdf("00000:00:04.0").ok());
    EXPECT_FALSE(parse_bdf("0000:000:04.0").ok());
    EXPECT_FALSE(parse_bdf("0000:00:004.0").ok());
    auto r = parse_bdf("0000:00:04.00");
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "pci: bdf field too long");
}

TEST(Bdf, RejectsTrailingCharacters) {
    auto r = parse_bdf("0000:00:04.0 ");
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "pci: bdf has trailing characters");
}

TEST(Bdf, RejectsEmptyFields) {
    EXPECT_FALSE(parse_bdf(":00:04.0").ok());
    EXPECT_FALSE(parse_bdf("0000::04.0").ok());
    EXPECT_FALSE(parse_bdf("0000:00:.0").ok());
    EXPECT_FALSE(parse_bdf("0000:00:04.").ok());
}

TEST(Bdf, FormatsAsLowerCaseFourTwoTwoOneDigits) {
    BufferSink<32> out;
    print(out, Bdf(0xab, 0x3, 0x1f, 7));
    EXPECT_STREQ(out.c_str(), "00ab:03:1f.7");
}

TEST(Bdf, FormatThenParseRoundTrips) {
    const Bdf bdf(0x12, 0xfe, 0x0a, 6);
    BufferSink<32> out;
    print(out, bdf);
    auto r = parse_bdf(out.c_str());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), bdf);
}

}  // namespace
}  // namespace hv::pci
