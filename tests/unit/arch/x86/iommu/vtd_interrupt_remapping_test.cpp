#include "arch/x86/iommu/vtd/interrupt_remapping.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/arch/x86/iommu/store_recorder.hpp"

namespace hv::vtd {
namespace {

using iommu::testing::StoreRecorder;

TEST(VtdIrte, FixedXapicEntryMatchesFixture) {
    // Low: DST 47:40 = APIC 3 | V 41h in 23:16 | DLM 000 | TM 0 | DM 0 | P.
    // High: SVT 01b (83:82) | SQ 00b | SID 01:01.0.
    const auto e = Irte::fixed(0x41, 3, false, 0x0108);
    EXPECT_EQ(e.low(), 0x0000030000410001ull);
    EXPECT_EQ(e.high(), 0x40108u);
    EXPECT_EQ(e.destination_xapic(), 3u);
    EXPECT_EQ(e.vector(), 0x41u);
    EXPECT_EQ(e.source_validation(), SourceValidation::kRequesterId);
    EXPECT_EQ(e.source_id(), 0x0108u);
}

TEST(VtdIrte, X2apicDestinationUsesAll32Bits) {
    const auto e = Irte::fixed(0x30, 0x12345678, true, 0);
    EXPECT_EQ(e.low(), 0x1234567800300001ull);
    EXPECT_EQ(e.destination(), 0x12345678u);
}

TEST(VtdIrte, ModeBitsRoundTrip) {
    Irte e;
    e.set_logical_destination(true);
    e.set_redirection_hint(true);
    e.set_level_triggered(true);
    e.set_delivery_mode(DeliveryMode::kLowestPriority);
    e.set_fault_processing_disable(true);
    EXPECT_EQ(e.low(), 0x3Eu);  // DLM 001 in 7:5, TM, RH, DM, FPD
    EXPECT_TRUE(e.logical_destination());
    EXPECT_TRUE(e.redirection_hint());
    EXPECT_TRUE(e.level_triggered());
    EXPECT_TRUE(e.fault_processing_disabled());
    EXPECT_EQ(e.delivery_mode(), DeliveryMode::kLowestPriority);
    EXPECT_FALSE(e.present());
    EXPECT_FALSE(e.low() & Irte::kPostedMode);
    e.set_delivery_mode(DeliveryMode::kNmi);
    EXPECT_EQ(e.low() & 0xE0, 0x80u);
}

TEST(VtdIrte, BusRangeValidationPacksStartAndEndBus) {
    Irte e;
    e.set_source_validation(SourceValidation::kBusRange, 0x0205, SourceQualifier::kAllBits);
    EXPECT_EQ(e.high(), 0x80205u);  // SVT 10b
    e.set_source_validation(SourceValidation::kRequesterId, 0x0108,
                            SourceQualifier::kIgnoreFunction);
    EXPECT_EQ(e.high(), 0x70108u);  // SVT 01b, SQ 11b
    EXPECT_EQ(e.source_qualifier(), SourceQualifier::kIgnoreFunction);
}

TEST(VtdIrte, WriteStoresHighWordBeforePresentWord) {
    std::uint64_t slot[2] = {};
    StoreRecorder rec(slot);
    Irte::fixed(0x41, 3, false, 0x0108).write_to(slot, rec);
    EXPECT_EQ(rec.order(), (std::vector<std::size_t>{1, 0}));
    Irte::clear(slot, rec);
    EXPECT_EQ(rec.order(), (std::vector<std::size_t>{1, 0, 0, 1}));
}

TEST(VtdRemappableMsi, AddressCarriesHandle) {
    // 0FEEh in 31:20, handle[14:0] in 19:5, format bit 4, handle[15] in bit 2.
    EXPECT_EQ(remappable_msi_address(5), 0xFEE000B0u);
    EXPECT_EQ(remappable_msi_address(0x8005), 0xFEE000B4u);
    EXPECT_EQ(remappable_msi_address(0x1234, true), 0xFEE24698u);
    EXPECT_TRUE(is_remappable_msi(remappable_msi_address(0)));
    EXPECT_FALSE(is_remappable_msi(0xFEE01000u));  // compatibility format, APIC 1
}

TEST(VtdRemappableMsi, IndexAddsSubhandleOnlyWithShv) {
    EXPECT_EQ(remapped_index(remappable_msi_address(0x10, true), 3), 0x13u);
    EXPECT_EQ(remapped_index(remappable_msi_address(0x10), 3), 0x10u);
    EXPECT_EQ(remapped_index(remappable_msi_address(0xFFFF), 0), 0xFFFFu);
}

}  // namespace
}  // namespace hv::vtd
