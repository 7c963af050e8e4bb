#pragma once
// The AMD-Vi driver: every IOMMU the IVRS describes, behind passthrough::Iommu.
//
// Per unit (one per IVHD, the preferred block of each IOMMU):
//   device table   65536 entries (2 MiB), every one valid and blocked from init() on
//   command buffer 256 entries (4 KiB); each change is followed by COMPLETION_WAIT, whose
//                  store to a host semaphore is polled with a timeout
//   event log      256 entries (4 KiB), drained by poll_faults(); no interrupt yet
// Domains (IDs from 1; 0 tags blocked entries) own a 4-level I/O page table (DTE Mode 4) built
// by the page-table engine with pages up to 1 GiB; one domain may be attached on every unit.
//
// Kernel only. Ownership: the driver object and its tables live for the hypervisor's lifetime.
// Threading as in gpu_passthrough/iommu.hpp; each unit serialises its command buffer and its
// event log with its own locks.
#include "drivers/acpi/ivrs.hpp"
#include "gpu_passthrough/iommu.hpp"
#include "kernel/lib/result.hpp"

namespace hv::amdvi {

// Takes over every IOMMU in `ivrs` (kept: the driver reads its device entries later), with all
// DMA blocked. An error leaves the units that were already set up blocking.
[[nodiscard]] Result<passthrough::Iommu*> init(const acpi::Ivrs& ivrs);

}  // namespace hv::amdvi
