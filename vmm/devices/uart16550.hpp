#pragma once
// A guest-facing 16550A UART (COM1), modelled closely enough that Linux's 8250 driver identifies
// it as a 16550A (8250_port.c autoconfig()) and runs it interrupt-driven. Register layout and
// behaviour: National PC16550D datasheet (June 1995), table II (registers), table IV (interrupt
// priorities), sec. 8.6 (MCR and loopback), sec. 8.10 (FIFOs).
//
// Transmit: the transmitter is ideal; a byte written to THR leaves at once, so LSR always reads
// THRE|TEMT. Outside loopback, transmitted bytes are collected into lines and forwarded through
// VmControl::console_line. In loopback (MCR bit 4) they go to the receiver instead.
// Receive: only loopback feeds the receiver (a 16-byte FIFO, or a one-byte holding register when
// the FIFOs are off); nothing from the host reaches it yet.
//
// Interrupts: irq_line() is the level of the wire to the interrupt controller. On a PC the
// UART's INTR output is gated by the OUT2 pin (IBM PC/AT Technical Reference, asynchronous
// communications adapter), so the line is up only while an interrupt is pending and MCR.OUT2 is
// set, and never in loopback, which forces the OUT2 pin inactive (datasheet sec. 8.6). The VM
// samples irq_line() after each access and raises ISA IRQ 4 on a rising edge.
//
// Threading: no locking inside; the VM's platform lock (vmm/platform/virtual_platform.hpp)
// serialises the vCPUs and the hypercall console path.
#include <array>
#include <cstdint>

#include "vmm/devices/device.hpp"
#include "vmm/platform/guest_platform.hpp"

namespace hv::vmm {

class Uart16550 final : public PortDevice {
  public:
    static constexpr std::uint16_t kCom1Base = platform::kCom1Port;
    static constexpr std::uint16_t kPortCount = 8;
    static constexpr std::uint32_t kLineMax = 240;
    static constexpr std::uint32_t kFifoSize = 16;  // datasheet sec. 8.10

    explicit Uart16550(VmControl& vm) : vm_(vm) {}
    // Wider accesses act as consecutive byte accesses, as the ISA bus splits them.
    std::uint32_t port_read(std::uint16_t port, std::uint8_t size) override;
    void port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) override;
    // Flushes a partial line (the VM is stopping).
    void flush();
    // Level of the IRQ 4 wire: an interrupt is pending, MCR.OUT2 is set and loopback is off.
    [[nodiscard]] bool irq_line() const;

  private:
    std::uint8_t read_register(std::uint16_t offset);
    void write_register(std::uint16_t offset, std::uint8_t value);
    void write_ier(std::uint8_t value);
    void write_fcr(std::uint8_t value);
    void write_mcr(std::uint8_t value);
    void transmit(std::uint8_t byte);
    void receive(std::uint8_t byte);
    [[nodiscard]] std::uint8_t interrupt_id() const;
    [[nodiscard]] std::uint8_t modem_inputs() const;
    [[nodiscard]] bool fifo_enabled() const;
    void emit(char c);

    VmControl& vm_;
    char line_[kLineMax];
    std::uint32_t len_ = 0;

    std::array<std::uint8_t, kFifoSize> rx_{};
    std::uint8_t rx_head_ = 0, rx_count_ = 0;
    std::uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, fcr_ = 0, scratch_ = 0, dll_ = 1, dlm_ = 0;
    std::uint8_t lsr_errors_ = 0;  // OE/PE/FE/BI, cleared by reading LSR
    std::uint8_t msr_deltas_ = 0;  // MSR bits 3:0, cleared by reading MSR
    // The THRE interrupt condition: set when THR becomes empty, cleared by reading IIR while it
    // is the reported source (datasheet table IV).
    bool thre_pending_ = false;
};

}  // namespace hv::vmm
