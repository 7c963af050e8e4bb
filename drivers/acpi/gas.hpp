#pragma once
// Generic Address Structure (ACPI 6.5 sec 5.2.3.2): how the FADT and other tables name a register
// that may live in I/O space, memory or PCI configuration space.
#include <cstddef>
#include <cstdint>

#include "kernel/lib/bytes.hpp"
#include "kernel/lib/optional.hpp"

namespace hv::acpi {

// ACPI 6.5 table 5.2, Address Space ID.
enum class AddressSpace : std::uint8_t {
    kSystemMemory = 0x00,
    kSystemIo = 0x01,
    kPciConfig = 0x02,
    kEmbeddedController = 0x03,
    kSmbus = 0x04,
    kSystemCmos = 0x05,
    kPciBarTarget = 0x06,
    kIpmi = 0x07,
    kGpio = 0x08,
    kGenericSerialBus = 0x09,
    kPlatformCommChannel = 0x0A,
    kPlatformRuntimeMechanism = 0x0B,
    kFunctionalFixedHardware = 0x7F,
};

// ACPI 6.5 table 5.2, Access Size.
enum class AccessSize : std::uint8_t {
    kUndefined = 0,  // legacy: the register's bit width decides
    kByte = 1,
    kWord = 2,
    kDword = 3,
    kQword = 4,
};

// ACPI 6.5 table 5.2: the structure is 12 bytes in every table that embeds it.
inline constexpr std::size_t kGasSize = 12;

struct Gas {
    AddressSpace space = AddressSpace::kSystemMemory;
    std::uint8_t bit_width = 0;
    std::uint8_t bit_offset = 0;
    AccessSize access_size = AccessSize::kUndefined;
    std::uint64_t address = 0;

    // Firmware marks an absent register with a zero address (ACPI 6.5 sec 5.2.9, FADT X_ fields).
    [[nodiscard]] constexpr bool present() const { return address != 0; }
    friend constexpr bool operator==(const Gas&, const Gas&) = default;
};

// The 12 bytes at `offset`; kNone if they are not all inside `bytes`.
[[nodiscard]] Optional<Gas> parse_gas(Bytes bytes, std::size_t offset);

// A register given as a bare I/O port (the ACPI 1.0 FADT blocks), `length` bytes wide; an absent
// (address 0) Gas when `port` is 0.
[[nodiscard]] constexpr Gas io_port_gas(std::uint32_t port, std::uint8_t length) {
    if (port == 0) return Gas{};
    return Gas{AddressSpace::kSystemIo, static_cast<std::uint8_t>(length * 8), 0,
               AccessSize::kUndefined, port};
}

// The port of a present register in I/O space that fits the 16-bit port range, else kNone.
[[nodiscard]] constexpr Optional<std::uint16_t> io_port(const Gas& gas) {
    if (gas.space != AddressSpace::kSystemIo || !gas.present() || gas.address > 0xFFFF) {
        return kNone;
    }
    return static_cast<std::uint16_t>(gas.address);
}

}  // namespace hv::acpi
