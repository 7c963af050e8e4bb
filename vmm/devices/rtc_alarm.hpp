#pragma once
// When the MC146818A alarm next fires: the chip compares its hours, minutes and seconds alarm
// registers with the time at every update and sets AF on a match, a register holding a
// "don't care" code matching any value (MC146818A datasheet, "Alarm"). The RTC model asks this
// for the whole span since it last looked, so a long gap still finds a match in it.
#include <cstdint>

#include "kernel/lib/civil_time.hpp"

namespace hv::vmm {

// One field of an alarm: the value it must equal, or any value.
struct RtcAlarmField {
    bool any;
    unsigned value;
    [[nodiscard]] constexpr bool matches(unsigned v) const { return any || v == value; }
};

// Seconds from time of day `after` (exclusive) to the next time of day matching all three
// fields, or 0 if none does. Walks hours, then minutes, then seconds, skipping whole hours and
// minutes that end at or before `after`; with every field in range only the hour holding
// `after` can fail to match, so this takes at most a few hundred steps.
[[nodiscard]] constexpr std::int64_t seconds_to_rtc_alarm(std::int64_t after, RtcAlarmField hour,
                                                          RtcAlarmField minute,
                                                          RtcAlarmField second) {
    if ((!hour.any && hour.value >= 24) || (!minute.any && minute.value >= 60) ||
        (!second.any && second.value >= 60))
        return 0;
    for (std::int64_t day = 0; day < 2; ++day) {
        for (unsigned h = 0; h < 24; ++h) {
            const std::int64_t hour_start = day * kSecondsPerDay + h * kSecondsPerHour;
            if (!hour.matches(h) || hour_start + kSecondsPerHour <= after + 1) continue;
            for (unsigned m = 0; m < 60; ++m) {
                const std::int64_t minute_start = hour_start + m * kSecondsPerMinute;
                if (!minute.matches(m) || minute_start + kSecondsPerMinute <= after + 1) continue;
                for (unsigned s = 0; s < 60; ++s) {
                    const std::int64_t t = minute_start + s;
                    if (second.matches(s) && t > after) return t - after;
                }
            }
        }
    }
    return 0;
}
static_assert(seconds_to_rtc_alarm(10, {true, 0}, {true, 0}, {true, 0}) == 1);
static_assert(seconds_to_rtc_alarm(3600, {false, 0}, {false, 0}, {false, 0}) ==
              kSecondsPerDay - 3600);
static_assert(seconds_to_rtc_alarm(0, {false, 24}, {true, 0}, {true, 0}) == 0);

}  // namespace hv::vmm
