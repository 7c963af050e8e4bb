#pragma once
// The fixed layout of the virtual PC every VM gets (docs/guest_abi.md "Platform"): where device
// registers sit in guest-physical and port space, and which interrupt lines the ISA devices use.
// The ACPI tables given to the guest describe exactly this; device models and the VM agree on it
// through these constants.
#include <cstdint>

namespace hv::vmm::platform {

// Guest-physical layout of [3 GiB, 4 GiB): RAM below 4 GiB never reaches past 3 GiB
// (vmm/loader/guest_layout.hpp).
inline constexpr std::uint64_t kPciMmio32Base = 0xC000'0000;  // 32-bit BARs of assigned devices
inline constexpr std::uint64_t kPciMmio32Size = 0x2000'0000;
// The 64-bit PCI window every VM's ACPI tables offer (for large BARs of assigned devices), above
// any guest RAM: 512 GiB to 768 GiB, inside the 40 physical-address bits guests are promised.
inline constexpr std::uint64_t kPciMmio64Base = 512ull << 30;
inline constexpr std::uint64_t kPciMmio64Size = 256ull << 30;
// I/O BARs of assigned devices: above the first 4 KiB of ports, where the ISA devices and this
// platform's own ports (PM1, PM timer, reset, COM1, PCI configuration) live, as PC firmware places
// them; the host bridge passes them on (dsdt.cpp).
inline constexpr std::uint64_t kPciIoBase = 0x1000;
inline constexpr std::uint64_t kPciIoSize = 0x1'0000 - kPciIoBase;
inline constexpr std::uint64_t kEcamBase = 0xE000'0000;  // PCIe ECAM (PCI Firmware spec 4.1.2)
inline constexpr std::uint8_t kEcamFirstBus = 0;
inline constexpr std::uint8_t kEcamLastBus = 0;  // one bus: 1 MiB of ECAM
inline constexpr std::uint64_t kEcamSize = (kEcamLastBus - kEcamFirstBus + 1ull) << 20;
inline constexpr std::uint64_t kIoapicBase = 0xFEC0'0000;
inline constexpr std::uint64_t kIoapicSize = 0x1000;
inline constexpr std::uint64_t kLapicBase = 0xFEE0'0000;

// ACPI tables live in the BIOS area [0xE0000, 0x100000), which the e820 map reports reserved and
// where a guest without boot_params.acpi_rsdp_addr finds the RSDP (ACPI 6.5 sec 5.2.5.1).
inline constexpr std::uint64_t kAcpiTablesBase = 0xE0000;
inline constexpr std::uint64_t kAcpiTablesSize = 0x20000;

// Fixed-hardware register blocks (ACPI 6.5 sec 4.8), all in port space.
inline constexpr std::uint16_t kPm1aEventPort = 0x600;  // PM1_STS + PM1_EN, 4 bytes
inline constexpr std::uint16_t kPm1aControlPort = 0x604;
inline constexpr std::uint16_t kPmTimerPort = 0x608;  // 24-bit, 3.579545 MHz
inline constexpr std::uint32_t kPmTimerHz = 3'579'545;
inline constexpr std::uint16_t kResetPort = 0xCF9;
inline constexpr std::uint8_t kResetValue = 0x06;  // reset CPU + system reset
inline constexpr std::uint8_t kS5SleepType = 5;

// Legacy ports.
inline constexpr std::uint16_t kPicMasterPort = 0x20;
inline constexpr std::uint16_t kPicSlavePort = 0xA0;
inline constexpr std::uint16_t kPicElcrPort = 0x4D0;  // two bytes: edge/level per IRQ
inline constexpr std::uint16_t kPitPort = 0x40;       // 0x40..0x43
inline constexpr std::uint16_t kSystemControlPortB = 0x61;
inline constexpr std::uint16_t kCmosPort = 0x70;         // index 0x70, data 0x71
inline constexpr std::uint8_t kCmosCenturyIndex = 0x32;  // named by the FADT's CENTURY field
inline constexpr std::uint16_t kCom1Port = 0x3F8;
inline constexpr std::uint16_t kPciConfigAddressPort = 0xCF8;
inline constexpr std::uint16_t kPciConfigDataPort = 0xCFC;
inline constexpr std::uint16_t kPostCodePort = 0x80;  // Linux's I/O delay port: writes ignored

// ISA interrupt lines and their global system interrupts (I/O APIC pins). The PIT's IRQ 0 is
// wired to pin 2, as on every PC, and the MADT says so with an interrupt source override.
inline constexpr std::uint8_t kIrqPit = 0;
inline constexpr std::uint8_t kGsiPit = 2;
inline constexpr std::uint8_t kIrqCom1 = 4;
inline constexpr std::uint8_t kIrqRtc = 8;
inline constexpr std::uint8_t kIrqSci = 9;  // ACPI SCI: level, active high (override in MADT)
inline constexpr std::uint8_t kIoapicPins = 24;

}  // namespace hv::vmm::platform
