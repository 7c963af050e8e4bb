#include "kernel/wall_clock.hpp"

#include "arch/x86/cpu/io.hpp"
#include "arch/x86/cpu/msr.hpp"
#include "kernel/time.hpp"
#include "vmm/devices/civil_time.hpp"

namespace hv::time {
namespace {

// MC146818 registers (datasheet "Address Map"); century at 0x32 as PC firmware keeps it.
constexpr std::uint16_t kIndex = 0x70;
constexpr std::uint16_t kData = 0x71;
constexpr std::uint8_t kSeconds = 0x00, kMinutes = 0x02, kHours = 0x04, kDay = 0x07, kMonth = 0x08,
                       kYear = 0x09, kStatusA = 0x0A, kStatusB = 0x0B, kCentury = 0x32;
constexpr std::uint8_t kUpdateInProgress = 0x80;  // status A
constexpr std::uint8_t kBinary = 0x04;            // status B: DM
constexpr std::uint8_t k24Hour = 0x02;            // status B
constexpr std::uint8_t kPm = 0x80;                // hours in 12-hour mode

std::uint8_t read(std::uint8_t reg) {
    x86::outb(kIndex, reg);
    return x86::inb(kData);
}

struct Reading {
    std::uint8_t s, m, h, d, mo, y, c;
    bool operator==(const Reading&) const = default;
};

Reading sample() {
    return {read(kSeconds), read(kMinutes), read(kHours),  read(kDay),
            read(kMonth),   read(kYear),    read(kCentury)};
}

}  // namespace

std::int64_t read_host_rtc() {
    // Read twice outside an update cycle until two readings agree (the usual torn-read guard).
    Reading a{}, b{};
    bool settled = false;
    for (int tries = 0; tries < 1000 && !settled; ++tries) {
        while (read(kStatusA) & kUpdateInProgress) {
        }
        a = sample();
        while (read(kStatusA) & kUpdateInProgress) {
        }
        b = sample();
        settled = a == b;
    }
    if (!settled) return 0;
    const std::uint8_t status_b = read(kStatusB);
    const bool binary = status_b & kBinary;
    auto value = [binary](std::uint8_t v) -> unsigned {
        return binary ? v : (v >> 4) * 10 + (v & 0xF);
    };
    unsigned hour = value(a.h & static_cast<std::uint8_t>(~kPm));
    if (!(status_b & k24Hour)) hour = (hour % 12) + ((a.h & kPm) ? 12 : 0);
    const unsigned century = a.c != 0 && a.c != 0xFF ? value(a.c) : 20;
    const std::int64_t year = century * 100 + value(a.y);
    const std::int64_t days = vmm::days_from_civil(year, value(a.mo), value(a.d));
    return days * vmm::kSecondsPerDay + hour * vmm::kSecondsPerHour +
           value(a.m) * vmm::kSecondsPerMinute + value(a.s);
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
