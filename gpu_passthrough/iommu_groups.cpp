#include "gpu_passthrough/iommu_groups.hpp"

namespace hv::passthrough {
namespace {

using pci::PciePortType;
using pci::PciFunction;

constexpr std::uint16_t kNone = 0xffff;
static_assert(IommuGroups::kCapacity < kNone);

// Union-find over input indices; the smaller index is kept as the root so groups are numbered
// by their first member.
class Sets {
  public:
    explicit Sets(std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) parent_[i] = static_cast<std::uint16_t>(i);
    }
    std::uint16_t find(std::uint16_t i) {
        while (parent_[i] != i) {
            parent_[i] = parent_[parent_[i]];
            i = parent_[i];
        }
        return i;
    }
    void join(std::uint16_t a, std::uint16_t b) {
        a = find(a);
        b = find(b);
        if (a < b) parent_[b] = a;
        if (b < a) parent_[a] = b;
    }

  private:
    std::uint16_t parent_[IommuGroups::kCapacity];
};

class Topology {
  public:
    explicit Topology(std::span<const PciFunction> fns) : fns_(fns) {}

    [[nodiscard]] std::uint16_t index_of(pci::Bdf bdf) const {
        for (std::size_t i = 0; i < fns_.size(); ++i) {
            if (fns_[i].bdf == bdf) return static_cast<std::uint16_t>(i);
        }
        return kNone;
    }
    [[nodiscard]] std::uint16_t parent(std::uint16_t i) const {
        const PciFunction& fn = fns_[i];
        if (!fn.parent) return kNone;
        return index_of(*fn.parent);
    }
    [[nodiscard]] const PciFunction& operator[](std::uint16_t i) const { return fns_[i]; }
    [[nodiscard]] std::size_t size() const { return fns_.size(); }

  private:
    std::span<const PciFunction> fns_;
};

// search.c pci_for_each_dma_alias: PCIe-to-PCI/PCI-X bridges (PCIe-to-PCI Bridge 1.0 sec 2.3),
// PCI-X-to-PCIe bridges and conventional bridges put their own or their secondary bus's ID on
// what they forward; root and switch ports do not.
bool aliases_children(const PciFunction& bridge) {
    if (!bridge.caps.pcie.present()) return true;
    switch (bridge.caps.pcie.port_type) {
        case PciePortType::kPcieToPciBridge:
        case PciePortType::kPciToPcieBridge:
            return true;
        default:
            return false;
    }
}

// pci_acs_path_enabled(start, NULL): every function from `i` up to the root bus isolates.
bool acs_path(const Topology& topo, std::uint16_t i) {
    for (std::size_t hops = 0; i != kNone && hops < topo.size(); ++hops) {
        if (!acs_isolates(topo[i])) return false;
        i = topo.parent(i);
    }
    return true;
}

bool same_slot(const PciFunction& a, const PciFunction& b) {
    return a.bdf.segment() == b.bdf.segment() && a.bdf.bus() == b.bdf.bus() &&
           a.bdf.device() == b.bdf.device();
}

bool below(const PciFunction& fn, const PciFunction& bridge) {
    return fn.bdf.segment() == bridge.bdf.segment() && bridge.secondary_bus != 0 &&
           fn.bdf.bus() >= bridge.secondary_bus && fn.bdf.bus() <= bridge.subordinate_bus;
}

bool is_downstream_port(const PciFunction& fn) {
    return fn.is_bridge() && fn.caps.pcie.present() &&
           fn.caps.pcie.port_type == PciePortType::kDownstreamSwitchPort;
}

// A downstream port without ACS: its siblings on the switch's internal bus and all below them.
void join_switch(const Topology& topo, Sets& sets, std::uint16_t port) {
    const PciFunction& p = topo[port];
    for (std::uint16_t s = 0; s < topo.size(); ++s) {
        const PciFunction& sib = topo[s];
        if (!is_downstream_port(sib) || sib.bdf.segment() != p.bdf.segment() ||
            sib.bdf.bus() != p.bdf.bus())
            continue;
        sets.join(port, s);
        for (std::uint16_t j = 0; j < topo.size(); ++j) {
            if (below(topo[j], sib)) sets.join(port, j);
        }
    }
}

std::uint16_t anchor_of(const Topology& topo, Sets& sets, std::uint16_t i) {
    std::uint16_t anchor = i;
    std::size_t hops = 0;
    for (std::uint16_t b = topo.parent(i); b != kNone && hops < topo.size();
         b = topo.parent(b), ++hops) {
        if (aliases_children(topo[b])) anchor = b;
    }
    hops = 0;
    for (std::uint16_t b = topo.parent(anchor); b != kNone && hops < topo.size();
         b = topo.parent(b), ++hops) {
        if (acs_path(topo, b)) break;
        anchor = b;
        if (is_downstream_port(topo[b]) && !acs_isolates(topo[b])) join_switch(topo, sets, b);
    }
    return anchor;
}

}  // namespace

bool acs_isolates(const PciFunction& fn) {
    // Conventional PCI and PCI-X share a bus: every agent sees every transaction.
    if (!fn.caps.pcie.present()) return false;
    const bool has_acs = fn.caps.acs.present();
    switch (fn.caps.pcie.port_type) {
        // PCIe 5.0 sec 6.12.1: ACS never applies to bridges to conventional PCI/PCI-X or to
        // event collectors; Linux takes that as "not isolated".
        case PciePortType::kPcieToPciBridge:
        case PciePortType::kPciToPcieBridge:
        case PciePortType::kRcEventCollector:
            return false;
        // Sec 6.12.1.1: ports say what their children may reach through ACS.
        case PciePortType::kRootPort:
        case PciePortType::kDownstreamSwitchPort:
            return has_acs;
        // Sec 6.12.1.2: other functions need ACS only as part of a multifunction device.
        case PciePortType::kEndpoint:
        case PciePortType::kLegacyEndpoint:
        case PciePortType::kUpstreamSwitchPort:
        case PciePortType::kRcIntegratedEndpoint:
            return !fn.multi_function() || has_acs;
    }
    return true;  // sec 6.12.1.3: nothing applies to the remaining single functions
}

void IommuGroups::compute(std::span<const PciFunction> functions) {
    if (functions.size() > kCapacity) functions = functions.first(kCapacity);
    const Topology topo(functions);
    Sets sets(functions.size());
    const auto n = static_cast<std::uint16_t>(functions.size());

    for (std::uint16_t i = 0; i < n; ++i) {
        const std::uint16_t anchor = anchor_of(topo, sets, i);
        sets.join(i, anchor);
        // iommu.c get_pci_function_alias_group: the slot's functions without ACS.
        const PciFunction& a = topo[anchor];
        if (!a.multi_function() || acs_isolates(a)) continue;
        for (std::uint16_t j = 0; j < n; ++j) {
            if (j != anchor && same_slot(topo[j], a) && !acs_isolates(topo[j]))
                sets.join(anchor, j);
        }
    }

    // Number the roots in input order; a root is always its set's smallest index.
    std::uint16_t number[kCapacity];
    groups_ = 0;
    for (std::uint16_t i = 0; i < n; ++i) {
        const std::uint16_t root = sets.find(i);
        if (root == i) number[i] = groups_++;
        group_[i] = number[root];
    }
    count_ = n;
}

std::size_t IommuGroups::members(std::uint16_t group, std::span<std::uint16_t> out) const {
    std::size_t found = 0;
    for (std::size_t i = 0; i < count_; ++i) {
        if (group_[i] != group) continue;
        if (found < out.size()) out[found] = static_cast<std::uint16_t>(i);
        ++found;
    }
    return found;
}

}  // namespace hv::passthrough
