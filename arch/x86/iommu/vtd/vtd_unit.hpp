#pragma once
// One VT-d remapping unit (a DRHD of the DMAR): its registers, its root and context tables in
// legacy mode, cache invalidation (queued when ECAP.QI, register-based otherwise) and the
// primary fault recording registers. Kernel only: it touches MMIO.
//
//   enable():   root table (256 x not present: every function blocked) -> SRTP/RTPS
//               -> fault interrupt masked (faults are polled) -> QIE/QIES when ECAP.QI
//               -> global context-cache + IOTLB invalidation -> TE/TES -> PMRs off
//   attach:     context table for the bus on demand -> context entry (present word last)
//               -> device-selective context-cache + domain IOTLB invalidation
//   detach:     context entry cleared (present word first) -> the same invalidations
//
// Invalidations follow every context change, present or not: with CAP.CM (QEMU's
// caching-mode=on) not-present entries may be cached too, and without it they cost little.
//
// Threading: table changes and invalidations run under one lock, fault draining under another,
// so poll_faults() on any CPU does not wait behind a VM build.
#include <cstddef>
#include <cstdint>
#include <span>

#include "arch/x86/iommu/vtd/interrupt_remapping.hpp"
#include "arch/x86/iommu/vtd/invalidation.hpp"
#include "arch/x86/iommu/vtd/regs.hpp"
#include "drivers/acpi/dmar.hpp"
#include "drivers/pci/bdf.hpp"
#include "gpu_passthrough/iommu.hpp"
#include "kernel/lib/addr.hpp"
#include "kernel/lib/result.hpp"
#include "kernel/spinlock.hpp"

namespace hv::vtd {

// Writes back the cache lines of [p, p + bytes), for tables a non-snooping unit (ECAP.C clear)
// reads.
void flush_cache(const void* p, std::size_t bytes);

// Store policy for entries the unit walks (entry_store.hpp, and the page-table engine's
// write_entry): a release store, then a cache-line flush when the unit does not snoop.
struct TableStore {
    bool flush = false;
    void operator()(std::uint64_t* word, std::uint64_t value) const;
};

class Unit {
  public:
    // Maps the registers and reads CAP/ECAP; changes nothing.
    [[nodiscard]] Result<void> probe(const acpi::Drhd& drhd, unsigned index);
    // Turns translation on with every function blocked; `aw` is what the domains' tables use.
    [[nodiscard]] Result<void> enable(AddressWidth aw);

    [[nodiscard]] Capability cap() const { return cap_; }
    [[nodiscard]] ExtendedCapability ecap() const { return ecap_; }
    [[nodiscard]] std::uint16_t segment() const { return drhd_->segment; }
    [[nodiscard]] const acpi::Drhd& drhd() const { return *drhd_; }
    [[nodiscard]] bool queued_invalidation() const { return queue_ != nullptr; }

    // Points `routing_id` at a second-level table of domain `domain`; replaces an entry for
    // another domain (clearing and invalidating it first).
    [[nodiscard]] Result<void> set_context(std::uint16_t routing_id, HostPhys second_level_root,
                                           AddressWidth aw, std::uint16_t domain);
    // Back to not present (blocked); nothing when already so.
    void clear_context(std::uint16_t routing_id);
    // After a change to `domain`'s second-level table: the IOTLB entries for it, drained.
    [[nodiscard]] Result<void> invalidate_domain(std::uint16_t domain);
    // After mapping (entries went from not present to present): needed only with CAP.CM (an
    // IOTLB invalidation) or CAP.RWBF (a write-buffer flush).
    [[nodiscard]] Result<void> after_map(std::uint16_t domain);

    // Reads, frees and reports every valid fault record; returns how many.
    std::uint32_t drain_faults(passthrough::FaultSink& sink);

    // Interrupt remapping (VT-d spec 5.1), for units with ECAP.IR and queued invalidation: an
    // empty table of kIrtEntries (every interrupt blocked until an entry is written) -> IRTA_REG
    // -> SIRTP/IRTPS -> interrupt entry cache invalidation -> IRE/IRES. CFI stays clear, so
    // compatibility-format interrupts are blocked too (5.1.2.1): a device cannot reach a CPU
    // without an entry the hypervisor wrote.
    static constexpr unsigned kIrtEntriesLog2 = 12;  // 4096 entries, 64 KiB
    static constexpr std::uint32_t kIrtEntries = 1u << kIrtEntriesLog2;
    [[nodiscard]] Result<void> enable_interrupt_remapping();
    // Writes entry `index` (present word last) and invalidates it in the interrupt entry cache.
    [[nodiscard]] Result<void> set_irte(std::uint16_t index, const Irte& entry);

  private:
    [[nodiscard]] std::uint32_t read(Reg32 r) const;
    [[nodiscard]] std::uint64_t read(Reg64 r) const;
    void write(Reg32 r, std::uint32_t v);
    void write(Reg64 r, std::uint64_t v);
    // GCMD write of one enable bit, then GSTS polled until it reports `on`.
    [[nodiscard]] Result<void> set_global(GlobalBit bit, bool on);
    [[nodiscard]] Result<void> set_root_table();
    [[nodiscard]] Result<void> flush_write_buffer();
    [[nodiscard]] Result<void> enable_queue();

    // Invalidation, queued or register-based; `domain`/`source_id` as the granularity needs.
    [[nodiscard]] Result<void> invalidate_context(InvalidationGranularity g, std::uint16_t domain,
                                                  std::uint16_t source_id);
    [[nodiscard]] Result<void> invalidate_iotlb(InvalidationGranularity g, std::uint16_t domain);
    // Appends `descriptors` and a wait descriptor, and polls for the wait's status write.
    [[nodiscard]] Result<void> submit(std::span<const InvalidationDescriptor> descriptors);
    // The context-entry slot for `routing_id`, creating the bus's context table when `create`.
    [[nodiscard]] Result<std::uint64_t*> context_slot(std::uint16_t routing_id, bool create);
    void clear_context_locked(std::uint16_t routing_id, std::uint64_t* slot);

    const acpi::Drhd* drhd_ = nullptr;
    unsigned index_ = 0;
    volatile std::uint8_t* regs_ = nullptr;
    Capability cap_{0};
    ExtendedCapability ecap_{0};
    TableStore store_;
    HostPhys root_phys_{};
    std::uint64_t* root_ = nullptr;   // 256 x 2 words
    std::uint64_t* queue_ = nullptr;  // one page: 256 x 2 words
    std::uint64_t* irt_ = nullptr;    // kIrtEntries x 2 words, or nullptr (no remapping)
    HostPhys queue_phys_{};
    unsigned queue_tail_ = 0;
    HostPhys status_phys_{};
    volatile std::uint32_t* status_ = nullptr;  // the wait descriptors' status write
    std::uint32_t status_token_ = 0;
    SpinLock lock_;
    SpinLock fault_lock_;
};

}  // namespace hv::vtd
