#pragma once
// The APIC delivery mode: one 3-bit encoding shared by the local APIC's ICR (SDM vol. 3A 12.6.1),
// the I/O APIC redirection entry (82093AA datasheet 3.2.4), MSI data (SDM vol. 3A 12.11.2) and a
// VT-d interrupt remapping entry's DLM field (VT-d spec 9.10).
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

}  // namespace hv::x86
