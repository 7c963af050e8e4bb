#include "gpu_passthrough/assignability.hpp"

namespace hv::passthrough {
namespace {

using pci::Bdf;
using pci::PciFunction;

constexpr std::size_t kAbsent = static_cast<std::size_t>(-1);

std::size_t index_of(std::span<const PciFunction> fns, Bdf bdf) {
    const PciFunction* fn = pci::find_function(fns, bdf);
    return fn != nullptr ? static_cast<std::size_t>(fn - fns.data()) : kAbsent;
}

bool contains(std::span<const Bdf> set, Bdf bdf) {
    for (Bdf b : set) {
        if (b == bdf) return true;
    }
    return false;
}

// Linux pci_parent_bus_reset(): a bridge above, and nothing else on the bus it would reset.
bool bus_reset_works(std::span<const PciFunction> fns, std::size_t index) {
    const PciFunction& fn = fns[index];
    if (fn.is_bridge() || !fn.parent) return false;
    const std::size_t bridge = index_of(fns, *fn.parent);
    if (bridge == kAbsent || !fns[bridge].is_bridge()) return false;
    for (std::size_t i = 0; i < fns.size(); ++i) {
        if (i != index && fns[i].bdf.segment() == fn.bdf.segment() &&
            fns[i].bdf.bus() == fn.bdf.bus())
            return false;
    }
    return true;
}

// `in_vm(bdf)` says whether the VM gets `bdf` too.
template <typename InVm>
Assessment assess_index(const HostDevices& host, std::size_t index, InVm in_vm) {
    const PciFunction& fn = host.functions[index];
    Assessment a;
    a.bdf = fn.bdf;
    a.reset = reset_method(host, index);
    if (host.groups != nullptr && index < host.groups->function_count())
        a.group = host.groups->group_of(index);
    a.vga_legacy = fn.class_subclass() == pci::class_subclass::kVgaDisplay;

    if (fn.is_bridge()) {
        a.refusal = Refusal::kBridge;
    } else if (fn.class_subclass() == pci::class_subclass::kHostBridge) {
        a.refusal = Refusal::kHostBridge;
    } else if (fn.class_subclass() == pci::class_subclass::kIommu) {
        a.refusal = Refusal::kIsIommu;
    } else if (host.iommu == nullptr || host.groups == nullptr) {
        a.refusal = Refusal::kNoIommu;
    } else if (!host.iommu->covers(fn.bdf)) {
        a.refusal = Refusal::kNotCovered;
    } else if (index >= host.groups->function_count()) {
        a.refusal = Refusal::kNotFound;  // beyond what the groups were computed for
    } else {
        for (std::size_t i = 0; i < host.groups->function_count(); ++i) {
            const PciFunction& peer = host.functions[i];
            if (i == index || host.groups->group_of(i) != a.group || peer.is_bridge()) continue;
            if (!in_vm(peer.bdf)) {
                a.refusal = Refusal::kSharedGroup;
                a.other = peer.bdf;
                break;
            }
        }
        if (a.refusal == Refusal::kNone && a.reset == ResetMethod::kNone)
            a.refusal = Refusal::kNoReset;
    }
    return a;
}

}  // namespace

ResetMethod reset_method(const HostDevices& host, std::size_t index) {
    const PciFunction& fn = host.functions[index];
    if (fn.caps.pcie.present() && fn.caps.pcie.flr) return ResetMethod::kFlr;
    if (fn.caps.pm.present() && host.pm_reset_works != nullptr && host.pm_reset_works(fn))
        return ResetMethod::kPm;
    if (bus_reset_works(host.functions, index)) return ResetMethod::kBus;
    return ResetMethod::kNone;
}

Assessment assess(const HostDevices& host, Bdf bdf, std::span<const Bdf> vm_devices) {
    const std::size_t index = index_of(host.functions, bdf);
    if (index == kAbsent) {
        Assessment a;
        a.bdf = bdf;
        a.refusal = Refusal::kNotFound;
        return a;
    }
    return assess_index(host, index, [&](Bdf peer) { return contains(vm_devices, peer); });
}

Result<void, Assessment> check_assignment(const HostDevices& host,
                                          std::span<const Bdf> vm_devices) {
    for (Bdf bdf : vm_devices) {
        const Assessment a = assess(host, bdf, vm_devices);
        if (!a.assignable()) return a;
    }
    return Ok{};
}

void format_reason(Sink& sink, const Assessment& a) {
    switch (a.refusal) {
        case Refusal::kNone:
            return;
        case Refusal::kNotFound:
            sink.write("not found on the host");
            return;
        case Refusal::kBridge:
            sink.write("is a bridge");
            return;
        case Refusal::kHostBridge:
            sink.write("is a host bridge");
            return;
        case Refusal::kIsIommu:
            sink.write("is the IOMMU");
            return;
        case Refusal::kNoIommu:
            sink.write("no IOMMU is enabled");
            return;
        case Refusal::kNotCovered:
            sink.write("not translated by the IOMMU");
            return;
        case Refusal::kSharedGroup:
            print(sink, "shares IOMMU group ", a.group, " with ", a.other,
                  ", which is not assigned to this VM");
            return;
        case Refusal::kNoReset:
            sink.write("no reset method (no FLR, no PM reset, not alone below a bridge)");
            return;
    }
}

void format_to(Sink& sink, const Assessment& a) {
    print(sink, "device ", a.bdf, ": ");
    format_reason(sink, a);
}

void format_inventory_line(Sink& sink, const HostDevices& host, std::size_t index) {
    const std::uint16_t group = host.groups != nullptr && index < host.groups->function_count()
                                    ? host.groups->group_of(index)
                                    : 0;
    // The whole group goes to the VM: what is left is what no grouping can fix.
    const Assessment a = assess_index(host, index, [&](Bdf peer) {
        const std::size_t i = index_of(host.functions, peer);
        return host.groups != nullptr && i < host.groups->function_count() &&
               host.groups->group_of(i) == group;
    });
    print(sink, "passthrough ", a.bdf, " group=", a.group, " reset=", name(a.reset),
          " assignable=", a.assignable() ? "yes" : "no");
    if (a.assignable() && a.vga_legacy) sink.write(" note=vga-legacy");
    if (!a.assignable()) {
        sink.write(" reason=");
        format_reason(sink, a);
    }
}

}  // namespace hv::passthrough
