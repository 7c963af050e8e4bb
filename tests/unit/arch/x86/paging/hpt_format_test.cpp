#include "arch/x86/paging/hpt_format.hpp"

#include <gtest/gtest.h>

namespace hv::paging {
namespace {

TEST(HptFormat, WritableUserGlobalPteSetsTheirBits) {
    const Attributes a{.read = true, .write = true, .user = true, .global = true};
    const HptEntry e(HptFormat::make_leaf(HostPhys(0x5000), 0, a));
    EXPECT_TRUE(e.present());
    EXPECT_TRUE(e.writable());
    EXPECT_TRUE(e.user());
    EXPECT_TRUE(e.global());
    EXPECT_EQ(e.raw() & HptEntry::kAddressMask, 0x5000u);
}

TEST(HptFormat, NonExecutableSetsBit63) {
    EXPECT_EQ(HptFormat::make_leaf(HostPhys(0x5000), 0, Attributes{}) >> 63, 1u);
    EXPECT_EQ(HptFormat::make_leaf(HostPhys(0x5000), 0, Attributes{.execute = true}) >> 63, 0u);
}

TEST(HptFormat, LargeLeafSetsPageSizeBit) {
    EXPECT_TRUE(HptFormat::make_leaf(HostPhys(0x200000), 1, Attributes{}) & HptEntry::kPageSize);
    EXPECT_TRUE(HptFormat::is_leaf(HptFormat::make_leaf(HostPhys(0x40000000), 2, {}), 2));
    EXPECT_FALSE(HptFormat::is_leaf(HptFormat::make_table(HostPhys(0x1000)), 1));
}

TEST(HptFormat, UncachedUsesPcdAndPwt) {
    const auto e = HptFormat::make_leaf(HostPhys(0x5000), 0, {.cache = CacheType::kUncached});
    EXPECT_EQ(e & (HptEntry::kPcd | HptEntry::kPwt), HptEntry::kPcd | HptEntry::kPwt);
}

TEST(HptFormat, WriteCombiningUsesPatBitAtBit7For4K) {
    const auto e = HptFormat::make_leaf(HostPhys(0x5000), 0, {.cache = CacheType::kWriteCombining});
    EXPECT_EQ(e & 0x98, 0x80u);  // PAT set, PCD and PWT clear
}

TEST(HptFormat, WriteCombiningUsesPatBitAtBit12ForLargePages) {
    const auto e =
        HptFormat::make_leaf(HostPhys(0x200000), 1, {.cache = CacheType::kWriteCombining});
    EXPECT_TRUE(e & HptEntry::kPatLarge);
    EXPECT_EQ(HptFormat::address(e, 1), 0x200000u);  // bit 12 is not address
    EXPECT_EQ(HptFormat::attributes(e, 1).cache, CacheType::kWriteCombining);
}

TEST(HptFormat, TableEntriesGrantEverything) {
    const HptEntry e(HptFormat::make_table(HostPhys(0x7000)));
    EXPECT_TRUE(e.present() && e.writable() && e.user());
    EXPECT_FALSE(e.no_execute());
    EXPECT_EQ(e.address(1), 0x7000u);
}

TEST(HptFormat, AttributesRoundTrip) {
    for (CacheType c : {CacheType::kWriteBack, CacheType::kWriteThrough, CacheType::kUncached,
                        CacheType::kWriteCombining}) {
        for (unsigned level : {0u, 1u, 2u}) {
            const Attributes a{.read = true, .write = true, .execute = false, .cache = c};
            EXPECT_EQ(HptFormat::attributes(HptFormat::make_leaf(HostPhys(0), level, a), level), a);
        }
    }
}

TEST(HptFormat, CannotExpressUnreadablePages) {
    EXPECT_FALSE(HptFormat::supports(Attributes{.read = false, .write = true}));
}

TEST(HptFormat, HostPatKeepsPowerUpEntriesZeroToThree) {
    // SDM vol. 3A, "PAT Initialization": power-up IA32_PAT is 0x0007040600070406.
    EXPECT_EQ(kHostPat & 0xffffffff, 0x00070406u);
}

}  // namespace
}  // namespace hv::paging
