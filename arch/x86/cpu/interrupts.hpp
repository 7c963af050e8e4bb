#pragma once
// Interrupt and exception dispatch. Exceptions in the hypervisor are bugs: they end in a panic
// with the full register state. Device and IPI vectors call registered handlers, then EOI.
#include <cstdint>

namespace hv::x86 {

// Layout pushed by interrupt_stubs.S followed by the CPU's own frame (SDM vol. 3A figure 7-9).
struct InterruptFrame {
    std::uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    std::uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    std::uint64_t vector, error_code;
    std::uint64_t rip, cs, rflags, rsp, ss;
};
static_assert(sizeof(InterruptFrame) == 22 * 8);

// Entries in the IDT: one per 8-bit vector (SDM vol. 3A 6.2).
inline constexpr unsigned kVectorCount = 256;

// Vectors the hypervisor uses for its own interrupts (above the 32 exception vectors).
enum class Vector : std::uint8_t {
    kLapicTimer = 0x20,
    kCallFunction = 0xF0,  // cross-CPU call IPI
    kHaltIpi = 0xF1,       // stop this CPU (panic)
    kSpurious = 0xFF,      // LAPIC spurious vector: low nibble all ones (SDM vol. 3A 12.9)
};

using InterruptHandler = void (*)(InterruptFrame&);
void set_interrupt_handler(Vector v, InterruptHandler h);

const char* exception_name(std::uint64_t vector);

}  // namespace hv::x86
