#include "kernel/panic.hpp"

#include <atomic>

#include "arch/x86/cpu/control_regs.hpp"
#include "arch/x86/cpu/interrupts.hpp"
#include "arch/x86/cpu/lapic.hpp"

extern "C" char __kernel_virt_start[], __kernel_virt_end[];

namespace hv {
namespace {

std::atomic<bool> g_panicking{false};
constexpr int kMaxBacktraceFrames = 16;

bool is_kernel_address(std::uint64_t a) {
    return a >= reinterpret_cast<std::uint64_t>(__kernel_virt_start) &&
           a < reinterpret_cast<std::uint64_t>(__kernel_virt_end);
}

}  // namespace

bool panic_in_progress() { return g_panicking.load(std::memory_order_relaxed); }

void panic_begin() {
    x86::disable_interrupts();
    if (g_panicking.exchange(true)) x86::halt_forever();  // someone else reports
    console::lock_for_panic();
    x86::lapic::stop_other_cpus();
}

// Frame-pointer backtrace (the kernel is built with -fno-omit-frame-pointer).
void panic_end(std::uint64_t rip, std::uint64_t rbp) {
    Sink& s = console::locked_sink();
    s.write("hv: panic backtrace (addr2line -e build/hypervisor.elf):");
    if (rip != 0) print(s, " 0x", Hex{rip, 16});
    // Stack frames live on kernel stacks, which are all inside the image (.bss); anything else
    // means a corrupt chain, so stop there.
    for (int i = 0; i < kMaxBacktraceFrames && rbp != 0 && (rbp & 7) == 0 && is_kernel_address(rbp);
         ++i) {
        const auto* frame = reinterpret_cast<const std::uint64_t*>(rbp);
        const std::uint64_t ret = frame[1];
        if (!is_kernel_address(ret)) break;
        print(s, " 0x", Hex{ret, 16});
        rbp = frame[0];
    }
    s.write("\nhv: panic system halted\n");
    x86::halt_forever();
}

void panic_exception(const x86::InterruptFrame& f, std::uint64_t cr2) {
    panic_begin();
    Sink& s = console::locked_sink();
    print(s, "hv: panic exception vector=", f.vector, " (", x86::exception_name(f.vector),
          ") error=0x", Hex{f.error_code}, " rip=0x", Hex{f.rip, 16}, " cr2=0x", Hex{cr2, 16},
          " cpu=", x86::lapic::current_id(), '\n');
    print(s, "hv: panic rax=", Hex{f.rax, 16}, " rbx=", Hex{f.rbx, 16}, " rcx=", Hex{f.rcx, 16},
          " rdx=", Hex{f.rdx, 16}, '\n');
    print(s, "hv: panic rsi=", Hex{f.rsi, 16}, " rdi=", Hex{f.rdi, 16}, " rbp=", Hex{f.rbp, 16},
          " rsp=", Hex{f.rsp, 16}, '\n');
    print(s, "hv: panic r8=", Hex{f.r8, 16}, " r9=", Hex{f.r9, 16}, " r10=", Hex{f.r10, 16},
          " r11=", Hex{f.r11, 16}, '\n');
    print(s, "hv: panic r12=", Hex{f.r12, 16}, " r13=", Hex{f.r13, 16}, " r14=", Hex{f.r14, 16},
          " r15=", Hex{f.r15, 16}, '\n');
    print(s, "hv: panic cs=", Hex{f.cs}, " ss=", Hex{f.ss}, " rflags=", Hex{f.rflags},
          " cr0=", Hex{x86::read_cr0()}, " cr3=", Hex{x86::read_cr3()},
          " cr4=", Hex{x86::read_cr4()}, '\n');
    panic_end(f.rip, f.rbp);
}

}  // namespace hv
