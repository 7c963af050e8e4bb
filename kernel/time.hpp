#pragma once
// Time base: the TSC, calibrated once at boot against a fixed-frequency reference (the ACPI PM
// timer when the FADT names one, else PIT channel 2). Also calibrates the LAPIC timer.
#include <cstdint>

namespace hv::time {

struct Calibration {
    std::uint64_t tsc_hz;
    std::uint64_t lapic_timer_hz;  // after the divide-by-16 the LAPIC driver programs
    const char* reference;         // "acpi-pm-timer" or "pit"
};

// `pm_timer_port` 0 means none; `pm_timer_32bit` from FADT TMR_VAL_EXT.
Calibration calibrate(std::uint16_t pm_timer_port, bool pm_timer_32bit);

std::uint64_t tsc_hz();
std::uint64_t lapic_timer_hz();
std::uint64_t now_ns();
void delay_us(std::uint64_t us);

}  // namespace hv::time
