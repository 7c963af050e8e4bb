#include "vmm/devices/rtc_cmos.hpp"

#include "drivers/rtc/mc146818.hpp"

#include "kernel/lib/addr.hpp"
#include "kernel/lib/civil_time.hpp"
#include "vmm/devices/rtc_alarm.hpp"

namespace hv::vmm {
namespace {

using namespace mc146818;

constexpr std::uint64_t kMicrosPerSecond = 1'000'000;

// An alarm byte of 11xxxxxxb matches every value ("don't care").
constexpr std::uint8_t kAlarmDontCare = 0xC0;

constexpr std::uint16_t kBaseMemoryKiB = 640;  // what every PC BIOS reports
constexpr std::uint64_t kMemory64KiB = 64 * kKiB;

[[nodiscard]] constexpr bool is_time_register(std::uint8_t index) {
    switch (static_cast<CmosReg>(index)) {
        case CmosReg::kSeconds:
        case CmosReg::kMinutes:
        case CmosReg::kHours:
        case CmosReg::kDayOfWeek:
        case CmosReg::kDayOfMonth:
        case CmosReg::kMonth:
        case CmosReg::kYear:
        case CmosReg::kCentury:
            return true;
        default:
            return false;
    }
}

// The periodic interrupt rate selected by RS with a 32.768 kHz time base (datasheet table
// "Periodic interrupt rate"): RS 1 and 2 are 256 and 128 Hz, RS n >= 3 is 65536 >> n Hz.
[[nodiscard]] constexpr std::uint64_t periodic_hz(std::uint8_t status_a) {
    const unsigned rs = status_a & kARateMask;
    if (rs == 0) return 0;
    if (rs <= 2) return 512u >> rs;
    return 65'536u >> rs;
}
static_assert(periodic_hz(kADefault) == 1024 && periodic_hz(0x21) == 256 && periodic_hz(0x2F) == 2);

[[nodiscard]] constexpr bool divider_in_reset(std::uint8_t status_a) {
    return ((status_a >> kADividerShift) & kADividerMask) >= kADividerResetMin;
}

}  // namespace

RtcCmos::RtcCmos(const Clock& clock, std::int64_t start_unix_seconds)
    : clock_(clock),
      base_seconds_(start_unix_seconds),
      base_ticks_(clock.now()),
      flags_ticks_(base_ticks_) {
    ram_[idx(CmosReg::kStatusA)] = kADefault;
    ram_[idx(CmosReg::kStatusB)] = kBDefault;
}

void RtcCmos::set_memory_size(std::uint64_t below_4g_bytes, std::uint64_t above_4g_bytes) {
    const auto put16 = [this](CmosReg reg, std::uint64_t value) {
        ram_[idx(reg)] = static_cast<std::uint8_t>(value);
        ram_[idx(reg) + 1] = static_cast<std::uint8_t>(value >> 8);
    };
    const auto at_most = [](std::uint64_t v, std::uint64_t cap) { return v < cap ? v : cap; };
    put16(CmosReg::kBaseMemory, kBaseMemoryKiB);
    const std::uint64_t extended_kib =
        below_4g_bytes > kMiB ? at_most((below_4g_bytes - kMiB) / kKiB, 0xFFFF) : 0;
    put16(CmosReg::kExtendedMemory, extended_kib);
    put16(CmosReg::kPostExtendedMemory, extended_kib);
    const std::uint64_t above_16m = 16 * kMiB;
    put16(CmosReg::kMemoryAbove16M,
          below_4g_bytes > above_16m ? at_most((below_4g_bytes - above_16m) / kMemory64KiB, 0xFFFF)
                                     : 0);
    const std::uint64_t high = at_most(above_4g_bytes / kMemory64KiB, 0xFF'FFFF);
    for (unsigned i = 0; i < 3; ++i)
        ram_[idx(CmosReg::kMemoryAbove4G) + i] = static_cast<std::uint8_t>(high >> (8 * i));

    unsigned sum = 0;
    for (unsigned i = idx(CmosReg::kChecksumFirst); i <= idx(CmosReg::kChecksumLast); ++i)
        sum += ram_[i];
    ram_[idx(CmosReg::kChecksum)] = static_cast<std::uint8_t>(sum >> 8);
    ram_[idx(CmosReg::kChecksum) + 1] = static_cast<std::uint8_t>(sum);
}

std::uint32_t RtcCmos::port_read(std::uint16_t port, std::uint8_t size) {
    std::uint32_t value = 0;
    for (std::uint8_t i = 0; i < size; ++i) {
        // The index port is write-only; unclaimed ports float high.
        const std::uint8_t byte =
            static_cast<std::uint16_t>(port + i) == kDataPort ? read_register(index_) : 0xFF;
        value |= static_cast<std::uint32_t>(byte) << (8 * i);
    }
    return value;
}

void RtcCmos::port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) {
    for (std::uint8_t i = 0; i < size; ++i) {
        const auto byte = static_cast<std::uint8_t>(value >> (8 * i));
        const auto p = static_cast<std::uint16_t>(port + i);
        if (p == kIndexPort)
            index_ = byte % kRamSize;  // bit 7 masks NMI on a PC: not modelled
        else if (p == kDataPort)
            write_register(index_, byte);
    }
}

bool RtcCmos::irq_line() const { return (flags_at(clock_.now()) & kCIrq) != 0; }

std::uint8_t RtcCmos::read_register(std::uint8_t index) {
    if (is_time_register(index)) return read_time(index);
    switch (static_cast<CmosReg>(index)) {
        case CmosReg::kStatusA:
            return read_status_a();
        case CmosReg::kStatusC:
            return read_and_clear_flags();
        case CmosReg::kStatusD:
            return kDValidRam;
        default:
            return ram_[index];
    }
}

void RtcCmos::write_register(std::uint8_t index, std::uint8_t value) {
    if (is_time_register(index)) return write_time(index, value);
    switch (static_cast<CmosReg>(index)) {
        case CmosReg::kStatusA:
            return write_control(index, static_cast<std::uint8_t>(value & ~kAUpdateInProgress));
        case CmosReg::kStatusB:
            // Setting SET clears UIE (datasheet, register B bit 4).
            return write_control(
                index, static_cast<std::uint8_t>(value & kBSet ? value & ~kBUpdateEnable : value));
        case CmosReg::kStatusC:
        case CmosReg::kStatusD:
            return;  // read-only
        default:
            ram_[index] = value;
    }
}

std::uint8_t RtcCmos::read_time(std::uint8_t index) const {
    if (!running()) return ram_[index];
    const CivilTime t = civil_from_unix(seconds_at(clock_.now()));
    switch (static_cast<CmosReg>(index)) {
        case CmosReg::kSeconds:
            return encode(t.second);
        case CmosReg::kMinutes:
            return encode(t.minute);
        case CmosReg::kHours:
            return encode_hours(t.hour);
        case CmosReg::kDayOfWeek:
            return encode(t.weekday + 1u);  // 1 = Sunday
        case CmosReg::kDayOfMonth:
            return encode(t.day);
        case CmosReg::kMonth:
            return encode(t.month);
        case CmosReg::kYear:
            return encode(static_cast<unsigned>(floor_mod(t.year, 100)));
        default:  // kCentury
            return encode(static_cast<unsigned>(floor_mod(floor_div(t.year, 100), 100)));
    }
}

// A running clock takes a write to one field as setting the time: the other fields keep their
// current values and counting restarts from the result.
void RtcCmos::write_time(std::uint8_t index, std::uint8_t value) {
    if (!running()) {
        ram_[index] = value;
        return;
    }
    const std::uint64_t now = clock_.now();
    sync_flags(now);
    freeze(seconds_at(now));
    ram_[index] = value;
    restart(now);
}

// Writes register A or B, stopping or restarting the clock when SET or the divider reset
// changes.
void RtcCmos::write_control(std::uint8_t index, std::uint8_t value) {
    const std::uint64_t now = clock_.now();
    sync_flags(now);
    const bool was_running = running();
    const std::int64_t seconds = seconds_at(now);
    ram_[index] = value;
    if (was_running && !running()) freeze(seconds);
    if (!was_running && running()) restart(now);
}

std::uint8_t RtcCmos::read_status_a() const {
    std::uint8_t a = ram_[idx(CmosReg::kStatusA)];
    if (running()) {
        const std::uint64_t hz = clock_.hz();
        const std::uint64_t into_second = (clock_.now() - base_ticks_) % hz;
        if (into_second >= hz - convert_ticks(kUipLeadMicros, kMicrosPerSecond, hz))
            a |= kAUpdateInProgress;
    }
    return a;
}

std::uint8_t RtcCmos::read_and_clear_flags() {
    sync_flags(clock_.now());
    const std::uint8_t c = flags_;
    flags_ = 0;
    return c;
}

bool RtcCmos::running() const {
    return !(ram_[idx(CmosReg::kStatusB)] & kBSet) &&
           !divider_in_reset(ram_[idx(CmosReg::kStatusA)]);
}

std::int64_t RtcCmos::seconds_at(std::uint64_t ticks) const {
    return base_seconds_ + static_cast<std::int64_t>((ticks - base_ticks_) / clock_.hz());
}

// Stops the clock at `seconds`: the time registers become bytes in the current data mode.
void RtcCmos::freeze(std::int64_t seconds) {
    const CivilTime t = civil_from_unix(seconds);
    ram_[idx(CmosReg::kSeconds)] = encode(t.second);
    ram_[idx(CmosReg::kMinutes)] = encode(t.minute);
    ram_[idx(CmosReg::kHours)] = encode_hours(t.hour);
    ram_[idx(CmosReg::kDayOfWeek)] = encode(t.weekday + 1u);
    ram_[idx(CmosReg::kDayOfMonth)] = encode(t.day);
    ram_[idx(CmosReg::kMonth)] = encode(t.month);
    ram_[idx(CmosReg::kYear)] = encode(static_cast<unsigned>(floor_mod(t.year, 100)));
    ram_[idx(CmosReg::kCentury)] =
        encode(static_cast<unsigned>(floor_mod(floor_div(t.year, 100), 100)));
}

// Starts counting from the time in the registers. Out-of-range fields (guest-chosen) are taken
// arithmetically, a month is clamped to 1-12, so every byte pattern gives some time.
void RtcCmos::restart(std::uint64_t ticks) {
    const std::int64_t year = std::int64_t{decode(ram_[idx(CmosReg::kCentury)])} * 100 +
                              decode(ram_[idx(CmosReg::kYear)]);
    unsigned month = decode(ram_[idx(CmosReg::kMonth)]);
    month = month < 1 ? 1 : month > 12 ? 12 : month;
    const std::int64_t day = decode(ram_[idx(CmosReg::kDayOfMonth)]);
    const std::int64_t days = days_from_civil(year, month, 1) + (day > 0 ? day - 1 : 0);
    base_seconds_ = days * kSecondsPerDay +
                    decode_hours(ram_[idx(CmosReg::kHours)]) * kSecondsPerHour +
                    decode(ram_[idx(CmosReg::kMinutes)]) * kSecondsPerMinute +
                    decode(ram_[idx(CmosReg::kSeconds)]);
    base_ticks_ = ticks;
}

// Register C as of `ticks`: the flags held, plus PF for each periodic tap edge, UF for each
// completed update and AF for an alarm match since flags_ticks_. IRQF follows the enables.
std::uint8_t RtcCmos::flags_at(std::uint64_t ticks) const {
    std::uint8_t flags = flags_;
    if (ticks > flags_ticks_) {
        const std::uint64_t hz = clock_.hz();
        const std::uint8_t a = ram_[idx(CmosReg::kStatusA)];
        const std::uint64_t rate = divider_in_reset(a) ? 0 : periodic_hz(a);
        if (rate != 0 && convert_ticks(ticks, hz, rate) != convert_ticks(flags_ticks_, hz, rate))
            flags |= kCPeriodic;
        if (running()) {
            const std::int64_t from = seconds_at(flags_ticks_), to = seconds_at(ticks);
            if (to != from) {
                flags |= kCUpdate;
                if (alarm_between(from, to)) flags |= kCAlarm;
            }
        }
    }
    const std::uint8_t b = ram_[idx(CmosReg::kStatusB)];
    if (((flags & kCPeriodic) && (b & kBPeriodicEnable)) ||
        ((flags & kCAlarm) && (b & kBAlarmEnable)) || ((flags & kCUpdate) && (b & kBUpdateEnable)))
        flags |= kCIrq;
    else
        flags &= ~kCIrq;
    return flags;
}

void RtcCmos::sync_flags(std::uint64_t ticks) {
    flags_ = flags_at(ticks);
    flags_ticks_ = ticks;
}

// Whether a second in (after, until] matches the alarm registers.
bool RtcCmos::alarm_between(std::int64_t after, std::int64_t until) const {
    const auto field = [this](CmosReg reg, bool hours) {
        const std::uint8_t v = ram_[idx(reg)];
        if ((v & kAlarmDontCare) == kAlarmDontCare) return RtcAlarmField{true, 0};
        return RtcAlarmField{false, hours ? decode_hours(v) : decode(v)};
    };
    const std::int64_t wait = seconds_to_rtc_alarm(
        floor_mod(after, kSecondsPerDay), field(CmosReg::kHoursAlarm, true),
        field(CmosReg::kMinutesAlarm, false), field(CmosReg::kSecondsAlarm, false));
    return wait != 0 && wait <= until - after;
}

std::uint8_t RtcCmos::encode(unsigned value) const {
    if (ram_[idx(CmosReg::kStatusB)] & kBBinary) return static_cast<std::uint8_t>(value);
    return static_cast<std::uint8_t>((value / 10 % 10) << 4 | value % 10);
}

unsigned RtcCmos::decode(std::uint8_t value) const {
    if (ram_[idx(CmosReg::kStatusB)] & kBBinary) return value;
    return (value >> 4) * 10u + (value & 0x0Fu);
}

std::uint8_t RtcCmos::encode_hours(unsigned hour) const {
    if (ram_[idx(CmosReg::kStatusB)] & kB24Hour) return encode(hour);
    const unsigned twelve = hour % 12 == 0 ? 12 : hour % 12;  // 00:xx is 12 AM
    return static_cast<std::uint8_t>(encode(twelve) | (hour >= 12 ? kHoursPm : 0));
}

unsigned RtcCmos::decode_hours(std::uint8_t value) const {
    if (ram_[idx(CmosReg::kStatusB)] & kB24Hour) return decode(value);
    return decode(value & ~kHoursPm) % 12 + (value & kHoursPm ? 12 : 0);
}

}  // namespace hv::vmm
