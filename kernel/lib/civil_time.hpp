#pragma once
// Unix time <-> proleptic Gregorian calendar, for the guests' RTC model and the host RTC reader
// (no libc in the kernel).
// The day algorithms are Howard Hinnant's "chrono-Compatible Low-Level Date Algorithms"
// (days_from_civil, civil_from_days, weekday_from_days): exact for every 64-bit day count a
// guest can produce, with one 400-year era (146097 days) as the repeating unit.
#include <cstdint>

namespace hv {

inline constexpr std::int64_t kSecondsPerDay = 86'400;
inline constexpr std::int64_t kSecondsPerHour = 3'600;
inline constexpr std::int64_t kSecondsPerMinute = 60;

// Both round toward negative infinity, so times before 1970 decompose like later ones.
[[nodiscard]] constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
[[nodiscard]] constexpr std::int64_t floor_mod(std::int64_t a, std::int64_t b) {
    return a - floor_div(a, b) * b;
}

// Days since 1970-01-01 of a date; `month` in [1, 12], `day` in [1, 31].
[[nodiscard]] constexpr std::int64_t days_from_civil(std::int64_t year, unsigned month,
                                                     unsigned day) {
    year -= month <= 2;  // the era's year starts in March, so leap days fall at its end
    const std::int64_t era = floor_div(year, 400);
    const auto year_of_era = static_cast<unsigned>(year - era * 400);  // [0, 399]
    const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;  // [0, 146096]
    return era * 146'097 + day_of_era - 719'468;  // 719468: days from 0000-03-01 to 1970-01-01
}

struct CivilDate {
    std::int64_t year;
    std::uint8_t month;  // 1-12
    std::uint8_t day;    // 1-31
};

[[nodiscard]] constexpr CivilDate civil_from_days(std::int64_t days) {
    days += 719'468;
    const std::int64_t era = floor_div(days, 146'097);
    const auto day_of_era = static_cast<unsigned>(days - era * 146'097);
    const unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
    const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 -
                                               year_of_era / 100);  // [0, 365], from March 1
    const unsigned month_from_march = (5 * day_of_year + 2) / 153;  // [0, 11]
    const unsigned day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    const unsigned month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
    return {year_of_era + era * 400 + (month <= 2), static_cast<std::uint8_t>(month),
            static_cast<std::uint8_t>(day)};
}

// 0 = Sunday; 1970-01-01 was a Thursday.
[[nodiscard]] constexpr std::uint8_t weekday_from_days(std::int64_t days) {
    return static_cast<std::uint8_t>(floor_mod(days + 4, 7));
}

struct CivilTime {
    std::int64_t year;
    std::uint8_t month, day, hour, minute, second;
    std::uint8_t weekday;  // 0 = Sunday
};

[[nodiscard]] constexpr CivilTime civil_from_unix(std::int64_t seconds) {
    const std::int64_t days = floor_div(seconds, kSecondsPerDay);
    const std::int64_t of_day = seconds - days * kSecondsPerDay;
    const CivilDate date = civil_from_days(days);
    return {date.year,
            date.month,
            date.day,
            static_cast<std::uint8_t>(of_day / kSecondsPerHour),
            static_cast<std::uint8_t>(of_day / kSecondsPerMinute % 60),
            static_cast<std::uint8_t>(of_day % kSecondsPerMinute),
            weekday_from_days(days)};
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11'017);
static_assert(civil_from_days(11'016).month == 2 && civil_from_days(11'016).day == 29);
static_assert(civil_from_days(-1).year == 1969 && civil_from_days(-1).day == 31);
static_assert(weekday_from_days(0) == 4);

}  // namespace hv
