#include "arch/x86/iommu/vtd/vtd_unit.hpp"

#include "arch/x86/iommu/vtd/fault.hpp"
#include "arch/x86/iommu/vtd/tables.hpp"
#include "kernel/console.hpp"
#include "kernel/direct_map.hpp"
#include "kernel/kernel_memory.hpp"
#include "kernel/mmio.hpp"
#include "kernel/time.hpp"

namespace hv::vtd {
namespace {

// Registers answer within microseconds on real units and at once under QEMU; a second means the
// unit is broken.
constexpr std::uint64_t kTimeoutNs = 1'000'000'000;
constexpr std::uint64_t kCacheLine = 64;
constexpr std::uint64_t kBusyBit = 1ull << 63;  // CCMD.ICC, IOTLB.IVT

template <typename Pred>
bool wait_until(Pred&& done) {
    const std::uint64_t deadline = time::now_ns() + kTimeoutNs;
    while (!done()) {
        if (time::now_ns() > deadline) return done();
        asm volatile("pause");
    }
    return true;
}

Result<std::uint64_t*> zeroed_page(HostPhys& phys, bool flush) {
    phys = TRY(memory::allocate(kPageSize, kPageSize));
    auto* p = static_cast<std::uint64_t*>(phys_to_virt(phys));
    __builtin_memset(p, 0, kPageSize);
    if (flush) flush_cache(p, kPageSize);
    return p;
}

}  // namespace

void flush_cache(const void* p, std::size_t bytes) {
    const auto start = reinterpret_cast<std::uint64_t>(p) & ~(kCacheLine - 1);
    const auto end = reinterpret_cast<std::uint64_t>(p) + bytes;
    for (std::uint64_t a = start; a < end; a += kCacheLine)
        asm volatile("clflush (%0)" ::"r"(a) : "memory");
    asm volatile("mfence" ::: "memory");
}

void TableStore::operator()(std::uint64_t* word, std::uint64_t value) const {
    __atomic_store_n(word, value, __ATOMIC_RELEASE);
    if (flush) flush_cache(word, sizeof(*word));
}

std::uint32_t Unit::read(Reg32 r) const {
    return *reinterpret_cast<volatile std::uint32_t*>(regs_ + static_cast<std::uint32_t>(r));
}
std::uint64_t Unit::read(Reg64 r) const {
    return *reinterpret_cast<volatile std::uint64_t*>(regs_ + static_cast<std::uint32_t>(r));
}
void Unit::write(Reg32 r, std::uint32_t v) {
    *reinterpret_cast<volatile std::uint32_t*>(regs_ + static_cast<std::uint32_t>(r)) = v;
}
void Unit::write(Reg64 r, std::uint64_t v) {
    *reinterpret_cast<volatile std::uint64_t*>(regs_ + static_cast<std::uint32_t>(r)) = v;
}

Result<void> Unit::probe(const acpi::Drhd& drhd, unsigned index) {
    drhd_ = &drhd;
    index_ = index;
    auto mapped = TRY(mmio_map(HostPhys(drhd.register_base), drhd.register_set_bytes()));
    regs_ = static_cast<volatile std::uint8_t*>(mapped);
    cap_ = Capability(read(Reg64::kCapability));
    ecap_ = ExtendedCapability(read(Reg64::kExtendedCapability));
    store_.flush = !ecap_.coherent();
    return {};
}

Result<void> Unit::set_global(GlobalBit bit, bool on) {
    write(Reg32::kGlobalCommand, global_command(read(Reg32::kGlobalStatus), bit, on));
    const auto b = static_cast<std::uint32_t>(bit);
    if (!wait_until([&] { return ((read(Reg32::kGlobalStatus) & b) != 0) == on; }))
        return make_error(Errc::kTimeout, "vtd: global status did not follow the command");
    return {};
}

// VT-d spec 11.4.4: SRTP latches RTADDR_REG; RTPS reports it done.
Result<void> Unit::set_root_table() {
    write(Reg64::kRootTableAddress, root_table_address(root_phys_));
    write(Reg32::kGlobalCommand,
          global_command(read(Reg32::kGlobalStatus), GlobalBit::kSetRootTablePointer, true));
    const auto rtps = static_cast<std::uint32_t>(GlobalBit::kSetRootTablePointer);
    if (!wait_until([&] { return (read(Reg32::kGlobalStatus) & rtps) != 0; }))
        return make_error(Errc::kTimeout, "vtd: root table pointer not latched");
    return {};
}

// CAP.RWBF: table writes may sit in a write buffer until WBF; WBFS clears when done.
Result<void> Unit::flush_write_buffer() {
    if (!cap_.required_write_buffer_flush()) return {};
    write(Reg32::kGlobalCommand,
          global_command(read(Reg32::kGlobalStatus), GlobalBit::kWriteBufferFlush, true));
    const auto wbfs = static_cast<std::uint32_t>(GlobalBit::kWriteBufferFlush);
    if (!wait_until([&] { return (read(Reg32::kGlobalStatus) & wbfs) == 0; }))
        return make_error(Errc::kTimeout, "vtd: write buffer flush did not finish");
    return {};
}

// VT-d spec 6.5.2: one page of 256 descriptors (QS = 0), tail reset before QIE.
Result<void> Unit::enable_queue() {
    queue_ = TRY(zeroed_page(queue_phys_, store_.flush));
    std::uint64_t* status_page = TRY(zeroed_page(status_phys_, false));
    status_ = reinterpret_cast<volatile std::uint32_t*>(status_page);
    queue_tail_ = 0;
    write(Reg64::kInvalidationQueueTail, 0);
    write(Reg64::kInvalidationQueueAddress, invalidation_queue_address(queue_phys_, 0));
    return set_global(GlobalBit::kQueuedInvalidationEnable, true);
}

Result<void> Unit::enable(AddressWidth aw) {
    (void)aw;  // every context entry carries it; nothing unit-wide depends on it in legacy mode
    root_ = TRY(zeroed_page(root_phys_, store_.flush));
    TRY(set_root_table());
    // Faults are polled (passthrough::poll_iommu_faults); a fault event interrupt would need an
    // MSI vector of our own and, with interrupt remapping, an IRTE.
    write(Reg32::kFaultEventControl, kEventInterruptMask);
    if (ecap_.queued_invalidation()) TRY(enable_queue());
    TRY(flush_write_buffer());
    TRY(invalidate_context(InvalidationGranularity::kGlobal, 0, 0));
    TRY(invalidate_iotlb(InvalidationGranularity::kGlobal, 0));
    TRY(set_global(GlobalBit::kTranslationEnable, true));
    // Interrupt remapping comes later, from enable_interrupt_remapping(), once the unit runs.
    //
    // Protected memory regions firmware left on would block DMA that the tables allow (VT-d spec
    // 11.4.13); translation now guards that memory instead.
    if (cap_.protected_low_memory() || cap_.protected_high_memory()) {
        write(Reg32::kProtectedMemoryEnable, 0);
        if (!wait_until([&] {
                return (read(Reg32::kProtectedMemoryEnable) & kProtectedRegionStatus) == 0;
            }))
            return make_error(Errc::kTimeout, "vtd: protected memory regions stay enabled");
    }
    return {};
}

Result<void> Unit::enable_interrupt_remapping() {
    if (!ecap_.interrupt_remapping())
        return make_error(Errc::kUnsupported, "vtd: the unit has no interrupt remapping");
    if (queue_ == nullptr)
        return make_error(Errc::kUnsupported, "vtd: interrupt remapping needs queued invalidation");
    constexpr std::uint64_t kBytes = std::uint64_t{kIrtEntries} * sizeof(Irte);
    const HostPhys irt_phys = TRY(memory::allocate(kBytes, kPageSize));
    irt_ = static_cast<std::uint64_t*>(phys_to_virt(irt_phys));
    __builtin_memset(irt_, 0, kBytes);
    if (store_.flush) flush_cache(irt_, kBytes);
    write(Reg64::kInterruptRemappingTableAddress,
          interrupt_remapping_table_address(irt_phys, kIrtEntriesLog2, /*x2apic=*/false));
    // SIRTP is one-shot: IRTPS reports the pointer latched (11.4.4).
    write(Reg32::kGlobalCommand, global_command(read(Reg32::kGlobalStatus),
                                                GlobalBit::kSetInterruptRemapTablePointer, true));
    const auto irtps = static_cast<std::uint32_t>(GlobalBit::kSetInterruptRemapTablePointer);
    if (!wait_until([&] { return (read(Reg32::kGlobalStatus) & irtps) != 0; })) {
        irt_ = nullptr;
        return make_error(Errc::kTimeout, "vtd: interrupt remapping table not latched");
    }
    const InvalidationDescriptor global = InvalidationDescriptor::interrupt_entries_global();
    TRY(submit(std::span<const InvalidationDescriptor>(&global, 1)));
    if (auto r = set_global(GlobalBit::kInterruptRemappingEnable, true); !r) {
        irt_ = nullptr;
        return r;
    }
    return {};
}

Result<void> Unit::set_irte(std::uint16_t index, const Irte& entry) {
    if (irt_ == nullptr) return make_error(Errc::kUnsupported, "vtd: interrupt remapping is off");
    if (index >= kIrtEntries)
        return make_error(Errc::kInvalid, "vtd: interrupt remapping index out of range");
    SpinGuard g(lock_);
    std::uint64_t* slot = irt_ + 2 * std::size_t{index};
    if (entry.present())
        entry.write_to(slot, store_);
    else
        Irte::clear(slot, store_);
    const InvalidationDescriptor d = InvalidationDescriptor::interrupt_entries(index);
    return submit(std::span<const InvalidationDescriptor>(&d, 1));
}

Result<void> Unit::submit(std::span<const InvalidationDescriptor> descriptors) {
    const auto put = [&](const InvalidationDescriptor& d) {
        std::uint64_t* slot = queue_ + 2 * queue_tail_;
        slot[0] = d.low();
        slot[1] = d.high();
        if (store_.flush) flush_cache(slot, 16);
        queue_tail_ = (queue_tail_ + 1) % kDescriptorsPerQueuePage;
    };
    for (const InvalidationDescriptor& d : descriptors) put(d);
    const std::uint32_t token = ++status_token_;
    *status_ = 0;
    put(InvalidationDescriptor::wait(status_phys_, token, /*fence=*/true));
    asm volatile("sfence" ::: "memory");
    write(Reg64::kInvalidationQueueTail, invalidation_queue_offset(queue_tail_));
    const bool done = wait_until([&] {
        return *status_ == token ||
               (read(Reg32::kFaultStatus) & FaultStatus::kInvalidationQueueError) != 0;
    });
    const FaultStatus fs(read(Reg32::kFaultStatus));
    if (fs.queue_error()) {
        // The unit stops at the bad descriptor (IQH points at it); skip past everything queued.
        write(Reg32::kFaultStatus, FaultStatus::kInvalidationQueueError);
        write(Reg64::kInvalidationQueueHead, invalidation_queue_offset(queue_tail_));
        return make_error(Errc::kInvalid, "vtd: invalidation queue error");
    }
    if (!done || *status_ != token)
        return make_error(Errc::kTimeout, "vtd: invalidation wait did not complete");
    return {};
}

Result<void> Unit::invalidate_context(InvalidationGranularity g, std::uint16_t domain,
                                      std::uint16_t source_id) {
    TRY(flush_write_buffer());
    if (queue_ != nullptr) {
        const InvalidationDescriptor d =
            g == InvalidationGranularity::kGlobal ? InvalidationDescriptor::context_global()
            : g == InvalidationGranularity::kDomain
                ? InvalidationDescriptor::context_domain(domain)
                : InvalidationDescriptor::context_device(domain, source_id);
        return submit(std::span(&d, 1));
    }
    write(Reg64::kContextCommand, context_command(g, domain, source_id));
    if (!wait_until([&] { return (read(Reg64::kContextCommand) & kBusyBit) == 0; }))
        return make_error(Errc::kTimeout, "vtd: context-cache invalidation did not finish");
    return {};
}

Result<void> Unit::invalidate_iotlb(InvalidationGranularity g, std::uint16_t domain) {
    const Drain drain{.reads = cap_.read_draining(), .writes = cap_.write_draining()};
    if (queue_ != nullptr) {
        const InvalidationDescriptor d = g == InvalidationGranularity::kGlobal
                                             ? InvalidationDescriptor::iotlb_global(drain)
                                             : InvalidationDescriptor::iotlb_domain(domain, drain);
        return submit(std::span(&d, 1));
    }
    const Reg64 reg = iotlb_register(ecap_);
    write(reg, iotlb_command(g, domain, drain.reads, drain.writes));
    if (!wait_until([&] { return (read(reg) & kBusyBit) == 0; }))
        return make_error(Errc::kTimeout, "vtd: IOTLB invalidation did not finish");
    return {};
}

Result<std::uint64_t*> Unit::context_slot(std::uint16_t routing_id, bool create) {
    std::uint64_t* root_slot = root_ + 2 * root_index(routing_id);
    RootEntry root(root_slot[0], root_slot[1]);
    if (!root.present()) {
        if (!create) return make_error(Errc::kNotFound, "vtd: no context table for the bus");
        HostPhys table{};
        TRY(zeroed_page(table, store_.flush));
        RootEntry::pointing_to(table).write_to(root_slot, store_);
        // A not-present root entry may be cached under CAP.CM.
        TRY(invalidate_context(InvalidationGranularity::kGlobal, 0, 0));
        root = RootEntry::pointing_to(table);
    }
    auto* context = static_cast<std::uint64_t*>(phys_to_virt(root.context_table()));
    return context + 2 * context_index(routing_id);
}

// VT-d spec 6.5.3.3: after a context entry goes away, device-selective context-cache
// invalidation, then a domain-selective IOTLB invalidation for the domain it named.
void Unit::clear_context_locked(std::uint16_t routing_id, std::uint64_t* slot) {
    const ContextEntry old(slot[0], slot[1]);
    if (!old.present()) return;
    ContextEntry::clear(slot, store_);
    const bool ok =
        invalidate_context(InvalidationGranularity::kDevice, old.domain_id(), routing_id).ok() &&
        invalidate_iotlb(InvalidationGranularity::kDomain, old.domain_id()).ok();
    if (!ok) log("iommu vtd unit ", index_, ": invalidation after detach failed");
}

Result<void> Unit::set_context(std::uint16_t routing_id, HostPhys second_level_root,
                               AddressWidth aw, std::uint16_t domain) {
    SpinGuard g(lock_);
    std::uint64_t* slot = TRY(context_slot(routing_id, /*create=*/true));
    const ContextEntry want = ContextEntry::translated(second_level_root, aw, domain);
    const ContextEntry have(slot[0], slot[1]);
    if (have.present() && have.low() == want.low() && have.high() == want.high()) return {};
    clear_context_locked(routing_id, slot);
    want.write_to(slot, store_);
    TRY(invalidate_context(InvalidationGranularity::kDevice, domain, routing_id));
    return invalidate_iotlb(InvalidationGranularity::kDomain, domain);
}

void Unit::clear_context(std::uint16_t routing_id) {
    SpinGuard g(lock_);
    auto slot = context_slot(routing_id, /*create=*/false);
    if (slot) clear_context_locked(routing_id, slot.value());
}

Result<void> Unit::invalidate_domain(std::uint16_t domain) {
    SpinGuard g(lock_);
    TRY(flush_write_buffer());
    return invalidate_iotlb(InvalidationGranularity::kDomain, domain);
}

Result<void> Unit::after_map(std::uint16_t domain) {
    if (cap_.caching_mode()) return invalidate_domain(domain);
    SpinGuard g(lock_);
    return flush_write_buffer();
}

std::uint32_t Unit::drain_faults(passthrough::FaultSink& sink) {
    SpinGuard g(fault_lock_);
    const FaultStatus status(read(Reg32::kFaultStatus));
    std::uint32_t count = 0;
    if (status.pending()) {
        const unsigned records = cap_.fault_recording_count();
        for (unsigned n = 0; n < records; ++n) {
            const unsigned i = (status.fault_record_index() + n) % records;
            const std::uint64_t high = read(fault_recording_register(cap_, i, true));
            if ((high & FaultRecord::kFault) == 0) break;
            const std::uint64_t low = read(fault_recording_register(cap_, i, false));
            write(fault_recording_register(cap_, i, true), FaultRecord::kFault);  // RW1C
            if (auto f = to_fault(FaultRecord(low, high), segment())) {
                sink.fault(*f);
                ++count;
            }
        }
    }
    if (status.overflow()) {
        write(Reg32::kFaultStatus, FaultStatus::kPrimaryFaultOverflow);
        log("iommu vtd unit ", index_, ": fault records overflowed, some faults were lost");
    }
    return count;
}

}  // namespace hv::vtd
