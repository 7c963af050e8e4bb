#include "arch/x86/cpu/interrupts.hpp"

#include "arch/x86/cpu/control_regs.hpp"
#include "arch/x86/cpu/lapic.hpp"
#include "kernel/panic.hpp"

namespace hv::x86 {
namespace {

constexpr std::uint64_t kFirstExternalVector = 32;  // 0-31 are architectural exceptions
constexpr std::uint64_t kVectorNmi = 2;
constexpr std::uint64_t kVectorPageFault = 14;

InterruptHandler g_handlers[kVectorCount];

// SDM vol. 3A table 7-1.
constexpr const char* kExceptionNames[32] = {"#DE divide error",
                                             "#DB debug",
                                             "NMI",
                                             "#BP breakpoint",
                                             "#OF overflow",
                                             "#BR bound range",
                                             "#UD invalid opcode",
                                             "#NM device not available",
                                             "#DF double fault",
                                             "coprocessor overrun",
                                             "#TS invalid TSS",
                                             "#NP segment not present",
                                             "#SS stack fault",
                                             "#GP general protection",
                                             "#PF page fault",
                                             "reserved 15",
                                             "#MF x87 error",
                                             "#AC alignment check",
                                             "#MC machine check",
                                             "#XM SIMD exception",
                                             "#VE virtualization exception",
                                             "#CP control protection",
                                             "reserved 22",
                                             "reserved 23",
                                             "reserved 24",
                                             "reserved 25",
                                             "reserved 26",
                                             "reserved 27",
                                             "#HV hypervisor injection",
                                             "#VC VMM communication",
                                             "#SX security exception",
                                             "reserved 31"};

}  // namespace

const char* exception_name(std::uint64_t vector) {
    return vector < 32 ? kExceptionNames[vector] : "external interrupt";
}

void set_interrupt_handler(Vector v, InterruptHandler h) {
    g_handlers[static_cast<std::uint8_t>(v)] = h;
}

}  // namespace hv::x86

extern "C" void interrupt_dispatch(hv::x86::InterruptFrame* frame) {
    using namespace hv::x86;
    const std::uint64_t v = frame->vector;
    if (v == kVectorNmi && hv::panic_in_progress()) halt_forever();  // another CPU panicked
    if (v < kFirstExternalVector) {
        hv::panic_exception(*frame, v == kVectorPageFault ? read_cr2() : 0);
    }
    if (v == static_cast<std::uint8_t>(Vector::kSpurious)) return;  // no EOI for spurious (12.9)
    if (InterruptHandler h = g_handlers[v]) h(*frame);
    lapic::eoi();
}
