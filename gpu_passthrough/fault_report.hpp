#pragma once
// IOMMU faults on the console (contract in docs/console.md):
//   hv: iommu fault device=0000:00:03.0 addr=0x10000 reason=context entry not present
//   hv: iommu fault device=0000:00:03.0 suppressed=N     (after a burst was rate-limited)
// at most FaultRateLimiter::kDefaultLines lines per device per second. Kernel only.
// Thread-safe: faults may be drained on any CPU.
#include "arch/x86/iommu/iommu_fault.hpp"
#include "gpu_passthrough/iommu.hpp"

namespace hv::passthrough {

// The console reporter, usable as the sink of Iommu::poll_faults().
FaultSink& fault_reporter();
void report_fault(const iommu::Fault& fault);

// Prints every fault as the console reporter does and remembers those of one function (the
// boot self-test's and benchmark's device under test).
class DeviceFaultRecorder final : public FaultSink {
  public:
    explicit DeviceFaultRecorder(pci::Bdf device) : device_(device) {}
    void fault(const iommu::Fault& f) override {
        report_fault(f);
        if (f.bdf != device_) return;
        ++count;
        last = f;
    }
    void reset() { count = 0; }
    unsigned count = 0;
    iommu::Fault last{};

  private:
    pci::Bdf device_;
};

// Drains the active IOMMU (init_iommu) into the console reporter and prints the summaries of
// bursts whose window has ended. Nothing when no IOMMU is enabled. Called from the BSP's wait
// loop on every wake-up (vmm/vm_manager.cpp) and after the IOMMU self-test.
void poll_iommu_faults();

}  // namespace hv::passthrough
