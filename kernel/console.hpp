#pragma once
// The hypervisor console (serial COM1). Every line is written whole under one lock, so lines from
// different CPUs never interleave. Lines follow the console contract in docs/console.md.
#include "kernel/lib/format.hpp"

namespace hv::console {

void init();

// Where the formatting goes while the console lock is held.
Sink& locked_sink();
void lock();
void unlock();
// Panic path: from here on this CPU writes without the lock (a CPU that died holding it must not
// silence the panic); other CPUs are being stopped.
void lock_for_panic();

// One hypervisor line: "hv: " + args + newline.
template <typename... Args>
void log(const Args&... args) {
    lock();
    Sink& s = locked_sink();
    s.write("hv: ");
    print(s, args...);
    s.put('\n');
    unlock();
}

}  // namespace hv::console

namespace hv {
using console::log;
}
