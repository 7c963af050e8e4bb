#include "gpu_passthrough/msix_table.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace hv::passthrough {
namespace {

// QEMU's nvme: 65 vectors.
class MsixTableTest : public ::testing::Test {
  protected:
    std::array<MsixEntry, 65> storage_{};
    MsixTable table_{storage_};
};

TEST_F(MsixTableTest, EntriesStartMaskedAndZero) {
    EXPECT_EQ(table_.size(), 65u);
    for (std::uint32_t i = 0; i < 65; ++i) {
        EXPECT_EQ(table_.read(i * 16 + 12, 4).value(), 1u) << i;
        EXPECT_EQ(table_.read(i * 16, 8).value(), 0u) << i;
    }
    EXPECT_FALSE(table_.take_changed_entry().has_value());
}

TEST_F(MsixTableTest, ProgrammedEntryReadsBackAndIsReportedOnce) {
    // Linux's __pci_write_msi_msg for entry 3: address low, high, data, then unmask.
    ASSERT_TRUE(table_.write(3 * 16 + 0, 4, 0xfee01000).ok());
    ASSERT_TRUE(table_.write(3 * 16 + 4, 4, 0).ok());
    ASSERT_TRUE(table_.write(3 * 16 + 8, 4, 0x0041).ok());
    ASSERT_TRUE(table_.write(3 * 16 + 12, 4, 0).ok());
    EXPECT_EQ(table_.read(3 * 16, 4).value(), 0xfee01000u);
    EXPECT_EQ(table_.read(3 * 16 + 8, 4).value(), 0x41u);
    EXPECT_FALSE(table_.entry(3).masked());
    const auto m = decode_msi(table_.entry(3).message());
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m.value().vector, 0x41);
    EXPECT_EQ(m.value().destination, 1u);
    const auto changed = table_.take_changed_entry();
    ASSERT_TRUE(changed.has_value());
    EXPECT_EQ(*changed, 3u);
    EXPECT_FALSE(table_.take_changed_entry().has_value());
}

TEST_F(MsixTableTest, MaskingAnEntryIsAChange) {
    ASSERT_TRUE(table_.write(64 * 16 + 12, 4, 0).ok());
    EXPECT_EQ(*table_.take_changed_entry(), 64u);
    ASSERT_TRUE(table_.write(64 * 16 + 12, 4, 1).ok());
    EXPECT_TRUE(table_.entry(64).masked());
    EXPECT_EQ(*table_.take_changed_entry(), 64u);
}

TEST_F(MsixTableTest, RewritingTheSameValueIsNoChange) {
    ASSERT_TRUE(table_.write(16 + 12, 4, 1).ok());
    ASSERT_TRUE(table_.write(16 + 8, 4, 0).ok());
    EXPECT_FALSE(table_.take_changed_entry().has_value());
}

TEST_F(MsixTableTest, ReportsChangedEntriesInIndexOrder) {
    ASSERT_TRUE(table_.write(40 * 16 + 8, 4, 0x51).ok());
    ASSERT_TRUE(table_.write(2 * 16 + 8, 4, 0x52).ok());
    EXPECT_EQ(*table_.take_changed_entry(), 2u);
    EXPECT_EQ(*table_.take_changed_entry(), 40u);
}

TEST_F(MsixTableTest, QwordAccessCoversTwoFields) {
    ASSERT_TRUE(table_.write(5 * 16 + 8, 8, 0x0000'0000'0000'0042ull).ok());  // data + unmask
    EXPECT_FALSE(table_.entry(5).masked());
    EXPECT_EQ(table_.entry(5).data, 0x42u);
    EXPECT_EQ(table_.read(5 * 16 + 8, 8).value(), 0x42u);
}

TEST_F(MsixTableTest, ReservedBitsReadZero) {
    ASSERT_TRUE(table_.write(0, 4, 0xfee01003).ok());
    ASSERT_TRUE(table_.write(12, 4, 0xffff'fffe).ok());
    EXPECT_EQ(table_.read(0, 4).value(), 0xfee01000u);
    EXPECT_EQ(table_.read(12, 4).value(), 0u);
}

TEST_F(MsixTableTest, RejectsOddSizesMisalignmentAndAccessesPastTheEnd) {
    EXPECT_FALSE(table_.read(0, 2).ok());
    EXPECT_FALSE(table_.read(2, 4).ok());
    EXPECT_FALSE(table_.read(4, 8).ok());
    EXPECT_FALSE(table_.read(65 * 16, 4).ok());
    EXPECT_FALSE(table_.write(1, 1, 0xff).ok());
    EXPECT_FALSE(table_.write(65 * 16 + 8, 8, 0).ok());
    EXPECT_FALSE(table_.take_changed_entry().has_value());
}

}  // namespace
}  // namespace hv::passthrough
