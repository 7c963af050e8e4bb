#include "vmm/devices/uart16550.hpp"

namespace hv::vmm {
namespace {

// Register offsets from the base port (PC16550D table II). DLAB (LCR bit 7) turns offsets 0 and 1
// into the divisor latch; offset 2 reads IIR and writes FCR regardless of DLAB.
enum class Reg : std::uint16_t {
    kData = 0,  // RBR (read) / THR (write); DLL with DLAB
    kIer = 1,   // DLM with DLAB
    kIirFcr = 2,
    kLcr = 3,
    kMcr = 4,
    kLsr = 5,
    kMsr = 6,
    kScratch = 7,
};

// IER (datasheet sec. 8.5): bits 7:4 are always zero.
constexpr std::uint8_t kIerRxData = 1u << 0;       // ERBFI
constexpr std::uint8_t kIerThre = 1u << 1;         // ETBEI
constexpr std::uint8_t kIerLineStatus = 1u << 2;   // ELSI
constexpr std::uint8_t kIerModemStatus = 1u << 3;  // EDSSI
constexpr std::uint8_t kIerMask = 0x0F;

// IIR interrupt identification, highest priority first (datasheet table IV). Bits 7:6 read 11b
// while the FIFOs are enabled, which is what tells a 16550A from a 16450 or a buggy 16550.
constexpr std::uint8_t kIirNone = 0x01;
constexpr std::uint8_t kIirLineStatus = 0x06;
constexpr std::uint8_t kIirRxData = 0x04;
constexpr std::uint8_t kIirRxTimeout = 0x0C;
constexpr std::uint8_t kIirThre = 0x02;
constexpr std::uint8_t kIirModemStatus = 0x00;
constexpr std::uint8_t kIirFifosEnabled = 0xC0;

// FCR (datasheet sec. 8.4). The other bits are programmed only together with kFcrEnable.
constexpr std::uint8_t kFcrEnable = 1u << 0;
constexpr std::uint8_t kFcrClearRx = 1u << 1;
constexpr std::uint8_t kFcrTriggerShift = 6;
constexpr std::uint8_t kFcrStoredMask = 0xC1;  // trigger level and enable; no DMA here
// Receiver FIFO trigger levels selected by FCR bits 7:6.
constexpr std::array<std::uint8_t, 4> kRxTrigger = {1, 4, 8, 14};

constexpr std::uint8_t kLcrDlab = 1u << 7;

// MCR (datasheet sec. 8.6): bits 7:5 are always zero.
constexpr std::uint8_t kMcrDtr = 1u << 0;
constexpr std::uint8_t kMcrRts = 1u << 1;
constexpr std::uint8_t kMcrOut1 = 1u << 2;
constexpr std::uint8_t kMcrOut2 = 1u << 3;
constexpr std::uint8_t kMcrLoop = 1u << 4;
constexpr std::uint8_t kMcrMask = 0x1F;

// LSR (datasheet sec. 8.7).
constexpr std::uint8_t kLsrDataReady = 1u << 0;
constexpr std::uint8_t kLsrOverrun = 1u << 1;
constexpr std::uint8_t kLsrErrors = 0x1E;  // OE, PE, FE, BI: the receiver line status sources
constexpr std::uint8_t kLsrThre = 1u << 5;
constexpr std::uint8_t kLsrTemt = 1u << 6;

// MSR (datasheet sec. 8.8): inputs in bits 7:4, their change flags in bits 3:0.
constexpr std::uint8_t kMsrCts = 1u << 4;
constexpr std::uint8_t kMsrDsr = 1u << 5;
constexpr std::uint8_t kMsrRi = 1u << 6;
constexpr std::uint8_t kMsrDcd = 1u << 7;
constexpr std::uint8_t kMsrDeltaCts = 1u << 0;
constexpr std::uint8_t kMsrDeltaDsr = 1u << 1;
constexpr std::uint8_t kMsrTrailingRi = 1u << 2;
constexpr std::uint8_t kMsrDeltaDcd = 1u << 3;
// Outside loopback the line looks like a connected, ready peer, so guests using hardware flow
// control never stall: carrier, data set ready, clear to send.
constexpr std::uint8_t kMsrConnected = kMsrDcd | kMsrDsr | kMsrCts;

constexpr std::uint32_t kByteBits = 8;

}  // namespace

std::uint32_t Uart16550::port_read(std::uint16_t port, std::uint8_t size) {
    std::uint32_t value = 0;
    for (std::uint8_t i = 0; i < size; ++i) {
        const auto offset = static_cast<std::uint16_t>(port + i - kCom1Base);
        const std::uint8_t byte = offset < kPortCount ? read_register(offset) : 0xFF;
        value |= static_cast<std::uint32_t>(byte) << (i * kByteBits);
    }
    return value;
}

void Uart16550::port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) {
    for (std::uint8_t i = 0; i < size; ++i) {
        const auto offset = static_cast<std::uint16_t>(port + i - kCom1Base);
        if (offset < kPortCount)
            write_register(offset, static_cast<std::uint8_t>(value >> (i * kByteBits)));
    }
}

bool Uart16550::irq_line() const {
    return (mcr_ & (kMcrOut2 | kMcrLoop)) == kMcrOut2 && interrupt_id() != kIirNone;
}

void Uart16550::flush() {
    if (len_ != 0) {
        vm_.console_line(line_, len_);
        len_ = 0;
    }
}

std::uint8_t Uart16550::read_register(std::uint16_t offset) {
    const bool dlab = (lcr_ & kLcrDlab) != 0;
    switch (static_cast<Reg>(offset)) {
        case Reg::kData: {
            if (dlab) return dll_;
            if (rx_count_ == 0) return 0;
            const std::uint8_t byte = rx_[rx_head_];
            rx_head_ = static_cast<std::uint8_t>((rx_head_ + 1) % kFifoSize);
            --rx_count_;
            return byte;
        }
        case Reg::kIer:
            return dlab ? dlm_ : ier_;
        case Reg::kIirFcr: {
            const std::uint8_t id = interrupt_id();
            // Reading IIR acknowledges a THRE interrupt, but only when IIR names it.
            if (id == kIirThre) thre_pending_ = false;
            return static_cast<std::uint8_t>(id | (fifo_enabled() ? kIirFifosEnabled : 0));
        }
        case Reg::kLcr:
            return lcr_;
        case Reg::kMcr:
            return mcr_;
        case Reg::kLsr: {
            const auto lsr = static_cast<std::uint8_t>((rx_count_ != 0 ? kLsrDataReady : 0) |
                                                       lsr_errors_ | kLsrThre | kLsrTemt);
            lsr_errors_ = 0;
            return lsr;
        }
        case Reg::kMsr: {
            const auto msr = static_cast<std::uint8_t>(modem_inputs() | msr_deltas_);
            msr_deltas_ = 0;
            return msr;
        }
        case Reg::kScratch:
            return scratch_;
    }
    return 0xFF;
}

void Uart16550::write_register(std::uint16_t offset, std::uint8_t value) {
    const bool dlab = (lcr_ & kLcrDlab) != 0;
    switch (static_cast<Reg>(offset)) {
        case Reg::kData:
            if (dlab)
                dll_ = value;
            else
                transmit(value);
            break;
        case Reg::kIer:
            if (dlab)
                dlm_ = value;
            else
                write_ier(value);
            break;
        case Reg::kIirFcr:
            write_fcr(value);
            break;
        case Reg::kLcr:
            lcr_ = value;
            break;
        case Reg::kMcr:
            write_mcr(value);
            break;
        case Reg::kScratch:
            scratch_ = value;
            break;
        case Reg::kLsr:
        case Reg::kMsr:
            break;  // factory-test writes (datasheet sec. 8.7 note): ignored
    }
}

void Uart16550::write_ier(std::uint8_t value) {
    const auto enabled = static_cast<std::uint8_t>(value & ~ier_);
    ier_ = value & kIerMask;
    // Enabling ETBEI while THR is empty (always, here) raises THRE at once: Linux's
    // serial8250_startup() checks exactly this, twice, to find UARTs that fail to.
    if (enabled & kIerThre) thre_pending_ = true;
}

void Uart16550::write_fcr(std::uint8_t value) {
    // Changing FCR0 empties both FIFOs (datasheet sec. 8.4, bit 0).
    if ((value ^ fcr_) & kFcrEnable) rx_count_ = 0;
    if (!(value & kFcrEnable)) {
        fcr_ = 0;
        return;
    }
    if (value & kFcrClearRx) rx_count_ = 0;
    fcr_ = value & kFcrStoredMask;
}

void Uart16550::write_mcr(std::uint8_t value) {
    const std::uint8_t before = modem_inputs();
    mcr_ = value & kMcrMask;
    const std::uint8_t after = modem_inputs();
    const auto changed = static_cast<std::uint8_t>(before ^ after);
    // Each input change latches its delta bit; RI only on its trailing (1 -> 0) edge.
    if (changed & kMsrCts) msr_deltas_ |= kMsrDeltaCts;
    if (changed & kMsrDsr) msr_deltas_ |= kMsrDeltaDsr;
    if ((before & kMsrRi) && !(after & kMsrRi)) msr_deltas_ |= kMsrTrailingRi;
    if (changed & kMsrDcd) msr_deltas_ |= kMsrDeltaDcd;
}

void Uart16550::transmit(std::uint8_t byte) {
    if (mcr_ & kMcrLoop)
        receive(byte);
    else
        emit(static_cast<char>(byte));
    // The ideal transmitter empties THR at once, so writing THR both clears the THRE interrupt
    // and raises it again.
    thre_pending_ = true;
}

void Uart16550::receive(std::uint8_t byte) {
    const std::uint32_t capacity = fifo_enabled() ? kFifoSize : 1;
    if (rx_count_ == capacity) {
        lsr_errors_ |= kLsrOverrun;
        // A full FIFO keeps its contents and loses the new byte; a 16450-mode holding register
        // is overwritten by it (datasheet sec. 8.7, bit 1).
        if (fifo_enabled()) return;
        rx_count_ = 0;
    }
    rx_[(rx_head_ + rx_count_) % kFifoSize] = byte;
    ++rx_count_;
}

std::uint8_t Uart16550::interrupt_id() const {
    if ((ier_ & kIerLineStatus) && (lsr_errors_ & kLsrErrors)) return kIirLineStatus;
    if ((ier_ & kIerRxData) && rx_count_ != 0) {
        if (!fifo_enabled()) return kIirRxData;
        const std::uint8_t trigger = kRxTrigger[fcr_ >> kFcrTriggerShift];
        // Below the trigger level a real FIFO reports a timeout after four character times of
        // silence; with no time base we report it at once.
        return rx_count_ >= trigger ? kIirRxData : kIirRxTimeout;
    }
    if ((ier_ & kIerThre) && thre_pending_) return kIirThre;
    if ((ier_ & kIerModemStatus) && msr_deltas_ != 0) return kIirModemStatus;
    return kIirNone;
}

std::uint8_t Uart16550::modem_inputs() const {
    if (!(mcr_ & kMcrLoop)) return kMsrConnected;
    // Loopback wires the outputs to the inputs: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD
    // (datasheet sec. 8.6, bit 4).
    std::uint8_t inputs = 0;
    if (mcr_ & kMcrDtr) inputs |= kMsrDsr;
    if (mcr_ & kMcrRts) inputs |= kMsrCts;
    if (mcr_ & kMcrOut1) inputs |= kMsrRi;
    if (mcr_ & kMcrOut2) inputs |= kMsrDcd;
    return inputs;
}

bool Uart16550::fifo_enabled() const { return (fcr_ & kFcrEnable) != 0; }

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

}  // namespace hv::vmm
