#pragma once
// What CPUID tells a guest: the host's answer, filtered (docs/guest_abi.md "CPUID"). Pure.
#include <cstdint>

namespace hv::vmm {

struct CpuidValues {
    std::uint32_t eax, ebx, ecx, edx;
};

struct CpuidContext {
    std::uint32_t vcpu_index;
    std::uint32_t vcpu_count;
    bool guest_osxsave;                // guest CR4.OSXSAVE, mirrored in leaf 1 ECX bit 27
    std::uint64_t tsc_hz = 0;          // the TSC's rate, advertised so guests need not calibrate
    std::uint64_t lapic_timer_hz = 0;  // the virtual LAPIC timer's input clock
};

inline constexpr std::uint32_t kHypervisorLeafBase = 0x4000'0000;
inline constexpr std::uint32_t kHypervisorLeafVersion = 0x4000'0001;
// The timing leaf other hypervisors use at this index: EAX = TSC kHz, EBX = LAPIC timer kHz.
inline constexpr std::uint32_t kHypervisorLeafTiming = 0x4000'0010;
inline constexpr std::uint32_t kHypervisorLeafMax = kHypervisorLeafTiming;
inline constexpr std::uint32_t kGuestAbiVersion = 2;
// "AIHypervisor" in EBX, ECX, EDX order, little-endian.
inline constexpr std::uint32_t kSignatureEbx = 0x7948'4941;  // "AIHy"
inline constexpr std::uint32_t kSignatureEcx = 0x7672'6570;  // "perv"
inline constexpr std::uint32_t kSignatureEdx = 0x726f'7369;  // "isor"

// `host` is what the physical CPU answered for (leaf, subleaf).
[[nodiscard]] CpuidValues guest_cpuid(std::uint32_t leaf, std::uint32_t subleaf, CpuidValues host,
                                      const CpuidContext& ctx);

}  // namespace hv::vmm
