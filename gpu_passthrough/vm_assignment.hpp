#pragma once
// The PCI functions one VM gets from its manifest's `devices`, VFIO-style:
//
//   check       every function assignable, whole IOMMU groups (assignability.hpp); each refused
//               function gets a console line and the VM does not start
//   domain      one IOMMU domain per VM mapping all guest RAM at I/O virtual = guest-physical,
//               with the largest pages the IOMMU takes (guest RAM is 1 GiB / 2 MiB blocks)
//   per device  reset (FLR, else PM, else secondary bus), attach to the domain, guest view
//               (assigned_device.hpp) at guest 00:(1+i).0 with BARs in the guest's PCI windows
//   restart     devices reset and their guest view rebuilt before RAM is zeroed
//   release     interrupts off, unmapped, reset, quiesced (no decode, no bus mastering), back
//               to blocked DMA; the domain is destroyed
//
// Kernel only; runs on the CPU that builds or tears down the VM.
#include <cstdint>
#include <span>

#include "drivers/pci/bdf.hpp"
#include "gpu_passthrough/assignability.hpp"
#include "gpu_passthrough/assigned_device.hpp"
#include "gpu_passthrough/dma_owners.hpp"
#include "gpu_passthrough/iommu.hpp"
#include "kernel/lib/result.hpp"
#include "vmm/vm.hpp"

namespace hv::passthrough {

inline constexpr std::uint32_t kMaxAssignedPerVm = 16;  // manifest::kMaxDevicesPerVm

class VmAssignment final : public vmm::VmDevices {
  public:
    // Assigns `devices` to `vm` (created, not yet running) and hooks itself in with
    // vm.set_devices(). On error nothing stays assigned; the reasons are on the console as
    //   hv: vm NAME device 0000:00:1f.2 refused: shares IOMMU group 3 with ...
    [[nodiscard]] static Result<VmAssignment*> assign(vmm::Vm& vm,
                                                      std::span<const pci::Bdf> devices,
                                                      DmaFaultPolicy policy);

    void on_restart() override;
    void on_release() override;
    [[nodiscard]] std::uint32_t count() const override { return count_; }
    [[nodiscard]] std::uint64_t bytes() const override;
    [[nodiscard]] std::uint64_t iommu_table_bytes() const override {
        return domain_ != nullptr ? domain_->table_bytes() : 0;
    }

  private:
    struct Slot {
        const pci::PciFunction* host = nullptr;
        ResetMethod reset = ResetMethod::kNone;
        bool attached = false;  // to the VM's domain, and registered as its DMA owner
        AssignedDevice device;
    };

    [[nodiscard]] Result<void> assign_all(std::span<const pci::Bdf> devices, DmaFaultPolicy policy);
    // Resets the function and leaves it quiesced (no decoding, no DMA, no interrupts).
    [[nodiscard]] Result<void> reset(Slot& s);
    void tear_down();

    vmm::Vm* vm_ = nullptr;
    Iommu* iommu_ = nullptr;
    IommuDomain* domain_ = nullptr;
    Slot slots_[kMaxAssignedPerVm];
    std::uint32_t count_ = 0;
};

}  // namespace hv::passthrough
