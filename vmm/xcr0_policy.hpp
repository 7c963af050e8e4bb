#pragma once
// Whether a guest's XSETBV may load a value into XCR0 (Intel SDM vol. 1 13.3, vol. 2B XSETBV
// "Operation"; AMD APM vol. 3 XSETBV). VMX intercepts every XSETBV; the hypervisor checks the
// value against what the CPU supports and the architectural rules, then loads it on the vCPU's
// own physical CPU (which runs only that vCPU and never uses extended state itself). Pure.
#include <cstdint>

namespace hv::vmm {

// XCR0 state components (SDM vol. 1 13.1).
inline constexpr std::uint64_t kXcr0X87 = 1ull << 0;
inline constexpr std::uint64_t kXcr0Sse = 1ull << 1;
inline constexpr std::uint64_t kXcr0Avx = 1ull << 2;
inline constexpr std::uint64_t kXcr0Bndregs = 1ull << 3;
inline constexpr std::uint64_t kXcr0Bndcsr = 1ull << 4;
inline constexpr std::uint64_t kXcr0Avx512 = 7ull << 5;  // opmask, ZMM_Hi256, Hi16_ZMM
inline constexpr std::uint64_t kXcr0Tilecfg = 1ull << 17;
inline constexpr std::uint64_t kXcr0Tiledata = 1ull << 18;

// True if XSETBV with ECX = `index` and EDX:EAX = `value` completes; false means #GP(0).
// `supported` is CPUID.(EAX=0DH, ECX=0):EDX:EAX, the components XCR0 may enable.
[[nodiscard]] bool xsetbv_allowed(std::uint32_t index, std::uint64_t value,
                                  std::uint64_t supported);

}  // namespace hv::vmm
