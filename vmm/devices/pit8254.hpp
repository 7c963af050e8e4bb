#pragma once
// The PC's 8254 programmable interval timer (8254 datasheet) at ports 40h-43h, and the timer
// bits of system control port B at 61h (NMI_SC in the ICH datasheets). Channel 0 drives IRQ 0,
// channel 1 is unused, channel 2 is gated by port 61h bit 0 and its OUT reads back in bit 5.
// Counts follow the Clock exactly (input 1.193182 MHz), which Linux's TSC calibration relies on
// (quick_pit_calibrate and pit_calibrate_tsc in arch/x86/kernel/tsc.c program channel 2 in mode
// 0 and time its MSB or OUT against the TSC).
//
// Approximations, none of which Linux depends on:
//  - A count is loaded the moment its last byte is written, not on the next input clock, and
//    a new count restarts the counter at once in every mode (in modes 2 and 3 a real 8254 waits
//    for the end of the current period). NULL COUNT reads 1 only until the count is complete.
//  - Modes 1 and 5 (hardware triggered) run as modes 0 and 4: they start when the count is
//    written and a low gate pauses them, as it does 0 and 4.
//  - BCD counting is not supported: the BCD bit is ignored, the counter counts in binary and its
//    status reports binary.
//  - A count of 1, illegal in mode 2 and meaningless in mode 3, runs as 2.
//  - Programming a control word does not itself make an IRQ 0 edge, even where OUT rises.
//  - Port 61h bit 4 (refresh) toggles on every read instead of every 15 us.
//
// IRQ 0: the VM arms a host timer for next_irq0() and, when it fires, calls take_irq0_edges()
// and raises IRQ 0 once if it returns 1.
//
// Threading: no locking inside. The VM serialises every call with its one platform lock.
#include <array>
#include <cstdint>

#include "vmm/devices/clock.hpp"
#include "vmm/devices/device.hpp"

namespace hv::vmm {

class Pit8254 final : public PortDevice {
  public:
    static constexpr std::uint64_t kInputHz = 1'193'182;

    explicit Pit8254(const Clock& clock) : clock_(clock) { reset(); }
    // Every channel unprogrammed (no IRQ 0 until the guest writes a mode and a count), port 61h
    // zero (channel 2 gated off).
    void reset();

    // Ports 40h-43h and 61h; a wider access covers consecutive ports and reads FFh for bytes
    // that are none of these. Port 43h is write-only and reads FFh.
    std::uint32_t port_read(std::uint16_t port, std::uint8_t size) override;
    void port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) override;

    // Clock tick of the next rising edge of OUT0 that take_irq0_edges() has not reported yet:
    // `now` if one is already due, 0 if none will come without the guest reprogramming
    // channel 0 (not programmed, or a one-shot mode past its edge).
    [[nodiscard]] std::uint64_t next_irq0(std::uint64_t now) const;
    // 1 if OUT0 rose since the last call, else 0. After a long gap a periodic channel reports one
    // edge, not all it missed, and the next edge is the first one after `now`.
    unsigned take_irq0_edges(std::uint64_t now);

  private:
    struct Channel {
        // Behaviour of the programmed mode (8254 datasheet, "Modes"), after the folding above.
        enum class Kind : std::uint8_t { kOneShot, kRate, kSquare, kStrobe };

        [[nodiscard]] Kind kind() const;
        [[nodiscard]] bool periodic() const {
            return kind() == Kind::kRate || kind() == Kind::kSquare;
        }
        // Initial count as a period: 1..65536, 2 for a periodic count of 1.
        [[nodiscard]] std::uint64_t period() const;
        [[nodiscard]] std::uint64_t elapsed(std::uint64_t now, std::uint64_t hz) const;
        [[nodiscard]] std::uint16_t count(std::uint64_t now, std::uint64_t hz) const;
        [[nodiscard]] bool out(std::uint64_t now, std::uint64_t hz) const;
        [[nodiscard]] std::uint8_t status(std::uint64_t now, std::uint64_t hz) const;
        void program(std::uint8_t control, std::uint64_t now, std::uint64_t hz);
        void latch_count(std::uint64_t now, std::uint64_t hz);
        void load(std::uint32_t value, std::uint64_t now);
        void write(std::uint8_t value, std::uint64_t now);
        std::uint8_t read(std::uint64_t now, std::uint64_t hz);
        void set_gate(bool high, std::uint64_t now, std::uint64_t hz);

        std::uint8_t mode = 0;    // control word bits 3:1 as written
        std::uint8_t access = 3;  // control word bits 5:4: 1 LSB, 2 MSB, 3 LSB then MSB
        std::uint32_t initial = 0x10000;
        bool counting = false;  // a complete count has been written since the control word
        bool gate = true;
        std::uint64_t start = 0;    // clock tick the current run began
        std::uint64_t carried = 0;  // input ticks counted before the gate paused the run
        std::uint16_t held = 0;     // what the counter reads while not counting
        std::uint8_t low_byte = 0;
        bool write_msb = false, read_msb = false;  // the write and read byte pointers
        bool count_latched = false, status_latched = false;
        std::uint16_t latched_count = 0;
        std::uint8_t latched_status = 0;
        std::uint64_t edges_taken = 0;  // channel 0: rising edges of this run reported so far
    };

    // Input tick (counted from the start of the run) of the first edge after `edges_taken`,
    // or 0 if there is none.
    [[nodiscard]] static std::uint64_t next_edge(const Channel& c);
    void write_control(std::uint8_t value, std::uint64_t now);

    const Clock& clock_;
    std::array<Channel, 3> channels_{};
    std::uint8_t port_b_ = 0;  // port 61h bits 3:0 as written
    bool refresh_ = false;
};

}  // namespace hv::vmm
