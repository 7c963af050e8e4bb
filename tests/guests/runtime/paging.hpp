// 32-bit PAE paging for guests that touch guest-physical addresses at or above 4 GiB.
//
//   virtual [0, 4 GiB)          -> identity, 2 MiB pages; [3 GiB, 4 GiB) uncached (devices)
//   virtual kWindow + 2 MiB     -> any 2 MiB-aligned physical frame, chosen by map_physical()
//
// PAE keeps 32-bit virtual addresses (SDM vol. 3 sec. 4.4), so memory above 4 GiB is reached
// only through the window. The window replaces the identity map of [kWindow, kWindow + 2 MiB),
// a range in the device hole that no guest uses.
#pragma once

#include <stdint.h>

namespace rt {

constexpr uint32_t kPagingWindow = 0xFF000000;

// Builds the tables (in .bss) and turns paging on. Idempotent.
void paging_enable();
bool paging_enabled();

// Pointer to `phys`: the identity address below 4 GiB (no paging needed), else the window, which
// paging_enable()s first. A window pointer stays valid up to the next 2 MiB boundary and until the
// next map_physical() of an address at or above 4 GiB (or with `uncached`). nullptr if phys is
// beyond the CPU's MAXPHYADDR (CPUID 0x80000008; 36 bits, 64 GiB, if the leaf is missing).
// `uncached` (for device memory, whose reads must not be served from a cache) turns paging on and
// gives a UC mapping (PCD|PWT with the reset PAT): the identity map in [3 GiB, 4 GiB), else the
// window.
volatile uint8_t* map_physical(uint64_t phys, bool uncached = false);

}  // namespace rt
