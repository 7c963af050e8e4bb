#include "arch/x86/iommu/amdvi/page_table_format.hpp"

#include <gtest/gtest.h>

namespace hv::amdvi {
namespace {

using F = IoPageTableFormat;
using paging::Attributes;

TEST(AmdViIoPageTableFormat, LeafHasNextLevelZeroForceCoherentAndRights) {
    // PR | FC (60) | IR (61) | IW (62).
    EXPECT_EQ(F::make_leaf(HostPhys(0x1000), 0, {.read = true, .write = true}),
              0x7000000000001001ull);
    EXPECT_EQ(F::make_leaf(HostPhys(0x1000), 0, {.read = true}), 0x3000000000001001ull);
    EXPECT_EQ(F::make_leaf(HostPhys(0x1000), 0, {.read = false, .write = true}),
              0x5000000000001001ull);
}

TEST(AmdViIoPageTableFormat, LargeLeavesAreNextLevelZeroAtHigherLevels) {
    const auto two_mib = F::make_leaf(HostPhys(0x200000), 1, {.read = true, .write = true});
    const auto one_gib = F::make_leaf(HostPhys(0x40000000), 2, {.read = true, .write = true});
    EXPECT_EQ(two_mib, 0x7000000000200001ull);
    EXPECT_EQ(one_gib, 0x7000000040000001ull);
    EXPECT_TRUE(F::is_leaf(two_mib, 1));
    EXPECT_TRUE(F::is_leaf(one_gib, 2));
    EXPECT_EQ(F::address(one_gib, 2), 0x40000000u);
}

TEST(AmdViIoPageTableFormat, TableEntriesCarryTheNextLevel) {
    // Engine level L links an IOMMU level-L table: Next Level L in 11:9, PR, IR, IW.
    EXPECT_EQ(F::make_table(HostPhys(0x5000), 3), 0x6000000000005601ull);
    EXPECT_EQ(F::make_table(HostPhys(0x5000), 2), 0x6000000000005401ull);
    EXPECT_EQ(F::make_table(HostPhys(0x5000), 1), 0x6000000000005201ull);
    EXPECT_FALSE(F::is_leaf(F::make_table(HostPhys(0x5000), 1), 1));
    EXPECT_EQ(F::address(F::make_table(HostPhys(0x5000), 3), 3), 0x5000u);
    EXPECT_EQ(IoPte(F::make_table(HostPhys(0x5000), 3)).next_level(), 3u);
}

TEST(AmdViIoPageTableFormat, PresentIsPrOnly) {
    EXPECT_FALSE(F::present(0x6000000000005600ull));
    EXPECT_TRUE(F::present(0x1));
    EXPECT_FALSE(F::supports({.read = false, .write = false}));
}

TEST(AmdViIoPageTableFormat, ExecuteUserGlobalAndCacheAreDropped) {
    const Attributes plain{.read = true, .write = true};
    const Attributes extra{.read = true,
                           .write = true,
                           .execute = true,
                           .user = true,
                           .global = true,
                           .cache = paging::CacheType::kWriteCombining};
    EXPECT_EQ(F::make_leaf(HostPhys(0x1000), 0, extra), F::make_leaf(HostPhys(0x1000), 0, plain));
    EXPECT_EQ(F::attributes(0x7000000000001001ull, 0), plain);
}

}  // namespace
}  // namespace hv::amdvi
