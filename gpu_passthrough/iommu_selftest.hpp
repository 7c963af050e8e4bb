#pragma once
// Boot self-test of DMA remapping (kernel command line `iommu_selftest`, docs/boot.md), with
// QEMU's `edu` test device (1234:11e8) as the DMA master:
//   blocked   edu not attached: a DMA read of host RAM faults, reported with edu's BDF and the
//             address it used;
//   mapped    edu attached to a domain mapping two pages at IOVA 0x10000: a pattern travels
//             page 0 -> edu buffer -> page 1, with no fault;
//   detached  edu detached again: a DMA write to the mapped IOVA faults and the page is untouched.
// Prints one line:
//   hv: iommu selftest device=0000:00:03.0 blocked=fault mapped=ok detached=fault
// with " FAIL <what>" appended when a step did not behave. Kernel only; BSP at boot, before VMs.
#include "gpu_passthrough/iommu.hpp"

namespace hv::passthrough {

void run_iommu_selftest(Iommu* iommu);

}  // namespace hv::passthrough
