#pragma once
// Configuration-space register map: header offsets, register bits and capability IDs.
//
// Offsets are enum classes per access width so that a 16-bit register cannot be read as a byte by
// accident. Sources: PCI Local Bus 3.0 (PCI 3.0) sec 6.1-6.2, PCI-to-PCI Bridge Architecture 1.2
// (PPB 1.2) sec 3.2, PCI Express Base 5.0 (PCIe 5.0) sec 7.5, and the PCI Code and ID Assignment
// Specification 1.11 (PCI IDs) for capability IDs.
#include <cstdint>

namespace hv::pci {

// PCI 3.0 sec 6.1: 256 bytes per function; PCIe 5.0 sec 7.2.2: 4096 with ECAM, the extended part
// starting at 0x100.
inline constexpr std::uint16_t kLegacyConfigSize = 0x100;
inline constexpr std::uint16_t kExtendedConfigSize = 0x1000;
inline constexpr std::uint16_t kExtendedCapStart = 0x100;

// PCI 3.0 sec 6.2.1: a read of the vendor ID of an absent function returns all ones.
inline constexpr std::uint16_t kVendorAbsent = 0xffff;
// PCIe 5.0 sec 2.3.2: while a function completes configuration requests with Configuration Request
// Retry Status (it is still initialising after a reset), a Root Port with CRS Software Visibility
// enabled completes a read of the Vendor ID with this value instead of retrying.
inline constexpr std::uint16_t kVendorCrs = 0x0001;

// Base class and subclass, as class_code >> 8 (PCI Code and ID Assignment spec 1.12, sec 1).
namespace class_subclass {
inline constexpr std::uint16_t kVgaDisplay = 0x0300;  // 03h/00h, VGA-compatible controller
inline constexpr std::uint16_t kHostBridge = 0x0600;  // 06h/00h
inline constexpr std::uint16_t kIommu = 0x0806;       // 08h/06h, IOMMU (AMD-Vi's own function)
}  // namespace class_subclass

// 32-bit header registers (PCI 3.0 sec 6.1, fig. 6-1; PPB 1.2 sec 3.2, fig. 3-2).
enum class Reg32 : std::uint16_t {
    kVendorDevice = 0x00,
    kCommandStatus = 0x04,
    kClassRevision = 0x08,  // revision [7:0], class code [31:8]
    kBar0 = 0x10,           // BARs are consecutive dwords from here
    kType0ExpansionRom = 0x30,
    kBusNumbers = 0x18,  // type 1: primary, secondary, subordinate, secondary latency
    kType1ExpansionRom = 0x38,
};

// 16-bit header registers.
enum class Reg16 : std::uint16_t {
    kVendorId = 0x00,
    kDeviceId = 0x02,
    kCommand = 0x04,
    kStatus = 0x06,
    kSubsystemVendorId = 0x2c,  // type 0 only
    kSubsystemId = 0x2e,        // type 0 only
    kSecondaryStatus = 0x1e,    // type 1 only
    kBridgeControl = 0x3e,      // type 1 only
};

// 8-bit header registers.
enum class Reg8 : std::uint16_t {
    kRevisionId = 0x08,
    kProgIf = 0x09,
    kSubclass = 0x0a,
    kBaseClass = 0x0b,
    kCacheLineSize = 0x0c,
    kLatencyTimer = 0x0d,
    kHeaderType = 0x0e,
    kBist = 0x0f,
    kPrimaryBus = 0x18,      // type 1 only (PPB 1.2 sec 3.2.5.2)
    kSecondaryBus = 0x19,    // type 1 only (PPB 1.2 sec 3.2.5.3)
    kSubordinateBus = 0x1a,  // type 1 only (PPB 1.2 sec 3.2.5.4)
    kCapabilitiesPointer = 0x34,
    kInterruptLine = 0x3c,
    kInterruptPin = 0x3d,
};

[[nodiscard]] constexpr std::uint16_t offset(Reg32 r) { return static_cast<std::uint16_t>(r); }
[[nodiscard]] constexpr std::uint16_t offset(Reg16 r) { return static_cast<std::uint16_t>(r); }
[[nodiscard]] constexpr std::uint16_t offset(Reg8 r) { return static_cast<std::uint16_t>(r); }

// Command register bits (PCI 3.0 sec 6.2.2, table 6-1 and fig. 6-2).
namespace command {
inline constexpr std::uint16_t kIoSpace = 1u << 0;
inline constexpr std::uint16_t kMemorySpace = 1u << 1;
inline constexpr std::uint16_t kBusMaster = 1u << 2;
inline constexpr std::uint16_t kParityErrorResponse = 1u << 6;
inline constexpr std::uint16_t kSerrEnable = 1u << 8;
inline constexpr std::uint16_t kIntxDisable = 1u << 10;
}  // namespace command

// Status register bits (PCI 3.0 sec 6.2.3, fig. 6-3). Bits 15:11 and 8 are RW1C: writing a one
// clears them, so a read-modify-write of the command/status dword must write zeros there.
namespace status {
inline constexpr std::uint16_t kInterruptStatus = 1u << 3;
inline constexpr std::uint16_t kCapabilitiesList = 1u << 4;
inline constexpr std::uint16_t kMasterDataParityError = 1u << 8;
inline constexpr std::uint16_t kSignaledTargetAbort = 1u << 11;
inline constexpr std::uint16_t kReceivedTargetAbort = 1u << 12;
inline constexpr std::uint16_t kReceivedMasterAbort = 1u << 13;
inline constexpr std::uint16_t kSignaledSystemError = 1u << 14;
inline constexpr std::uint16_t kDetectedParityError = 1u << 15;
inline constexpr std::uint16_t kRw1cMask = 0xf900;
}  // namespace status

// Header type register (PCI 3.0 sec 6.2.1): bit 7 multi-function, bits 6:0 layout.
namespace header_type {
inline constexpr std::uint8_t kMultiFunction = 1u << 7;
inline constexpr std::uint8_t kLayoutMask = 0x7f;
inline constexpr std::uint8_t kEndpoint = 0x00;  // type 0
inline constexpr std::uint8_t kBridge = 0x01;    // type 1, PCI-to-PCI bridge (PPB 1.2 sec 3.2)
inline constexpr std::uint8_t kCardBus = 0x02;   // type 2
}  // namespace header_type

// Bridge control register (PPB 1.2 sec 3.2.5.18).
namespace bridge_control {
inline constexpr std::uint16_t kParityErrorResponse = 1u << 0;
inline constexpr std::uint16_t kSerrEnable = 1u << 1;
inline constexpr std::uint16_t kSecondaryBusReset = 1u << 6;
}  // namespace bridge_control

// BAR low bits (PCI 3.0 sec 6.2.5.1, fig. 6-5 and 6-6).
namespace bar_bits {
inline constexpr std::uint32_t kIoSpace = 1u << 0;
inline constexpr std::uint32_t kIoAddressMask = ~std::uint32_t{0x3};
inline constexpr std::uint32_t kMemTypeMask = 0x3u << 1;
inline constexpr std::uint32_t kMemType32 = 0x0u << 1;
inline constexpr std::uint32_t kMemTypeBelow1M = 0x1u << 1;  // PCI 2.2 only, reserved in 3.0
inline constexpr std::uint32_t kMemType64 = 0x2u << 1;
inline constexpr std::uint32_t kMemPrefetchable = 1u << 3;
inline constexpr std::uint32_t kMemAddressMask = ~std::uint32_t{0xf};
}  // namespace bar_bits

// Expansion ROM BAR (PCI 3.0 sec 6.2.5.2, fig. 6-7): enable bit 0, address bits 31:11.
namespace rom_bits {
inline constexpr std::uint32_t kEnable = 1u << 0;
inline constexpr std::uint32_t kAddressMask = 0xfffff800u;
}  // namespace rom_bits

// PCI 3.0 sec 6.2.5.1 / PPB 1.2 sec 3.2.5.1: BAR slots per header layout.
inline constexpr unsigned kType0BarCount = 6;
inline constexpr unsigned kType1BarCount = 2;

// BIST register (PCI 3.0 sec 6.2.4): writing a one to bit 6 starts the function's self test.
namespace bist {
inline constexpr std::uint8_t kStart = 1u << 6;
}  // namespace bist

// Registers inside capabilities, as offsets from the capability header, and their bits.

// Power Management (PCI PM 1.2 sec 3.2): PMCSR, sec 3.2.4.
namespace pm_cap {
inline constexpr std::uint16_t kControlStatus = 0x04;
inline constexpr std::uint16_t kPowerStateMask = 0x3;  // bits 1:0
inline constexpr std::uint16_t kD0 = 0x0;
inline constexpr std::uint16_t kD3hot = 0x3;
inline constexpr std::uint16_t kNoSoftReset = 1u << 3;  // read-only
inline constexpr std::uint16_t kPmeEnable = 1u << 8;
inline constexpr std::uint16_t kPmeStatus = 1u << 15;  // RW1C
}  // namespace pm_cap

// MSI (PCI 3.0 sec 6.8.1). The data and mask registers move by 4 when the address is 64-bit.
namespace msi_cap {
inline constexpr std::uint16_t kControl = 0x02;
inline constexpr std::uint16_t kAddressLow = 0x04;
inline constexpr std::uint16_t kAddressHigh = 0x08;  // 64-bit capable functions only
inline constexpr std::uint16_t kData32 = 0x08;
inline constexpr std::uint16_t kData64 = 0x0c;
inline constexpr std::uint16_t kMask32 = 0x0c;  // per-vector masking capable functions only
inline constexpr std::uint16_t kMask64 = 0x10;
// Message Control bits (sec 6.8.1.3).
inline constexpr std::uint16_t kEnable = 1u << 0;
inline constexpr std::uint16_t kMultipleMessageEnableMask = 0x7u << 4;  // log2 of vectors granted
inline constexpr std::uint16_t k64Bit = 1u << 7;
inline constexpr std::uint16_t kPerVectorMasking = 1u << 8;
}  // namespace msi_cap

// MSI-X (PCI 3.0 sec 6.8.2): Message Control (sec 6.8.2.3), Table and PBA Offset/BIR.
namespace msix_cap {
inline constexpr std::uint16_t kControl = 0x02;
inline constexpr std::uint16_t kTable = 0x04;
inline constexpr std::uint16_t kPba = 0x08;
inline constexpr std::uint16_t kTableSizeMask = 0x7ff;
inline constexpr std::uint16_t kFunctionMask = 1u << 14;
inline constexpr std::uint16_t kEnable = 1u << 15;
}  // namespace msix_cap

// PCI Express capability (PCIe 5.0 sec 7.5.3). Each 16-bit control register shares its dword
// with a status register that has RW1C bits.
namespace pcie_cap {
inline constexpr std::uint16_t kCapabilities = 0x02;            // sec 7.5.3.2
inline constexpr std::uint16_t kDeviceCapabilities = 0x04;      // sec 7.5.3.3
inline constexpr std::uint16_t kDeviceControl = 0x08;           // sec 7.5.3.4
inline constexpr std::uint16_t kDeviceStatus = 0x0a;            // sec 7.5.3.5
inline constexpr std::uint16_t kLinkControl = 0x10;             // sec 7.5.3.7
inline constexpr std::uint16_t kDeviceControl2 = 0x28;          // sec 7.5.3.16, version 2 only
inline constexpr std::uint32_t kFlrCapable = 1u << 28;          // Device Capabilities
inline constexpr std::uint16_t kInitiateFlr = 1u << 15;         // Device Control, endpoints
inline constexpr std::uint16_t kTransactionsPending = 1u << 5;  // Device Status, read-only
}  // namespace pcie_cap

// Capability IDs of the legacy list (PCI IDs 1.11 sec 2).
enum class CapId : std::uint8_t {
    kPowerManagement = 0x01,
    kAgp = 0x02,
    kVpd = 0x03,
    kSlotId = 0x04,
    kMsi = 0x05,
    kCompactPciHotSwap = 0x06,
    kPciX = 0x07,
    kHyperTransport = 0x08,
    kVendorSpecific = 0x09,
    kDebugPort = 0x0a,
    kCompactPciResourceControl = 0x0b,
    kPciHotPlug = 0x0c,
    kBridgeSubsystemVendorId = 0x0d,
    kAgp8x = 0x0e,
    kSecureDevice = 0x0f,
    kPciExpress = 0x10,
    kMsiX = 0x11,
    kSataConfig = 0x12,
    kAdvancedFeatures = 0x13,
    kEnhancedAllocation = 0x14,
    kFlatteningPortalBridge = 0x15,
};

// Extended capability IDs from 0x100 on (PCI IDs 1.11 sec 3).
enum class ExtCapId : std::uint16_t {
    kAer = 0x0001,
    kVirtualChannel = 0x0002,
    kDeviceSerialNumber = 0x0003,
    kPowerBudgeting = 0x0004,
    kRootComplexLinkDeclaration = 0x0005,
    kRootComplexInternalLinkControl = 0x0006,
    kRootComplexEventCollector = 0x0007,
    kMultiFunctionVirtualChannel = 0x0008,
    kVirtualChannelMfvc = 0x0009,
    kRootComplexRegisterBlock = 0x000a,
    kVendorSpecific = 0x000b,
    kConfigAccessCorrelation = 0x000c,
    kAcs = 0x000d,
    kAri = 0x000e,
    kAts = 0x000f,
    kSrIov = 0x0010,
    kMrIov = 0x0011,
    kMulticast = 0x0012,
    kPageRequest = 0x0013,
    kResizableBar = 0x0015,
    kDynamicPowerAllocation = 0x0016,
    kTph = 0x0017,
    kLtr = 0x0018,
    kSecondaryPcie = 0x0019,
    kPmux = 0x001a,
    kPasid = 0x001b,
    kLnr = 0x001c,
    kDpc = 0x001d,
    kL1PmSubstates = 0x001e,
    kPtm = 0x001f,
    kDvsec = 0x0023,
    kDataLinkFeature = 0x0025,
    kPhysicalLayer16 = 0x0026,
};

// Legacy capability header (PCI 3.0 sec 6.7): ID byte, next-pointer byte. Pointers are dword
// aligned (the low two bits are reserved) and never point into the 64-byte header.
inline constexpr std::uint8_t kCapPointerMask = 0xfc;
inline constexpr std::uint8_t kFirstCapOffset = 0x40;

// Extended capability header (PCIe 5.0 sec 7.6.3): ID [15:0], version [19:16], next [31:20].
[[nodiscard]] constexpr std::uint16_t ext_cap_id(std::uint32_t header) {
    return static_cast<std::uint16_t>(header & 0xffff);
}
[[nodiscard]] constexpr std::uint8_t ext_cap_version(std::uint32_t header) {
    return static_cast<std::uint8_t>((header >> 16) & 0xf);
}
// The low two bits of the next offset are reserved (PCIe 5.0 sec 7.6.3) and masked off.
[[nodiscard]] constexpr std::uint16_t ext_cap_next(std::uint32_t header) {
    return static_cast<std::uint16_t>((header >> 20) & 0xffc);
}

static_assert(ext_cap_id(0x14820010) == 0x0010);
static_assert(ext_cap_version(0x14820010) == 2);
static_assert(ext_cap_next(0x14820010) == 0x148);

}  // namespace hv::pci
