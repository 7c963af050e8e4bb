#pragma once
// Model-specific registers (Intel SDM vol. 4; AMD APM vol. 2 app. A). Kernel only.
#include <cstdint>

namespace hv::x86 {

enum class Msr : std::uint32_t {
    kApicBase = 0x1B,        // SDM vol. 3A 12.4.4
    kFeatureControl = 0x3A,  // SDM vol. 3C 25.7
    kPat = 0x277,            // SDM vol. 3A 13.12.2
    kTscDeadline = 0x6E0,    // SDM vol. 3A 12.5.4.1
    kX2apicBase = 0x800,     // SDM vol. 3A 12.12.1: x2APIC registers at 0x800 + (offset >> 4)
    kEfer = 0xC000'0080,
    kFsBase = 0xC000'0100,
    kGsBase = 0xC000'0101,
    kKernelGsBase = 0xC000'0102,
    kVmCr = 0xC001'0114,       // AMD APM vol. 2 15.30.1
    kVmHsavePa = 0xC001'0117,  // AMD APM vol. 2 15.30.4
};

inline std::uint64_t rdmsr(std::uint32_t msr) {
    std::uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (static_cast<std::uint64_t>(hi) << 32) | lo;
}
inline void wrmsr(std::uint32_t msr, std::uint64_t v) {
    asm volatile("wrmsr" ::"c"(msr), "a"(static_cast<std::uint32_t>(v)),
                 "d"(static_cast<std::uint32_t>(v >> 32))
                 : "memory");
}
inline std::uint64_t rdmsr(Msr msr) { return rdmsr(static_cast<std::uint32_t>(msr)); }
inline void wrmsr(Msr msr, std::uint64_t v) { wrmsr(static_cast<std::uint32_t>(msr), v); }

inline std::uint64_t rdtsc() {
    std::uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (static_cast<std::uint64_t>(hi) << 32) | lo;
}

}  // namespace hv::x86
