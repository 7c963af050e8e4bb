// Everything a test guest includes. The runtime's entry (entry.S, start.cpp) sets up the GDT,
// stack, serial port, IDT and masks the 8259s, prints `START <guest>`, then calls
//
//     void guest_main(uint32_t magic, const rt::MultibootInfo* mbi);
//
// which each guest defines, and calls rt::finish() when it returns.
#pragma once

#include <stdint.h>

#include "console.hpp"
#include "cpu.hpp"
#include "hypercall.hpp"
#include "interrupts.hpp"
#include "lapic.hpp"
#include "libc.hpp"
#include "multiboot.hpp"
#include "paging.hpp"
#include "pci.hpp"
#include "test.hpp"

void guest_main(uint32_t magic, const rt::MultibootInfo* mbi);
