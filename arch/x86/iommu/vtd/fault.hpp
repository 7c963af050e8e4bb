#pragma once
// VT-d primary fault logging, decoded: a fault recording register (VT-d spec 11.4, "Fault
// Recording Registers [n]"; the same fields as the fault record of 9.9) as a value, its fault
// reason as text (Appendix A, "Non-Recoverable Fault Reasons"), and the vendor-neutral
// iommu::Fault the generic layer reports.
//
//   bits  63:12  FI  faulting page address (interrupt faults: 63:48 = interrupt index)
//   bits  79:64  SID requester ID (bus:dev.fn)
//   bit   95     PP  a PASID was present          bits 123:104  PV  that PASID
//   bits 103:96  FR  fault reason                 bits 125:124  AT  address type
//   bit  126     T   0 write, 1 read              bit  127      F   record valid (RW1C)
//
// The driver reads the high word, stops at the first record with F clear, reads the low word,
// and writes kFault back to the high word to free the record (FSTS.FRI says where to start).
#include <cstdint>

#include "arch/x86/iommu/iommu_fault.hpp"
#include "kernel/lib/optional.hpp"

namespace hv::vtd {

class FaultRecord {
  public:
    static constexpr std::uint64_t kFault = 1ull << 63;  // in the high word

    constexpr FaultRecord(std::uint64_t low, std::uint64_t high) : low_(low), high_(high) {}
    [[nodiscard]] constexpr std::uint64_t low() const { return low_; }
    [[nodiscard]] constexpr std::uint64_t high() const { return high_; }

    [[nodiscard]] constexpr bool valid() const { return high_ & kFault; }
    [[nodiscard]] constexpr std::uint8_t reason() const {
        return static_cast<std::uint8_t>(high_ >> 32);
    }
    [[nodiscard]] constexpr std::uint16_t source_id() const {
        return static_cast<std::uint16_t>(high_);
    }
    [[nodiscard]] constexpr bool read() const { return (high_ >> 62) & 1; }
    [[nodiscard]] constexpr unsigned address_type() const {
        return static_cast<unsigned>((high_ >> 60) & 3);
    }
    [[nodiscard]] constexpr bool pasid_present() const { return (high_ >> 31) & 1; }
    [[nodiscard]] constexpr std::uint32_t pasid() const {
        return static_cast<std::uint32_t>((high_ >> 40) & 0xfffff);
    }
    [[nodiscard]] constexpr std::uint64_t address() const { return low_ & ~std::uint64_t{0xfff}; }
    // Reasons 20h-2Fh are interrupt-remapping faults (Appendix A); T and AT are then not valid.
    [[nodiscard]] constexpr bool interrupt() const { return (reason() & 0xf0) == 0x20; }
    [[nodiscard]] constexpr std::uint16_t interrupt_index() const {
        return static_cast<std::uint16_t>(low_ >> 48);
    }

  private:
    std::uint64_t low_;
    std::uint64_t high_;
};
static_assert(sizeof(FaultRecord) == 16, "VT-d spec 11.4: 128-bit fault recording registers");

// Text for a fault reason (Appendix A): 1h-Dh (legacy-mode DMA remapping) and 20h-27h
// (interrupt remapping); "unknown fault reason" otherwise. Static strings.
[[nodiscard]] const char* reason_name(std::uint8_t reason);

// The fault a valid record describes, for a unit on PCI segment `segment`; none when F is
// clear. DMA faults carry the page address; interrupt faults carry the interrupt index and count
// as writes (an MSI is a memory write).
[[nodiscard]] Optional<iommu::Fault> to_fault(const FaultRecord& record, std::uint16_t segment);

}  // namespace hv::vtd
