#pragma once
// 16550 UART, polled transmit only: the hypervisor console (COM1 by default).
#include <cstdint>

#include "kernel/lib/format.hpp"

namespace hv::drivers {

// Register offsets from the base port (PC16550D datasheet, table "Register summary").
enum class UartReg : std::uint16_t {
    kData = 0,             // THR/RBR, or DLL when LCR.DLAB=1
    kInterruptEnable = 1,  // IER, or DLM when LCR.DLAB=1
    kFifoControl = 2,      // FCR (write)
    kLineControl = 3,      // LCR
    kModemControl = 4,     // MCR
    kLineStatus = 5,       // LSR
};

inline constexpr std::uint16_t kCom1Port = 0x3F8;

class Uart16550 final : public Sink {
  public:
    explicit Uart16550(std::uint16_t base) : base_(base) {}
    // 115200 baud 8N1, FIFOs on, interrupts off.
    void init();
    // Polls the line-status register before every byte: Bochs drops bytes written while the
    // transmitter is busy.
    void put(char c) override;

  private:
    std::uint16_t base_;
};

}  // namespace hv::drivers
