#include "vmm/platform/virtual_platform.hpp"

namespace hv::vmm {
namespace {

using namespace platform;

bool in(std::uint64_t x, std::uint64_t base, std::uint64_t size) {
    return x >= base && x - base < size;
}

constexpr std::uint16_t kPitPortCount = 4;
constexpr std::uint16_t kPicPortCount = 2;
constexpr std::uint16_t kElcrPortCount = 2;

}  // namespace

VirtualPlatform::VirtualPlatform(VmControl& vm, ApicBus& bus, const Clock& clock,
                                 std::int64_t wall_clock_unix)
    : clock_(clock),
      uart_(vm),
      ports_(vm, clock),
      rtc_(clock, wall_clock_unix),
      pit_(clock),
      ioapic_(bus, 0) {}

void VirtualPlatform::reset(std::uint8_t ioapic_id, std::uint64_t ram_below_4g,
                            std::uint64_t ram_above_4g) {
    SpinGuard g(lock_);
    ioapic_.set_initial_id(ioapic_id);
    ports_.reset();
    pit_.reset();
    pic_.reset();
    ioapic_.reset();
    com1_line_ = rtc_line_ = false;
    rtc_.set_memory_size(ram_below_4g, ram_above_4g);
    deadline_.store(0, std::memory_order_release);
}

PortDevice* VirtualPlatform::port_device(std::uint16_t port) {
    if (in(port, kCom1Port, Uart16550::kPortCount)) return &uart_;
    if (PlatformPorts::claims(port)) return &ports_;
    if (in(port, kPitPort, kPitPortCount) || port == kSystemControlPortB) return &pit_;
    if (in(port, kPicMasterPort, kPicPortCount) || in(port, kPicSlavePort, kPicPortCount) ||
        in(port, kPicElcrPort, kElcrPortCount))
        return &pic_;
    if (in(port, kCmosPort, RtcCmos::kPortCount)) return &rtc_;
    if (in(port, kPciConfigAddressPort, PciHost::kPortCount)) return &pci_;
    return nullptr;
}

std::uint32_t VirtualPlatform::port_read(std::uint16_t port, std::uint8_t size) {
    SpinGuard g(lock_);
    PortDevice* dev = port_device(port);
    if (dev == nullptr) {
        // I/O BARs of assigned functions; their devices take the offset into the BAR.
        auto hit = port_regions_.find(port);
        if (!hit) return static_cast<std::uint32_t>(all_ones(size));
        return hit->device->port_read(static_cast<std::uint16_t>(hit->offset), size);
    }
    const std::uint32_t v = dev->port_read(port, size);
    // Only the UART and the RTC drive interrupt lines from register accesses.
    if (dev == &uart_) update_com1_line();
    if (dev == &rtc_) update_rtc_line();
    return v;
}

void VirtualPlatform::port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) {
    SpinGuard g(lock_);
    PortDevice* dev = port_device(port);
    if (dev == nullptr) {
        if (auto hit = port_regions_.find(port))
            hit->device->port_write(static_cast<std::uint16_t>(hit->offset), size, value);
        return;
    }
    dev->port_write(port, size, value);
    if (dev == &pit_) update_deadline(clock_.now());
    if (dev == &uart_) update_com1_line();
    if (dev == &rtc_) update_rtc_line();
}

bool VirtualPlatform::claims_mmio(std::uint64_t gpa) {
    if (in(gpa, kIoapicBase, kIoapicSize) || in(gpa, kEcamBase, kEcamSize)) return true;
    SpinGuard g(lock_);
    return mmio_regions_.find(gpa).has_value();
}

Result<void> VirtualPlatform::attach_pci(pci::Bdf bdf, PciFunction& function) {
    SpinGuard g(lock_);
    return pci_.attach(bdf, function);
}

void VirtualPlatform::detach_pci(pci::Bdf bdf) {
    SpinGuard g(lock_);
    pci_.detach(bdf);
}

std::uint64_t VirtualPlatform::mmio_read(std::uint64_t gpa, std::uint8_t size) {
    SpinGuard g(lock_);
    if (in(gpa, kIoapicBase, kIoapicSize)) return ioapic_.mmio_read(gpa - kIoapicBase, size);
    if (in(gpa, kEcamBase, kEcamSize)) return pci_.mmio_read(gpa - kEcamBase, size);
    if (auto hit = mmio_regions_.find(gpa)) return hit->device->mmio_read(hit->offset, size);
    return all_ones(size);
}

void VirtualPlatform::mmio_write(std::uint64_t gpa, std::uint8_t size, std::uint64_t value) {
    SpinGuard g(lock_);
    if (in(gpa, kIoapicBase, kIoapicSize)) {
        ioapic_.mmio_write(gpa - kIoapicBase, size, value);
        // Unmasking or reprogramming an entry may deliver a line that is already asserted.
        update_lines();
    } else if (in(gpa, kEcamBase, kEcamSize)) {
        pci_.mmio_write(gpa - kEcamBase, size, value);
    } else if (auto hit = mmio_regions_.find(gpa)) {
        hit->device->mmio_write(hit->offset, size, value);
    }
}

// The controllers see a change of level only; an unchanged line costs nothing (a polling guest
// reads the UART's status register in a tight loop).
void VirtualPlatform::update_com1_line() {
    const bool com1 = uart_.irq_line();
    if (com1 == com1_line_) return;
    com1_line_ = com1;
    ioapic_.set_irq(kIrqCom1, com1);
    pic_.set_irq(kIrqCom1, com1);
}

void VirtualPlatform::update_rtc_line() {
    const bool rtc = rtc_.irq_line();
    if (rtc == rtc_line_) return;
    rtc_line_ = rtc;
    ioapic_.set_irq(kIrqRtc, rtc);
    pic_.set_irq(kIrqRtc, rtc);
}

void VirtualPlatform::update_lines() {
    update_com1_line();
    update_rtc_line();
}

void VirtualPlatform::update_deadline(std::uint64_t now) {
    deadline_.store(pit_.next_irq0(now), std::memory_order_release);
}

void VirtualPlatform::tick(std::uint64_t now) {
    SpinGuard g(lock_);
    if (pit_.take_irq0_edges(now) != 0) {
        // One pulse on IRQ 0: the PIT's OUT0 rising edge (the I/O APIC sees it on pin 2).
        ioapic_.set_irq(kGsiPit, true);
        ioapic_.set_irq(kGsiPit, false);
        pic_.set_irq(kIrqPit, true);
        pic_.set_irq(kIrqPit, false);
    }
    update_deadline(now);
    update_lines();
}

void VirtualPlatform::level_eoi(std::uint8_t vector) {
    SpinGuard g(lock_);
    ioapic_.eoi(vector);
}

void VirtualPlatform::console_write(std::uint8_t byte) {
    SpinGuard g(lock_);
    uart_.port_write(kCom1Port, 1, byte);
    update_com1_line();
}

void VirtualPlatform::flush_console() {
    SpinGuard g(lock_);
    uart_.flush();
}

}  // namespace hv::vmm
