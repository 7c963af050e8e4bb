#include "arch/x86/iommu/vtd/tables.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/arch/x86/iommu/store_recorder.hpp"

namespace hv::vtd {
namespace {

using iommu::testing::StoreRecorder;

TEST(VtdRootEntry, PointsToContextTable) {
    const auto e = RootEntry::pointing_to(HostPhys(0x7000));
    EXPECT_EQ(e.low(), 0x7001u);  // CTP 63:12 | P
    EXPECT_EQ(e.high(), 0u);
    EXPECT_TRUE(e.present());
    EXPECT_EQ(e.context_table(), HostPhys(0x7000));
    EXPECT_FALSE(RootEntry().present());
}

TEST(VtdContextEntry, TranslatedEntryMatchesFixture) {
    // Low: SLPTPTR 0x1234000 | TT 00 | P. High: DID 0x2A in 87:72 | AW 010b (4 levels).
    const auto e = ContextEntry::translated(HostPhys(0x1234000), AddressWidth::k48Bit, 0x2A);
    EXPECT_EQ(e.low(), 0x1234001u);
    EXPECT_EQ(e.high(), 0x2A02u);
}

TEST(VtdContextEntry, ThreeLevelEntryCarriesAw1) {
    const auto e = ContextEntry::translated(HostPhys(0x8000), AddressWidth::k39Bit, 0xFFFF);
    EXPECT_EQ(e.high(), 0xFFFF01u);
    EXPECT_EQ(e.address_width(), AddressWidth::k39Bit);
    EXPECT_EQ(e.domain_id(), 0xFFFFu);
}

TEST(VtdContextEntry, FieldsRoundTrip) {
    ContextEntry e;
    e.set_second_level_root(HostPhys(0xABCDE000));
    e.set_translation_type(TranslationType::kPassThrough);
    e.set_fault_processing_disable(true);
    e.set_domain_id(7);
    e.set_address_width(AddressWidth::k48Bit);
    EXPECT_FALSE(e.present());
    EXPECT_EQ(e.low(), 0xABCDE00Au);  // TT 10b in 3:2, FPD in 1
    EXPECT_EQ(e.high(), 0x702u);
    EXPECT_EQ(e.translation_type(), TranslationType::kPassThrough);
    EXPECT_TRUE(e.fault_processing_disabled());
    EXPECT_EQ(e.second_level_root(), HostPhys(0xABCDE000));
    e.set_present(true);
    e.set_fault_processing_disable(false);
    e.set_translation_type(TranslationType::kDeviceTlb);
    EXPECT_EQ(e.low(), 0xABCDE005u);
}

TEST(VtdContextEntry, WriteStoresHighWordBeforePresentWord) {
    std::uint64_t slot[2] = {};
    StoreRecorder rec(slot);
    const auto e = ContextEntry::translated(HostPhys(0x1234000), AddressWidth::k48Bit, 0x2A);
    e.write_to(slot, rec);
    EXPECT_EQ(rec.order(), (std::vector<std::size_t>{1, 0}));
    EXPECT_EQ(slot[0], e.low());
    EXPECT_EQ(slot[1], e.high());
}

TEST(VtdContextEntry, ClearStoresPresentWordFirst) {
    std::uint64_t slot[2] = {0x1234001, 0x2A02};
    StoreRecorder rec(slot);
    ContextEntry::clear(slot, rec);
    EXPECT_EQ(rec.order(), (std::vector<std::size_t>{0, 1}));
    EXPECT_EQ(slot[0], 0u);
    EXPECT_EQ(slot[1], 0u);
}

TEST(VtdRootEntry, WriteStoresPresentWordLast) {
    std::uint64_t slot[2] = {};
    StoreRecorder rec(slot);
    RootEntry::pointing_to(HostPhys(0x7000)).write_to(slot, rec);
    EXPECT_EQ(rec.order(), (std::vector<std::size_t>{1, 0}));
    EXPECT_EQ(slot[0], 0x7001u);
}

TEST(VtdTables, IndexesRootByBusAndContextByDevfn) {
    EXPECT_EQ(root_index(0x0108), 1u);  // 01:01.0
    EXPECT_EQ(context_index(0x0108), 8u);
    EXPECT_EQ(root_index(0xFFFF), 255u);
    EXPECT_EQ(context_index(0xFFFF), 255u);
}

}  // namespace
}  // namespace hv::vtd
