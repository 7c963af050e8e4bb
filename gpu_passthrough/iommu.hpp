#pragma once
// The IOMMU as the passthrough layer sees it: DMA address spaces (domains, one per VM, where the
// I/O virtual address is the guest-physical address) that PCI functions are attached to, and the
// faults the hardware records. Intel VT-d (arch/x86/iommu/vtd) and AMD-Vi (arch/x86/iommu/amdvi)
// implement it; generic code never includes their headers.
//
// Default deny: from init() on, a function that is not attached to a domain has no DMA mappings,
// so any DMA it issues faults (and is reported) instead of reaching memory.
//
// Threading: create/destroy/attach/detach/map/unmap run on the CPU that builds or tears down a
// VM, serialised by the caller; poll_faults() may run on any CPU and locks internally.
#include <cstdint>

#include "arch/x86/iommu/iommu_fault.hpp"
#include "drivers/pci/bdf.hpp"
#include "gpu_passthrough/msi_message.hpp"
#include "kernel/lib/addr.hpp"
#include "kernel/lib/result.hpp"

namespace hv::passthrough {

class IommuDomain {
  public:
    // Maps I/O virtual [iova, iova + size) to host-physical hpa, read and (if `write`) write,
    // with the largest pages the hardware and alignment allow. Page-aligned arguments.
    [[nodiscard]] virtual Result<void> map(std::uint64_t iova, HostPhys hpa, std::uint64_t size,
                                           bool write) = 0;
    // Removes the mappings and invalidates the IOTLBs before returning.
    [[nodiscard]] virtual Result<void> unmap(std::uint64_t iova, std::uint64_t size) = 0;
    // Bytes of I/O page tables (for the per-VM overhead line and the benchmark).
    [[nodiscard]] virtual std::uint64_t table_bytes() const = 0;
    [[nodiscard]] virtual std::uint16_t id() const = 0;

  protected:
    ~IommuDomain() = default;
};

// Receives decoded faults; the generic layer prints them and applies the VM's on_dma_fault.
class FaultSink {
  public:
    virtual void fault(const iommu::Fault& f) = 0;

  protected:
    ~FaultSink() = default;
};

// The message index map_interrupt() names a function's MSI by (MSI-X entries use their own
// index, at most 2047, PCI 3.0 sec 6.8.2.3).
inline constexpr std::uint16_t kMsiMessageIndex = 0xFFFF;

class Iommu {
  public:
    [[nodiscard]] virtual const char* name() const = 0;  // "vtd" or "amdvi"
    // Does one of this IOMMU's units translate `bdf`'s DMA?
    [[nodiscard]] virtual bool covers(pci::Bdf bdf) const = 0;
    [[nodiscard]] virtual Result<IommuDomain*> create_domain() = 0;
    virtual void destroy_domain(IommuDomain* domain) = 0;
    // Points `bdf`'s DMA at `domain` (context entry / device table entry), invalidating caches.
    [[nodiscard]] virtual Result<void> attach(pci::Bdf bdf, IommuDomain& domain) = 0;
    // Back to blocked (default deny).
    virtual void detach(pci::Bdf bdf) = 0;
    // Drains the hardware's fault records / event log into `sink`; returns how many there were.
    virtual std::uint32_t poll_faults(FaultSink& sink) = 0;

    // Interrupt remapping: whether MSIs from assigned functions go through remapping tables.
    // Without it a device could raise any vector on any CPU by writing to 0xFEExxxxx.
    [[nodiscard]] virtual bool remaps_interrupts() const = 0;
    // Lets `bdf`'s message `index` (kMsiMessageIndex, or the MSI-X table entry) raise `vector` on
    // the CPU with local APIC ID `apic_id` (fixed, edge, physical) and returns the address/data
    // pair to program into the device for it. Nothing else that function sends is delivered.
    // Without remapping, the compatibility-format message.
    [[nodiscard]] virtual Result<MsiMessage> map_interrupt(pci::Bdf bdf, std::uint16_t index,
                                                           std::uint8_t vector,
                                                           std::uint32_t apic_id) = 0;
    // The message stops being delivered (the table entry is cleared).
    virtual void unmap_interrupt(pci::Bdf bdf, std::uint16_t index) = 0;

  protected:
    ~Iommu() = default;
};

}  // namespace hv::passthrough
