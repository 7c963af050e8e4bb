#include "gpu_passthrough/fault_report.hpp"

#include "gpu_passthrough/dma_owners.hpp"
#include "gpu_passthrough/fault_rate_limit.hpp"
#include "gpu_passthrough/iommu_select.hpp"
#include "kernel/console.hpp"
#include "kernel/spinlock.hpp"
#include "kernel/time.hpp"

namespace hv::passthrough {
namespace {

SpinLock g_lock;
FaultRateLimiter g_limiter;

void print_suppressed(pci::Bdf bdf, std::uint64_t count) {
    log("iommu fault device=", bdf, " suppressed=", count);
}

class ConsoleFaultSink final : public FaultSink {
  public:
    void fault(const iommu::Fault& f) override { report_fault(f); }
};
ConsoleFaultSink g_sink;

}  // namespace

FaultSink& fault_reporter() { return g_sink; }

void report_fault(const iommu::Fault& f) {
    // The owner's on_dma_fault first, outside the report lock: every fault counts, printed or not.
    const OwnerName owner_name = apply_fault_policy(f.bdf);
    const StrView owner = owner_name.view();
    SpinGuard g(g_lock);
    const FaultRateLimiter::Decision d = g_limiter.on_fault(f.bdf, time::now_ns());
    if (d.suppressed != 0) print_suppressed(d.summary_bdf, d.suppressed);
    if (!d.print) return;
    // For an interrupt fault, addr is the interrupt index (iommu_fault.hpp).
    if (owner.empty())
        log("iommu fault device=", f.bdf, " addr=0x", Hex{f.address}, " reason=", f.reason);
    else
        log("iommu fault device=", f.bdf, " addr=0x", Hex{f.address}, " reason=", f.reason,
            " vm=", owner);
}

void poll_iommu_faults() {
    Iommu* iommu = active_iommu();
    if (iommu == nullptr) return;
    iommu->poll_faults(g_sink);
    SpinGuard g(g_lock);
    g_limiter.flush_expired(time::now_ns(), print_suppressed);
}

}  // namespace hv::passthrough
