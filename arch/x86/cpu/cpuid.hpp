#pragma once
// CPUID (Intel SDM vol. 2A "CPUID"; AMD APM vol. 3 app. E). Kernel only.
#include <cstdint>

namespace hv::x86 {

struct CpuidResult {
    std::uint32_t eax, ebx, ecx, edx;
};

inline CpuidResult cpuid(std::uint32_t leaf, std::uint32_t subleaf = 0) {
    CpuidResult r;
    asm volatile("cpuid"
                 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                 : "a"(leaf), "c"(subleaf));
    return r;
}

// Feature bits the kernel relies on, with the leaf/register they live in.
namespace cpuid_bits {
inline constexpr std::uint32_t kLeaf1EcxVmx = 1u << 5;  // SDM vol. 2A table 3-10
inline constexpr std::uint32_t kLeaf1EcxX2apic = 1u << 21;
inline constexpr std::uint32_t kLeaf1EdxApic = 1u << 9;  // SDM vol. 2A table 3-11
inline constexpr std::uint32_t kExt1EcxSvm = 1u << 2;    // AMD APM vol. 3 E.4.2
inline constexpr std::uint32_t kExt1EdxPage1Gb = 1u << 26;
inline constexpr std::uint32_t kSvmEdxNestedPaging = 1u << 0;  // leaf 8000_000Ah EDX, APM 15.25
}  // namespace cpuid_bits

inline std::uint32_t cpuid_max_ext_leaf() { return cpuid(0x8000'0000).eax; }

}  // namespace hv::x86
