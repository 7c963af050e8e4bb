#pragma once
// Bdf: the address of one PCI function (segment, bus, device, function).
//
// Packed into one word as segment[31:16] bus[15:8] device[7:3] function[2:0], so the low half is
// the routing ID (requester ID) of PCIe Base 5.0 sec 2.2.6.2 and comparing the packed words
// orders functions by segment, then bus, device and function.
#include <cstdint>

#include "kernel/lib/format.hpp"
#include "kernel/lib/result.hpp"
#include "kernel/lib/str.hpp"

namespace hv::pci {

// PCI Local Bus 3.0 sec 3.2.2.3.2: 5 device bits and 3 function bits per bus.
inline constexpr std::uint8_t kMaxDevice = 31;
inline constexpr std::uint8_t kMaxFunction = 7;

class Bdf {
  public:
    constexpr Bdf() = default;
    // Device bits above 4 and function bits above 2 are dropped; parse_bdf() is the checked way
    // in from untrusted text.
    constexpr Bdf(std::uint16_t segment, std::uint8_t bus, std::uint8_t device,
                  std::uint8_t function)
        : raw_(static_cast<std::uint32_t>(segment) << 16 | static_cast<std::uint32_t>(bus) << 8 |
               static_cast<std::uint32_t>(device & kMaxDevice) << 3 |
               static_cast<std::uint32_t>(function & kMaxFunction)) {}

    [[nodiscard]] static constexpr Bdf from_routing_id(std::uint16_t segment,
                                                       std::uint16_t routing_id) {
        Bdf b;
        b.raw_ = static_cast<std::uint32_t>(segment) << 16 | routing_id;
        return b;
    }

    [[nodiscard]] constexpr std::uint16_t segment() const {
        return static_cast<std::uint16_t>(raw_ >> 16);
    }
    [[nodiscard]] constexpr std::uint8_t bus() const {
        return static_cast<std::uint8_t>(raw_ >> 8);
    }
    [[nodiscard]] constexpr std::uint8_t device() const {
        return static_cast<std::uint8_t>((raw_ >> 3) & kMaxDevice);
    }
    [[nodiscard]] constexpr std::uint8_t function() const {
        return static_cast<std::uint8_t>(raw_ & kMaxFunction);
    }
    // bus << 8 | device << 3 | function: what an IOMMU indexes its context tables with.
    [[nodiscard]] constexpr std::uint16_t routing_id() const {
        return static_cast<std::uint16_t>(raw_);
    }

    friend constexpr bool operator==(Bdf a, Bdf b) { return a.raw_ == b.raw_; }
    friend constexpr bool operator<(Bdf a, Bdf b) { return a.raw_ < b.raw_; }
    friend constexpr bool operator>(Bdf a, Bdf b) { return b < a; }
    friend constexpr bool operator<=(Bdf a, Bdf b) { return !(b < a); }
    friend constexpr bool operator>=(Bdf a, Bdf b) { return !(a < b); }

  private:
    std::uint32_t raw_ = 0;
};

static_assert(sizeof(Bdf) == 4);
static_assert(Bdf(0, 0x12, 0x1f, 7).routing_id() == 0x12ff);
static_assert(Bdf(1, 0, 0, 0) > Bdf(0, 0xff, 31, 7));

// Parses "SSSS:BB:DD.F" or "BB:DD.F" (segment 0), the notation of Linux lspci and sysfs.
// Hex digits in either case; 1-4 segment digits, 1-2 bus and device digits, one function digit.
// Device must be <= 0x1f and function <= 7. Nothing may follow the function digit.
[[nodiscard]] Result<Bdf> parse_bdf(StrView text);

// Writes "ssss:bb:dd.f" in lower-case hex, always 4:2:2.1 digits ("0000:00:04.0").
void format_to(Sink& sink, Bdf bdf);

}  // namespace hv::pci
