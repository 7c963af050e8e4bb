// Thin wrappers around the x86 instructions the test guests exercise. Every one is
// `asm volatile` with a memory clobber where the instruction may fault or has side effects, so
// the compiler keeps it in program order relative to expect_exception() and the checks after it.
#pragma once

#include <stdint.h>

namespace rt {

struct CpuidResult {
    uint32_t eax, ebx, ecx, edx;
};

inline CpuidResult cpuid(uint32_t leaf, uint32_t subleaf = 0) {
    CpuidResult r;
    asm volatile("cpuid"
                 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                 : "a"(leaf), "c"(subleaf)
                 : "memory");
    return r;
}

inline uint8_t inb(uint16_t port) {
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
    return v;
}
inline uint16_t inw(uint16_t port) {
    uint16_t v;
    asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
    return v;
}
inline uint32_t inl(uint16_t port) {
    uint32_t v;
    asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
    return v;
}
inline void outb(uint16_t port, uint8_t v) {
    asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
inline void outw(uint16_t port, uint16_t v) {
    asm volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
inline void outl(uint16_t port, uint32_t v) {
    asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

// RDTSC is not serializing (SDM vol. 2 "RDTSC"); callers that time short sequences accept that.
inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return (uint64_t{hi} << 32) | lo;
}

// Both are 2-byte instructions (0F 32, 0F 30): expect_exception(13, kMsrInsnLength) skips them.
constexpr uint32_t kMsrInsnLength = 2;

inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo = 0, hi = 0;
    asm volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
    return (uint64_t{hi} << 32) | lo;
}
inline void wrmsr(uint32_t msr, uint64_t value) {
    asm volatile("wrmsr"
                 :
                 : "c"(msr), "a"(static_cast<uint32_t>(value)),
                   "d"(static_cast<uint32_t>(value >> 32))
                 : "memory");
}

inline void cli() { asm volatile("cli" : : : "memory"); }
inline void sti() { asm volatile("sti" : : : "memory"); }
inline void hlt() { asm volatile("hlt" : : : "memory"); }
// STI's one-instruction interrupt shadow (SDM vol. 2 "STI") makes this pair race-free: an
// interrupt already pending is taken only once HLT has started, and then wakes it.
inline void sti_hlt() { asm volatile("sti; hlt" : : : "memory"); }
inline void pause() { asm volatile("pause" : : : "memory"); }

inline uint32_t read_cr0() {
    uint32_t v;
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
inline uint32_t read_cr4() {
    uint32_t v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
inline void write_cr0(uint32_t v) { asm volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
inline void write_cr3(uint32_t v) { asm volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
inline void write_cr4(uint32_t v) { asm volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
inline void invlpg(uint32_t virt) { asm volatile("invlpg (%0)" : : "r"(virt) : "memory"); }

inline uint32_t mmio_read32(uint32_t addr) { return *reinterpret_cast<volatile uint32_t*>(addr); }
inline void mmio_write32(uint32_t addr, uint32_t v) {
    *reinterpret_cast<volatile uint32_t*>(addr) = v;
}

}  // namespace rt
