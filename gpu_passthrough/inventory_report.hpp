#pragma once
// The boot passthrough inventory: after pci::scan() and init_iommu(), one line per endpoint
//   hv: passthrough 0000:01:00.0 group=3 reset=flr assignable=yes
// (format: format_inventory_line in assignability.hpp). Kernel only; BSP at boot.
#include "gpu_passthrough/assignability.hpp"
#include "gpu_passthrough/iommu.hpp"

namespace hv::passthrough {

// `iommu` may be nullptr (no IOMMU): every endpoint is then reported not assignable.
void report_assignable(const Iommu* iommu);

// The host as report_assignable() saw it (functions, groups, IOMMU), for assigning devices.
[[nodiscard]] const HostDevices& host_devices();

}  // namespace hv::passthrough
