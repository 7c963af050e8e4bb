#pragma once
// Which IOMMU the hypervisor drives: chosen at run time from the ACPI tables (DMAR: Intel VT-d;
// IVRS: AMD-Vi), never at build time. Kernel only; called once by the BSP at boot.
#include "drivers/acpi/platform.hpp"
#include "gpu_passthrough/iommu.hpp"

namespace hv::passthrough {

// Brings up the platform's IOMMU with every function blocked, and logs
//   hv: iommu vtd units=N enabled       or       hv: iommu none: REASON
// Returns nullptr when there is none or it could not be enabled (DMA then stays unremapped).
Iommu* init_iommu(const acpi::Platform& platform);

// What init_iommu() enabled, or nullptr.
Iommu* active_iommu();

}  // namespace hv::passthrough
