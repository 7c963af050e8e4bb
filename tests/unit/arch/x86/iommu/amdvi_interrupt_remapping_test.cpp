#include "arch/x86/iommu/amdvi/interrupt_remapping.hpp"

#include <gtest/gtest.h>

namespace hv::amdvi {
namespace {

TEST(AmdViIrte, FixedEntryMatchesFixture) {
    // Vector 41h in 23:16, Destination 2 in 15:8, IntType 000, DM 0, RemapEn.
    const auto e = Irte::fixed(0x41, 0x02);
    EXPECT_EQ(e.raw(), 0x00410201u);
    EXPECT_TRUE(e.remap_enabled());
    EXPECT_EQ(e.int_type(), IntType::kFixed);
    EXPECT_EQ(e.vector(), 0x41u);
    EXPECT_EQ(e.destination(), 0x02u);
    EXPECT_FALSE(e.guest_mode());
}

TEST(AmdViIrte, FieldsRoundTrip) {
    Irte e;
    e.set_int_type(IntType::kArbitrated);
    e.set_logical_destination(true);
    e.set_suppress_io_page_faults(true);
    e.set_destination(0xFF);
    e.set_vector(0xEC);
    EXPECT_EQ(e.raw(), 0x00ECFF46u);  // DM (6), IntType 001 (4:2), SupIOPF (1)
    EXPECT_FALSE(e.remap_enabled());
    e.set_remap_enable(true);
    e.set_int_type(IntType::kFixed);
    EXPECT_EQ(e.raw(), 0x00ECFF43u);
    EXPECT_TRUE(e.suppress_io_page_faults());
    EXPECT_TRUE(e.logical_destination());
}

TEST(AmdViIrte, MsiDataIsTheTableIndex) {
    EXPECT_EQ(remapped_msi_data(0), 0u);
    EXPECT_EQ(remapped_msi_data(0x1FF), 0x1FFu);
    EXPECT_EQ(remapped_msi_data(0x7FF), 0x7FFu);
    EXPECT_EQ(kInterruptTableEntries, 256u);
}

}  // namespace
}  // namespace hv::amdvi
