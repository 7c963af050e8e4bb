#include "vmm/devices/uart16550.hpp"

namespace hv::vmm {
namespace {

enum : std::uint16_t {
    kData = 0,
    kIer = 1,
    kIir = 2,
    kLcr = 3,
    kMcr = 4,
    kLsr = 5,
    kMsr = 6,
    kScratch = 7
};
constexpr std::uint8_t kLcrDlab = 0x80;
constexpr std::uint8_t kLsrThre = 0x20;  // transmit holding register empty
constexpr std::uint8_t kLsrTemt = 0x40;  // transmitter empty
constexpr std::uint8_t kIirNoInterrupt = 0x01;
constexpr std::uint8_t kMsrDcdDsrCts = 0xB0;  // carrier, data set ready, clear to send

}  // namespace

std::uint32_t Uart16550::port_read(std::uint16_t port, std::uint8_t) {
    SpinGuard g(lock_);
    const bool dlab = (lcr_ & kLcrDlab) != 0;
    switch (static_cast<std::uint16_t>(port - kCom1Base)) {
        case kData:
            return dlab ? dll_ : 0;
        case kIer:
            return dlab ? dlm_ : ier_;
        case kIir:
            return kIirNoInterrupt;
        case kLcr:
            return lcr_;
        case kMcr:
            return mcr_;
        case kLsr:
            return kLsrThre | kLsrTemt;
        case kMsr:
            return kMsrDcdDsrCts;
        case kScratch:
            return scratch_;
    }
    return 0xFF;
}

void Uart16550::port_write(std::uint16_t port, std::uint8_t, std::uint32_t value) {
    SpinGuard g(lock_);
    const auto v = static_cast<std::uint8_t>(value);
    const bool dlab = (lcr_ & kLcrDlab) != 0;
    switch (static_cast<std::uint16_t>(port - kCom1Base)) {
        case kData:
            if (dlab)
                dll_ = v;
            else
                emit(static_cast<char>(v));
            break;
        case kIer:
            if (dlab)
                dlm_ = v;
            else
                ier_ = v & 0x0F;
            break;
        case kLcr:
            lcr_ = v;
            break;
        case kMcr:
            mcr_ = v;
            break;
        case kScratch:
            scratch_ = v;
            break;
        default:
            break;  // FCR, LSR, MSR writes have no effect on an ideal transmitter
    }
}

void Uart16550::emit(char c) {
    if (c == '\r') return;
    if (c == '\n' || len_ == kLineMax) {
        vm_.console_line(line_, len_);
        len_ = 0;
        if (c == '\n') return;
    }
    // Keep the hypervisor console printable: control characters become '?'.
    line_[len_++] = (c >= 0x20 && c < 0x7F) || c == '\t' ? c : '?';
}

void Uart16550::flush() {
    SpinGuard g(lock_);
    if (len_ != 0) {
        vm_.console_line(line_, len_);
        len_ = 0;
    }
}

}  // namespace hv::vmm
