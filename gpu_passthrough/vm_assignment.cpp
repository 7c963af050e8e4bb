#include "gpu_passthrough/vm_assignment.hpp"

#include "drivers/pci/function_reset.hpp"
#include "drivers/pci/inventory.hpp"
#include "gpu_passthrough/assignability.hpp"
#include "gpu_passthrough/guest_bar_layout.hpp"
#include "gpu_passthrough/inventory_report.hpp"
#include "gpu_passthrough/iommu_select.hpp"
#include "kernel/console.hpp"
#include "kernel/kmalloc.hpp"
#include "kernel/time.hpp"
#include "vmm/platform/guest_platform.hpp"

namespace hv::passthrough {
namespace {

class KernelDelay final : public pci::Delay {
  public:
    void wait_us(std::uint64_t us) override { time::delay_us(us); }
};

// The grouping (iommu_groups.hpp) counts ACS controls a function offers as in force; make them so
// on `fn` and every bridge above it before its DMA is trusted to stay inside its group. Returns
// how many functions had controls turned on.
unsigned enable_acs_path(const HostDevices& host, const pci::PciFunction& fn) {
    pci::ConfigSpace& cs = pci::host_config();
    if (!cs.has_extended()) return 0;  // ACS is an extended capability (PCIe 5.0 sec 7.7.8)
    unsigned changed = 0;
    const pci::PciFunction* at = &fn;
    // A path up to the root crosses at most one bridge per bus number (PCI 3.0: 256 buses), which
    // also ends the walk should a corrupt scan ever link bridges in a loop.
    constexpr unsigned kMaxDepth = 256;
    for (unsigned depth = 0; at != nullptr && depth < kMaxDepth; ++depth) {
        const pci::AcsCap& acs = at->caps.acs;
        if (acs.present()) {
            const auto reg = static_cast<std::uint16_t>(acs.offset + kAcsControlOffset);
            const std::uint16_t control = cs.read16(at->bdf, reg);
            const std::uint16_t wanted = acs_control_wanted(acs.capability, control);
            if (wanted != control) {
                cs.write16(at->bdf, reg, wanted);
                // Counted only when the function took it: the line reports what is in force.
                if (cs.read16(at->bdf, reg) == wanted)
                    ++changed;
                else
                    log("passthrough: ", at->bdf, " did not take ACS control 0x", Hex{wanted});
            }
        }
        at = at->parent ? pci::find_function(host.functions, *at->parent) : nullptr;
    }
    return changed;
}

}  // namespace

Result<VmAssignment*> VmAssignment::assign(vmm::Vm& vm, std::span<const pci::Bdf> devices,
                                           DmaFaultPolicy policy) {
    const HostDevices& host = host_devices();
    // Every refusal, not only the first: the operator fixes the manifest once.
    bool refused = false;
    for (const pci::Bdf bdf : devices) {
        const Assessment a = assess(host, bdf, devices);
        if (a.assignable()) continue;
        refused = true;
        console::lock();
        Sink& s = console::locked_sink();
        print(s, "hv: vm ", vm.name(), " device ", bdf, " refused: ");
        format_reason(s, a);
        s.put('\n');
        console::unlock();
    }
    if (refused) return make_error(Errc::kUnsupported, "a device cannot be assigned");
    if (devices.size() > kMaxAssignedPerVm) return make_error(Errc::kTooMany, "too many devices");

    VmAssignment* self = TRY(make<VmAssignment>());
    self->vm_ = &vm;
    self->iommu_ = active_iommu();
    if (auto r = self->assign_all(devices, policy); !r) {
        log("vm ", vm.name(), " devices not assigned: ", r.error().what);
        self->tear_down();
        destroy(self);
        return r.error();
    }
    vm.set_devices(self);
    return self;
}

Result<void> VmAssignment::assign_all(std::span<const pci::Bdf> devices, DmaFaultPolicy policy) {
    const HostDevices& host = host_devices();
    if (iommu_ == nullptr) return make_error(Errc::kUnsupported, "no IOMMU");
    domain_ = TRY(iommu_->create_domain());
    for (const vmm::GuestMemory::Chunk& c : vm_->memory().chunks())
        TRY(domain_->map(c.gpa, c.hpa, c.size, /*write=*/true));

    GuestBarLayout layout(vm_guest_windows());
    for (std::size_t i = 0; i < devices.size(); ++i) {
        Slot& s = slots_[count_];
        s.host = pci::find_function(host.functions, devices[i]);
        if (s.host == nullptr) return make_error(Errc::kNotFound, "device vanished");
        const Assessment a = assess(host, devices[i], devices);
        s.reset = a.reset;
        ++count_;
        // Reset before the device can reach the VM's memory: nothing of a previous owner's
        // work (host firmware, another VM) survives into this one.
        TRY(reset(s));
        const unsigned acs = enable_acs_path(host, *s.host);
        TRY(iommu_->attach(s.host->bdf, *domain_));
        s.attached = true;
        register_owner(s.host->bdf, *vm_, policy);
        const AssignedBars bars = TRY(layout.place(s.host->bars));
        const pci::Bdf guest(0, 0, static_cast<std::uint8_t>(1 + i), 0);
        TRY(s.device.init(*vm_, *s.host, guest, bars));
        log("vm ", vm_->name(), " device ", s.host->bdf, " assigned as ", guest,
            " reset=", name(a.reset), " iommu_domain=", domain_->id(),
            " interrupts=", iommu_->remaps_interrupts() ? "remapped" : "compatibility",
            " acs_enabled=", acs);
    }
    return {};
}

Result<void> VmAssignment::reset(Slot& s) {
    KernelDelay delay;
    const ResetMethod method = s.reset;
    const std::uint64_t start = time::now_ns();
    auto r = pci::reset_function(pci::host_config(), s.host->bdf, method, s.host->parent, delay,
                                 pci::Quiesce::kYes);
    if (!r) {
        log("vm ", vm_->name(), " device ", s.host->bdf, " reset=", name(method),
            " failed: ", r.error().what);
        return r;
    }
    log("vm ", vm_->name(), " device ", s.host->bdf, " reset=", name(method),
        " ms=", (time::now_ns() - start) / 1'000'000);
    return {};
}

std::uint64_t VmAssignment::bytes() const {
    std::uint64_t total = sizeof(VmAssignment);
    for (std::uint32_t i = 0; i < count_; ++i) total += slots_[i].device.heap_bytes();
    return total;
}

void VmAssignment::on_restart() {
    for (std::uint32_t i = 0; i < count_; ++i) {
        Slot& s = slots_[i];
        // Quiesced by the reset; the guest's view starts over as at power-on.
        if (auto r = reset(s); !r) vm_->stop(vmm::StopReason::kInternalError);
        if (auto r = s.device.reset_guest_view(); !r) {
            log("vm ", vm_->name(), " device ", s.host->bdf, ": ", r.error().what);
            vm_->stop(vmm::StopReason::kInternalError);
        }
    }
}

void VmAssignment::on_release() { tear_down(); }

void VmAssignment::tear_down() {
    for (std::uint32_t i = 0; i < count_; ++i) {
        Slot& s = slots_[i];
        if (s.attached) unregister_owner(s.host->bdf);
        s.device.release();
        // Reset and quiesce while still attached: DMA the device had queued lands (if anywhere)
        // in the VM's own memory, which is not yet freed.
        (void)reset(s);
        if (s.attached) iommu_->detach(s.host->bdf);
        s.attached = false;
        log("vm ", vm_->name(), " device ", s.host->bdf, " returned to the host quiesced");
    }
    count_ = 0;
    if (domain_ != nullptr) {
        for (const vmm::GuestMemory::Chunk& c : vm_->memory().chunks())
            (void)domain_->unmap(c.gpa, c.size);
        iommu_->destroy_domain(domain_);
        domain_ = nullptr;
    }
}

}  // namespace hv::passthrough
