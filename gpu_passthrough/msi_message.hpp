#pragma once
// MSI address/data pairs (SDM vol. 3A 12.11.1 and 12.11.2), in both directions:
//   decode_msi: what a guest wrote into an assigned function's MSI capability or MSI-X table
//               entry, turned into the ApicMessage the VM's interrupt routing delivers;
//   encode_msi: the pair the hypervisor programs into the host function for a host vector.
//
//   address  31..20 0xFEE | 19..12 destination ID | 11..4 reserved | 3 RH | 2 DM | 1..0 ignored
//   data     15 trigger | 14 level | 13..11 reserved | 10..8 delivery mode | 7..0 vector
//
// Pure: guest-controlled integers in, Result out; no globals, no allocation.
#include <cstdint>

#include "kernel/lib/result.hpp"
#include "vmm/devices/apic_message.hpp"

namespace hv::passthrough {

namespace msi {
inline constexpr std::uint64_t kAddressBase = 0xFEE0'0000;  // SDM vol. 3A 12.11.1
inline constexpr std::uint64_t kAddressLimit = 0xFEEF'FFFF;
inline constexpr std::uint32_t kAddressDestShift = 12;
inline constexpr std::uint32_t kAddressDestMask = 0xFFu << kAddressDestShift;
inline constexpr std::uint32_t kAddressRedirectionHint = 1u << 3;
inline constexpr std::uint32_t kAddressDestModeLogical = 1u << 2;
inline constexpr std::uint32_t kDataVectorMask = 0xFF;
inline constexpr std::uint32_t kDataModeShift = 8;
inline constexpr std::uint32_t kDataModeMask = 0x7u << kDataModeShift;
inline constexpr std::uint32_t kDataLevelAssert = 1u << 14;
inline constexpr std::uint32_t kDataTriggerLevel = 1u << 15;
}  // namespace msi

struct MsiMessage {
    std::uint64_t address = 0;
    std::uint32_t data = 0;

    friend constexpr bool operator==(const MsiMessage&, const MsiMessage&) = default;
};

// Errors (kInvalid): the address lies outside 0xFEE00000..0xFEEFFFFF (an upper dword counts);
// the delivery mode is one of the reserved encodings 011b and 110b. Reserved address bits 11:4
// and data bits 13:11 and 31:16 are ignored, as the processor ignores them. DM selects logical
// destination mode whatever RH says (as Linux and KVM read it); RH only hints lowest-priority
// redirection, which the VM's routing does not need. An edge-triggered message always asserts.
[[nodiscard]] Result<vmm::ApicMessage> decode_msi(std::uint64_t address, std::uint32_t data);
[[nodiscard]] inline Result<vmm::ApicMessage> decode_msi(const MsiMessage& m) {
    return decode_msi(m.address, m.data);
}

// The compatibility-format message for `vector` on local APIC `apic_id` (fixed, edge, physical):
// what a device is programmed with when no interrupt remapping is active. Errors (kInvalid): an
// APIC ID above 0xFF.
[[nodiscard]] Result<MsiMessage> compatibility_msi(std::uint8_t vector, std::uint32_t apic_id);

// Errors (kInvalid): a destination above 0xFF (needs interrupt remapping), a shorthand, or a
// delivery mode MSI cannot express (start-up). RH is set for lowest-priority delivery.
[[nodiscard]] Result<MsiMessage> encode_msi(const vmm::ApicMessage& m);

}  // namespace hv::passthrough
