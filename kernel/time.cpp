#include "kernel/time.hpp"

#include "arch/x86/cpu/control_regs.hpp"
#include "arch/x86/cpu/io.hpp"
#include "arch/x86/cpu/lapic.hpp"
#include "arch/x86/cpu/msr.hpp"

namespace hv::time {
namespace {

constexpr std::uint64_t kPmTimerHz = 3'579'545;  // ACPI 6.5 sec 4.8.3.3
constexpr std::uint64_t kPitHz = 1'193'182;      // 8254 input clock
constexpr std::uint64_t kCalibrationUs = 2'000;  // 7159 PM-timer ticks: 0.02% resolution

// PIT ports and commands (Intel 8254 datasheet; PC/AT port 0x61 for the channel 2 gate).
constexpr std::uint16_t kPitChannel2 = 0x42;
constexpr std::uint16_t kPitCommand = 0x43;
constexpr std::uint16_t kPortB = 0x61;
constexpr std::uint8_t kPitCh2Mode0Binary = 0xB0;  // channel 2, lobyte/hibyte, mode 0
constexpr std::uint8_t kPortBGate2 = 0x01;
constexpr std::uint8_t kPortBSpeaker = 0x02;
constexpr std::uint8_t kPortBOut2 = 0x20;

std::uint64_t g_tsc_hz = 1'000'000'000;  // until calibrated: assume 1 GHz so delays are finite
std::uint64_t g_lapic_timer_hz = 1'000'000;

struct Window {
    std::uint64_t tsc_ticks;
    std::uint32_t lapic_ticks;
    std::uint64_t us;
};

// Run `wait()` (which blocks for a known time) and measure the TSC and LAPIC timer across it.
template <typename Wait>
Window measure(Wait wait) {
    x86::lapic::timer_start_oneshot(0xFFFF'FFFF, 0, /*masked=*/true);
    const std::uint32_t lapic0 = x86::lapic::timer_current_count();
    const std::uint64_t tsc0 = x86::rdtsc();
    const std::uint64_t us = wait();
    const std::uint64_t tsc1 = x86::rdtsc();
    const std::uint32_t lapic1 = x86::lapic::timer_current_count();
    x86::lapic::timer_stop();
    return {tsc1 - tsc0, lapic0 - lapic1, us};
}

std::uint64_t wait_pm_timer(std::uint16_t port, bool wide) {
    const std::uint32_t mask = wide ? 0xFFFF'FFFF : 0x00FF'FFFF;
    const std::uint64_t ticks = kPmTimerHz * kCalibrationUs / 1'000'000;
    const std::uint32_t start = x86::inl(port) & mask;
    std::uint64_t elapsed = 0;
    while (elapsed < ticks) elapsed = ((x86::inl(port) & mask) - start) & mask;
    return elapsed * 1'000'000 / kPmTimerHz;
}

std::uint64_t wait_pit() {
    const std::uint16_t count = static_cast<std::uint16_t>(kPitHz * kCalibrationUs / 1'000'000);
    const std::uint8_t portb = x86::inb(kPortB);
    x86::outb(kPortB, static_cast<std::uint8_t>((portb & ~kPortBSpeaker) | kPortBGate2));
    x86::outb(kPitCommand, kPitCh2Mode0Binary);
    x86::outb(kPitChannel2, count & 0xFF);
    x86::outb(kPitChannel2, count >> 8);
    while ((x86::inb(kPortB) & kPortBOut2) == 0) x86::cpu_relax();
    x86::outb(kPortB, portb);
    return kCalibrationUs;
}

}  // namespace

Calibration calibrate(std::uint16_t pm_timer_port, bool pm_timer_32bit) {
    Window w;
    const char* reference;
    if (pm_timer_port != 0) {
        w = measure([&] { return wait_pm_timer(pm_timer_port, pm_timer_32bit); });
        reference = "acpi-pm-timer";
    } else {
        w = measure([] { return wait_pit(); });
        reference = "pit";
    }
    if (w.us == 0) w.us = 1;
    g_tsc_hz = w.tsc_ticks * 1'000'000 / w.us;
    if (g_tsc_hz == 0) g_tsc_hz = 1;
    g_lapic_timer_hz = static_cast<std::uint64_t>(w.lapic_ticks) * 1'000'000 / w.us;
    if (g_lapic_timer_hz == 0) g_lapic_timer_hz = 1;
    return {g_tsc_hz, g_lapic_timer_hz, reference};
}

std::uint64_t tsc_hz() { return g_tsc_hz; }
std::uint64_t lapic_timer_hz() { return g_lapic_timer_hz; }

std::uint64_t now_ns() {
    const unsigned __int128 t = x86::rdtsc();
    return static_cast<std::uint64_t>(t * 1'000'000'000 / g_tsc_hz);
}

void delay_us(std::uint64_t us) {
    const std::uint64_t end = x86::rdtsc() + g_tsc_hz / 1'000'000 * us + 1;
    while (x86::rdtsc() < end) x86::cpu_relax();
}

}  // namespace hv::time
