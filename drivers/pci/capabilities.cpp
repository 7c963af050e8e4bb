#include "drivers/pci/capabilities.hpp"

namespace hv::pci {
namespace {

// Register offsets inside each capability, relative to its header; the MSI, MSI-X and PCIe ones
// are in config_regs.hpp.
// PCI 3.0 sec 6.8.1.3, MSI Message Control.
constexpr std::uint16_t kMsiMultipleMessageShift = 1;
constexpr std::uint16_t kMsiMultipleMessageMask = 0x7;
// PCI 3.0 sec 6.8.2.4-6.8.2.5, MSI-X Table and PBA Offset/BIR.
constexpr std::uint32_t kMsixBirMask = 0x7;
// PCIe 5.0 sec 9.3.3, SR-IOV extended capability.
constexpr std::uint16_t kSriovInitialVfs = 0x0c;
constexpr std::uint16_t kSriovTotalVfs = 0x0e;
constexpr std::uint16_t kSriovFirstVfOffset = 0x14;
constexpr std::uint16_t kSriovVfStride = 0x16;
constexpr std::uint16_t kSriovVfDeviceId = 0x1a;
// PCIe 5.0 sec 7.7.8.2 and 7.8.7.2.
constexpr std::uint16_t kAcsCapability = 0x04;
constexpr std::uint16_t kAriCapability = 0x04;

void record_legacy(ConfigSpace& cs, Bdf bdf, std::uint8_t id, std::uint16_t at,
                   Capabilities& caps) {
    switch (static_cast<CapId>(id)) {
        case CapId::kPowerManagement:
            if (!caps.pm.present()) caps.pm.offset = at;
            break;
        case CapId::kMsi: {
            if (caps.msi.present()) break;
            const std::uint16_t control = cs.read16(bdf, at + msi_cap::kControl);
            caps.msi.offset = at;
            caps.msi.is_64bit = (control & msi_cap::k64Bit) != 0;
            caps.msi.per_vector_masking = (control & msi_cap::kPerVectorMasking) != 0;
            caps.msi.multiple_message_capable =
                (control >> kMsiMultipleMessageShift) & kMsiMultipleMessageMask;
            break;
        }
        case CapId::kMsiX: {
            if (caps.msix.present()) break;
            const std::uint16_t control = cs.read16(bdf, at + msix_cap::kControl);
            const std::uint32_t table = cs.read32(bdf, at + msix_cap::kTable);
            const std::uint32_t pba = cs.read32(bdf, at + msix_cap::kPba);
            caps.msix.offset = at;
            caps.msix.table_size =
                static_cast<std::uint16_t>((control & msix_cap::kTableSizeMask) + 1);
            caps.msix.table_bir = static_cast<std::uint8_t>(table & kMsixBirMask);
            caps.msix.table_offset = table & ~kMsixBirMask;
            caps.msix.pba_bir = static_cast<std::uint8_t>(pba & kMsixBirMask);
            caps.msix.pba_offset = pba & ~kMsixBirMask;
            break;
        }
        case CapId::kPciExpress: {
            if (caps.pcie.present()) break;
            const std::uint16_t pcie_caps = cs.read16(bdf, at + pcie_cap::kCapabilities);
            caps.pcie.offset = at;
            caps.pcie.version = pcie_caps & 0xf;
            caps.pcie.port_type = static_cast<PciePortType>((pcie_caps >> 4) & 0xf);
            caps.pcie.flr =
                (cs.read32(bdf, at + pcie_cap::kDeviceCapabilities) & pcie_cap::kFlrCapable) != 0;
            break;
        }
        default:
            break;
    }
}

void record_extended(ConfigSpace& cs, Bdf bdf, std::uint16_t id, std::uint16_t at,
                     Capabilities& caps) {
    switch (static_cast<ExtCapId>(id)) {
        case ExtCapId::kSrIov:
            if (caps.sriov.present()) break;
            caps.sriov.offset = at;
            caps.sriov.initial_vfs = cs.read16(bdf, at + kSriovInitialVfs);
            caps.sriov.total_vfs = cs.read16(bdf, at + kSriovTotalVfs);
            caps.sriov.first_vf_offset = cs.read16(bdf, at + kSriovFirstVfOffset);
            caps.sriov.vf_stride = cs.read16(bdf, at + kSriovVfStride);
            caps.sriov.vf_device_id = cs.read16(bdf, at + kSriovVfDeviceId);
            break;
        case ExtCapId::kAcs:
            if (caps.acs.present()) break;
            caps.acs.offset = at;
            caps.acs.capability = cs.read16(bdf, at + kAcsCapability);
            break;
        case ExtCapId::kAri:
            if (caps.ari.present()) break;
            caps.ari.offset = at;
            caps.ari.next_function =
                static_cast<std::uint8_t>(cs.read16(bdf, at + kAriCapability) >> 8);
            break;
        default:
            break;
    }
}

// PCI 3.0 sec 6.7. A faulty device can chain its list into a loop or into the header, so each
// dword is visited at most once (a bit per dword of 0x40..0xff) and the walk is bounded.
void walk_legacy(ConfigSpace& cs, Bdf bdf, Capabilities& caps) {
    if ((cs.read(bdf, Reg16::kStatus) & status::kCapabilitiesList) == 0) return;
    const std::uint8_t layout = cs.read(bdf, Reg8::kHeaderType) & header_type::kLayoutMask;
    if (layout != header_type::kEndpoint && layout != header_type::kBridge) return;

    std::uint64_t visited = 0;
    std::uint8_t at = cs.read(bdf, Reg8::kCapabilitiesPointer) & kCapPointerMask;
    while (at != 0) {
        if (at < kFirstCapOffset || caps.legacy_count == kMaxLegacyCaps) {
            caps.legacy_malformed = true;
            return;
        }
        const std::uint64_t bit = std::uint64_t{1} << ((at - kFirstCapOffset) / 4);
        if ((visited & bit) != 0) {
            caps.legacy_malformed = true;
            return;
        }
        visited |= bit;
        ++caps.legacy_count;
        const std::uint16_t header = cs.read16(bdf, at);
        record_legacy(cs, bdf, static_cast<std::uint8_t>(header), at, caps);
        at = static_cast<std::uint8_t>(header >> 8) & kCapPointerMask;
    }
}

// PCIe 5.0 sec 7.6.3. Offsets must strictly increase, which rules out loops; the entry bound is
// a second line of defence.
void walk_extended(ConfigSpace& cs, Bdf bdf, Capabilities& caps) {
    std::uint16_t at = kExtendedCapStart;
    while (true) {
        if (caps.extended_count == kMaxExtendedCaps) {
            caps.extended_malformed = true;
            return;
        }
        const std::uint32_t header = cs.read32(bdf, at);
        // All ones: nothing answers here (an absent or conventional function). Zero: the spec's
        // "no extended capabilities" marker.
        if (header == 0xffffffffu || header == 0) return;
        ++caps.extended_count;
        record_extended(cs, bdf, ext_cap_id(header), at, caps);
        const std::uint16_t next = ext_cap_next(header);
        if (next == 0) return;
        if (next < kExtendedCapStart || next <= at) {
            caps.extended_malformed = true;
            return;
        }
        at = next;
    }
}

}  // namespace

const char* name(PciePortType type) {
    switch (type) {
        case PciePortType::kEndpoint:
            return "endpoint";
        case PciePortType::kLegacyEndpoint:
            return "legacy-endpoint";
        case PciePortType::kRootPort:
            return "root-port";
        case PciePortType::kUpstreamSwitchPort:
            return "upstream-port";
        case PciePortType::kDownstreamSwitchPort:
            return "downstream-port";
        case PciePortType::kPcieToPciBridge:
            return "pcie-to-pci-bridge";
        case PciePortType::kPciToPcieBridge:
            return "pci-to-pcie-bridge";
        case PciePortType::kRcIntegratedEndpoint:
            return "rc-endpoint";
        case PciePortType::kRcEventCollector:
            return "rc-event-collector";
    }
    return "unknown";
}

Capabilities read_capabilities(ConfigSpace& cs, Bdf bdf) {
    Capabilities caps;
    walk_legacy(cs, bdf, caps);
    if (cs.has_extended() && caps.pcie.present()) walk_extended(cs, bdf, caps);
    return caps;
}

}  // namespace hv::pci
