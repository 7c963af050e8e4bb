#pragma once
// A DMA or interrupt-remapping fault, decoded from a VT-d fault recording register
// (vtd/fault.hpp) or an AMD-Vi event log entry (amdvi/event_log.hpp) into words neither vendor
// owns, so the generic layer can report it as
//   hv: iommu fault device=0000:01:00.0 addr=0xfee00000 reason=...
// and decide what to do with the device's VM without including a vendor header. Pure value.
#include <cstdint>

#include "drivers/pci/bdf.hpp"

namespace hv::iommu {

enum class Vendor : std::uint8_t { kVtd, kAmdVi };

struct Fault {
    pci::Bdf bdf;           // the requester (segment from the IOMMU unit that logged it)
    std::uint64_t address;  // the I/O virtual address (page granular on VT-d), or for an
                            // interrupt fault what the vendor records (see `interrupt`)
    bool write;             // the faulting request was a write (false: read)
    bool interrupt;         // an interrupt request faulted (VT-d reasons 20h-27h, AMD-Vi I flag)
    const char* reason;     // static text, never null
    Vendor vendor;
    std::uint16_t vendor_code;  // VT-d fault reason (Appendix A) or AMD-Vi event code (sec 2.5)
};

}  // namespace hv::iommu
