#include "vmm/devices/pit8254.hpp"

#include "vmm/platform/guest_platform.hpp"

namespace hv::vmm {
namespace {

constexpr std::uint16_t kChannel0Port = platform::kPitPort;
constexpr std::uint16_t kControlPort = platform::kPitPort + 3;

// Control word (8254 datasheet, "Control Word Format"): SC1-SC0 in bits 7:6, RW1-RW0 in 5:4,
// M2-M0 in 3:1, BCD in bit 0. SC = 11b is the read-back command, RW = 00b the counter latch.
constexpr unsigned kSelectShift = 6;
constexpr std::uint8_t kSelectReadBack = 3;
constexpr unsigned kAccessShift = 4;
constexpr std::uint8_t kAccessMask = 0x3;
constexpr std::uint8_t kAccessLatch = 0;
constexpr std::uint8_t kAccessLsb = 1;
constexpr std::uint8_t kAccessMsb = 2;
constexpr unsigned kModeShift = 1;
constexpr std::uint8_t kModeMask = 0x7;

// Read-back command (8254 datasheet, "Read-Back Command"): COUNT and STATUS are active low;
// bits 1, 2, 3 select counters 0, 1, 2.
constexpr std::uint8_t kReadBackNoCount = 1u << 5;
constexpr std::uint8_t kReadBackNoStatus = 1u << 4;
constexpr unsigned kReadBackFirstCounter = 1;

// Status byte (8254 datasheet, "Status Byte"): OUTPUT, NULL COUNT, then RW, mode and BCD as in
// the control word.
constexpr std::uint8_t kStatusOut = 1u << 7;
constexpr std::uint8_t kStatusNullCount = 1u << 6;

// A count of 0 means 2^16 in binary counting (8254 datasheet, "Counter Programming").
constexpr std::uint32_t kMaxCount = 0x10000;

// Port 61h (ICH9 datasheet 13.7.1 NMI_SC, PIIX4 NMISC): bits 3:0 are written (timer 2 gate,
// speaker data, parity and IOCHK NMI enables); bit 4 is the refresh toggle, bit 5 timer 2's OUT.
constexpr std::uint8_t kPortBWritable = 0x0F;
constexpr std::uint8_t kPortBGate2 = 1u << 0;
constexpr std::uint8_t kPortBRefresh = 1u << 4;
constexpr std::uint8_t kPortBOut2 = 1u << 5;

constexpr unsigned kChannel2 = 2;

// Clock ticks until input tick `ticks`: the first clock tick at which at least `ticks` input
// ticks have elapsed (the inverse of the rounding-down convert_ticks).
std::uint64_t clock_ticks_until(std::uint64_t ticks, std::uint64_t hz) {
    const unsigned __int128 scaled = static_cast<unsigned __int128>(ticks) * hz;
    return static_cast<std::uint64_t>((scaled + Pit8254::kInputHz - 1) / Pit8254::kInputHz);
}

}  // namespace

Pit8254::Channel::Kind Pit8254::Channel::kind() const {
    switch (mode) {
        case 2:
        case 6:  // M2 is "don't care" for modes 2 and 3
            return Kind::kRate;
        case 3:
        case 7:
            return Kind::kSquare;
        case 4:
        case 5:
            return Kind::kStrobe;
        default:
            return Kind::kOneShot;
    }
}

std::uint64_t Pit8254::Channel::period() const { return periodic() && initial == 1 ? 2 : initial; }

std::uint64_t Pit8254::Channel::elapsed(std::uint64_t now, std::uint64_t hz) const {
    if (!counting) return 0;
    if (!gate) return carried;
    return carried + convert_ticks(now > start ? now - start : 0, hz, kInputHz);
}

std::uint16_t Pit8254::Channel::count(std::uint64_t now, std::uint64_t hz) const {
    if (!counting) return held;
    const std::uint64_t e = elapsed(now, hz);
    const std::uint64_t n = period();
    switch (kind()) {
        case Kind::kRate:
            // N, N-1, ..., 1, then N again; it never reads 0 (8254 datasheet, "Mode 2").
            return static_cast<std::uint16_t>(n - e % n);
        case Kind::kSquare: {
            // Each half period counts down by two from N, or from N-1 for odd N (8254
            // datasheet, "Mode 3"). OUT is high for the first (N+1)/2 ticks.
            std::uint64_t q = e % n;
            if (q >= (n + 1) / 2) q -= (n + 1) / 2;
            return static_cast<std::uint16_t>((n & ~std::uint64_t{1}) - 2 * q);
        }
        default:
            // Modes 0 and 4 wrap past 0 and keep counting (8254 datasheet, "Mode 0").
            return static_cast<std::uint16_t>(n - e);
    }
}

bool Pit8254::Channel::out(std::uint64_t now, std::uint64_t hz) const {
    // A control word sets OUT low in mode 0 and high in the others (8254 datasheet, "Modes").
    if (!counting) return kind() != Kind::kOneShot;
    // In modes 2 and 3 a low gate forces OUT high.
    if (periodic() && !gate) return true;
    const std::uint64_t e = elapsed(now, hz);
    const std::uint64_t n = period();
    switch (kind()) {
        case Kind::kOneShot:
            return e >= n;  // high from terminal count on
        case Kind::kStrobe:
            return e != n;  // low for the one tick at terminal count
        case Kind::kRate:
            return e % n != n - 1;  // low for the one tick at count 1
        case Kind::kSquare:
            return e % n < (n + 1) / 2;
    }
    return false;
}

std::uint8_t Pit8254::Channel::status(std::uint64_t now, std::uint64_t hz) const {
    std::uint8_t s = static_cast<std::uint8_t>((access << kAccessShift) | (mode << kModeShift));
    if (out(now, hz)) s |= kStatusOut;
    if (!counting || write_msb) s |= kStatusNullCount;
    return s;
}

void Pit8254::Channel::program(std::uint8_t control, std::uint64_t now, std::uint64_t hz) {
    held = count(now, hz);
    mode = (control >> kModeShift) & kModeMask;
    access = (control >> kAccessShift) & kAccessMask;
    counting = false;
    carried = 0;
    edges_taken = 0;
    write_msb = read_msb = false;
    count_latched = status_latched = false;
}

void Pit8254::Channel::latch_count(std::uint64_t now, std::uint64_t hz) {
    // A second latch before the first is read is ignored (8254 datasheet, "Counter Latch
    // Command").
    if (count_latched) return;
    latched_count = count(now, hz);
    count_latched = true;
}

void Pit8254::Channel::load(std::uint32_t value, std::uint64_t now) {
    initial = value == 0 ? kMaxCount : value;
    counting = true;
    start = now;
    carried = 0;
    edges_taken = 0;
}

void Pit8254::Channel::write(std::uint8_t value, std::uint64_t now) {
    switch (access) {
        case kAccessLsb:
            load(value, now);
            break;
        case kAccessMsb:
            load(std::uint32_t{value} << 8, now);
            break;
        default:
            if (!write_msb) {
                low_byte = value;
                write_msb = true;
            } else {
                write_msb = false;
                load(low_byte | (std::uint32_t{value} << 8), now);
            }
            break;
    }
}

std::uint8_t Pit8254::Channel::read(std::uint64_t now, std::uint64_t hz) {
    // A latched status goes out before a latched count (8254 datasheet, "Read-Back Command").
    if (status_latched) {
        status_latched = false;
        return latched_status;
    }
    const std::uint16_t value = count_latched ? latched_count : count(now, hz);
    bool last = true;
    std::uint8_t byte = 0;
    switch (access) {
        case kAccessLsb:
            byte = static_cast<std::uint8_t>(value);
            break;
        case kAccessMsb:
            byte = static_cast<std::uint8_t>(value >> 8);
            break;
        default:
            byte = static_cast<std::uint8_t>(read_msb ? value >> 8 : value);
            last = read_msb;
            read_msb = !read_msb;
            break;
    }
    if (last) count_latched = false;
    return byte;
}

void Pit8254::Channel::set_gate(bool high, std::uint64_t now, std::uint64_t hz) {
    if (gate == high) return;
    if (!high) {
        carried = elapsed(now, hz);
        gate = false;
        return;
    }
    gate = true;
    start = now;
    // A rising gate restarts modes 2 and 3 from the initial count; 0 and 4 resume.
    if (periodic()) {
        carried = 0;
        edges_taken = 0;
    }
}

void Pit8254::reset() {
    channels_ = {};
    channels_[kChannel2].gate = false;  // port 61h bit 0 is clear
    port_b_ = 0;
    refresh_ = false;
}

void Pit8254::write_control(std::uint8_t value, std::uint64_t now) {
    const std::uint64_t hz = clock_.hz();
    const unsigned select = value >> kSelectShift;
    if (select == kSelectReadBack) {
        for (unsigned i = 0; i < channels_.size(); ++i) {
            if ((value & (1u << (kReadBackFirstCounter + i))) == 0) continue;
            Channel& c = channels_[i];
            if ((value & kReadBackNoCount) == 0) c.latch_count(now, hz);
            if ((value & kReadBackNoStatus) == 0 && !c.status_latched) {
                c.latched_status = c.status(now, hz);
                c.status_latched = true;
            }
        }
        return;
    }
    Channel& c = channels_[select];
    if (((value >> kAccessShift) & kAccessMask) == kAccessLatch) {
        c.latch_count(now, hz);
    } else {
        c.program(value, now, hz);
    }
}

std::uint32_t Pit8254::port_read(std::uint16_t port, std::uint8_t size) {
    const std::uint64_t now = clock_.now();
    const std::uint64_t hz = clock_.hz();
    std::uint32_t value = 0;
    for (unsigned i = 0; i < size && i < 4; ++i) {
        const auto p = static_cast<std::uint16_t>(port + i);
        std::uint8_t byte = 0xFF;
        if (p >= kChannel0Port && p < kControlPort) {
            byte = channels_[p - kChannel0Port].read(now, hz);
        } else if (p == platform::kSystemControlPortB) {
            byte = port_b_;
            if (refresh_) byte |= kPortBRefresh;
            if (channels_[kChannel2].out(now, hz)) byte |= kPortBOut2;
            refresh_ = !refresh_;
        }
        value |= std::uint32_t{byte} << (8 * i);
    }
    return value;
}

void Pit8254::port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) {
    const std::uint64_t now = clock_.now();
    for (unsigned i = 0; i < size && i < 4; ++i) {
        const auto p = static_cast<std::uint16_t>(port + i);
        const auto byte = static_cast<std::uint8_t>(value >> (8 * i));
        if (p >= kChannel0Port && p < kControlPort) {
            channels_[p - kChannel0Port].write(byte, now);
        } else if (p == kControlPort) {
            write_control(byte, now);
        } else if (p == platform::kSystemControlPortB) {
            port_b_ = byte & kPortBWritable;
            channels_[kChannel2].set_gate((byte & kPortBGate2) != 0, now, clock_.hz());
        }
    }
}

std::uint64_t Pit8254::next_edge(const Channel& c) {
    if (!c.counting) return 0;
    if (c.periodic()) return (c.edges_taken + 1) * c.period();
    if (c.edges_taken != 0) return 0;
    // Mode 0's OUT rises at terminal count; mode 4's at the end of its one-tick low pulse.
    return c.kind() == Channel::Kind::kStrobe ? c.period() + 1 : c.period();
}

std::uint64_t Pit8254::next_irq0(std::uint64_t now) const {
    const Channel& c = channels_[0];
    const std::uint64_t edge = next_edge(c);
    if (edge == 0) return 0;
    // Channel 0's gate is tied high on a PC, so its run never pauses and `carried` is 0.
    const std::uint64_t at = c.start + clock_ticks_until(edge, clock_.hz());
    return at < now ? now : at;
}

unsigned Pit8254::take_irq0_edges(std::uint64_t now) {
    Channel& c = channels_[0];
    const std::uint64_t edge = next_edge(c);
    if (edge == 0) return 0;
    const std::uint64_t e = c.elapsed(now, clock_.hz());
    if (e < edge) return 0;
    // Periodic: skip to the last edge at or before `now`, so that a long gap gives one IRQ.
    c.edges_taken = c.periodic() ? e / c.period() : 1;
    return 1;
}

}  // namespace hv::vmm
