#include "arch/x86/iommu/amdvi/event_log.hpp"

namespace hv::amdvi {

const char* event_name(EventCode code) {
    // AMD IOMMU spec 48882, sec 2.5 (event codes).
    switch (code) {
        case EventCode::kIllegalDeviceTableEntry:
            return "ILLEGAL_DEV_TABLE_ENTRY";
        case EventCode::kIoPageFault:
            return "IO_PAGE_FAULT";
        case EventCode::kDeviceTableHardwareError:
            return "DEV_TAB_HARDWARE_ERROR";
        case EventCode::kPageTableHardwareError:
            return "PAGE_TAB_HARDWARE_ERROR";
        case EventCode::kIllegalCommandError:
            return "ILLEGAL_COMMAND_ERROR";
        case EventCode::kCommandHardwareError:
            return "COMMAND_HARDWARE_ERROR";
        case EventCode::kIotlbInvalidationTimeout:
            return "IOTLB_INV_TIMEOUT";
        case EventCode::kInvalidDeviceRequest:
            return "INVALID_DEVICE_REQUEST";
        case EventCode::kInvalidPprRequest:
            return "INVALID_PPR_REQUEST";
        case EventCode::kEventCounterZero:
            return "EVENT_COUNTER_ZERO";
    }
    return "UNKNOWN_EVENT";
}

namespace {

const char* fault_reason(const EventLogEntry& e) {
    switch (e.code()) {
        case EventCode::kIoPageFault:
            if (e.has(EventLogEntry::kInterrupt)) return "interrupt request blocked";
            if (e.has(EventLogEntry::kReservedBit)) return "reserved bit set in an I/O page table";
            if (!e.has(EventLogEntry::kPresent)) return "I/O page not present";
            if (e.has(EventLogEntry::kPermission)) return "I/O page access not permitted";
            return "I/O page fault";
        case EventCode::kIllegalDeviceTableEntry:
            return "illegal device table entry";
        case EventCode::kDeviceTableHardwareError:
            return "error accessing the device table";
        case EventCode::kPageTableHardwareError:
            return "error accessing an I/O page table";
        case EventCode::kInvalidDeviceRequest:
            return "invalid device request";
        default:
            return event_name(e.code());
    }
}

}  // namespace

Optional<iommu::Fault> to_fault(const EventLogEntry& entry, std::uint16_t segment) {
    switch (entry.code()) {
        case EventCode::kIllegalDeviceTableEntry:
        case EventCode::kIoPageFault:
        case EventCode::kDeviceTableHardwareError:
        case EventCode::kPageTableHardwareError:
        case EventCode::kInvalidDeviceRequest:
            break;
        default:
            return kNone;
    }
    return iommu::Fault{
        .bdf = pci::Bdf::from_routing_id(segment, entry.device_id()),
        .address = entry.address(),
        .write = entry.has(EventLogEntry::kWrite),
        .interrupt = entry.has(EventLogEntry::kInterrupt),
        .reason = fault_reason(entry),
        .vendor = iommu::Vendor::kAmdVi,
        .vendor_code = static_cast<std::uint16_t>(entry.code()),
    };
}

}  // namespace hv::amdvi
