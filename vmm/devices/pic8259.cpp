#include "vmm/devices/pic8259.hpp"

#include <bit>

#include "vmm/platform/guest_platform.hpp"

namespace hv::vmm {
namespace {

// Command words (8259A datasheet, "Initialization Command Words" and "Operation Command Words").
// A command-port write with bit 4 set is ICW1; otherwise bit 3 tells OCW3 from OCW2.
constexpr std::uint8_t kIcw1 = 1u << 4;
constexpr std::uint8_t kIcw1NeedsIcw4 = 1u << 0;  // IC4
constexpr std::uint8_t kIcw1Single = 1u << 1;     // SNGL: no ICW3 follows
constexpr std::uint8_t kIcw2VectorMask = 0xF8;    // T7-T3; the IRQ number fills bits 2:0
constexpr std::uint8_t kIcw4AutoEoi = 1u << 1;    // AEOI
constexpr std::uint8_t kOcw3 = 1u << 3;
constexpr std::uint8_t kOcw3Poll = 1u << 2;     // P
constexpr std::uint8_t kOcw3ReadReg = 1u << 1;  // RR: bit 0 (RIS) selects IRR or ISR
constexpr std::uint8_t kOcw3ReadIsr = 1u << 0;  // RIS
constexpr std::uint8_t kPollRequest = 1u << 7;  // poll word: I, with the level in bits 2:0

// OCW2 bits 7:5 (R, SL, EOI). The rotating forms end the interrupt like the plain ones; we keep
// priority fixed. "Set priority" and the rotate-in-AEOI toggles change nothing.
enum class Ocw2 : std::uint8_t {
    kNonSpecificEoi = 1,
    kSpecificEoi = 3,
    kRotateNonSpecificEoi = 5,
    kRotateSpecificEoi = 7,
};
constexpr unsigned kOcw2CommandShift = 5;
constexpr std::uint8_t kLevelMask = 0x7;

constexpr unsigned kCascadeIrq = 2;  // the slave's INT drives the master's IR2 on every PC
constexpr int kSpuriousLevel = 7;    // with no request at INTA the 8259A answers with IR7

// IRQ 0, 1, 2, 8 and 13 are edge-only; their ELCR bits are reserved and read 0 (82371AB PIIX4
// datasheet, ELCR1/ELCR2 at 4D0h/4D1h).
constexpr std::uint8_t kMasterElcrMask = 0xF8;
constexpr std::uint8_t kSlaveElcrMask = 0xDE;

// What a PC BIOS programs (and Linux reprograms): IRQ 0-7 at 08h, IRQ 8-15 at 70h.
constexpr std::uint8_t kBiosMasterBase = 0x08;
constexpr std::uint8_t kBiosSlaveBase = 0x70;

constexpr std::uint16_t kMasterCommand = platform::kPicMasterPort;
constexpr std::uint16_t kMasterData = platform::kPicMasterPort + 1;
constexpr std::uint16_t kSlaveCommand = platform::kPicSlavePort;
constexpr std::uint16_t kSlaveData = platform::kPicSlavePort + 1;
constexpr std::uint16_t kMasterElcr = platform::kPicElcrPort;
constexpr std::uint16_t kSlaveElcr = platform::kPicElcrPort + 1;

}  // namespace

void Pic8259::Chip::reset(std::uint8_t base) {
    *this = Chip{};
    vector_base = base;
}

int Pic8259::Chip::pending(std::uint8_t cascade) const {
    const std::uint8_t requests = static_cast<std::uint8_t>((irr | cascade) & ~imr);
    if (requests == 0) return -1;
    // Fixed priority: the lowest line number wins and must outrank the highest in service.
    const int irq = std::countr_zero(requests);
    if (isr != 0 && irq >= std::countr_zero(isr)) return -1;
    return irq;
}

void Pic8259::Chip::take(int irq) {
    const std::uint8_t bit = static_cast<std::uint8_t>(1u << irq);
    if ((elcr & bit) == 0) irr &= static_cast<std::uint8_t>(~bit);  // a level line keeps asking
    if (!auto_eoi) isr |= bit;
}

void Pic8259::Chip::set_input(unsigned line, bool high) {
    const std::uint8_t bit = static_cast<std::uint8_t>(1u << line);
    if (elcr & bit) {
        irr = high ? (irr | bit) : (irr & ~bit);
    } else if (high && (edge_seen & bit) == 0) {
        irr |= bit;
    }
    edge_seen = high ? (edge_seen | bit) : (edge_seen & ~bit);
}

void Pic8259::Chip::write_command(std::uint8_t value) {
    if (value & kIcw1) {
        // ICW1 clears IMR and ISR, selects IRR for reading and re-arms the edge detectors
        // (8259A datasheet, "Initialization Command Words"). Level requests stay: their lines
        // are still high.
        imr = 0;
        isr = 0;
        irr &= elcr;
        edge_seen = 0;
        read_isr = false;
        poll = false;
        auto_eoi = false;
        needs_icw4 = (value & kIcw1NeedsIcw4) != 0;
        single = (value & kIcw1Single) != 0;
        init = Init::kIcw2;
        return;
    }
    if (value & kOcw3) {
        if (value & kOcw3Poll) poll = true;
        if (value & kOcw3ReadReg) read_isr = (value & kOcw3ReadIsr) != 0;
        return;
    }
    switch (static_cast<Ocw2>(value >> kOcw2CommandShift)) {
        case Ocw2::kNonSpecificEoi:
        case Ocw2::kRotateNonSpecificEoi:
            if (isr != 0) isr &= static_cast<std::uint8_t>(isr - 1);  // the highest in service
            break;
        case Ocw2::kSpecificEoi:
        case Ocw2::kRotateSpecificEoi:
            isr &= static_cast<std::uint8_t>(~(1u << (value & kLevelMask)));
            break;
        default:
            break;
    }
}

void Pic8259::Chip::write_data(std::uint8_t value) {
    switch (init) {
        case Init::kIcw2:
            vector_base = value & kIcw2VectorMask;
            init = !single ? Init::kIcw3 : needs_icw4 ? Init::kIcw4 : Init::kReady;
            break;
        case Init::kIcw3:  // the cascade wiring is fixed
            init = needs_icw4 ? Init::kIcw4 : Init::kReady;
            break;
        case Init::kIcw4:
            auto_eoi = (value & kIcw4AutoEoi) != 0;
            init = Init::kReady;
            break;
        case Init::kReady:
            imr = value;  // OCW1
            break;
    }
}

std::uint8_t Pic8259::Chip::read_command(std::uint8_t cascade) {
    if (poll) {
        // A poll read is an interrupt acknowledge (8259A datasheet, "The Poll Command").
        poll = false;
        const int irq = pending(cascade);
        if (irq < 0) return 0;
        take(irq);
        return static_cast<std::uint8_t>(kPollRequest | irq);
    }
    return read_isr ? isr : static_cast<std::uint8_t>(irr | cascade);
}

void Pic8259::reset() {
    master_.reset(kBiosMasterBase);
    slave_.reset(kBiosSlaveBase);
}

std::uint8_t Pic8259::cascade() const {
    return slave_.pending(0) >= 0 ? static_cast<std::uint8_t>(1u << kCascadeIrq) : 0;
}

void Pic8259::set_irq(unsigned irq, bool high) {
    if (irq >= kIrqs || irq == kCascadeIrq) return;
    (irq < 8 ? master_ : slave_).set_input(irq % 8, high);
}

bool Pic8259::intr() const { return master_.pending(cascade()) >= 0; }

std::uint8_t Pic8259::acknowledge() {
    const int irq = master_.pending(cascade());
    if (irq < 0) return static_cast<std::uint8_t>(master_.vector_base + kSpuriousLevel);
    master_.take(irq);
    if (irq != static_cast<int>(kCascadeIrq)) {
        return static_cast<std::uint8_t>(master_.vector_base + irq);
    }
    // The master chose IR2 only because the slave has a request, so this is never -1.
    const int slave_irq = slave_.pending(0);
    slave_.take(slave_irq);
    return static_cast<std::uint8_t>(slave_.vector_base + slave_irq);
}

std::uint8_t Pic8259::read_byte(std::uint16_t port) {
    switch (port) {
        case kMasterCommand:
            return master_.read_command(cascade());
        case kMasterData:
            return master_.imr;
        case kSlaveCommand:
            return slave_.read_command(0);
        case kSlaveData:
            return slave_.imr;
        case kMasterElcr:
            return master_.elcr;
        case kSlaveElcr:
            return slave_.elcr;
        default:
            return 0xFF;
    }
}

void Pic8259::write_byte(std::uint16_t port, std::uint8_t value) {
    switch (port) {
        case kMasterCommand:
            master_.write_command(value);
            break;
        case kMasterData:
            master_.write_data(value);
            break;
        case kSlaveCommand:
            slave_.write_command(value);
            break;
        case kSlaveData:
            slave_.write_data(value);
            break;
        case kMasterElcr:
            master_.elcr = value & kMasterElcrMask;
            break;
        case kSlaveElcr:
            slave_.elcr = value & kSlaveElcrMask;
            break;
        default:
            break;
    }
}

std::uint32_t Pic8259::port_read(std::uint16_t port, std::uint8_t size) {
    std::uint32_t value = 0;
    for (unsigned i = 0; i < size && i < 4; ++i) {
        value |= std::uint32_t{read_byte(static_cast<std::uint16_t>(port + i))} << (8 * i);
    }
    return value;
}

void Pic8259::port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) {
    for (unsigned i = 0; i < size && i < 4; ++i) {
        write_byte(static_cast<std::uint16_t>(port + i),
                   static_cast<std::uint8_t>(value >> (8 * i)));
    }
}

}  // namespace hv::vmm
