#include "gpu_passthrough/dma_owners.hpp"

#include "kernel/spinlock.hpp"
#include "vmm/vm.hpp"

namespace hv::passthrough {
namespace {

struct Owner {
    pci::Bdf bdf;
    vmm::Vm* vm = nullptr;
    DmaFaultPolicy policy = DmaFaultPolicy::kStop;
};

// Every function of every VM at once: 16 VMs x 16 devices, the manifest's limits.
constexpr unsigned kMaxOwners = 256;
SpinLock g_lock;
Owner g_owners[kMaxOwners];

}  // namespace

void register_owner(pci::Bdf bdf, vmm::Vm& vm, DmaFaultPolicy policy) {
    SpinGuard g(g_lock);
    for (Owner& o : g_owners) {
        if (o.vm != nullptr) continue;
        o = Owner{bdf, &vm, policy};
        return;
    }
}

void unregister_owner(pci::Bdf bdf) {
    SpinGuard g(g_lock);
    for (Owner& o : g_owners) {
        if (o.vm != nullptr && o.bdf == bdf) o = Owner{};
    }
}

OwnerName apply_fault_policy(pci::Bdf bdf) {
    // Held across stop(): the VM cannot be released (which unregisters first) meanwhile.
    SpinGuard g(g_lock);
    for (const Owner& o : g_owners) {
        if (o.vm == nullptr || o.bdf != bdf) continue;
        vmm::Vm& vm = *o.vm;
        if (o.policy == DmaFaultPolicy::kStop && !vm.stopping()) {
            vm.stop(vmm::StopReason::kDmaFault);
            vm.kick_other_vcpus();
        }
        OwnerName out;
        const StrView name = vm.name();
        out.length = static_cast<std::uint32_t>(name.size() < sizeof out.text ? name.size()
                                                                              : sizeof out.text);
        __builtin_memcpy(out.text, name.data(), out.length);
        return out;
    }
    return {};
}

}  // namespace hv::passthrough
