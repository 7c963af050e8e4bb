#include "vmm/platform/virtual_platform.hpp"

#include <gtest/gtest.h>

#include "platform_fakes.hpp"

#include <string>
#include <vector>

namespace hv::vmm {
namespace {

using platform_fakes::FakeClock;
using platform_fakes::FakeVm;
using platform_fakes::RecordingBus;

struct PlatformTest : ::testing::Test {
    FakeClock clock;
    FakeVm vm;
    RecordingBus bus;
    VirtualPlatform p{vm, bus, clock, 1'700'000'000};
    void SetUp() override { p.reset(2, 256ull << 20, 0); }
    // I/O APIC redirection entry `pin`: unmasked, edge, fixed, physical, to APIC ID 0.
    void route(unsigned pin, std::uint8_t vector) {
        p.mmio_write(platform::kIoapicBase, 4, 0x10 + 2 * pin);
        p.mmio_write(platform::kIoapicBase + 0x10, 4, vector);
        p.mmio_write(platform::kIoapicBase, 4, 0x11 + 2 * pin);
        p.mmio_write(platform::kIoapicBase + 0x10, 4, 0);
    }
};

TEST_F(PlatformTest, UnclaimedPortsReadAllOnes) {
    EXPECT_EQ(p.port_read(0x80, 1), 0xFFu);
    EXPECT_EQ(p.port_read(0x1234, 2), 0xFFFFu);
    p.port_write(0x80, 1, 0x55);  // Linux's I/O delay: ignored
}

TEST_F(PlatformTest, IoapicIdFollowsTheVcpus) {
    p.mmio_write(platform::kIoapicBase, 4, 0);
    EXPECT_EQ(p.mmio_read(platform::kIoapicBase + 0x10, 4) >> 24, 2u);
}

TEST_F(PlatformTest, UartThreInterruptReachesTheIoapicOnPin4) {
    route(platform::kIrqCom1, 0x24);
    p.port_write(platform::kCom1Port + 4, 1, 0x08);  // MCR: OUT2 gates the IRQ line
    p.port_write(platform::kCom1Port + 1, 1, 0x02);  // IER: THR empty
    ASSERT_EQ(bus.sent.size(), 1u);
    EXPECT_EQ(bus.sent[0].vector, 0x24);
    // Reading IIR acknowledges THRE; writing a byte raises it again: a new edge.
    EXPECT_EQ(p.port_read(platform::kCom1Port + 2, 1) & 0x0F, 0x02u);
    p.port_write(platform::kCom1Port, 1, 'x');
    EXPECT_EQ(bus.sent.size(), 2u);
}

TEST_F(PlatformTest, PitChannel0InterruptsThroughPin2) {
    route(platform::kGsiPit, 0x30);
    // Mode 2, count 1193 (about 1 ms at 1.193182 MHz).
    p.port_write(platform::kPitPort + 3, 1, 0x34);
    p.port_write(platform::kPitPort, 1, 1193 & 0xFF);
    p.port_write(platform::kPitPort, 1, 1193 >> 8);
    const std::uint64_t due = p.next_deadline();
    ASSERT_NE(due, 0u);
    EXPECT_NEAR(static_cast<double>(due), 1'000'000.0, 2'000.0);  // ns on this clock
    clock.ticks = due - 1;
    p.tick(clock.ticks);
    EXPECT_TRUE(bus.sent.empty());
    clock.ticks = due;
    p.tick(clock.ticks);
    ASSERT_EQ(bus.sent.size(), 1u);
    EXPECT_EQ(bus.sent[0].vector, 0x30);
    EXPECT_GT(p.next_deadline(), due);  // periodic: the next one is armed
}

TEST_F(PlatformTest, PowerAndResetPortsReachTheVm) {
    p.port_write(platform::kResetPort, 1, 0x06);
    EXPECT_EQ(vm.reboots, 1);
    p.port_write(platform::kPm1aControlPort, 2, (5u << 10) | (1u << 13));  // S5 + SLP_EN
    EXPECT_EQ(vm.poweroffs, 1);
}

TEST_F(PlatformTest, PmTimerCountsAt3579545Hz) {
    clock.ticks = 1'000'000'000;  // one second
    EXPECT_EQ(p.port_read(platform::kPmTimerPort, 4), 3'579'545u & 0xFF'FFFFu);
}

TEST_F(PlatformTest, PciHostBridgeAnswersOnCf8AndEcam) {
    p.port_write(platform::kPciConfigAddressPort, 4, 0x8000'0000);
    EXPECT_EQ(p.port_read(platform::kPciConfigDataPort, 4), 0x29C0'8086u);
    EXPECT_EQ(p.mmio_read(platform::kEcamBase, 4), 0x29C0'8086u);
    EXPECT_EQ(p.mmio_read(platform::kEcamBase + (1u << 15), 4), 0xFFFF'FFFFu);  // 00:01.0 absent
}

TEST_F(PlatformTest, ConsoleLinesComeFromTheUart) {
    for (char c : std::string("hello\n")) p.console_write(static_cast<std::uint8_t>(c));
    ASSERT_EQ(vm.lines.size(), 1u);
    EXPECT_EQ(vm.lines[0], "hello");
}

}  // namespace
}  // namespace hv::vmm
