#include "vmm/devices/rtc_cmos.hpp"

#include <gtest/gtest.h>

#include "kernel/lib/civil_time.hpp"
#include "vmm/devices/rtc_alarm.hpp"

namespace hv::vmm {
namespace {

// MC146818A registers and bits as Linux's include/linux/mc146818rtc.h names them.
constexpr std::uint8_t kSeconds = 0x00, kSecondsAlarm = 0x01, kMinutes = 0x02, kMinutesAlarm = 0x03,
                       kHours = 0x04, kHoursAlarm = 0x05, kDayOfWeek = 0x06, kDayOfMonth = 0x07,
                       kMonth = 0x08, kYear = 0x09, kRegA = 0x0A, kRegB = 0x0B, kRegC = 0x0C,
                       kRegD = 0x0D, kCentury = 0x32;
constexpr std::uint8_t kUip = 0x80, kDivReset2 = 0x70;
constexpr std::uint8_t kSet = 0x80, kPie = 0x40, kAie = 0x20, kUie = 0x10, kDmBinary = 0x04,
                       k24h = 0x02;
constexpr std::uint8_t kIrqf = 0x80, kPf = 0x40, kAf = 0x20, kUf = 0x10;

constexpr std::uint64_t kHz = 1'000'000;  // a microsecond clock

struct FakeClock final : Clock {
    std::uint64_t ticks = 5 * kHz + 123;  // not aligned to anything
    std::uint64_t now() const override { return ticks; }
    std::uint64_t hz() const override { return kHz; }
    void advance_seconds(std::uint64_t s) { ticks += s * kHz; }
};

// 2024-02-29 13:45:56 UTC, a Thursday.
constexpr std::int64_t kLeapDayAfternoon = 1'709'214'356;

struct Cmos {
    FakeClock clock;
    RtcCmos rtc;
    explicit Cmos(std::int64_t start = kLeapDayAfternoon) : rtc(clock, start) {}

    std::uint8_t read(std::uint8_t index) {
        rtc.port_write(RtcCmos::kIndexPort, 1, index);
        return static_cast<std::uint8_t>(rtc.port_read(RtcCmos::kDataPort, 1));
    }
    // A little-endian 16-bit CMOS field.
    unsigned word(std::uint8_t index) {
        return read(index) | static_cast<unsigned>(read(index + 1)) << 8;
    }
    void write(std::uint8_t index, std::uint8_t value) {
        rtc.port_write(RtcCmos::kIndexPort, 1, index);
        rtc.port_write(RtcCmos::kDataPort, 1, value);
    }
    // drivers/rtc/rtc-mc146818-lib.c mc146818_set_time(), BCD or binary per register B.
    void set_time(std::uint8_t sec, std::uint8_t min, std::uint8_t hour, std::uint8_t day,
                  std::uint8_t mon, std::uint8_t year, std::uint8_t century) {
        const std::uint8_t save_control = read(kRegB);
        write(kRegB, save_control | kSet);
        const std::uint8_t save_freq_select = read(kRegA);
        write(kRegA, save_freq_select | kDivReset2);
        write(kYear, year);  // the driver's order
        write(kMonth, mon);
        write(kDayOfMonth, day);
        write(kHours, hour);
        write(kMinutes, min);
        write(kSeconds, sec);
        write(kCentury, century);
        write(kRegB, save_control);
        write(kRegA, save_freq_select);
    }
};

TEST(CivilTime, RoundTripsAcrossCenturiesAndLeapDays) {
    for (const std::int64_t days : {-719'468, -1, 0, 10'956, 11'016, 47'540, 2'932'896}) {
        const CivilDate d = civil_from_days(days);
        EXPECT_EQ(days_from_civil(d.year, d.month, d.day), days);
    }
    EXPECT_EQ(days_from_civil(2100, 3, 1) - days_from_civil(2100, 2, 28), 1);  // not leap
    EXPECT_EQ(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28), 2);  // leap
}

TEST(CivilTime, DecomposesUnixSeconds) {
    const CivilTime t = civil_from_unix(kLeapDayAfternoon);
    EXPECT_EQ(t.year, 2024);
    EXPECT_EQ(t.month, 2);
    EXPECT_EQ(t.day, 29);
    EXPECT_EQ(t.hour, 13);
    EXPECT_EQ(t.minute, 45);
    EXPECT_EQ(t.second, 56);
    EXPECT_EQ(t.weekday, 4);  // Thursday
}

TEST(RtcAlarm, WrapsPastMidnight) {
    const std::int64_t late = 23 * kSecondsPerHour + 59 * kSecondsPerMinute + 30;
    EXPECT_EQ(seconds_to_rtc_alarm(late, {false, 0}, {false, 0}, {false, 0}), 30);
    EXPECT_EQ(seconds_to_rtc_alarm(late, {true, 0}, {true, 0}, {false, 45}), 15);
    EXPECT_EQ(seconds_to_rtc_alarm(late, {false, 23}, {false, 59}, {false, 30}), kSecondsPerDay);
}

TEST(RtcCmos, ReadsTheStartTimeInBcdByDefault) {
    Cmos c;
    EXPECT_EQ(c.read(kRegB), k24h);
    EXPECT_EQ(c.read(kSeconds), 0x56);
    EXPECT_EQ(c.read(kMinutes), 0x45);
    EXPECT_EQ(c.read(kHours), 0x13);
    EXPECT_EQ(c.read(kDayOfWeek), 5);  // Thursday, Sunday being 1
    EXPECT_EQ(c.read(kDayOfMonth), 0x29);
    EXPECT_EQ(c.read(kMonth), 0x02);
    EXPECT_EQ(c.read(kYear), 0x24);
    EXPECT_EQ(c.read(kCentury), 0x20);
}

TEST(RtcCmos, ReadsBinaryWhenRegisterBSaysSo) {
    Cmos c;
    c.write(kRegB, k24h | kDmBinary);
    EXPECT_EQ(c.read(kSeconds), 56);
    EXPECT_EQ(c.read(kMinutes), 45);
    EXPECT_EQ(c.read(kHours), 13);
    EXPECT_EQ(c.read(kDayOfMonth), 29);
    EXPECT_EQ(c.read(kMonth), 2);
    EXPECT_EQ(c.read(kYear), 24);
    EXPECT_EQ(c.read(kCentury), 20);
}

TEST(RtcCmos, TwelveHourModeSetsThePmBit) {
    Cmos c;
    c.write(kRegB, 0);
    EXPECT_EQ(c.read(kHours), 0x80 | 0x01);  // 1 PM
    c.write(kRegB, kDmBinary);
    EXPECT_EQ(c.read(kHours), 0x80 | 1);
}

TEST(RtcCmos, TwelveHourModeCallsMidnightAndNoonTwelve) {
    Cmos midnight(1'704'067'200);  // 2024-01-01 00:00:00
    midnight.write(kRegB, 0);
    EXPECT_EQ(midnight.read(kHours), 0x12);
    Cmos noon(1'704'110'400);  // 2024-01-01 12:00:00
    noon.write(kRegB, 0);
    EXPECT_EQ(noon.read(kHours), 0x80 | 0x12);
}

TEST(RtcCmos, TimeAdvancesWithTheClock) {
    Cmos c;
    c.clock.advance_seconds(3);
    EXPECT_EQ(c.read(kSeconds), 0x59);
    c.clock.advance_seconds(1);
    EXPECT_EQ(c.read(kSeconds), 0x00);
    EXPECT_EQ(c.read(kMinutes), 0x46);
    c.clock.ticks += kHz - 1;  // not yet another whole second
    EXPECT_EQ(c.read(kSeconds), 0x00);
}

TEST(RtcCmos, RollsIntoTheYear2000) {
    Cmos c(946'684'799);  // 1999-12-31 23:59:59, a Friday
    EXPECT_EQ(c.read(kCentury), 0x19);
    EXPECT_EQ(c.read(kDayOfWeek), 6);
    c.clock.advance_seconds(1);
    EXPECT_EQ(c.read(kSeconds), 0x00);
    EXPECT_EQ(c.read(kHours), 0x00);
    EXPECT_EQ(c.read(kDayOfMonth), 0x01);
    EXPECT_EQ(c.read(kMonth), 0x01);
    EXPECT_EQ(c.read(kYear), 0x00);
    EXPECT_EQ(c.read(kCentury), 0x20);
    EXPECT_EQ(c.read(kDayOfWeek), 7);
}

TEST(RtcCmos, TwoThousandHasALeapDay) {
    Cmos c(951'782'399);  // 2000-02-28 23:59:59
    c.clock.advance_seconds(1);
    EXPECT_EQ(c.read(kMonth), 0x02);
    EXPECT_EQ(c.read(kDayOfMonth), 0x29);
}

TEST(RtcCmos, TwentyOneHundredHasNoLeapDay) {
    Cmos c(4'107'499'200);  // 2100-02-28 12:00:00
    c.clock.advance_seconds(86'400);
    EXPECT_EQ(c.read(kMonth), 0x03);
    EXPECT_EQ(c.read(kDayOfMonth), 0x01);
    EXPECT_EQ(c.read(kYear), 0x00);
    EXPECT_EQ(c.read(kCentury), 0x21);
}

TEST(RtcCmos, LinuxSetTimeSequenceSetsTheClock) {
    // From 2024-03-31 to 2024-02-10: Linux writes the month first, so the registers pass
    // through "February 31" and must not be normalised until the clock restarts.
    Cmos c(1'711'873'800);
    c.set_time(0x00, 0x30, 0x08, 0x10, 0x02, 0x24, 0x20);
    EXPECT_EQ(c.read(kDayOfMonth), 0x10);
    EXPECT_EQ(c.read(kMonth), 0x02);
    EXPECT_EQ(c.read(kHours), 0x08);
    EXPECT_EQ(c.read(kMinutes), 0x30);
    EXPECT_EQ(c.read(kDayOfWeek), 7);  // 2024-02-10 was a Saturday
    c.clock.advance_seconds(61);
    EXPECT_EQ(c.read(kMinutes), 0x31);
    EXPECT_EQ(c.read(kSeconds), 0x01);
}

TEST(RtcCmos, SetsTheClockInBinaryMode) {
    Cmos c;
    c.write(kRegB, k24h | kDmBinary);
    c.set_time(5, 4, 23, 31, 12, 99, 20);
    c.clock.advance_seconds(1);
    EXPECT_EQ(c.read(kSeconds), 6);
    EXPECT_EQ(c.read(kHours), 23);
    EXPECT_EQ(c.read(kYear), 99);
    EXPECT_EQ(c.read(kCentury), 20);
}

TEST(RtcCmos, SetsAPmHourInTwelveHourMode) {
    Cmos c;
    c.write(kRegB, 0);
    c.set_time(0x00, 0x00, 0x80 | 0x12, 0x01, 0x01, 0x24, 0x20);  // 12 PM
    c.write(kRegB, k24h);
    EXPECT_EQ(c.read(kHours), 0x12);
}

TEST(RtcCmos, ClockStandsStillWhileSetIsOn) {
    Cmos c;
    c.write(kRegB, k24h | kSet);
    c.clock.advance_seconds(10);
    EXPECT_EQ(c.read(kSeconds), 0x56);
    c.write(kRegB, k24h);
    c.clock.advance_seconds(1);
    EXPECT_EQ(c.read(kSeconds), 0x57);
}

TEST(RtcCmos, ClockStandsStillWhileTheDividerIsReset) {
    Cmos c;
    c.write(kRegA, 0x26 | kDivReset2);
    c.clock.advance_seconds(10);
    EXPECT_EQ(c.read(kSeconds), 0x56);
}

TEST(RtcCmos, WritingOneFieldOfARunningClockKeepsTheOthers) {
    Cmos c;
    c.write(kMinutes, 0x10);
    EXPECT_EQ(c.read(kMinutes), 0x10);
    EXPECT_EQ(c.read(kHours), 0x13);
    EXPECT_EQ(c.read(kSeconds), 0x56);
    c.write(kCentury, 0x21);
    EXPECT_EQ(c.read(kCentury), 0x21);
    EXPECT_EQ(c.read(kYear), 0x24);
}

TEST(RtcCmos, GarbageTimeBytesStillGiveATime) {
    Cmos c;
    c.write(kRegB, k24h | kSet);
    for (std::uint8_t r : {kSeconds, kMinutes, kHours, kDayOfMonth, kMonth, kYear, kCentury})
        c.write(r, 0xFF);
    c.write(kRegB, k24h);
    c.clock.advance_seconds(1);
    EXPECT_LE(c.read(kSeconds), 0x59);
    EXPECT_LE(c.read(kMonth), 0x12);
}

TEST(RtcCmos, StatusADefaultsToThe32kHzBaseAnd1024Hz) {
    Cmos c;
    EXPECT_EQ(c.read(kRegA), 0x26);
    c.write(kRegA, 0xAF);  // UIP is read-only
    EXPECT_EQ(c.read(kRegA) & 0x7F, 0x2F);
}

TEST(RtcCmos, UipRisesJustBeforeEachUpdate) {
    Cmos c;
    c.clock.advance_seconds(1);
    EXPECT_EQ(c.read(kRegA) & kUip, 0);
    c.clock.ticks += kHz - 245;
    EXPECT_EQ(c.read(kRegA) & kUip, 0);
    c.clock.ticks += 1;
    EXPECT_EQ(c.read(kRegA) & kUip, kUip);
    EXPECT_EQ(c.read(kSeconds), 0x57);  // the registers still hold the old second
    c.clock.ticks += 244;
    EXPECT_EQ(c.read(kRegA) & kUip, 0);
    EXPECT_EQ(c.read(kSeconds), 0x58);
}

TEST(RtcCmos, StatusDReportsValidRam) {
    Cmos c;
    EXPECT_EQ(c.read(kRegD), 0x80);
    c.write(kRegD, 0);
    EXPECT_EQ(c.read(kRegD), 0x80);
}

TEST(RtcCmos, RegisterCClearsOnRead) {
    Cmos c;
    c.clock.advance_seconds(1);
    EXPECT_EQ(c.read(kRegC) & kUf, kUf);
    EXPECT_EQ(c.read(kRegC) & kUf, 0);
}

TEST(RtcCmos, FlagsWithoutEnablesRaiseNoIrq) {
    Cmos c;
    c.clock.advance_seconds(1);
    EXPECT_FALSE(c.rtc.irq_line());
    EXPECT_EQ(c.read(kRegC), kPf | kUf);
}

TEST(RtcCmos, UpdateInterruptRaisesIrqUntilCIsRead) {
    Cmos c;
    c.write(kRegB, k24h | kUie);
    c.read(kRegC);
    EXPECT_FALSE(c.rtc.irq_line());
    c.clock.advance_seconds(1);
    EXPECT_TRUE(c.rtc.irq_line());
    EXPECT_EQ(c.read(kRegC) & (kIrqf | kUf), kIrqf | kUf);
    EXPECT_FALSE(c.rtc.irq_line());
}

TEST(RtcCmos, PeriodicInterruptFollowsTheRate) {
    Cmos c;
    c.write(kRegA, 0x2F);  // 2 Hz
    c.write(kRegB, k24h | kPie);
    c.read(kRegC);
    c.clock.ticks = (c.clock.ticks / (kHz / 2) + 1) * (kHz / 2) - 1;  // just before a tap edge
    c.read(kRegC);
    EXPECT_FALSE(c.rtc.irq_line());
    c.clock.ticks += 1;
    EXPECT_TRUE(c.rtc.irq_line());
    EXPECT_EQ(c.read(kRegC) & (kIrqf | kPf), kIrqf | kPf);
}

TEST(RtcCmos, RateSelectZeroStopsThePeriodicFlag) {
    Cmos c;
    c.write(kRegA, 0x20);
    c.write(kRegB, k24h | kPie);
    c.read(kRegC);
    c.clock.advance_seconds(5);
    EXPECT_FALSE(c.rtc.irq_line());
    EXPECT_EQ(c.read(kRegC) & kPf, 0);
}

TEST(RtcCmos, AlarmFiresWhenTheTimeMatches) {
    Cmos c;  // 13:45:56
    c.write(kHoursAlarm, 0x13);
    c.write(kMinutesAlarm, 0x46);
    c.write(kSecondsAlarm, 0x00);
    c.write(kRegB, k24h | kAie);
    c.read(kRegC);
    c.clock.advance_seconds(3);
    EXPECT_FALSE(c.rtc.irq_line());
    EXPECT_EQ(c.read(kRegC) & kAf, 0);
    c.clock.advance_seconds(1);
    EXPECT_TRUE(c.rtc.irq_line());
    EXPECT_EQ(c.read(kRegC) & (kIrqf | kAf), kIrqf | kAf);
}

TEST(RtcCmos, AlarmPassedWhileUnobservedStillFlags) {
    Cmos c;
    c.write(kHoursAlarm, 0x02);
    c.write(kMinutesAlarm, 0x00);
    c.write(kSecondsAlarm, 0x00);
    c.read(kRegC);
    c.clock.advance_seconds(86'400 - 1);  // 13:45:55 next day, 02:00:00 passed
    EXPECT_EQ(c.read(kRegC) & kAf, kAf);
}

TEST(RtcCmos, AlarmDontCareMatchesEveryMinute) {
    Cmos c;
    c.write(kHoursAlarm, 0xFF);
    c.write(kMinutesAlarm, 0xC0);
    c.write(kSecondsAlarm, 0x00);
    c.read(kRegC);
    c.clock.advance_seconds(4);  // 13:46:00
    EXPECT_EQ(c.read(kRegC) & kAf, kAf);
    c.clock.advance_seconds(59);
    EXPECT_EQ(c.read(kRegC) & kAf, 0);
    c.clock.advance_seconds(1);
    EXPECT_EQ(c.read(kRegC) & kAf, kAf);
}

TEST(RtcCmos, AlarmWithAnImpossibleHourNeverFires) {
    Cmos c;
    c.write(kHoursAlarm, 0x25);
    c.read(kRegC);
    c.clock.advance_seconds(2 * 86'400);
    EXPECT_EQ(c.read(kRegC) & kAf, 0);
}

TEST(RtcCmos, SettingSetClearsUie) {
    Cmos c;
    c.write(kRegB, k24h | kUie | kSet);
    EXPECT_EQ(c.read(kRegB), k24h | kSet);
}

TEST(RtcCmos, NoUpdatesWhileSetIsOn) {
    Cmos c;
    c.write(kRegB, k24h | kSet);
    c.read(kRegC);
    c.clock.advance_seconds(3);
    EXPECT_EQ(c.read(kRegC) & kUf, 0);
}

TEST(RtcCmos, CmosRamRoundTrips) {
    Cmos c;
    for (std::uint8_t i = 0x0E; i < 0x80; ++i) {
        if (i == kCentury) continue;
        c.write(i, static_cast<std::uint8_t>(i ^ 0xA5));
    }
    for (std::uint8_t i = 0x0E; i < 0x80; ++i) {
        if (i == kCentury) continue;
        EXPECT_EQ(c.read(i), i ^ 0xA5) << int{i};
    }
}

TEST(RtcCmos, IndexBitSevenIsTheNmiMask) {
    Cmos c;
    c.write(0x0F, 0x0A);  // shutdown status
    c.rtc.port_write(RtcCmos::kIndexPort, 1, 0x80 | 0x0F);
    EXPECT_EQ(c.rtc.port_read(RtcCmos::kDataPort, 1), 0x0Au);
    EXPECT_EQ(c.rtc.port_read(RtcCmos::kIndexPort, 1), 0xFFu);
}

TEST(RtcCmos, WordAccessWritesIndexThenData) {
    Cmos c;
    c.rtc.port_write(RtcCmos::kIndexPort, 2, 0x5A'40);
    EXPECT_EQ(c.read(0x40), 0x5A);
}

TEST(RtcCmos, ReportsMemorySizesLikeAPcBios) {
    Cmos c;
    c.rtc.set_memory_size(3ull << 30, 1ull << 30);
    EXPECT_EQ(c.word(0x15), 640u);
    EXPECT_EQ(c.word(0x17), 0xFFFFu);  // capped
    EXPECT_EQ(c.word(0x30), 0xFFFFu);
    EXPECT_EQ(c.word(0x34), ((3ull << 30) - (16ull << 20)) >> 16);
    EXPECT_EQ(c.word(0x5B) | c.read(0x5D) << 16, (1u << 30) >> 16);
}

TEST(RtcCmos, ReportsSmallMemoryExactly) {
    Cmos c;
    c.rtc.set_memory_size(32ull << 20, 0);
    EXPECT_EQ(c.word(0x17), 31u * 1024);
    EXPECT_EQ(c.word(0x30), 31u * 1024);
    EXPECT_EQ(c.word(0x34), 256u);
    EXPECT_EQ(c.word(0x5B) | c.read(0x5D), 0u);
}

TEST(RtcCmos, ChecksumCoversTheStandardRange) {
    Cmos c;
    c.rtc.set_memory_size(32ull << 20, 0);
    unsigned sum = 0;
    for (std::uint8_t i = 0x10; i <= 0x2D; ++i) sum += c.read(i);
    EXPECT_EQ(static_cast<unsigned>(c.read(0x2E) << 8 | c.read(0x2F)), sum);
}

}  // namespace
}  // namespace hv::vmm
