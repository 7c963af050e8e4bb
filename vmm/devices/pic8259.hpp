#pragma once
// The PC's two cascaded 8259A interrupt controllers (8259A datasheet): the master at ports
// 20h/21h takes IRQ 0-7, the slave at A0h/A1h takes IRQ 8-15 and feeds the master's IR2; the
// edge/level control registers (ELCR) sit at 4D0h/4D1h as on the PIIX and ICH south bridges.
//
// Inputs: set_irq() gives a line's level. Edge-mode lines latch a request in IRR on a rising
// edge and keep it until acknowledged (as QEMU and KVM do; a real 8259A also wants the line
// still high at INTA); level-mode lines (ELCR) request while high. IRR latches whether or not
// the IRQ is masked. IRQ 2 is the cascade and takes no device.
// Output: intr() is the master's INT pin; the VM injects the vector acknowledge() returns.
//
// After reset both chips are programmed as a PC BIOS leaves them (vectors 08h and 70h) with
// every IRQ masked (IMR FFh). Supported: ICW1-ICW4 (vector base, auto-EOI; ICW3 and single mode
// are accepted but the wiring is fixed), OCW1, OCW2 (EOI, specific EOI; the rotate forms act as
// the plain EOIs and "set priority" is ignored, so priority is always fixed, IRQ 0 highest),
// OCW3 (read IRR/ISR, poll). Not modelled: special mask mode, special fully nested mode, ICW1
// LTIM (the ELCR decides), 8080 mode.
//
// Threading: no locking inside. The VM serialises every call with its one platform lock.
#include <cstdint>

#include "vmm/devices/device.hpp"

namespace hv::vmm {

class Pic8259 final : public PortDevice {
  public:
    static constexpr unsigned kIrqs = 16;

    Pic8259() { reset(); }
    void reset();

    // Ports 20h, 21h, A0h, A1h, 4D0h, 4D1h; a wider access covers consecutive ports and reads
    // FFh for bytes that are none of these.
    std::uint32_t port_read(std::uint16_t port, std::uint8_t size) override;
    void port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) override;

    // Sets the level of ISA line `irq` (0-15); IRQ 2 and lines past 15 are ignored.
    void set_irq(unsigned irq, bool high);
    // The master's INT output: an unmasked request outranks everything in service.
    [[nodiscard]] bool intr() const;
    // The interrupt acknowledge cycle: the vector to inject. Moves the request from IRR to ISR
    // (not with auto-EOI) on the master and, for IR2, on the slave. With nothing pending it
    // returns the master's IRQ 7 vector and changes nothing (a spurious interrupt).
    std::uint8_t acknowledge();

  private:
    // One 8259A.
    struct Chip {
        enum class Init : std::uint8_t { kReady, kIcw2, kIcw3, kIcw4 };

        void reset(std::uint8_t vector_base);
        // `cascade`: the IRR bits that come from a slave's INT output (master only).
        [[nodiscard]] int pending(std::uint8_t cascade) const;
        void take(int irq);
        void set_input(unsigned line, bool high);
        void write_command(std::uint8_t value);
        void write_data(std::uint8_t value);
        std::uint8_t read_command(std::uint8_t cascade);

        std::uint8_t irr = 0, isr = 0, imr = 0xFF, elcr = 0;
        std::uint8_t edge_seen = 0;  // lines seen high since their last rising edge
        std::uint8_t vector_base = 0;
        Init init = Init::kReady;
        bool needs_icw4 = false, single = false, auto_eoi = false;
        bool read_isr = false, poll = false;
    };

    [[nodiscard]] std::uint8_t cascade() const;
    std::uint8_t read_byte(std::uint16_t port);
    void write_byte(std::uint16_t port, std::uint8_t value);

    Chip master_, slave_;
};

}  // namespace hv::vmm
