#pragma once
// Handing work to other CPUs. Each AP idles in idle_loop() and runs what it is handed, one item
// at a time, with interrupts disabled (vCPU loops take host interrupts where they choose).
#include <cstdint>

#include "kernel/percpu.hpp"

namespace hv {

// Gives `fn(arg)` to CPU `index`. False if that CPU is offline or already has work.
[[nodiscard]] bool post_work(std::uint32_t index, WorkFn fn, void* arg);
// Interrupts CPU `index`: wakes it from HLT or makes its guest exit.
void kick_cpu(std::uint32_t index);
// The AP's resting place: run posted work, else halt until an interrupt.
[[noreturn]] void idle_loop();
// Sets up the IPI vector used by kick_cpu (BSP, once).
void init_cpu_work();

}  // namespace hv
