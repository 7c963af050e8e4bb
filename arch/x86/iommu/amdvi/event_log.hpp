#pragma once
// AMD-Vi event log entries, decoded (AMD IOMMU spec 48882, sec 2.5 "Event Logging"): 128-bit
// records the IOMMU appends at the event log tail (regs.hpp), as a value, the event code as
// text, and the vendor-neutral iommu::Fault the generic layer reports.
//
//   bits  15:0   DeviceID (bus:dev.fn)          bits  47:32  DomainID, or PASID[15:0] with GN
//   bits  19:16  PASID[19:16] (with GN)         bits  59:48  flags (event-specific)
//   bits  63:60  EventCode                      bits 127:64  address
//
// Flags of IO_PAGE_FAULT and ILLEGAL_DEV_TABLE_ENTRY (bit numbers within the entry):
//   48 GN   49 NX   50 US   51 I (interrupt request)   52 PR (translation was present)
//   53 RW (write)   54 PE (permission)   55 RZ (reserved bit set)   56 TR (translation request)
#include <cstdint>

#include "arch/x86/iommu/iommu_fault.hpp"
#include "kernel/lib/optional.hpp"

namespace hv::amdvi {

enum class EventCode : std::uint8_t {
    kIllegalDeviceTableEntry = 0x1,
    kIoPageFault = 0x2,
    kDeviceTableHardwareError = 0x3,
    kPageTableHardwareError = 0x4,
    kIllegalCommandError = 0x5,
    kCommandHardwareError = 0x6,
    kIotlbInvalidationTimeout = 0x7,
    kInvalidDeviceRequest = 0x8,
    kInvalidPprRequest = 0x9,
    kEventCounterZero = 0xA,
};

class EventLogEntry {
  public:
    static constexpr std::uint64_t kGuest = 1ull << 48;        // GN
    static constexpr std::uint64_t kNoExecute = 1ull << 49;    // NX
    static constexpr std::uint64_t kUser = 1ull << 50;         // US
    static constexpr std::uint64_t kInterrupt = 1ull << 51;    // I
    static constexpr std::uint64_t kPresent = 1ull << 52;      // PR
    static constexpr std::uint64_t kWrite = 1ull << 53;        // RW
    static constexpr std::uint64_t kPermission = 1ull << 54;   // PE
    static constexpr std::uint64_t kReservedBit = 1ull << 55;  // RZ
    static constexpr std::uint64_t kTranslation = 1ull << 56;  // TR

    constexpr EventLogEntry(std::uint64_t low, std::uint64_t high) : low_(low), high_(high) {}
    [[nodiscard]] constexpr std::uint64_t low() const { return low_; }
    [[nodiscard]] constexpr std::uint64_t high() const { return high_; }

    [[nodiscard]] constexpr EventCode code() const { return static_cast<EventCode>(low_ >> 60); }
    [[nodiscard]] constexpr std::uint16_t device_id() const {
        return static_cast<std::uint16_t>(low_);
    }
    [[nodiscard]] constexpr std::uint16_t domain_id() const {
        return static_cast<std::uint16_t>(low_ >> 32);
    }
    [[nodiscard]] constexpr std::uint32_t pasid() const {
        return static_cast<std::uint32_t>(((low_ >> 16) & 0xf) << 16 | ((low_ >> 32) & 0xffff));
    }
    [[nodiscard]] constexpr std::uint16_t flags() const {
        return static_cast<std::uint16_t>((low_ >> 48) & 0xfff);
    }
    [[nodiscard]] constexpr bool has(std::uint64_t flag) const { return low_ & flag; }
    [[nodiscard]] constexpr std::uint64_t address() const { return high_; }
    // Entry is empty (the IOMMU writes non-zero codes only); a driver clears what it consumed.
    [[nodiscard]] constexpr bool empty() const { return (low_ >> 60) == 0; }

  private:
    std::uint64_t low_;
    std::uint64_t high_;
};
static_assert(sizeof(EventLogEntry) == 16, "AMD IOMMU spec 2.5: 128-bit event log entries");

// The spec's name of an event code ("IO_PAGE_FAULT"); "UNKNOWN_EVENT" otherwise. Static strings.
[[nodiscard]] const char* event_name(EventCode code);

// The fault an entry describes, for an IOMMU on PCI segment `segment`: for events about a
// device's request (ILLEGAL_DEV_TABLE_ENTRY, IO_PAGE_FAULT, DEV_TAB_HARDWARE_ERROR,
// PAGE_TAB_HARDWARE_ERROR, INVALID_DEVICE_REQUEST); none for the IOMMU's own errors (command
// errors, timeouts, counters), which the driver reports itself. The address is the request's
// (for an interrupt request, its MSI address).
[[nodiscard]] Optional<iommu::Fault> to_fault(const EventLogEntry& entry, std::uint16_t segment);

}  // namespace hv::amdvi
