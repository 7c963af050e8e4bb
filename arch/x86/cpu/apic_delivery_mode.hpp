#pragma once
// APIC message fields. The delivery mode: one 3-bit encoding shared by the local APIC's ICR (SDM
// vol. 3A 12.6.1), the I/O APIC redirection entry (82093AA datasheet 3.2.4), MSI data (SDM vol. 3A
// 12.11.2) and a VT-d interrupt remapping entry's DLM field (VT-d spec 9.10).
#include <cstdint>

namespace hv::x86 {

enum class DeliveryMode : std::uint8_t {
    kFixed = 0,
    kLowestPriority = 1,
    kSmi = 2,
    kNmi = 4,
    kInit = 5,
    kStartup = 6,  // ICR only
    kExtInt = 7,
};

// The highest APIC ID an xAPIC destination field holds: 8 bits (SDM vol. 3A 12.4.6). Larger IDs
// need x2APIC destinations, which MSI and the remapping entries here do not use.
inline constexpr std::uint32_t kMaxXapicId = 0xFF;

}  // namespace hv::x86
