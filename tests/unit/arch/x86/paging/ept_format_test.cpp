#include "arch/x86/paging/ept_format.hpp"

#include <gtest/gtest.h>

namespace hv::paging {
namespace {

TEST(EptFormat, PermissionsAreBitsZeroToTwo) {
    EXPECT_EQ(EptFormat::make_leaf(HostPhys(0), 0, {.read = true}) & 7, 1u);
    EXPECT_EQ(EptFormat::make_leaf(HostPhys(0), 0, {.read = true, .write = true}) & 7, 3u);
    EXPECT_EQ(EptFormat::make_leaf(HostPhys(0), 0, {.read = false, .execute = true}) & 7, 4u);
}

TEST(EptFormat, MemoryTypeIsBitsFiveToThree) {
    const auto type = [](CacheType c) {
        return EptEntry(EptFormat::make_leaf(HostPhys(0), 0, {.cache = c})).memory_type();
    };
    EXPECT_EQ(type(CacheType::kWriteBack), EptMemoryType::kWb);
    EXPECT_EQ(type(CacheType::kUncached), EptMemoryType::kUc);
    EXPECT_EQ(type(CacheType::kWriteCombining), EptMemoryType::kWc);
    EXPECT_EQ(EptFormat::make_leaf(HostPhys(0), 0, {}) & EptEntry::kMemoryTypeMask, 6u << 3);
}

TEST(EptFormat, LeavesDoNotIgnoreGuestPat) {
    EXPECT_FALSE(EptFormat::make_leaf(HostPhys(0), 1, {}) & EptEntry::kIgnorePat);
}

TEST(EptFormat, LargeLeafSetsBit7) {
    EXPECT_TRUE(EptFormat::make_leaf(HostPhys(0x200000), 1, {}) & EptEntry::kLargePage);
    EXPECT_FALSE(EptFormat::make_leaf(HostPhys(0x1000), 0, {}) & EptEntry::kLargePage);
}

TEST(EptFormat, TableEntryHasFullRightsAndNoMemoryType) {
    const auto e = EptFormat::make_table(HostPhys(0x9000));
    EXPECT_EQ(e & 0xff, 7u);
    EXPECT_EQ(EptFormat::address(e, 2), 0x9000u);
}

TEST(EptFormat, EntryWithoutRightsIsNotPresent) {
    EXPECT_FALSE(EptFormat::present(0x1000 | EptEntry::kLargePage | (6 << 3)));
}

TEST(EptFormat, RejectsWriteWithoutRead) {
    EXPECT_FALSE(EptFormat::supports({.read = false, .write = true}));
    EXPECT_FALSE(EptFormat::supports({.read = false}));
    EXPECT_TRUE(EptFormat::supports({.read = false, .execute = true}));
}

TEST(EptFormat, UserAndGlobalAreIgnored) {
    EXPECT_EQ(EptFormat::make_leaf(HostPhys(0x1000), 0, {.user = true, .global = true}),
              EptFormat::make_leaf(HostPhys(0x1000), 0, {}));
}

TEST(EptFormat, EptpCarriesWalkLengthMemoryTypeAndAccessedDirty) {
    EXPECT_EQ(make_eptp(HostPhys(0x123000), false), 0x12301eu);
    EXPECT_EQ(make_eptp(HostPhys(0x123000), true), 0x12305eu);
}

}  // namespace
}  // namespace hv::paging
