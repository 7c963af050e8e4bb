// IDT with a stub for every vector (entry.S). Exceptions print
//   EXCEPTION vector=N eip=0x... error=0x...
// and then either satisfy a pending expect_exception() (the guest resumes after the faulting
// instruction) or fail the guest and finish(). Vectors >= 32 go to the handler registered with
// set_interrupt_handler(); an interrupt with no handler fails the guest.
#pragma once

#include <stdint.h>

namespace rt {

// The stack as isr_common in entry.S leaves it: PUSHA order, then the stub's pushes, then the
// CPU's (no privilege change, so no ESP/SS).
struct InterruptFrame {
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
};
static_assert(sizeof(InterruptFrame) == 13 * 4);

using InterruptHandler = void (*)(InterruptFrame& frame);

constexpr uint8_t kVectorUd = 6, kVectorGp = 13, kVectorPf = 14;

void idt_init();
void set_interrupt_handler(uint8_t vector, InterruptHandler handler);
// Masks both 8259s, so that a firmware-programmed PIT tick cannot arrive on an exception vector.
void mask_legacy_pic();

// Arms a one-shot expectation: the next exception with this vector is recorded and the guest
// resumes at EIP + insn_length. Any other exception still fails the guest.
void expect_exception(uint8_t vector, uint32_t insn_length);

struct ExceptionRecord {
    bool fired;
    uint32_t vector, eip, error;
};
// Returns what the armed expectation saw and disarms it.
ExceptionRecord take_exception();

}  // namespace rt
