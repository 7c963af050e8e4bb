#include "drivers/uart/uart16550.hpp"

#include "arch/x86/cpu/io.hpp"

namespace hv::drivers {
namespace {

constexpr std::uint8_t kLcrDlab = 0x80;         // divisor latch access
constexpr std::uint8_t kLcr8N1 = 0x03;          // 8 data bits, no parity, 1 stop bit
constexpr std::uint8_t kFcrEnableClear = 0x07;  // enable FIFOs, clear RX and TX
constexpr std::uint8_t kMcrDtrRtsOut2 = 0x0B;
constexpr std::uint8_t kLsrThrEmpty = 0x20;
constexpr std::uint16_t kDivisor115200 = 1;  // 1.8432 MHz / (16 * 115200)
constexpr int kMaxPolls = 100000;            // a missing UART must not hang the console

}  // namespace

void Uart16550::init() {
    auto reg = [this](UartReg r) {
        return static_cast<std::uint16_t>(base_ + static_cast<std::uint16_t>(r));
    };
    x86::outb(reg(UartReg::kInterruptEnable), 0);
    x86::outb(reg(UartReg::kLineControl), kLcrDlab);
    x86::outb(reg(UartReg::kData), kDivisor115200 & 0xFF);
    x86::outb(reg(UartReg::kInterruptEnable), kDivisor115200 >> 8);
    x86::outb(reg(UartReg::kLineControl), kLcr8N1);
    x86::outb(reg(UartReg::kFifoControl), kFcrEnableClear);
    x86::outb(reg(UartReg::kModemControl), kMcrDtrRtsOut2);
}

void Uart16550::put(char c) {
    const auto lsr =
        static_cast<std::uint16_t>(base_ + static_cast<std::uint16_t>(UartReg::kLineStatus));
    for (int i = 0; i < kMaxPolls && (x86::inb(lsr) & kLsrThrEmpty) == 0; ++i) {
        asm volatile("pause");
    }
    x86::outb(base_, static_cast<std::uint8_t>(c));
}

}  // namespace hv::drivers
