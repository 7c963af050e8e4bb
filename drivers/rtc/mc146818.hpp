#pragma once
// The MC146818A real-time clock and the PC's CMOS RAM behind it (ports 0x70/0x71): register
// indices and status bits, shared by the guests' RTC model (vmm/devices/rtc_cmos.cpp) and the
// host RTC reader (kernel/wall_clock.cpp). Datasheet: Motorola MC146818A, "Address Map" and
// "Register A"-"Register D".
#include <cstdint>

namespace hv::mc146818 {

// MC146818A address map; 0x0E-0x7F is battery-backed RAM whose PC layout is the IBM PC/AT
// Technical Reference's "CMOS RAM address map", extended by the Bochs/SeaBIOS fields
// (SeaBIOS src/hw/rtc.h) for memory above 16 MiB and above 4 GiB.
enum class CmosReg : std::uint8_t {
    kSeconds = 0x00,
    kSecondsAlarm = 0x01,
    kMinutes = 0x02,
    kMinutesAlarm = 0x03,
    kHours = 0x04,
    kHoursAlarm = 0x05,
    kDayOfWeek = 0x06,
    kDayOfMonth = 0x07,
    kMonth = 0x08,
    kYear = 0x09,
    kStatusA = 0x0A,
    kStatusB = 0x0B,
    kStatusC = 0x0C,
    kStatusD = 0x0D,
    kChecksumFirst = 0x10,   // checksummed range 0x10-0x2D
    kBaseMemory = 0x15,      // KiB below 1 MiB, 16-bit little endian
    kExtendedMemory = 0x17,  // KiB from 1 MiB, 16-bit, at most 0xFFFF
    kChecksumLast = 0x2D,
    kChecksum = 0x2E,            // 16-bit big endian sum of 0x10-0x2D
    kPostExtendedMemory = 0x30,  // the same value, as POST measured it
    kCentury = 0x32,
    kMemoryAbove16M = 0x34,  // 64 KiB units from 16 MiB to 4 GiB, 16-bit
    kMemoryAbove4G = 0x5B,   // 64 KiB units from 4 GiB, 24-bit
};
[[nodiscard]] constexpr std::uint8_t idx(CmosReg r) { return static_cast<std::uint8_t>(r); }

// Register A: UIP bit 7 (read-only), divider DV bits 6:4, rate select RS bits 3:0. 0x26 is what
// PC firmware programs: the 32.768 kHz time base and a 1024 Hz periodic rate.
inline constexpr std::uint8_t kAUpdateInProgress = 1u << 7;
inline constexpr std::uint8_t kADividerShift = 4;
inline constexpr std::uint8_t kADividerMask = 0x7;
inline constexpr std::uint8_t kADividerResetMin = 0x6;  // DV = 11x holds the divider chain in reset
inline constexpr std::uint8_t kARateMask = 0x0F;
inline constexpr std::uint8_t kADefault = 0x26;
// UIP rises this long before each update (datasheet, "UIP"), the window Linux's
// mc146818_avoid_UIP() waits out and hwclock-style code synchronises on.
inline constexpr std::uint64_t kUipLeadMicros = 244;

// Register B.
inline constexpr std::uint8_t kBSet = 1u << 7;
inline constexpr std::uint8_t kBPeriodicEnable = 1u << 6;
inline constexpr std::uint8_t kBAlarmEnable = 1u << 5;
inline constexpr std::uint8_t kBUpdateEnable = 1u << 4;
inline constexpr std::uint8_t kBBinary = 1u << 2;  // DM: 1 = binary, 0 = BCD
inline constexpr std::uint8_t kB24Hour = 1u << 1;
inline constexpr std::uint8_t kBDefault = kB24Hour;  // BCD, 24-hour, as PC firmware leaves it

// Register C (read-only, cleared by reading) and D.
inline constexpr std::uint8_t kCIrq = 1u << 7;
inline constexpr std::uint8_t kCPeriodic = 1u << 6;
inline constexpr std::uint8_t kCAlarm = 1u << 5;
inline constexpr std::uint8_t kCUpdate = 1u << 4;
inline constexpr std::uint8_t kDValidRam = 1u << 7;  // VRT: the battery is good

// Hours register in 12-hour mode: bit 7 is PM.
inline constexpr std::uint8_t kHoursPm = 1u << 7;

}  // namespace hv::mc146818
