#include "arch/x86/iommu/amdvi/commands.hpp"

#include <gtest/gtest.h>

namespace hv::amdvi {
namespace {

TEST(AmdViCommand, CompletionWaitStoresData) {
    // Opcode 1 in 63:60, store address 51:3, S (bit 0); second word the data.
    const auto c = Command::completion_wait(HostPhys(0x10000008), 0x1122334455667788ull);
    EXPECT_EQ(c.low(), 0x1000000010000009ull);
    EXPECT_EQ(c.high(), 0x1122334455667788ull);
    EXPECT_EQ(c.opcode(), CommandOpcode::kCompletionWait);
    EXPECT_EQ(Command::completion_wait(HostPhys(0x10000008), 1, true).low(),
              0x100000001000000Bull);  // + I (bit 1)
}

TEST(AmdViCommand, InvalidateDeviceTableEntry) {
    const auto c = Command::invalidate_device_table_entry(0x0108);
    EXPECT_EQ(c.low(), 0x2000000000000108ull);
    EXPECT_EQ(c.high(), 0u);
}

TEST(AmdViCommand, InvalidateAllPagesOfDomain) {
    // DomainID 47:32; S | PDE with address 7FFF_FFFF_FFFF_F000h.
    const auto c = Command::invalidate_all_pages(5);
    EXPECT_EQ(c.low(), 0x3000000500000000ull);
    EXPECT_EQ(c.high(), 0x7FFFFFFFFFFFF003ull);
}

TEST(AmdViCommand, InvalidateOnePageHasNoSizeBit) {
    const auto c = Command::invalidate_pages(5, 0x40000000, 0x1000);
    EXPECT_EQ(c.low(), 0x3000000500000000ull);
    EXPECT_EQ(c.high(), 0x40000002u);  // PDE only
    EXPECT_EQ(Command::invalidate_pages(5, 0x40000123, 0x10).high(), 0x40000002u);
}

TEST(AmdViCommand, InvalidateRangeEncodesSizeInLowAddressBits) {
    // 2 MiB at 1 GiB: bits 19:12 set, bit 20 clear, S.
    EXPECT_EQ(Command::invalidate_pages(5, 0x40000000, 0x200000).high(), 0x400FF003u);
    // Two pages straddling a 16 KiB boundary need the 32 KiB block at 0.
    EXPECT_EQ(Command::invalidate_pages(5, 0x3000, 0x2000).high(), 0x3003u);
    // 8 KiB aligned: bit 12 clear.
    EXPECT_EQ(Command::invalidate_pages(5, 0x2000, 0x2000).high(), 0x2003u);
}

TEST(AmdViCommand, InvalidateBeyondTheAddressWidthIsEverything) {
    EXPECT_EQ(Command::invalidate_pages(5, 0, 1ull << 60).high(),
              Command::invalidate_all_pages(5).high());
}

TEST(AmdViCommand, InvalidateInterruptTableAndAll) {
    EXPECT_EQ(Command::invalidate_interrupt_table(0x0108).low(), 0x5000000000000108ull);
    EXPECT_EQ(Command::invalidate_all().low(), 0x8000000000000000ull);
    EXPECT_EQ(Command::invalidate_all().high(), 0u);
    EXPECT_EQ(Command::invalidate_all().opcode(), CommandOpcode::kInvalidateIommuAll);
}

}  // namespace
}  // namespace hv::amdvi
