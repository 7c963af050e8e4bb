#pragma once
// Fixed ACPI Description Table (ACPI 6.5 sec 5.2.9): where the DSDT and the fixed-hardware
// registers (PM1 event/control, PM timer, reset) are.
//
// The table grew over the revisions: 116 bytes in ACPI 1.0, 244 with the 64-bit X_ fields
// (ACPI 2.0+, revisions 3 and 4), 268 with the sleep registers (revision 5), 276 with the
// hypervisor vendor ID (revision 6). As in ACPICA, the length decides which fields exist, not the
// revision, which firmware is known to get wrong. An X_ field is used when the table reaches it and
// it is non-zero; otherwise the 32-bit field is.
#include <cstddef>
#include <cstdint>

#include "drivers/acpi/gas.hpp"
#include "kernel/lib/bytes.hpp"
#include "kernel/lib/result.hpp"

namespace hv::acpi {

// ACPI 6.5 table 5.9 sizes of the successive layouts.
inline constexpr std::size_t kFadtV1Size = 116;
inline constexpr std::size_t kFadtV3Size = 244;
inline constexpr std::size_t kFadtV5Size = 268;

// ACPI 6.5 table 5.10, Fixed ACPI Description Table Fixed Feature Flags.
inline constexpr std::uint32_t kFadtTmrValExt = 1u << 8;
inline constexpr std::uint32_t kFadtResetRegSup = 1u << 10;
inline constexpr std::uint32_t kFadtHwReducedAcpi = 1u << 20;

// ACPI 6.5 table 5.11, IA-PC Boot Architecture Flags.
struct IapcBootArch {
    std::uint16_t raw;

    [[nodiscard]] constexpr bool legacy_devices() const { return (raw & (1u << 0)) != 0; }
    [[nodiscard]] constexpr bool has_8042() const { return (raw & (1u << 1)) != 0; }
    [[nodiscard]] constexpr bool vga_not_present() const { return (raw & (1u << 2)) != 0; }
    [[nodiscard]] constexpr bool msi_not_supported() const { return (raw & (1u << 3)) != 0; }
    [[nodiscard]] constexpr bool pcie_aspm_controls() const { return (raw & (1u << 4)) != 0; }
    [[nodiscard]] constexpr bool cmos_rtc_not_present() const { return (raw & (1u << 5)) != 0; }
};

struct Fadt {
    std::uint8_t revision;
    std::uint32_t length;
    std::uint8_t minor_version;  // 0 when the table is shorter than 132 bytes

    std::uint64_t firmware_ctrl;  // FACS; X_FIRMWARE_CTRL preferred
    std::uint64_t dsdt;           // X_DSDT preferred

    std::uint16_t sci_interrupt;
    std::uint32_t smi_command;  // port; 0 when ACPI mode cannot be switched (already on)
    std::uint8_t acpi_enable;   // value to write to smi_command
    std::uint8_t acpi_disable;

    // Absent (address 0) when neither the X_ nor the 32-bit field names the block. A 32-bit field
    // becomes an I/O-space Gas as wide as the table's *_LEN says.
    Gas pm1a_event;
    Gas pm1b_event;
    Gas pm1a_control;
    Gas pm1b_control;
    Gas pm_timer;
    std::uint8_t pm1_event_length;
    std::uint8_t pm1_control_length;
    std::uint8_t pm_timer_length;  // 4 when the timer exists

    std::uint32_t flags;
    // Zero when the table is 132 bytes or shorter: ACPI 1.0 reserved these bytes and ACPICA
    // clears them because old firmware left garbage there.
    IapcBootArch boot_arch;

    Gas reset_register;  // absent when the table is shorter than 129 bytes
    std::uint8_t reset_value;

    Gas sleep_control;  // revision 5+, for hardware-reduced platforms; absent otherwise
    Gas sleep_status;

    [[nodiscard]] constexpr bool timer_32bit() const { return (flags & kFadtTmrValExt) != 0; }
    [[nodiscard]] constexpr bool reset_reg_supported() const {
        return (flags & kFadtResetRegSup) != 0;
    }
    [[nodiscard]] constexpr bool hw_reduced() const { return (flags & kFadtHwReducedAcpi) != 0; }
    // The reset register may be used: the flag is set and the register is named.
    [[nodiscard]] constexpr bool can_reset() const {
        return reset_reg_supported() && reset_register.present();
    }
};

// Parses a whole FADT (signature "FACP", checksum checked, at least 116 bytes).
[[nodiscard]] Result<Fadt> parse_fadt(Bytes table);

}  // namespace hv::acpi
