#include "arch/x86/iommu/amdvi/tables.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/arch/x86/iommu/store_recorder.hpp"

namespace hv::amdvi {
namespace {

using iommu::testing::StoreRecorder;

TEST(AmdViDeviceTableEntry, TranslatedEntryMatchesFixture) {
    // Word 0: IW (62) | IR (61) | root 0x123000 | Mode 100b (11:9) | TV | V. Word 1: DomainID.
    const auto e = DeviceTableEntry::translated(HostPhys(0x123000), PagingMode::kLevels4, 0x42);
    EXPECT_EQ(e.words()[0], 0x6000000000123803ull);
    EXPECT_EQ(e.words()[1], 0x42u);
    EXPECT_EQ(e.words()[2], 0u);
    EXPECT_EQ(e.words()[3], 0u);
}

TEST(AmdViDeviceTableEntry, AccessorsReadTheFixtureBack) {
    const auto e = DeviceTableEntry::translated(HostPhys(0x123000), PagingMode::kLevels4, 0x42);
    EXPECT_TRUE(e.valid());
    EXPECT_TRUE(e.translation_valid());
    EXPECT_EQ(e.mode(), PagingMode::kLevels4);
    EXPECT_EQ(e.page_table_root(), HostPhys(0x123000));
    EXPECT_TRUE(e.read_permission());
    EXPECT_TRUE(e.write_permission());
    EXPECT_EQ(e.domain_id(), 0x42u);
    EXPECT_FALSE(e.interrupt_map_valid());
}

TEST(AmdViDeviceTableEntry, BlockedEntryTranslatesNothingAndGrantsNothing) {
    const auto e = DeviceTableEntry::blocked(3);
    EXPECT_EQ(e.words()[0], 0x3u);  // V | TV, Mode 0, no IR/IW
    EXPECT_EQ(e.words()[1], 3u);
}

TEST(AmdViDeviceTableEntry, InterruptRemappingMatchesFixture) {
    // Word 2: IntCtl 10b (189:188) | table 0x456000 (179:134 = address 51:6) | IntTabLen 9
    // (132:129) | IV (128).
    auto e = DeviceTableEntry::translated(HostPhys(0x123000), PagingMode::kLevels4, 0x42);
    e.set_interrupt_remapping(HostPhys(0x456000), 9, false);
    EXPECT_EQ(e.words()[2], 0x2000000000456013ull);
    EXPECT_TRUE(e.interrupt_map_valid());
    EXPECT_EQ(e.interrupt_table_length_log2(), 9u);
    EXPECT_EQ(e.interrupt_table_root(), HostPhys(0x456000));
    EXPECT_EQ(e.interrupt_control(), InterruptControl::kRemap);
    EXPECT_FALSE(e.ignore_unmapped_interrupts());
    e.set_interrupt_remapping(HostPhys(0x456080), 11, true);  // 128-byte aligned table
    EXPECT_EQ(e.words()[2], 0x20000000004560B7ull);           // + IG (133), IntTabLen 11
}

TEST(AmdViDeviceTableEntry, PassBitsSitInWordTwo) {
    DeviceTableEntry e;
    e.set_pass(DeviceTableEntry::kInitPass, true);
    e.set_pass(DeviceTableEntry::kExtIntPass, true);
    e.set_pass(DeviceTableEntry::kNmiPass, true);
    e.set_pass(DeviceTableEntry::kLint0Pass, true);
    e.set_pass(DeviceTableEntry::kLint1Pass, true);
    // Bits 184, 185, 186, 190, 191 of the entry.
    EXPECT_EQ(e.words()[2], 0xC700000000000000ull);
    e.set_pass(DeviceTableEntry::kNmiPass, false);
    EXPECT_FALSE(e.passes(DeviceTableEntry::kNmiPass));
    EXPECT_TRUE(e.passes(DeviceTableEntry::kLint1Pass));
}

TEST(AmdViDeviceTableEntry, WriteStoresValidWordLast) {
    std::uint64_t slot[4] = {};
    StoreRecorder rec(slot);
    auto e = DeviceTableEntry::translated(HostPhys(0x123000), PagingMode::kLevels4, 0x42);
    e.set_interrupt_remapping(HostPhys(0x456000), 9, false);
    e.write_to(slot, rec);
    EXPECT_EQ(rec.order(), (std::vector<std::size_t>{3, 2, 1, 0}));
    for (unsigned i = 0; i < 4; ++i) EXPECT_EQ(slot[i], e.words()[i]);
}

TEST(AmdViDeviceTableEntry, ClearStoresValidWordFirst) {
    std::uint64_t slot[4] = {0x6000000000123803ull, 0x42, 0x2000000000456013ull, 0};
    StoreRecorder rec(slot);
    DeviceTableEntry::clear(slot, rec);
    EXPECT_EQ(rec.order(), (std::vector<std::size_t>{0, 1, 2, 3}));
    for (unsigned i = 0; i < 4; ++i) EXPECT_EQ(slot[i], 0u);
}

TEST(AmdViDeviceTableEntry, InterruptsAbortedSetsIvWithIntCtlAbort) {
    auto e = DeviceTableEntry::translated(HostPhys(0x123000), PagingMode::kLevels4, 0x42);
    e.set_pass(DeviceTableEntry::kNmiPass, true);
    const auto before = e.words();
    e.set_interrupts_aborted();
    // Word 2: IV (128) and the NMI pass bit (186) set before; IntCtl (189:188) 00b.
    EXPECT_EQ(e.words()[2], 0x0400000000000001ull);
    EXPECT_TRUE(e.interrupt_map_valid());
    EXPECT_EQ(e.interrupt_control(), InterruptControl::kAbort);
    EXPECT_TRUE(e.passes(DeviceTableEntry::kNmiPass));
    EXPECT_EQ(e.words()[0], before[0]);
    EXPECT_EQ(e.words()[1], before[1]);
    EXPECT_EQ(e.words()[3], before[3]);
}

TEST(AmdViDeviceTableEntry, InterruptsAbortedClearsAnEarlierRemapControl) {
    auto e = DeviceTableEntry::translated(HostPhys(0x123000), PagingMode::kLevels4, 0x42);
    e.set_interrupt_remapping(HostPhys(0x456000), 9, false);
    ASSERT_EQ(e.interrupt_control(), InterruptControl::kRemap);
    e.set_interrupts_aborted();
    EXPECT_EQ(e.interrupt_control(), InterruptControl::kAbort);
    EXPECT_EQ(e.words()[2] >> DeviceTableEntry::kIntCtlShift & 3, 0u);
    EXPECT_TRUE(e.interrupt_map_valid());
}

TEST(AmdViDeviceTableEntry, RemappingAfterAbortedGivesIntCtlRemap) {
    auto e = DeviceTableEntry::translated(HostPhys(0x123000), PagingMode::kLevels4, 0x42);
    e.set_interrupts_aborted();
    e.set_interrupt_remapping(HostPhys(0x456000), 9, false);
    // The same word 2 as remapping set on a fresh entry.
    EXPECT_EQ(e.words()[2], 0x2000000000456013ull);
    EXPECT_EQ(e.interrupt_control(), InterruptControl::kRemap);
    EXPECT_EQ(e.interrupt_table_root(), HostPhys(0x456000));
    EXPECT_EQ(e.words()[0], 0x6000000000123803ull);
    EXPECT_EQ(e.words()[1], 0x42u);
}

}  // namespace
}  // namespace hv::amdvi
