#include "arch/x86/iommu/vtd/page_table_format.hpp"

#include <gtest/gtest.h>

namespace hv::vtd {
namespace {

using paging::Attributes;

TEST(VtdSecondLevelFormat, RightsAreBitsZeroAndOne) {
    EXPECT_EQ(SlFormat4::make_leaf(HostPhys(0x1000), 0, {.read = true}), 0x1001u);
    EXPECT_EQ(SlFormat4::make_leaf(HostPhys(0x1000), 0, {.read = true, .write = true}), 0x1003u);
    EXPECT_EQ(SlFormat4::make_leaf(HostPhys(0x1000), 0, {.read = false, .write = true}), 0x1002u);
}

TEST(VtdSecondLevelFormat, SuperpagesSetPs) {
    EXPECT_EQ(SlFormat4::make_leaf(HostPhys(0x200000), 1, {.read = true, .write = true}),
              0x200083u);
    EXPECT_EQ(SlFormat4::make_leaf(HostPhys(0x40000000), 2, {.read = true, .write = true}),
              0x40000083u);
    EXPECT_TRUE(SlFormat4::is_leaf(0x40000083, 2));
    EXPECT_FALSE(SlFormat4::is_leaf(0x40000003, 2));
    EXPECT_TRUE(SlFormat4::is_leaf(0x1001, 0));
}

TEST(VtdSecondLevelFormat, NotPresentWithoutReadOrWrite) {
    EXPECT_FALSE(SlFormat4::present(0x1000 | SlEntry::kExecute | SlEntry::kSnoop));
    EXPECT_TRUE(SlFormat4::present(0x1002));
    EXPECT_FALSE(SlFormat4::supports({.read = false, .write = false, .execute = true}));
}

TEST(VtdSecondLevelFormat, ExecuteUserGlobalAndCacheAreDropped) {
    const Attributes plain{.read = true, .write = true};
    const Attributes extra{.read = true,
                           .write = true,
                           .execute = true,
                           .user = true,
                           .global = true,
                           .cache = paging::CacheType::kUncached};
    EXPECT_EQ(SlFormat4::make_leaf(HostPhys(0x1000), 0, extra),
              SlFormat4::make_leaf(HostPhys(0x1000), 0, plain));
    EXPECT_EQ(SlFormat4::attributes(0x1003, 0), plain);
}

TEST(VtdSecondLevelFormat, SnoopFormatSetsSnpInLeavesOnly) {
    EXPECT_EQ(SlFormat4Snoop::make_leaf(HostPhys(0x200000), 1, {.read = true}), 0x200881u);
    EXPECT_EQ(SlFormat4Snoop::make_table(HostPhys(0x5000)), 0x5003u);
}

TEST(VtdSecondLevelFormat, TableEntriesGrantReadWrite) {
    EXPECT_EQ(SlFormat4::make_table(HostPhys(0x80'0000'1000)), 0x80'0000'1003u);
    EXPECT_EQ(SlFormat4::address(0x80'0000'1003, 3), 0x80'0000'1000u);
}

TEST(VtdSecondLevelFormat, LargeLeafAddressDropsLowBits) {
    EXPECT_EQ(SlFormat4::address(0x40000083 | 0x1000, 2), 0x40000000u);
    EXPECT_EQ(SlFormat4::address(0x40201083, 1), 0x40200000u);
}

TEST(VtdSecondLevelFormat, LevelsMatchContextAddressWidth) {
    EXPECT_EQ(SlFormat4::kLevels, levels(SlFormat4::kAddressWidth));
    EXPECT_EQ(SlFormat3::kLevels, levels(SlFormat3::kAddressWidth));
    EXPECT_EQ(SlFormat3::kAddressWidth, AddressWidth::k39Bit);
}

}  // namespace
}  // namespace hv::vtd
