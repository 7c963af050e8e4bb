#include "arch/x86/svm/permission_maps.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hv::svm {
namespace {

TEST(MsrPermissionMap, InterceptsEverythingInitially) {
    std::vector<std::uint8_t> raw(kMsrpmSize, 0);
    MsrPermissionMap map(raw);
    EXPECT_TRUE(map.intercepts_read(0xC000'0080));
    EXPECT_TRUE(map.intercepts_write(0x10));
}

// APM vol. 2 table 15-5: MSR C000_0100h (FS base) is at byte 0x800 + 0x100 * 2 / 8 = 0x840,
// bits 0 (read) and 1 (write).
TEST(MsrPermissionMap, AllowClearsTheBitsTheManualPlacesForFsBase) {
    std::vector<std::uint8_t> raw(kMsrpmSize, 0);
    MsrPermissionMap map(raw);
    ASSERT_TRUE(map.allow(0xC000'0100, true, true));
    EXPECT_EQ(raw[0x840], 0xFC);
    EXPECT_FALSE(map.intercepts_read(0xC000'0100));
    EXPECT_FALSE(map.intercepts_write(0xC000'0100));
}

TEST(MsrPermissionMap, ReadOnlyAllowKeepsWritesIntercepted) {
    std::vector<std::uint8_t> raw(kMsrpmSize, 0);
    MsrPermissionMap map(raw);
    ASSERT_TRUE(map.allow(0x277, true, false));
    EXPECT_FALSE(map.intercepts_read(0x277));
    EXPECT_TRUE(map.intercepts_write(0x277));
    EXPECT_EQ(raw[0x277 * 2 / 8], 0xFF & ~(1u << ((0x277 * 2) % 8)));
}

TEST(MsrPermissionMap, SecondAmdRangeStartsAtByte0x1000) {
    std::vector<std::uint8_t> raw(kMsrpmSize, 0);
    MsrPermissionMap map(raw);
    ASSERT_TRUE(map.allow(0xC001'0000, false, true));
    EXPECT_EQ(raw[0x1000], 0xFD);
}

TEST(MsrPermissionMap, MsrsOutsideTheRangesAlwaysExit) {
    std::vector<std::uint8_t> raw(kMsrpmSize, 0);
    MsrPermissionMap map(raw);
    EXPECT_FALSE(map.allow(0x4000'0000, true, true));
    EXPECT_TRUE(map.intercepts_read(0x4000'0000));
}

TEST(IoPermissionMap, InterceptAllSetsEveryBit) {
    std::vector<std::uint8_t> raw(kIopmSize, 0);
    intercept_all_ports(raw);
    for (auto b : raw) ASSERT_EQ(b, 0xFF);
}

}  // namespace
}  // namespace hv::svm
