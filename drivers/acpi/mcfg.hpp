#pragma once
// PCI Express memory-mapped configuration space base address table, "MCFG" (PCI Firmware
// Specification 3.2 sec 4.1.2): one ECAM window per PCI segment and bus range.
#include <cstddef>
#include <cstdint>

#include "drivers/acpi/fixed_list.hpp"
#include "kernel/lib/bytes.hpp"
#include "kernel/lib/result.hpp"

namespace hv::acpi {

inline constexpr std::size_t kMaxEcamWindows = 16;

struct EcamWindow {
    std::uint64_t base;  // address of bus 0's configuration space, even when start_bus > 0
    std::uint16_t segment;
    std::uint8_t start_bus;
    std::uint8_t end_bus;
};

struct Mcfg {
    FixedList<EcamWindow, kMaxEcamWindows> windows;
};

// Parses a whole MCFG (signature "MCFG", checksum checked). Errors on a partial trailing entry,
// an end bus below its start bus, and more windows than kMaxEcamWindows (kTooMany).
[[nodiscard]] Result<Mcfg> parse_mcfg(Bytes table);

}  // namespace hv::acpi
