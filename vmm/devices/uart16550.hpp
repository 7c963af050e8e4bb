#pragma once
// A guest-facing 16550 UART (COM1): transmit-only console. Output is collected into lines and
// forwarded to the hypervisor console as `[NAME] text`. The transmitter is always empty (LSR
// THRE|TEMT), so polling guests never wait. Register layout: PC16550D datasheet, table 2.
#include <cstdint>

#include "kernel/spinlock.hpp"
#include "vmm/devices/device.hpp"

namespace hv::vmm {

class Uart16550 final : public PortDevice {
  public:
    static constexpr std::uint16_t kCom1Base = 0x3F8;
    static constexpr std::uint16_t kPortCount = 8;
    static constexpr std::uint32_t kLineMax = 240;

    explicit Uart16550(VmControl& vm) : vm_(vm) {}
    std::uint32_t port_read(std::uint16_t port, std::uint8_t size) override;
    void port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) override;
    // Flushes a partial line (the VM is stopping).
    void flush();

  private:
    void emit(char c);

    VmControl& vm_;
    SpinLock lock_;
    char line_[kLineMax];
    std::uint32_t len_ = 0;
    std::uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scratch_ = 0, dll_ = 1, dlm_ = 0;
};

}  // namespace hv::vmm
