#include "arch/x86/iommu/vtd/fault.hpp"

namespace hv::vtd {

const char* reason_name(std::uint8_t reason) {
    // VT-d spec, Appendix A.
    switch (reason) {
        case 0x01:
            return "root entry not present";
        case 0x02:
            return "context entry not present";
        case 0x03:
            return "invalid context entry";
        case 0x04:
            return "address beyond the address width";
        case 0x05:
            return "write to a page without write permission";
        case 0x06:
            return "read from a page without read permission";
        case 0x07:
            return "error accessing a second-level paging entry";
        case 0x08:
            return "error accessing the root table";
        case 0x09:
            return "error accessing the context table";
        case 0x0A:
            return "reserved bit set in a root entry";
        case 0x0B:
            return "reserved bit set in a context entry";
        case 0x0C:
            return "reserved bit set in a second-level paging entry";
        case 0x0D:
            return "translation request blocked by the context entry";
        case 0x20:
            return "reserved bit set in an interrupt request";
        case 0x21:
            return "interrupt index beyond the remapping table";
        case 0x22:
            return "interrupt remapping entry not present";
        case 0x23:
            return "error accessing the interrupt remapping table";
        case 0x24:
            return "reserved bit set in an interrupt remapping entry";
        case 0x25:
            return "compatibility-format interrupt blocked";
        case 0x26:
            return "interrupt blocked by source-id validation";
        case 0x27:
            return "error accessing a posted-interrupt descriptor";
        default:
            return "unknown fault reason";
    }
}

Optional<iommu::Fault> to_fault(const FaultRecord& record, std::uint16_t segment) {
    if (!record.valid()) return kNone;
    const bool interrupt = record.interrupt();
    return iommu::Fault{
        .bdf = pci::Bdf::from_routing_id(segment, record.source_id()),
        .address = interrupt ? record.interrupt_index() : record.address(),
        .write = interrupt || !record.read(),
        .interrupt = interrupt,
        .reason = reason_name(record.reason()),
        .vendor = iommu::Vendor::kVtd,
        .vendor_code = record.reason(),
    };
}

}  // namespace hv::vtd
