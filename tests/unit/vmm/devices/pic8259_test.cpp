#include "vmm/devices/pic8259.hpp"

#include <gtest/gtest.h>

namespace hv::vmm {
namespace {

constexpr std::uint16_t kMasterCmd = 0x20;
constexpr std::uint16_t kMasterImr = 0x21;
constexpr std::uint16_t kSlaveCmd = 0xA0;
constexpr std::uint16_t kSlaveImr = 0xA1;
constexpr std::uint16_t kElcr = 0x4D0;

class PicTest : public ::testing::Test {
  protected:
    void out(std::uint16_t port, std::uint8_t v) { pic.port_write(port, 1, v); }
    std::uint8_t in(std::uint16_t port) {
        return static_cast<std::uint8_t>(pic.port_read(port, 1));
    }

    // init_8259A(auto_eoi) in Linux's arch/x86/kernel/i8259.c, vectors 30h and 38h.
    void linux_init(bool auto_eoi = false) {
        out(kMasterImr, 0xFF);
        out(kMasterCmd, 0x11);                    // ICW1: edge, cascade, ICW4 follows
        out(kMasterImr, 0x30);                    // ICW2
        out(kMasterImr, 0x04);                    // ICW3: slave on IR2
        out(kMasterImr, auto_eoi ? 0x03 : 0x01);  // ICW4: 8086 mode (+ AEOI)
        out(kSlaveCmd, 0x11);
        out(kSlaveImr, 0x38);
        out(kSlaveImr, 0x02);  // ICW3: slave ID 2
        out(kSlaveImr, 0x01);
        out(kMasterImr, 0xFF);  // restore the cached masks
        out(kSlaveImr, 0xFF);
    }
    std::uint8_t read_isr(std::uint16_t cmd) {
        out(cmd, 0x0B);  // OCW3: read ISR
        return in(cmd);
    }
    std::uint8_t read_irr(std::uint16_t cmd) {
        out(cmd, 0x0A);  // OCW3: read IRR
        return in(cmd);
    }

    Pic8259 pic;
};

TEST_F(PicTest, ResetMasksEverything) {
    EXPECT_EQ(in(kMasterImr), 0xFF);
    EXPECT_EQ(in(kSlaveImr), 0xFF);
    pic.set_irq(1, true);
    pic.set_irq(8, true);
    EXPECT_FALSE(pic.intr());
}

TEST_F(PicTest, LinuxProbeReadsBackImr) {
    // probe_8259A: mask the slave, write all-but-cascade to the master and read it back.
    out(kSlaveImr, 0xFF);
    out(kMasterImr, 0xFB);
    EXPECT_EQ(in(kMasterImr), 0xFB);
    out(kMasterImr, 0xFF);
    EXPECT_EQ(in(kMasterImr), 0xFF);
    EXPECT_EQ(in(kSlaveImr), 0xFF);
}

TEST_F(PicTest, LinuxInitSequenceProgramsVectorBases) {
    linux_init();
    EXPECT_EQ(in(kMasterImr), 0xFF);
    out(kMasterImr, 0xFD);  // unmask IRQ 1
    pic.set_irq(1, true);
    ASSERT_TRUE(pic.intr());
    EXPECT_EQ(pic.acknowledge(), 0x31);
    EXPECT_EQ(read_isr(kMasterCmd), 0x02);
    EXPECT_EQ(read_irr(kMasterCmd), 0x00);
    EXPECT_FALSE(pic.intr());
    out(kMasterCmd, 0x20);  // non-specific EOI
    EXPECT_EQ(read_isr(kMasterCmd), 0x00);
}

TEST_F(PicTest, ResetStateUsesBiosVectors) {
    out(kMasterImr, 0xFE);
    pic.set_irq(0, true);
    EXPECT_EQ(pic.acknowledge(), 0x08);
}

TEST_F(PicTest, MaskedRequestWaitsInIrr) {
    linux_init();
    pic.set_irq(3, true);
    EXPECT_FALSE(pic.intr());
    EXPECT_EQ(read_irr(kMasterCmd), 0x08);
    out(kMasterImr, 0xF7);
    ASSERT_TRUE(pic.intr());
    EXPECT_EQ(pic.acknowledge(), 0x33);
}

TEST_F(PicTest, LowerIrqHasPriorityAndNests) {
    linux_init();
    out(kMasterImr, 0x00);
    pic.set_irq(3, true);
    pic.set_irq(1, true);
    EXPECT_EQ(pic.acknowledge(), 0x31);
    EXPECT_FALSE(pic.intr());  // IRQ 3 ranks below IRQ 1 in service
    pic.set_irq(0, true);
    ASSERT_TRUE(pic.intr());  // IRQ 0 outranks it
    EXPECT_EQ(pic.acknowledge(), 0x30);
    EXPECT_EQ(read_isr(kMasterCmd), 0x03);
    out(kMasterCmd, 0x20);  // ends IRQ 0, the highest in service
    EXPECT_EQ(read_isr(kMasterCmd), 0x02);
    EXPECT_FALSE(pic.intr());
    out(kMasterCmd, 0x61);  // specific EOI for IRQ 1
    ASSERT_TRUE(pic.intr());
    EXPECT_EQ(pic.acknowledge(), 0x33);
}

TEST_F(PicTest, RotateEoiActsAsEoi) {
    linux_init();
    out(kMasterImr, 0x00);
    pic.set_irq(4, true);
    pic.acknowledge();
    out(kMasterCmd, 0xA0);  // rotate on non-specific EOI
    EXPECT_EQ(read_isr(kMasterCmd), 0x00);
}

TEST_F(PicTest, EdgeLineNeedsANewEdge) {
    linux_init();
    out(kMasterImr, 0x00);
    pic.set_irq(4, true);
    pic.acknowledge();
    out(kMasterCmd, 0x20);
    pic.set_irq(4, true);  // still high
    EXPECT_FALSE(pic.intr());
    pic.set_irq(4, false);
    pic.set_irq(4, true);
    EXPECT_TRUE(pic.intr());
}

TEST_F(PicTest, SlaveRequestCascadesThroughIr2) {
    linux_init();
    out(kMasterImr, 0xFB);
    out(kSlaveImr, 0xFE);
    pic.set_irq(8, true);
    ASSERT_TRUE(pic.intr());
    EXPECT_EQ(read_irr(kMasterCmd), 0x04);
    EXPECT_EQ(pic.acknowledge(), 0x38);
    EXPECT_EQ(read_isr(kMasterCmd), 0x04);
    EXPECT_EQ(read_isr(kSlaveCmd), 0x01);
    EXPECT_FALSE(pic.intr());
    out(kSlaveCmd, 0x60);  // Linux: specific EOI on the slave, then for IR2 on the master
    out(kMasterCmd, 0x62);
    EXPECT_EQ(read_isr(kMasterCmd), 0x00);
    EXPECT_EQ(read_isr(kSlaveCmd), 0x00);
}

TEST_F(PicTest, MaskedCascadeHidesSlave) {
    linux_init();
    out(kSlaveImr, 0x00);
    pic.set_irq(12, true);
    EXPECT_FALSE(pic.intr());
    out(kMasterImr, 0xFB);
    ASSERT_TRUE(pic.intr());
    EXPECT_EQ(pic.acknowledge(), 0x3C);
}

TEST_F(PicTest, NothingPendingAcknowledgesSpuriousIrq7) {
    linux_init();
    EXPECT_EQ(pic.acknowledge(), 0x37);
    EXPECT_EQ(read_isr(kMasterCmd), 0x00);
}

TEST_F(PicTest, AutoEoiLeavesIsrClear) {
    linux_init(true);
    out(kMasterImr, 0x00);
    pic.set_irq(0, true);
    EXPECT_EQ(pic.acknowledge(), 0x30);
    EXPECT_EQ(read_isr(kMasterCmd), 0x00);
}

TEST_F(PicTest, LevelLineFromElcrRequestsWhileHigh) {
    linux_init();
    out(kElcr + 1, 0x02);  // IRQ 9 level
    out(kMasterImr, 0xFB);
    out(kSlaveImr, 0xFD);
    pic.set_irq(9, true);
    EXPECT_EQ(pic.acknowledge(), 0x39);
    out(kSlaveCmd, 0x20);
    out(kMasterCmd, 0x20);
    ASSERT_TRUE(pic.intr());  // the line is still high
    pic.set_irq(9, false);
    EXPECT_FALSE(pic.intr());
}

TEST_F(PicTest, ElcrKeepsReservedBitsClear) {
    out(kElcr, 0xFF);
    out(kElcr + 1, 0xFF);
    EXPECT_EQ(in(kElcr), 0xF8);      // IRQ 0-2 are edge only
    EXPECT_EQ(in(kElcr + 1), 0xDE);  // IRQ 8 and 13 are edge only
    EXPECT_EQ(pic.port_read(kElcr, 2), 0xDEF8u);
}

TEST_F(PicTest, PollReturnsAndAcknowledgesHighestRequest) {
    linux_init();
    out(kMasterImr, 0x00);
    pic.set_irq(5, true);
    out(kMasterCmd, 0x0C);  // OCW3 poll
    EXPECT_EQ(in(kMasterCmd), 0x85);
    EXPECT_EQ(read_isr(kMasterCmd), 0x20);
    out(kMasterCmd, 0x0C);
    EXPECT_EQ(in(kMasterCmd), 0x00);
}

TEST_F(PicTest, IcwOneClearsImrAndPendingEdges) {
    pic.set_irq(4, true);
    out(kMasterCmd, 0x11);
    EXPECT_EQ(in(kMasterImr), 0x00);
    out(kMasterImr, 0x30);
    out(kMasterImr, 0x04);
    out(kMasterImr, 0x01);
    EXPECT_FALSE(pic.intr());
}

TEST_F(PicTest, Irq2AndOutOfRangeLinesAreIgnored) {
    linux_init();
    out(kMasterImr, 0x00);
    pic.set_irq(2, true);
    pic.set_irq(16, true);
    EXPECT_FALSE(pic.intr());
}

TEST_F(PicTest, UnknownPortsReadAllOnes) { EXPECT_EQ(pic.port_read(0x22, 1), 0xFFu); }

}  // namespace
}  // namespace hv::vmm
