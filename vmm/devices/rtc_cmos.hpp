#pragma once
// The guest's real-time clock and CMOS RAM: a Motorola MC146818A behind the PC's index/data port
// pair (0x70 selects a register, bit 7 being the chipset's NMI mask, which we ignore; 0x71 reads
// and writes it). Register map and semantics: MC146818A datasheet, "Address map" and
// "Registers A-D"; how Linux drives it: arch/x86/kernel/rtc.c, drivers/rtc/rtc-mc146818-lib.c.
//
// Time: wall-clock seconds = the start time + whole seconds elapsed on `clock` since the last
// time the guest set it. Time registers honour register B's data mode (BCD or binary) and 12/24-
// hour mode on every read; the century lives at 0x32 (IBM PC/AT convention, named by the ACPI
// FADT CENTURY field). While register B's SET bit is on or the divider chain is held in reset
// (register A DV = 11x) the clock stands still and the time registers are plain bytes the guest
// rewrites; when it restarts, those bytes become the new time.
//
// Interrupts (best effort): PF, AF and UF in register C are computed lazily from the clock
// whenever register C or irq_line() is consulted, as if the chip had set them on time. irq_line()
// is the level of IRQ 8 (IRQF); nothing here wakes the VM at the next flag, so a VM that wants
// timely periodic or update interrupts polls irq_line() from a timer of its own.
//
// Approximations: the day-of-week register is derived from the date (writes to it last only
// while the clock is stopped); the first update after a restart comes a whole second later, not
// half a second; time bases other than 32.768 kHz (DV != 010) still run at the normal rate.
//
// Threading: none; the VM serialises accesses with its platform lock. `clock` must outlive this.
#include <array>
#include <cstdint>

#include "vmm/devices/clock.hpp"
#include "vmm/devices/device.hpp"
#include "vmm/platform/guest_platform.hpp"

namespace hv::vmm {

class RtcCmos final : public PortDevice {
  public:
    static constexpr std::uint16_t kIndexPort = platform::kCmosPort;
    static constexpr std::uint16_t kDataPort = platform::kCmosPort + 1;
    static constexpr std::uint16_t kPortCount = 2;
    static constexpr std::uint32_t kRamSize = 128;  // registers included

    // `start_unix_seconds` is the wall-clock time at the moment `clock` reads now().
    RtcCmos(const Clock& clock, std::int64_t start_unix_seconds);

    // Fills the memory-size bytes a PC BIOS leaves in CMOS for the guest's RAM, split at 4 GiB,
    // and the standard checksum over 0x10-0x2D.
    void set_memory_size(std::uint64_t below_4g_bytes, std::uint64_t above_4g_bytes);

    // Wider accesses act as consecutive byte accesses, as the ISA bus splits them.
    std::uint32_t port_read(std::uint16_t port, std::uint8_t size) override;
    void port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value) override;

    // Level of IRQ 8: register C's IRQF (a flag raised whose enable bit in register B is set).
    [[nodiscard]] bool irq_line() const;

  private:
    std::uint8_t read_register(std::uint8_t index);
    void write_register(std::uint8_t index, std::uint8_t value);
    void write_time(std::uint8_t index, std::uint8_t value);
    void write_control(std::uint8_t index, std::uint8_t value);
    [[nodiscard]] std::uint8_t read_time(std::uint8_t index) const;
    [[nodiscard]] std::uint8_t read_status_a() const;
    [[nodiscard]] std::uint8_t read_and_clear_flags();

    [[nodiscard]] bool running() const;
    [[nodiscard]] std::int64_t seconds_at(std::uint64_t ticks) const;
    void freeze(std::int64_t seconds);
    void restart(std::uint64_t ticks);

    [[nodiscard]] std::uint8_t flags_at(std::uint64_t ticks) const;
    void sync_flags(std::uint64_t ticks);
    [[nodiscard]] bool alarm_between(std::int64_t after, std::int64_t until) const;

    [[nodiscard]] std::uint8_t encode(unsigned value) const;
    [[nodiscard]] unsigned decode(std::uint8_t value) const;
    [[nodiscard]] std::uint8_t encode_hours(unsigned hour) const;
    [[nodiscard]] unsigned decode_hours(std::uint8_t value) const;

    const Clock& clock_;
    std::array<std::uint8_t, kRamSize> ram_{};
    std::uint8_t index_ = 0;
    // While running: the wall clock read base_seconds_ at clock tick base_ticks_.
    std::int64_t base_seconds_;
    std::uint64_t base_ticks_;
    // Register C flags as of flags_ticks_; later ones are derived on demand.
    std::uint8_t flags_ = 0;
    std::uint64_t flags_ticks_;
};

}  // namespace hv::vmm
