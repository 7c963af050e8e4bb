#include "kernel/wall_clock.hpp"

#include "arch/x86/cpu/io.hpp"
#include "arch/x86/cpu/msr.hpp"
#include "drivers/rtc/mc146818.hpp"
#include "kernel/lib/civil_time.hpp"
#include "kernel/time.hpp"

namespace hv::time {
namespace {

using mc146818::CmosReg;

// The PC's RTC index and data ports.
constexpr std::uint16_t kIndex = 0x70;
constexpr std::uint16_t kData = 0x71;

std::uint8_t read(CmosReg reg) {
    x86::outb(kIndex, mc146818::idx(reg));
    return x86::inb(kData);
}

struct Reading {
    std::uint8_t s, m, h, d, mo, y, c;
    bool operator==(const Reading&) const = default;
};

Reading sample() {
    return {read(CmosReg::kSeconds),    read(CmosReg::kMinutes), read(CmosReg::kHours),
            read(CmosReg::kDayOfMonth), read(CmosReg::kMonth),   read(CmosReg::kYear),
            read(CmosReg::kCentury)};
}

}  // namespace

std::int64_t read_host_rtc() {
    // Read twice outside an update cycle until two readings agree (the usual torn-read guard).
    Reading a{}, b{};
    bool settled = false;
    for (int tries = 0; tries < 1000 && !settled; ++tries) {
        while (read(CmosReg::kStatusA) & mc146818::kAUpdateInProgress) {
        }
        a = sample();
        while (read(CmosReg::kStatusA) & mc146818::kAUpdateInProgress) {
        }
        b = sample();
        settled = a == b;
    }
    if (!settled) return 0;
    const std::uint8_t status_b = read(CmosReg::kStatusB);
    const bool binary = status_b & mc146818::kBBinary;
    auto value = [binary](std::uint8_t v) -> unsigned {
        return binary ? v : (v >> 4) * 10 + (v & 0xF);
    };
    unsigned hour = value(a.h & static_cast<std::uint8_t>(~mc146818::kHoursPm));
    if (!(status_b & mc146818::kB24Hour))
        hour = (hour % 12) + ((a.h & mc146818::kHoursPm) ? 12 : 0);
    const unsigned century = a.c != 0 && a.c != 0xFF ? value(a.c) : 20;
    const std::int64_t year = century * 100 + value(a.y);
    const std::int64_t days = days_from_civil(year, value(a.mo), value(a.d));
    return days * kSecondsPerDay + hour * kSecondsPerHour + value(a.m) * kSecondsPerMinute +
           value(a.s);
}

std::int64_t wall_clock_now() {
    static std::int64_t base = 0;
    static std::uint64_t base_tsc = 0;
    if (base_tsc == 0) {
        base = read_host_rtc();
        base_tsc = x86::rdtsc();
    }
    return base + static_cast<std::int64_t>((x86::rdtsc() - base_tsc) / tsc_hz());
}

}  // namespace hv::time
