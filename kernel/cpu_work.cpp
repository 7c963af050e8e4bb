#include "kernel/cpu_work.hpp"

#include "arch/x86/cpu/interrupts.hpp"
#include "arch/x86/cpu/lapic.hpp"

namespace hv {

bool post_work(std::uint32_t index, WorkFn fn, void* arg) {
    PerCpu& c = cpu(index);
    if (index >= kMaxCpus || !c.online.load(std::memory_order_acquire)) return false;
    if (c.work.load(std::memory_order_acquire) != nullptr) return false;
    c.work_arg = arg;
    c.work.store(fn, std::memory_order_release);
    kick_cpu(index);
    return true;
}

void kick_cpu(std::uint32_t index) {
    x86::lapic::send_fixed(cpu(index).apic_id,
                           static_cast<std::uint8_t>(x86::Vector::kCallFunction));
}

void idle_loop() {
    PerCpu& self = this_cpu();
    for (;;) {
        // Check with interrupts off, then STI;HLT: the STI shadow keeps a wake-up IPI from
        // slipping in between the check and the halt (SDM vol. 3A 7.8.3).
        asm volatile("cli" ::: "memory");
        WorkFn fn = self.work.load(std::memory_order_acquire);
        if (fn == nullptr) {
            asm volatile("sti; hlt" ::: "memory");
            continue;
        }
        void* arg = self.work_arg;
        fn(arg);
        self.work.store(nullptr, std::memory_order_release);
    }
}

void init_cpu_work() {
    // The IPI only needs to interrupt; the common dispatcher sends the EOI.
    x86::set_interrupt_handler(x86::Vector::kCallFunction, [](x86::InterruptFrame&) {});
}

}  // namespace hv
