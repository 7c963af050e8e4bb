#include "vmm/devices/ioapic.hpp"

namespace hv::vmm {
namespace {

// Direct (MMIO) registers: IOREGSEL and IOWIN (82093AA datasheet 3.1), and the EOI register of
// version-20h I/O APICs (ICH2 datasheet 9.5.5).
enum class Direct : std::uint64_t {
    kSelect = 0x00,
    kWindow = 0x10,
    kEoi = 0x40,
};

// Indirect registers behind IOWIN (82093AA datasheet 3.2).
enum class Indirect : std::uint8_t {
    kId = 0x00,
    kVersion = 0x01,
    kArbitration = 0x02,
    kRedirectionFirst = 0x10,  // entry n: low half at 10h + 2n, high half at 11h + 2n
};

// IOAPICID and IOAPICARB hold a 4-bit ID in bits 27:24 (82093AA datasheet 3.2.1, 3.2.3).
constexpr unsigned kIdShift = 24;
constexpr std::uint8_t kIdMask = 0xF;

// IOAPICVER (82093AA datasheet 3.2.2): version in bits 7:0, maximum redirection entry in 23:16.
// 20h is the ICH I/O APIC's version; Linux uses the EOI register from version 20h on.
constexpr std::uint32_t kVersion = 0x20;
constexpr std::uint32_t kVersionValue = kVersion | ((Ioapic::kPins - 1) << 16);

// Redirection entry fields (82093AA datasheet 3.2.4).
constexpr std::uint64_t kVectorMask = 0xFF;
constexpr unsigned kDeliveryModeShift = 8;
constexpr std::uint64_t kDeliveryModeMask = 0x7;
constexpr std::uint64_t kLogical = 1ull << 11;
constexpr std::uint64_t kDeliveryStatus = 1ull << 12;  // read-only
constexpr std::uint64_t kActiveLow = 1ull << 13;
constexpr std::uint64_t kRemoteIrr = 1ull << 14;  // read-only
constexpr std::uint64_t kLevel = 1ull << 15;
constexpr std::uint64_t kMasked = 1ull << 16;
constexpr unsigned kDestinationShift = 56;
constexpr std::uint64_t kDestinationMask = 0xFF;
constexpr std::uint64_t kWritable = (kDestinationMask << kDestinationShift) | kMasked | kLevel |
                                    kActiveLow | kLogical |
                                    (kDeliveryModeMask << kDeliveryModeShift) | kVectorMask;
constexpr std::uint64_t kReadOnly = kDeliveryStatus | kRemoteIrr;

// Delivery modes 011b and 110b are reserved in a redirection entry (82093AA datasheet 3.2.4).
constexpr bool reserved_mode(std::uint64_t mode) {
    return mode == 3 || mode == static_cast<std::uint64_t>(DeliveryMode::kStartup);
}

}  // namespace

Ioapic::Ioapic(ApicBus& bus, std::uint8_t id) : bus_(bus), initial_id_(id & kIdMask) { reset(); }

void Ioapic::set_initial_id(std::uint8_t id) { initial_id_ = id & kIdMask; }

void Ioapic::reset() {
    id_ = initial_id_;
    select_ = 0;
    entries_.fill(kMasked);
}

bool Ioapic::asserted(unsigned pin) const {
    const bool high = (lines_ >> pin) & 1;
    return high != ((entries_[pin] & kActiveLow) != 0);
}

bool Ioapic::send(unsigned pin) {
    const std::uint64_t e = entries_[pin];
    const std::uint64_t mode = (e >> kDeliveryModeShift) & kDeliveryModeMask;
    if (reserved_mode(mode)) return false;
    ApicMessage m;
    m.vector = static_cast<std::uint8_t>(e & kVectorMask);
    m.mode = static_cast<DeliveryMode>(mode);
    m.logical = (e & kLogical) != 0;
    m.level_triggered = (e & kLevel) != 0;
    m.destination = static_cast<std::uint32_t>((e >> kDestinationShift) & kDestinationMask);
    bus_.deliver(m, kSourceDevice);
    return true;
}

void Ioapic::sample_level(unsigned pin) {
    const std::uint64_t e = entries_[pin];
    if ((e & kLevel) == 0 || (e & (kMasked | kRemoteIrr)) != 0 || !asserted(pin)) return;
    if (send(pin)) entries_[pin] |= kRemoteIrr;
}

void Ioapic::set_irq(unsigned pin, bool high) {
    if (pin >= kPins) return;
    const bool was_asserted = asserted(pin);
    const std::uint32_t bit = 1u << pin;
    lines_ = high ? (lines_ | bit) : (lines_ & ~bit);
    const std::uint64_t e = entries_[pin];
    if (e & kLevel) {
        sample_level(pin);
    } else if (!was_asserted && asserted(pin) && (e & kMasked) == 0) {
        send(pin);
    }
}

void Ioapic::eoi(std::uint8_t vector) {
    for (unsigned pin = 0; pin < kPins; ++pin) {
        std::uint64_t& e = entries_[pin];
        if ((e & kVectorMask) != vector || (e & kRemoteIrr) == 0) continue;
        e &= ~kRemoteIrr;
        sample_level(pin);
    }
}

std::uint32_t Ioapic::read_register(std::uint8_t index) const {
    switch (static_cast<Indirect>(index)) {
        case Indirect::kId:
        // The arbitration ID is loaded from the ID whenever the ID is written (82093AA datasheet
        // 3.2.3), so the two always agree here.
        case Indirect::kArbitration:
            return static_cast<std::uint32_t>(id_) << kIdShift;
        case Indirect::kVersion:
            return kVersionValue;
        default:
            break;
    }
    const unsigned first = static_cast<unsigned>(Indirect::kRedirectionFirst);
    if (index < first || index >= first + 2 * kPins) return 0;
    const std::uint64_t e = entries_[(index - first) / 2];
    return static_cast<std::uint32_t>((index - first) % 2 ? e >> 32 : e);
}

void Ioapic::write_register(std::uint8_t index, std::uint32_t value) {
    if (static_cast<Indirect>(index) == Indirect::kId) {
        id_ = static_cast<std::uint8_t>((value >> kIdShift) & kIdMask);
        return;
    }
    const unsigned first = static_cast<unsigned>(Indirect::kRedirectionFirst);
    if (index < first || index >= first + 2 * kPins) return;  // version, arbitration: read-only
    const unsigned pin = (index - first) / 2;
    std::uint64_t& e = entries_[pin];
    const std::uint64_t written = (index - first) % 2
                                      ? (e & 0xFFFF'FFFFull) | (std::uint64_t{value} << 32)
                                      : (e & ~0xFFFF'FFFFull) | value;
    e = (written & kWritable) | (e & kReadOnly);
    // Switching a pin to edge clears Remote IRR; Linux relies on it to clear a stuck entry on
    // I/O APICs without the EOI register (arch/x86/kernel/apic/io_apic.c, __eoi_ioapic_pin).
    if ((e & kLevel) == 0) e &= ~kRemoteIrr;
    sample_level(pin);
}

std::uint64_t Ioapic::mmio_read(std::uint64_t offset, std::uint8_t) {
    switch (static_cast<Direct>(offset)) {
        case Direct::kSelect:
            return select_;
        case Direct::kWindow:
            return read_register(select_);
        default:
            return 0;  // the EOI register is write-only
    }
}

void Ioapic::mmio_write(std::uint64_t offset, std::uint8_t, std::uint64_t value) {
    switch (static_cast<Direct>(offset)) {
        case Direct::kSelect:
            select_ = static_cast<std::uint8_t>(value);
            break;
        case Direct::kWindow:
            write_register(select_, static_cast<std::uint32_t>(value));
            break;
        case Direct::kEoi:
            eoi(static_cast<std::uint8_t>(value));  // bits 31:8 are ignored
            break;
        default:
            break;
    }
}

}  // namespace hv::vmm
