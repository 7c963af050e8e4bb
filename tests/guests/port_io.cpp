// Port I/O of docs/guest_abi.md: the virtual UART's scratch register keeps what is written, its
// LSR reports an empty transmitter, and an unclaimed port reads as all ones at every width
// (writes to it are ignored). Options:
//   port=N    the unclaimed port to probe (default 0x2E0: no device on QEMU's pc or q35 either)
#include "runtime.hpp"

const char rt::kGuestName[] = "port_io";

namespace {

constexpr uint16_t kUartScratch = 0x3FF;
constexpr uint16_t kUartLsr = 0x3FD;
constexpr uint8_t kLsrThrEmpty = 1 << 5, kLsrTransmitterEmpty = 1 << 6;
constexpr uint16_t kDefaultUnclaimedPort = 0x2E0;

}  // namespace

void guest_main(uint32_t, const rt::MultibootInfo*) {
    bool scratch_ok = true;
    uint8_t bad_value = 0, bad_read = 0;
    constexpr uint8_t kValues[] = {0x5A, 0xA5, 0x00, 0xFF};
    for (uint8_t value : kValues) {
        rt::outb(kUartScratch, value);
        uint8_t read = rt::inb(kUartScratch);
        if (read != value && scratch_ok) {
            scratch_ok = false;
            bad_value = value;
            bad_read = read;
        }
    }
    rt::check(scratch_ok, "port_io.uart_scratch", "wrote 0x%x, read 0x%x", bad_value, bad_read);

    uint8_t lsr = rt::inb(kUartLsr);
    rt::check(
        (lsr & (kLsrThrEmpty | kLsrTransmitterEmpty)) == (kLsrThrEmpty | kLsrTransmitterEmpty),
        "port_io.uart_lsr_empty", "LSR=0x%x, expected THRE and TEMT (0x60) set", lsr);

    auto port = static_cast<uint16_t>(rt::cmdline_u64("port", kDefaultUnclaimedPort));
    rt::note("probing unclaimed port 0x%x", port);
    uint8_t b = rt::inb(port);
    rt::check(b == 0xFF, "port_io.unclaimed_inb", "port 0x%x read 0x%x", port, b);
    uint16_t w = rt::inw(port);
    rt::check(w == 0xFFFF, "port_io.unclaimed_inw", "port 0x%x read 0x%x", port, w);
    uint32_t l = rt::inl(port);
    rt::check(l == 0xFFFFFFFF, "port_io.unclaimed_inl", "port 0x%x read 0x%x", port, l);
    rt::outb(port, 0x12);
    rt::outw(port, 0x1234);
    rt::outl(port, 0x12345678);
    uint32_t after = rt::inl(port);
    rt::check(after == 0xFFFFFFFF, "port_io.unclaimed_write_ignored",
              "port 0x%x read 0x%x after writes", port, after);
}
