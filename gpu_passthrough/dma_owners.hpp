#pragma once
// Which VM owns each assigned PCI function, for the IOMMU fault path: a fault names a requester
// ID, and the owner's manifest policy (on_dma_fault) decides what happens to the VM:
//   "stop"    the VM stops with reason=dma-fault; the hypervisor and other VMs go on
//   "report"  the fault lines are all (rate-limited, fault_report.hpp)
// Kernel only; thread-safe (faults are drained on CPU 0 while VMs come and go on others).
#include "drivers/pci/bdf.hpp"
#include "kernel/lib/str.hpp"

namespace hv::vmm {
class Vm;
}

namespace hv::passthrough {

enum class DmaFaultPolicy : std::uint8_t { kStop, kReport };

// `vm` must stay valid until unregister_owner(bdf).
void register_owner(pci::Bdf bdf, vmm::Vm& vm, DmaFaultPolicy policy);
void unregister_owner(pci::Bdf bdf);

// The owner's name, copied (the VM may be gone by the time it is printed); empty when no VM owns
// the function: it is the host's, and blocked.
struct OwnerName {
    char text[32] = {};
    std::uint32_t length = 0;
    [[nodiscard]] StrView view() const { return {text, length}; }
};

// Applies the owner's policy to a fault of `bdf` and names the owner.
OwnerName apply_fault_policy(pci::Bdf bdf);

}  // namespace hv::passthrough
