#pragma once
// The VT-d driver behind passthrough::Iommu: every DRHD of the DMAR brought up with translation
// on and every function blocked (default deny), domains as second-level page tables built by the
// shared page-table engine (page_table_format.hpp), faults drained from the fault recording
// registers. Kernel only. Interrupt remapping is not enabled (see Unit::enable).
#include "drivers/acpi/dmar.hpp"
#include "gpu_passthrough/iommu.hpp"
#include "kernel/lib/result.hpp"

namespace hv::vtd {

// Brings up every unit; one per process lifetime (the driver's state is static). Errors when a
// unit cannot be mapped, offers neither a 39- nor a 48-bit address width, or does not answer.
// The returned object lives for the rest of the hypervisor's life.
[[nodiscard]] Result<passthrough::Iommu*> init(const acpi::Dmar& dmar);

}  // namespace hv::vtd
