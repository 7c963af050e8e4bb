#include "arch/x86/iommu/amdvi/regs.hpp"

#include <gtest/gtest.h>

namespace hv::amdvi {
namespace {

TEST(AmdViRegs, OffsetsMatchTheSpec) {
    EXPECT_EQ(static_cast<std::uint32_t>(Reg64::kDeviceTableBase), 0x0000u);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg64::kCommandBufferBase), 0x0008u);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg64::kEventLogBase), 0x0010u);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg64::kControl), 0x0018u);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg64::kExclusionBase), 0x0020u);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg64::kExclusionLimit), 0x0028u);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg64::kExtendedFeature), 0x0030u);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg64::kCommandBufferHead), 0x2000u);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg64::kCommandBufferTail), 0x2008u);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg64::kEventLogHead), 0x2010u);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg64::kEventLogTail), 0x2018u);
    EXPECT_EQ(static_cast<std::uint32_t>(Reg64::kStatus), 0x2020u);
}

TEST(AmdViControl, EnableBitsMatchFixture) {
    // IommuEn (0) | EventLogEn (2) | ComWaitIntEn (4) | CmdBufEn (12).
    const std::uint64_t c = Control::kIommuEnable | Control::kEventLogEnable |
                            Control::kCompletionWaitInterruptEnable | Control::kCommandBufferEnable;
    EXPECT_EQ(c, 0x1015u);
    EXPECT_EQ(with(c, Control::kIommuEnable, false), 0x1014u);
    EXPECT_EQ(with(0, Control::kX2apicEnable, true), 1ull << 50);
    EXPECT_EQ(static_cast<std::uint64_t>(Control::kHtTunnelEnable), 2u);
    EXPECT_EQ(static_cast<std::uint64_t>(Control::kEventInterruptEnable), 8u);
    EXPECT_EQ(static_cast<std::uint64_t>(Control::kCoherent), 0x400u);
}

TEST(AmdViStatus, DecodesAndAcknowledgesOnlyRw1cBits) {
    const Status s(0x1F);
    EXPECT_TRUE(s.event_overflow());
    EXPECT_TRUE(s.event_log_interrupt());
    EXPECT_TRUE(s.completion_wait_interrupt());
    EXPECT_TRUE(s.event_log_running());
    EXPECT_TRUE(s.command_buffer_running());
    EXPECT_EQ(s.acknowledge(), 0x7u);
    EXPECT_FALSE(Status(0x8).command_buffer_running());
}

TEST(AmdViExtendedFeatures, DecodesSupportBits) {
    // XTSup (2) | IASup (6) | PCSup (9) | HATS 01b (11:10).
    const ExtendedFeatures efr(0x644);
    EXPECT_TRUE(efr.x2apic());
    EXPECT_TRUE(efr.invalidate_all());
    EXPECT_TRUE(efr.performance_counters());
    EXPECT_FALSE(efr.guest_virtual_apic());
    EXPECT_FALSE(efr.prefetch());
    EXPECT_EQ(efr.host_levels(), 5u);
    EXPECT_EQ(ExtendedFeatures(0).host_levels(), 4u);
    EXPECT_TRUE(ExtendedFeatures(0x80).guest_virtual_apic());
}

TEST(AmdViRegs, EncodesBaseRegisters) {
    // 512 pages of device table (65536 entries): Size 1FFh.
    EXPECT_EQ(device_table_base(HostPhys(0x400000), 512), 0x4001FFu);
    EXPECT_EQ(device_table_base(HostPhys(0x400000), 1), 0x400000u);
    // 256-entry command buffer: ComLen 1000b in 59:56.
    EXPECT_EQ(ring_base(HostPhys(0x10000), 8), 0x0800000000010000ull);
    EXPECT_EQ(ring_base(HostPhys(0x10000), 15), 0x0F00000000010000ull);
}

TEST(AmdViRegs, HeadAndTailAreByteOffsets) {
    EXPECT_EQ(ring_offset(3), 0x30u);
    EXPECT_EQ(ring_index(0x30), 3u);
    EXPECT_EQ(ring_index(0x7FFF0), 0x7FFFu);
}

}  // namespace
}  // namespace hv::amdvi
