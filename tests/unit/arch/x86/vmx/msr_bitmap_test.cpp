#include "arch/x86/vmx/msr_bitmap.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hv::vmx {
namespace {

TEST(MsrBitmap, EveryMsrExitsInitially) {
    std::vector<std::uint8_t> page(kMsrBitmapSize, 0);
    MsrBitmap bitmap(page);
    EXPECT_TRUE(bitmap.exits_on_read(0x10));
    EXPECT_TRUE(bitmap.exits_on_write(0xC000'0080));
    for (std::uint8_t b : page) EXPECT_EQ(b, 0xFF);
}

// SDM vol. 3C 25.6.9: MSR 174h (SYSENTER_CS) is bit 0x174 of the read-low bitmap (byte 0x2E,
// bit 4) and of the write-low bitmap at 0x800 (byte 0x82E).
TEST(MsrBitmap, LowMsrBitsAreWhereTheManualPutsThem) {
    std::vector<std::uint8_t> page(kMsrBitmapSize, 0);
    MsrBitmap bitmap(page);
    ASSERT_TRUE(bitmap.allow(0x174, true, true));
    EXPECT_EQ(page[0x2E], 0xFF & ~(1u << 4));
    EXPECT_EQ(page[0x82E], 0xFF & ~(1u << 4));
}

// MSR C000_0100h (FS base): offset 0x100 in the high range: read-high at 0x400 + 0x20, write-high
// at 0xC00 + 0x20, bit 0.
TEST(MsrBitmap, HighMsrBitsAreWhereTheManualPutsThem) {
    std::vector<std::uint8_t> page(kMsrBitmapSize, 0);
    MsrBitmap bitmap(page);
    ASSERT_TRUE(bitmap.allow(0xC000'0100, true, true));
    EXPECT_EQ(page[0x420], 0xFE);
    EXPECT_EQ(page[0xC20], 0xFE);
    EXPECT_FALSE(bitmap.exits_on_read(0xC000'0100));
    EXPECT_FALSE(bitmap.exits_on_write(0xC000'0100));
}

TEST(MsrBitmap, ReadOnlyAllowKeepsWritesExiting) {
    std::vector<std::uint8_t> page(kMsrBitmapSize, 0);
    MsrBitmap bitmap(page);
    ASSERT_TRUE(bitmap.allow(0x277, true, false));
    EXPECT_FALSE(bitmap.exits_on_read(0x277));
    EXPECT_TRUE(bitmap.exits_on_write(0x277));
}

TEST(MsrBitmap, LastMsrOfEachRangeIsCovered) {
    std::vector<std::uint8_t> page(kMsrBitmapSize, 0);
    MsrBitmap bitmap(page);
    ASSERT_TRUE(bitmap.allow(0x1FFF, false, true));
    ASSERT_TRUE(bitmap.allow(0xC000'1FFF, false, true));
    EXPECT_EQ(page[0xBFF], 0x7F);
    EXPECT_EQ(page[0xFFF], 0x7F);
}

TEST(MsrBitmap, MsrsOutsideBothRangesAlwaysExit) {
    std::vector<std::uint8_t> page(kMsrBitmapSize, 0);
    MsrBitmap bitmap(page);
    EXPECT_FALSE(bitmap.allow(0x2000, true, true));
    EXPECT_FALSE(bitmap.allow(0xC001'0114, true, true));  // AMD VM_CR
    EXPECT_TRUE(bitmap.exits_on_read(0xC001'0114));
    for (std::uint8_t b : page) EXPECT_EQ(b, 0xFF);
}

TEST(IoBitmap, EveryPortExits) {
    std::vector<std::uint8_t> a(kIoBitmapSize, 0);
    exit_on_all_ports(a);
    for (std::uint8_t b : a) EXPECT_EQ(b, 0xFF);
}

}  // namespace
}  // namespace hv::vmx
