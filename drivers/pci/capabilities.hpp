#pragma once
// The capability lists of one function: the legacy list in the first 256 bytes (PCI 3.0 sec 6.7)
// and the PCIe extended list from 0x100 (PCIe 5.0 sec 7.6). We record where the capabilities the
// hypervisor acts on live and the few fields that shape that work (MSI/MSI-X layout for interrupt
// remapping, FLR and SR-IOV for assignment, ACS and ARI for IOMMU grouping).
//
// Every record's `offset` is its position in configuration space; 0 means absent (no
// capability can live at 0, it is inside the header).
#include <cstdint>

#include "drivers/pci/config_space.hpp"

namespace hv::pci {

// PCI Power Management 1.2 sec 3.2.
struct PmCap {
    std::uint16_t offset = 0;
    [[nodiscard]] constexpr bool present() const { return offset != 0; }
};

// PCI 3.0 sec 6.8.1.
struct MsiCap {
    std::uint16_t offset = 0;
    bool is_64bit = false;                      // message control bit 7
    bool per_vector_masking = false;            // message control bit 8
    std::uint8_t multiple_message_capable = 0;  // message control bits 3:1, log2 of vectors

    [[nodiscard]] constexpr bool present() const { return offset != 0; }
    [[nodiscard]] constexpr unsigned max_vectors() const { return 1u << multiple_message_capable; }
};

// PCI 3.0 sec 6.8.2. Offsets are relative to the BAR the BIR names.
struct MsixCap {
    std::uint16_t offset = 0;
    std::uint16_t table_size = 0;  // entries (message control bits 10:0 hold this minus one)
    std::uint8_t table_bir = 0;
    std::uint32_t table_offset = 0;
    std::uint8_t pba_bir = 0;
    std::uint32_t pba_offset = 0;

    [[nodiscard]] constexpr bool present() const { return offset != 0; }
};

// PCIe 5.0 sec 7.5.3.2, PCI Express Capabilities register bits 7:4.
enum class PciePortType : std::uint8_t {
    kEndpoint = 0x0,
    kLegacyEndpoint = 0x1,
    kRootPort = 0x4,
    kUpstreamSwitchPort = 0x5,
    kDownstreamSwitchPort = 0x6,
    kPcieToPciBridge = 0x7,
    kPciToPcieBridge = 0x8,
    kRcIntegratedEndpoint = 0x9,
    kRcEventCollector = 0xa,
};

// "endpoint", "legacy-endpoint", "root-port", "upstream-port", "downstream-port",
// "pcie-to-pci-bridge", "pci-to-pcie-bridge", "rc-endpoint", "rc-event-collector", or "unknown"
// for a reserved encoding.
[[nodiscard]] const char* name(PciePortType type);

// PCIe 5.0 sec 7.5.3.
struct PcieCap {
    std::uint16_t offset = 0;
    std::uint8_t version = 0;  // capability version, bits 3:0
    PciePortType port_type = PciePortType::kEndpoint;
    bool flr = false;  // Device Capabilities bit 28, Function Level Reset (sec 7.5.3.3)

    [[nodiscard]] constexpr bool present() const { return offset != 0; }
};

// PCIe 5.0 sec 9.3.3.
struct SriovCap {
    std::uint16_t offset = 0;
    std::uint16_t initial_vfs = 0;
    std::uint16_t total_vfs = 0;
    std::uint16_t first_vf_offset = 0;  // routing-ID distance from the PF to VF 1
    std::uint16_t vf_stride = 0;
    std::uint16_t vf_device_id = 0;

    [[nodiscard]] constexpr bool present() const { return offset != 0; }
};

// PCIe 5.0 sec 7.7.8.2, ACS Capability register.
struct AcsCap {
    std::uint16_t offset = 0;
    std::uint16_t capability = 0;

    [[nodiscard]] constexpr bool present() const { return offset != 0; }
    [[nodiscard]] constexpr bool source_validation() const { return capability & (1u << 0); }
    [[nodiscard]] constexpr bool translation_blocking() const { return capability & (1u << 1); }
    [[nodiscard]] constexpr bool p2p_request_redirect() const { return capability & (1u << 2); }
    [[nodiscard]] constexpr bool p2p_completion_redirect() const { return capability & (1u << 3); }
    [[nodiscard]] constexpr bool upstream_forwarding() const { return capability & (1u << 4); }
    [[nodiscard]] constexpr bool p2p_egress_control() const { return capability & (1u << 5); }
    [[nodiscard]] constexpr bool direct_translated_p2p() const { return capability & (1u << 6); }
};

// PCIe 5.0 sec 7.8.7.
struct AriCap {
    std::uint16_t offset = 0;
    std::uint8_t next_function = 0;  // ARI Capability register bits 15:8

    [[nodiscard]] constexpr bool present() const { return offset != 0; }
};

// PCI 3.0 sec 6.7: at most 48 capabilities fit between 0x40 and 0x100.
inline constexpr unsigned kMaxLegacyCaps = (kLegacyConfigSize - kFirstCapOffset) / 4;
// PCIe 5.0 sec 7.6.3: the extended list lives in 0x100..0xfff, one dword header each at least.
inline constexpr unsigned kMaxExtendedCaps = (kExtendedConfigSize - kExtendedCapStart) / 4;
static_assert(kMaxLegacyCaps == 48 && kMaxExtendedCaps == 960);

struct Capabilities {
    PmCap pm;
    MsiCap msi;
    MsixCap msix;
    PcieCap pcie;
    SriovCap sriov;
    AcsCap acs;
    AriCap ari;
    std::uint8_t legacy_count = 0;     // entries walked, recognised or not
    std::uint16_t extended_count = 0;  // entries walked, recognised or not
    // The list was cut short: a pointer below 0x40 (legacy) or below 0x100 (extended), a pointer
    // that did not move forward (extended) or revisited an entry (legacy), or too many entries.
    // What was found before the fault is still recorded.
    bool legacy_malformed = false;
    bool extended_malformed = false;

    [[nodiscard]] constexpr bool malformed() const {
        return legacy_malformed || extended_malformed;
    }
};

// Walks both lists of a present function. The legacy list is read only when Status bit 4 says
// it exists and the header is type 0 or 1; the extended list only when `cs` reaches offsets past
// 0x100 and the function has a PCI Express capability (conventional functions behind a bridge
// may alias 0x100 onto 0x00). The first instance of each ID is recorded, duplicates ignored.
// Reads only; never writes.
[[nodiscard]] Capabilities read_capabilities(ConfigSpace& cs, Bdf bdf);

}  // namespace hv::pci
