#pragma once
// Hypervisor failure: print `hv: panic ...` with what is known, stop every CPU, halt. Only for a
// broken hypervisor or an unusable machine; a guest's mistake stops that guest instead.
#include <cstdint>

#include "kernel/console.hpp"

namespace hv {

namespace x86 {
struct InterruptFrame;
}

bool panic_in_progress();
// Claims the panic (first CPU wins; others halt), stops the other CPUs.
void panic_begin();
// Prints the backtrace starting at `rip` (0: none) and the frame chain at `rbp`, then halts.
[[noreturn]] void panic_end(std::uint64_t rip, std::uint64_t rbp);

template <typename... Args>
[[noreturn]] void panic(const Args&... args) {
    panic_begin();
    Sink& s = console::locked_sink();
    s.write("hv: panic ");
    print(s, args...);
    s.put('\n');
    panic_end(0, reinterpret_cast<std::uint64_t>(__builtin_frame_address(0)));
}

// An exception in hypervisor code: vector, error code, RIP, CR2, registers, backtrace.
[[noreturn]] void panic_exception(const x86::InterruptFrame& frame, std::uint64_t cr2);

}  // namespace hv
