#pragma once
// A page of hypervisor memory at a host-physical address the operator names
// (`dma_canary=0xADDR` on the kernel command line), filled with a pattern before any VM starts and
// checked after all have stopped. Tests point an assigned device's DMA at that address from a
// guest whose memory does not reach it: without the IOMMU the DMA would land there untranslated.
//   hv: dma canary hpa=0xf000000 armed
//   hv: dma canary hpa=0xf000000 intact          (or: changed bytes=N)
// Kernel only; BSP.
#include "kernel/lib/str.hpp"

namespace hv::passthrough {

// Takes and fills the page when the command line asks for one (and it is free RAM).
void arm_dma_canary(StrView cmdline);
// Prints the verdict; nothing when no canary was armed.
void check_dma_canary();

}  // namespace hv::passthrough
