#pragma once
// Whether a host PCI function can be handed to a VM, and why not. Pure: decides from the
// enumerated functions, their IOMMU groups and the IOMMU's coverage; touches no hardware.
//
// A function is refused, in this order of checks, when it
//   - is not in the inventory;
//   - is a bridge (type 1 header) or a host bridge (class 06/00): the host's topology;
//   - is the IOMMU (class 08/06, AMD-Vi) or no IOMMU translates its DMA;
//   - shares its IOMMU group with an endpoint not assigned to the same VM (bridges in the group
//     stay with the host, as in Linux VFIO);
//   - has no reset method: FLR (PCIe Device Capabilities bit 28), PM D3hot->D0 when
//     No_Soft_Reset is clear (PCI PM 1.2 sec 3.2.4), or a secondary bus reset, which Linux
//     allows only when the function is alone on its bus below a bridge.
// A VGA-compatible display function (class 03/00) is allowed, with a note: its legacy VGA I/O
// and memory ranges need special handling.
#include <cstdint>
#include <span>

#include "drivers/pci/enumerate.hpp"
#include "drivers/pci/function_reset.hpp"
#include "gpu_passthrough/iommu.hpp"
#include "gpu_passthrough/iommu_groups.hpp"
#include "kernel/lib/format.hpp"
#include "kernel/lib/result.hpp"

namespace hv::passthrough {

// The reset methods are drivers/pci's, which carries them out (name() comes with them).
using pci::ResetMethod;

enum class Refusal : std::uint8_t {
    kNone,
    kNotFound,
    kBridge,
    kHostBridge,
    kIsIommu,
    kNoIommu,
    kNotCovered,
    kSharedGroup,
    kNoReset,
};

// The host as the assignment check sees it. `functions` and `groups` come from one scan
// (groups.compute(functions)).
struct HostDevices {
    std::span<const pci::PciFunction> functions;
    const IommuGroups* groups = nullptr;
    const Iommu* iommu = nullptr;  // nullptr: no IOMMU, nothing is assignable
    // Whether `fn`'s PMCSR No_Soft_Reset bit is clear, so that D3hot->D0 resets it. The scan
    // does not record PMCSR; nullptr means unknown, and PM reset is not used.
    bool (*pm_reset_works)(const pci::PciFunction& fn) = nullptr;
};

struct Assessment {
    pci::Bdf bdf;
    std::uint16_t group = 0;
    ResetMethod reset = ResetMethod::kNone;
    Refusal refusal = Refusal::kNone;
    pci::Bdf other;           // kSharedGroup: the first group member left out
    bool vga_legacy = false;  // allowed, but legacy VGA ranges need special handling

    [[nodiscard]] bool assignable() const { return refusal == Refusal::kNone; }
};

// The reset a VM-assignment path would use for functions[index], best first.
[[nodiscard]] ResetMethod reset_method(const HostDevices& host, std::size_t index);

// Assesses `bdf` as one of `vm_devices` (the BDFs one VM asks for, `bdf` among them).
[[nodiscard]] Assessment assess(const HostDevices& host, pci::Bdf bdf,
                                std::span<const pci::Bdf> vm_devices);

// Assesses each of `vm_devices`, in order; the first refusal is the error. Its text (format_to)
// names the device and the reason, e.g.
//   device 0000:01:00.0: shares IOMMU group 3 with 0000:01:00.1, which is not assigned to this VM
[[nodiscard]] Result<void, Assessment> check_assignment(const HostDevices& host,
                                                        std::span<const pci::Bdf> vm_devices);

// The reason alone ("is a bridge", "shares IOMMU group 3 with 0000:01:00.1, which is not
// assigned to this VM", ...); nothing for an assignable function.
void format_reason(Sink& sink, const Assessment& a);
// "device BDF: REASON"
void format_to(Sink& sink, const Assessment& a);

// The boot inventory line without the "hv: " prefix (console contract, docs/console.md):
//   passthrough 0000:01:00.0 group=3 reset=flr assignable=yes [note=vga-legacy]
//   passthrough 0000:00:1f.2 group=7 reset=none assignable=no reason=no reset method (...)
// The function is assessed as if its whole group went to one VM; the reason comes last as it
// may contain spaces.
void format_inventory_line(Sink& sink, const HostDevices& host, std::size_t index);

}  // namespace hv::passthrough
