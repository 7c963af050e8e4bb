#pragma once
// DMA map/unmap throughput of the enabled IOMMU (kernel command line `iommu_bench`,
// docs/benchmarks.md): a fresh domain maps 1 GiB of I/O space three times, with host addresses
// aligned so that the page-table engine must use 1 GiB, 2 MiB or 4 KiB leaves, then unmaps it.
// Nothing is attached and no DMA happens; host addresses are never touched. Prints per size:
//   hv: iommu bench vtd leaves=2m map_tsc=N unmap_tsc=N map_gib_per_s=X unmap_gib_per_s=Y
//       table_bytes_per_gib=N
// (one line). Under QEMU -icount shift=0 the TSC counts instructions. Kernel only; BSP at boot.
#include "gpu_passthrough/iommu.hpp"

namespace hv::passthrough {

void run_iommu_bench(Iommu* iommu);

}  // namespace hv::passthrough
