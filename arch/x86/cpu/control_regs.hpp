#pragma once
// Control registers and a few privileged instructions (Intel SDM vol. 3A sec 2.5). Kernel only.
#include <cstdint>

namespace hv::x86 {

inline constexpr std::uint64_t kCr0WriteProtect = 1ull << 16;
inline constexpr std::uint64_t kCr4Pge = 1ull << 7;
inline constexpr std::uint64_t kCr4Osfxsr = 1ull << 9;
inline constexpr std::uint64_t kCr4Osxsave = 1ull << 18;  // SDM vol. 3A 2.5: XSETBV/XGETBV allowed
inline constexpr std::uint64_t kEferNxe = 1ull << 11;

inline std::uint64_t read_cr0() {
    std::uint64_t v;
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
inline std::uint64_t read_cr2() {
    std::uint64_t v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
inline std::uint64_t read_cr3() {
    std::uint64_t v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
inline std::uint64_t read_cr4() {
    std::uint64_t v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
inline void write_cr0(std::uint64_t v) { asm volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
inline void write_cr3(std::uint64_t v) { asm volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
inline void write_cr4(std::uint64_t v) { asm volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }

inline void cpu_relax() { asm volatile("pause" ::: "memory"); }
inline void disable_interrupts() { asm volatile("cli" ::: "memory"); }
inline void enable_interrupts() { asm volatile("sti" ::: "memory"); }
[[noreturn]] inline void halt_forever() {
    for (;;) asm volatile("cli; hlt" ::: "memory");
}

}  // namespace hv::x86
