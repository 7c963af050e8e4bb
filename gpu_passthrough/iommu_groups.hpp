#pragma once
// IOMMU groups: the smallest sets of PCI functions the IOMMU can keep apart. Two functions in one
// group can reach each other (peer-to-peer) or share a requester ID without the IOMMU seeing it,
// so they go to the same VM or not at all (docs ARCHITECTURE, "device assignment").
//
// The reasoning follows Linux pci_device_group() (drivers/iommu/iommu.c, drivers/pci/search.c),
// without the device-specific quirks:
//
//   fn ──alias──► topmost PCIe-to-PCI / PCI-X / conventional bridge above fn (requester-ID
//   │             aliasing: such a bridge issues its subordinate's DMA under its own ID)
//   │
//   └──ACS walk──► up from there, past every bridge whose path to the root lacks ACS
//                  (peer-to-peer between its children is not redirected to the IOMMU)
//
//   the function reached is the group's "anchor"; then
//   - functions of one multifunction slot that lack ACS share a group;
//   - a switch downstream port without ACS joins its sibling downstream ports and everything
//     below them (P2P across the switch's internal bus is not redirected; stricter than Linux,
//     which only groups the port's own subtree).
//
// ACS controls: a function "has ACS" when it has the ACS capability; controls the capability does
// not offer count as hard-wired (PCIe 5.0 sec 6.12.1, and Linux pci_acs_flags_enabled). The
// assignment code must enable SV, RR, CR and UF where offered before the grouping holds.
//
// Pure: takes the enumerated functions, no hardware access, no allocation.
#include <cstddef>
#include <cstdint>
#include <span>

#include "drivers/pci/enumerate.hpp"

namespace hv::passthrough {

// Linux REQ_ACS_FLAGS: Source Validation, P2P Request and Completion Redirect, Upstream Forwarding
// (PCIe 5.0 sec 7.7.8.2).
inline constexpr std::uint16_t kRequiredAcs = (1u << 0) | (1u << 2) | (1u << 3) | (1u << 4);

// ACS Control (PCIe 5.0 sec 7.7.8.3, at the capability + 6) with the required controls the ACS
// Capability register (at + 4) offers turned on, the others kept.
inline constexpr std::uint16_t kAcsControlOffset = 6;
[[nodiscard]] constexpr std::uint16_t acs_control_wanted(std::uint16_t capability,
                                                         std::uint16_t control) {
    return static_cast<std::uint16_t>(control | (capability & kRequiredAcs));
}

// Linux pci_acs_enabled() for REQ_ACS_FLAGS: whether `fn` keeps its own or its children's
// peer-to-peer traffic away from its peers. `multi_function` is the function's own header bit.
[[nodiscard]] bool acs_isolates(const pci::PciFunction& fn);

// Group numbers per function, for at most pci::FunctionList::kCapacity functions. Groups are
// numbered 0, 1, ... in the order of their first member in the input.
class IommuGroups {
  public:
    static constexpr std::size_t kCapacity = pci::FunctionList::kCapacity;

    // Recomputes from `functions` (only the first kCapacity are grouped). A function's `parent`
    // names the bridge above it; a parent missing from `functions` is treated as a root bus.
    void compute(std::span<const pci::PciFunction> functions);

    [[nodiscard]] std::size_t function_count() const { return count_; }
    [[nodiscard]] std::uint16_t group_count() const { return groups_; }
    // The group of functions[index]; index < function_count().
    [[nodiscard]] std::uint16_t group_of(std::size_t index) const { return group_[index]; }
    // Members of `group` in input order: fills `out` with input indices, returns how many exist
    // (may exceed out.size(); only out.size() are written).
    std::size_t members(std::uint16_t group, std::span<std::uint16_t> out) const;

  private:
    std::uint16_t group_[kCapacity]{};
    std::size_t count_ = 0;
    std::uint16_t groups_ = 0;
};

}  // namespace hv::passthrough
