#pragma once
// The guest's I/O APIC: the 82093AA register file (82093AA datasheet sec. 3) in its version-20h
// form, which adds the EOI register at offset 40h (ICH2 datasheet 9.5.5), with 24 pins at
// platform::kIoapicBase. Devices drive its pins with set_irq(); each interrupt leaves as one
// ApicMessage on the VM's ApicBus with source kSourceDevice.
//
// Pins take electrical levels: an entry's polarity bit says which level is "asserted". A device
// behind an active-low pin drives it high while idle. Edge pins interrupt when the asserted
// state goes 0 -> 1 while unmasked; an edge that arrives masked is lost, as on hardware.
// Level pins interrupt while asserted and Remote IRR is clear, and set Remote IRR; an EOI for
// the entry's vector (a local APIC's broadcast through eoi(), or the EOI register) clears it and
// resends if the line is still asserted. Unmasking an asserted level pin sends at once.
//
// Delivery is synchronous, so Delivery Status always reads 0. Reserved delivery modes (011b,
// 110b) send nothing. Reserved bits 55:17 of an entry read as 0.
//
// Threading: no locking inside. The VM serialises every call (MMIO, set_irq, eoi) with its one
// platform lock. ApicBus::deliver runs under that lock and must not call back into this object.
#include <array>
#include <cstdint>

#include "vmm/devices/apic_message.hpp"
#include "vmm/devices/device.hpp"
#include "vmm/platform/guest_platform.hpp"

namespace hv::vmm {

class Ioapic final : public MmioDevice {
  public:
    static constexpr unsigned kPins = platform::kIoapicPins;

    // `id` is the I/O APIC ID the MADT reports (4 bits; higher bits are dropped).
    Ioapic(ApicBus& bus, std::uint8_t id);
    // The ID reset() restores (the VM's vCPU count is known only when it is built).
    void set_initial_id(std::uint8_t id);

    // Power-on state: every entry masked, edge, active high, vector 0; the initial ID (from the
    // constructor or set_initial_id). Pin levels are the devices' and stay as they are.
    void reset();

    std::uint64_t mmio_read(std::uint64_t offset, std::uint8_t size) override;
    void mmio_write(std::uint64_t offset, std::uint8_t size, std::uint64_t value) override;

    // Sets the electrical level of `pin`; pins past kPins are ignored.
    void set_irq(unsigned pin, bool high);
    // End of interrupt for `vector`: clears Remote IRR of the entries with that vector and
    // resends the ones whose line is still asserted.
    void eoi(std::uint8_t vector);

  private:
    [[nodiscard]] bool asserted(unsigned pin) const;
    // Sends `pin`'s interrupt; false if its delivery mode is reserved.
    bool send(unsigned pin);
    // A level pin that is asserted, unmasked and without Remote IRR interrupts now.
    void sample_level(unsigned pin);
    [[nodiscard]] std::uint32_t read_register(std::uint8_t index) const;
    void write_register(std::uint8_t index, std::uint32_t value);

    ApicBus& bus_;
    std::uint8_t initial_id_;
    std::uint8_t id_ = 0;
    std::uint8_t select_ = 0;  // IOREGSEL
    std::array<std::uint64_t, kPins> entries_{};
    std::uint32_t lines_ = 0;  // bit n: pin n is electrically high
};

}  // namespace hv::vmm
