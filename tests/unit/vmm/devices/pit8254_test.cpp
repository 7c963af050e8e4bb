#include "vmm/devices/pit8254.hpp"

#include <gtest/gtest.h>

#include <climits>

namespace hv::vmm {
namespace {

class FakeClock final : public Clock {
  public:
    std::uint64_t now() const override { return ticks; }
    std::uint64_t hz() const override { return rate; }
    std::uint64_t ticks = 1'000'000;
    std::uint64_t rate = 2'500'000'000;  // a 2.5 GHz TSC
};

constexpr std::uint16_t kCh0 = 0x40;
constexpr std::uint16_t kCh2 = 0x42;
constexpr std::uint16_t kControl = 0x43;
constexpr std::uint16_t kPortB = 0x61;

class PitTest : public ::testing::Test {
  protected:
    void out(std::uint16_t port, std::uint8_t v) { pit.port_write(port, 1, v); }
    std::uint8_t in(std::uint16_t port) {
        return static_cast<std::uint8_t>(pit.port_read(port, 1));
    }
    // Clock ticks for `pit_ticks` input ticks, rounded up.
    std::uint64_t span(std::uint64_t pit_ticks) const {
        return (pit_ticks * clock.rate + Pit8254::kInputHz - 1) / Pit8254::kInputHz;
    }
    void advance(std::uint64_t clock_ticks) { clock.ticks += clock_ticks; }
    std::uint16_t read_word(std::uint16_t port) {
        const std::uint8_t lsb = in(port);
        return static_cast<std::uint16_t>(lsb | in(port) << 8);
    }
    void program_ch0(std::uint8_t control, std::uint16_t count) {
        out(kControl, control);
        out(kCh0, static_cast<std::uint8_t>(count));
        out(kCh0, static_cast<std::uint8_t>(count >> 8));
    }

    FakeClock clock;
    Pit8254 pit{clock};
};

// Linux's quick_pit_calibrate (arch/x86/kernel/tsc.c), with every port access costing
// `kInbCost` TSC ticks. It must find the TSC rate from the MSB of channel 2's count.
TEST_F(PitTest, LinuxQuickPitCalibrateMeasuresTheClock) {
    constexpr std::uint64_t kInbCost = 1'000;  // 400 ns per exit
    auto inb = [&](std::uint16_t port) {
        advance(kInbCost);
        return in(port);
    };
    auto get_cycles = [&] { return clock.ticks; };
    auto verify_msb = [&](std::uint8_t val) {
        inb(kCh2);  // ignore LSB
        return inb(kCh2) == val;
    };
    auto expect_msb = [&](std::uint8_t val, std::uint64_t& tscp, std::uint64_t& deltap) {
        int count = 0;
        std::uint64_t tsc = 0, prev_tsc = 0;
        for (; count < 50000; ++count) {
            if (!verify_msb(val)) break;
            prev_tsc = tsc;
            tsc = get_cycles();
        }
        deltap = get_cycles() - prev_tsc;
        tscp = tsc;
        return count > 5;
    };

    out(kPortB, static_cast<std::uint8_t>((inb(kPortB) & ~0x02) | 0x01));
    out(kControl, 0xB0);  // channel 2, LSB then MSB, mode 0, binary
    out(kCh2, 0xFF);
    out(kCh2, 0xFF);
    verify_msb(0);

    constexpr unsigned kMaxIterations = 50 * Pit8254::kInputHz / 1000 / 256;
    constexpr unsigned kIterations = 30 * Pit8254::kInputHz / 1000 / 256;
    std::uint64_t tsc = 0, d1 = 0, delta = 0, d2 = 0;
    std::uint64_t khz = 0;
    ASSERT_TRUE(expect_msb(0xFF, tsc, d1));
    for (unsigned i = 1; i <= kMaxIterations; ++i) {
        ASSERT_TRUE(expect_msb(static_cast<std::uint8_t>(0xFF - i), delta, d2)) << i;
        delta -= tsc;
        if (i < kIterations) continue;
        if (d1 + d2 >= delta >> 11) continue;
        ASSERT_TRUE(verify_msb(static_cast<std::uint8_t>(0xFE - i)));
        khz = delta * Pit8254::kInputHz / (i * 256 * 1000);
        break;
    }
    ASSERT_NE(khz, 0u);
    const double expected = static_cast<double>(clock.rate) / 1000.0;
    EXPECT_NEAR(static_cast<double>(khz), expected, expected * 1e-4);
}

// The MSB of a mode 0 count from FFFFh steps down once per 256 input ticks, on the dot.
TEST_F(PitTest, Channel2MsbStepsEvery256InputTicks) {
    out(kPortB, 0x01);
    out(kControl, 0xB0);
    out(kCh2, 0xFF);
    out(kCh2, 0xFF);
    const std::uint64_t start = clock.ticks;
    for (std::uint64_t step = 1; step < 40; ++step) {
        clock.ticks = start + span(256 * step) - 1;
        EXPECT_EQ(read_word(kCh2) >> 8, 0xFF - step + 1) << step;
        clock.ticks = start + span(256 * step);
        EXPECT_EQ(read_word(kCh2), 0xFFFF - 256 * step) << step;
    }
}

// pit_calibrate_tsc: channel 2 in mode 0, poll port 61h bit 5 (OUT2) until terminal count.
TEST_F(PitTest, PortBOut2RisesAtTerminalCount) {
    constexpr std::uint16_t kLatch = Pit8254::kInputHz / 100;  // 10 ms
    out(kPortB, static_cast<std::uint8_t>((in(kPortB) & ~0x02) | 0x01));
    out(kControl, 0xB0);
    out(kCh2, kLatch & 0xFF);
    out(kCh2, kLatch >> 8);
    const std::uint64_t start = clock.ticks;
    EXPECT_EQ(in(kPortB)&0x20, 0);
    clock.ticks = start + span(kLatch) - 1;
    EXPECT_EQ(in(kPortB)&0x20, 0);
    clock.ticks = start + span(kLatch);
    EXPECT_EQ(in(kPortB)&0x20, 0x20);
    advance(span(0x10000));  // mode 0 keeps OUT high after wrapping
    EXPECT_EQ(in(kPortB)&0x20, 0x20);
}

TEST_F(PitTest, PortBStoresGateAndSpeakerAndTogglesRefresh) {
    EXPECT_EQ(in(kPortB)&0x0F, 0x00);
    out(kPortB, 0xF3);
    const std::uint8_t a = in(kPortB);
    const std::uint8_t b = in(kPortB);
    EXPECT_EQ(a & 0x0F, 0x03);
    EXPECT_EQ(b & 0x0F, 0x03);
    EXPECT_NE(a & 0x10, b & 0x10);
    EXPECT_EQ(a & 0xC0, 0);
}

TEST_F(PitTest, LowGatePausesChannel2InMode0) {
    out(kControl, 0xB0);
    out(kCh2, 0x00);
    out(kCh2, 0x10);  // 1000h, gate still low
    advance(span(500));
    EXPECT_EQ(read_word(kCh2), 0x1000);
    out(kPortB, 0x01);
    advance(span(0x100));
    EXPECT_EQ(read_word(kCh2), 0x0F00);
    out(kPortB, 0x00);
    advance(span(0x800));
    EXPECT_EQ(read_word(kCh2), 0x0F00);
    out(kPortB, 0x01);
    advance(span(0x100));
    EXPECT_EQ(read_word(kCh2), 0x0E00);
}

TEST_F(PitTest, Mode2DeliversPeriodicIrq0Edges) {
    constexpr std::uint16_t kLatch = (Pit8254::kInputHz + 500) / 1000;  // HZ=1000
    program_ch0(0x34, kLatch);
    const std::uint64_t start = clock.ticks;
    EXPECT_EQ(pit.next_irq0(clock.ticks), start + span(kLatch));
    EXPECT_EQ(pit.take_irq0_edges(start + span(kLatch) - 1), 0u);
    EXPECT_EQ(pit.take_irq0_edges(start + span(kLatch)), 1u);
    EXPECT_EQ(pit.take_irq0_edges(start + span(kLatch)), 0u);
    EXPECT_EQ(pit.next_irq0(start + span(kLatch)), start + span(2 * kLatch));
    EXPECT_EQ(pit.take_irq0_edges(start + span(2 * kLatch)), 1u);
    EXPECT_EQ(pit.next_irq0(start + span(2 * kLatch)), start + span(3 * kLatch));
}

TEST_F(PitTest, Mode2ResynchronisesAfterALongGap) {
    program_ch0(0x34, 1193);
    const std::uint64_t start = clock.ticks;
    const std::uint64_t later = start + clock.rate;  // one second: about 1000 periods
    EXPECT_EQ(pit.next_irq0(later), later);          // overdue
    EXPECT_EQ(pit.take_irq0_edges(later), 1u);
    EXPECT_EQ(pit.take_irq0_edges(later), 0u);
    const std::uint64_t next = pit.next_irq0(later);
    EXPECT_GT(next, later);
    EXPECT_LE(next - later, span(1193));
}

TEST_F(PitTest, Mode2CountNeverReadsZero) {
    program_ch0(0x34, 4);
    const std::uint64_t start = clock.ticks;
    const std::uint16_t expected[] = {4, 3, 2, 1, 4, 3};
    for (unsigned i = 0; i < 6; ++i) {
        clock.ticks = start + span(i);
        EXPECT_EQ(read_word(kCh0), expected[i]) << i;
    }
}

TEST_F(PitTest, Mode3CountsDownByTwoEachHalf) {
    program_ch0(0x36, 6);
    const std::uint64_t start = clock.ticks;
    const std::uint16_t expected[] = {6, 4, 2, 6, 4, 2, 6};
    for (unsigned i = 0; i < 7; ++i) {
        clock.ticks = start + span(i);
        EXPECT_EQ(read_word(kCh0), expected[i]) << i;
    }
    EXPECT_EQ(pit.take_irq0_edges(start + span(6)), 1u);
}

TEST_F(PitTest, Mode0FiresOnceAtTerminalCount) {
    program_ch0(0x30, 1000);
    const std::uint64_t start = clock.ticks;
    EXPECT_EQ(pit.next_irq0(start), start + span(1000));
    EXPECT_EQ(pit.take_irq0_edges(start + span(1000) - 1), 0u);
    EXPECT_EQ(pit.take_irq0_edges(start + span(1000)), 1u);
    EXPECT_EQ(pit.next_irq0(start + span(1000)), 0u);
    EXPECT_EQ(pit.take_irq0_edges(start + span(70000)), 0u);
    clock.ticks = start + span(1001);
    EXPECT_EQ(read_word(kCh0), 0xFFFF);  // the count wraps and keeps going
}

TEST_F(PitTest, Mode4FiresAfterItsOneTickPulse) {
    program_ch0(0x38, 500);
    const std::uint64_t start = clock.ticks;
    EXPECT_EQ(pit.next_irq0(start), start + span(501));
    EXPECT_EQ(pit.take_irq0_edges(start + span(501)), 1u);
    EXPECT_EQ(pit.next_irq0(start + span(501)), 0u);
    out(kCh0, 500 & 0xFF);  // Linux's set_next_event writes only a new count
    out(kCh0, 500 >> 8);
    EXPECT_EQ(pit.next_irq0(clock.ticks), clock.ticks + span(501));
}

TEST_F(PitTest, UnprogrammedOrControlWordOnlyGivesNoIrq0) {
    EXPECT_EQ(pit.next_irq0(clock.ticks), 0u);
    EXPECT_EQ(pit.take_irq0_edges(clock.ticks + clock.rate), 0u);
    program_ch0(0x34, 1000);
    out(kControl, 0x30);  // Linux's shutdown: mode 0, no count
    EXPECT_EQ(pit.next_irq0(clock.ticks), 0u);
    EXPECT_EQ(pit.take_irq0_edges(clock.ticks + clock.rate), 0u);
}

TEST_F(PitTest, CountZeroMeans65536) {
    program_ch0(0x34, 0);
    EXPECT_EQ(pit.next_irq0(clock.ticks), clock.ticks + span(0x10000));
    EXPECT_EQ(read_word(kCh0), 0x0000);
    advance(span(1));
    EXPECT_EQ(read_word(kCh0), 0xFFFF);
}

TEST_F(PitTest, LatchCommandFreezesTheCount) {
    program_ch0(0x34, 0x1234);
    advance(span(0x34));
    out(kControl, 0x00);  // latch channel 0
    advance(span(0x100));
    out(kControl, 0x00);  // ignored: the first latch is unread
    EXPECT_EQ(read_word(kCh0), 0x1200);
    EXPECT_EQ(read_word(kCh0), 0x1100);  // live again
}

TEST_F(PitTest, SingleByteAccessModes) {
    out(kControl, 0x14);  // channel 0, LSB only, mode 2
    out(kCh0, 0x80);
    EXPECT_EQ(in(kCh0), 0x80);
    EXPECT_EQ(in(kCh0), 0x80);
    out(kControl, 0x24);  // MSB only
    out(kCh0, 0x02);
    EXPECT_EQ(pit.next_irq0(clock.ticks), clock.ticks + span(0x200));
    EXPECT_EQ(in(kCh0), 0x02);
}

TEST_F(PitTest, ReadBackLatchesStatusThenCount) {
    program_ch0(0x34, 0x1000);
    advance(span(0x10));
    out(kControl, 0xC2);  // read-back: count and status of channel 0
    advance(span(0x100));
    // OUT high, count loaded, LSB then MSB, mode 2, binary.
    EXPECT_EQ(in(kCh0), 0x80 | 0x30 | 0x04);
    EXPECT_EQ(read_word(kCh0), 0x0FF0);
    EXPECT_EQ(read_word(kCh0), 0x0EF0);
}

TEST_F(PitTest, ReadBackStatusShowsNullCountAndOut) {
    out(kControl, 0xB0);  // channel 2, mode 0, no count yet
    out(kControl, 0xE8);  // read-back: status only, channel 2
    EXPECT_EQ(in(kCh2), 0x40 | 0x30);
    out(kCh2, 0x10);
    out(kCh2, 0x00);
    out(kPortB, 0x01);
    advance(span(0x10));
    out(kControl, 0xE8);
    EXPECT_EQ(in(kCh2), 0x80 | 0x30);
}

TEST_F(PitTest, ReadBackCountOnlyForSeveralChannels) {
    program_ch0(0x34, 0x2000);
    out(kControl, 0xB4);  // channel 2, mode 2
    out(kCh2, 0x00);
    out(kCh2, 0x30);
    out(kPortB, 0x01);
    out(kControl, 0xDA);  // read-back: count only, channels 0 and 2
    advance(span(0x100));
    EXPECT_EQ(read_word(kCh0), 0x2000);
    EXPECT_EQ(read_word(kCh2), 0x3000);
}

TEST_F(PitTest, ControlPortReadsAllOnes) { EXPECT_EQ(in(kControl), 0xFF); }

}  // namespace
}  // namespace hv::vmm
