#pragma once
// The host's wall-clock time, read once from its CMOS RTC (MC146818, ports 0x70/0x71), for the
// RTCs of the guests. Reads at boot only: the RTC is not ours to program.
#include <cstdint>

namespace hv::time {

// Seconds since 1970-01-01 UTC as the host RTC shows them (PC firmware keeps it in UTC on
// servers; a local-time RTC shifts guests by the same offset). 0 if the RTC never settles.
[[nodiscard]] std::int64_t read_host_rtc();

// Wall-clock seconds now: the host RTC read on first use, advanced by the TSC since.
[[nodiscard]] std::int64_t wall_clock_now();

}  // namespace hv::time
