#pragma once
// DMA throughput of QEMU's `edu` device (1234:11e8) driven by the hypervisor itself, through an
// IOMMU domain (kernel command line `edu_dma_bench=N`, docs/benchmarks.md). The counterpart of
// the edu test guest's `bench=N` (tests/guests/edu.cpp), which does the same through a VM, so
// one boot (tools/bench_passthrough.sh) compares both.
//
// edu, wherever the PCI scan found it, is attached to a fresh domain mapping two host pages at
// IOVA 0x10000 and does N round trips of 2 KiB: page 0 -> edu buffer, edu buffer -> page 1, each
// DMA polled (PAUSE between reads of the command register) until edu clears its run bit. The TSC
// is read around the N round trips; then the data is compared, edu is detached, the domain
// destroyed and the command register restored (bus mastering off again, as the firmware left
// it). Prints one line:
//   hv: edu dma bench device=0000:01:00.0 bytes=B cycles=C
// with B the bytes moved in both directions (N * 4096), or `hv: edu dma bench [device=BDF] FAIL
// <what>`. Kernel only; BSP at boot, before VMs (a VM that is given edu resets it first).
#include <cstdint>

#include "gpu_passthrough/iommu.hpp"

namespace hv::passthrough {

void run_edu_dma_bench(Iommu* iommu, std::uint32_t round_trips);

}  // namespace hv::passthrough
