#include "arch/x86/iommu/amdvi/amdvi_iommu.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "arch/x86/cpu/apic_delivery_mode.hpp"
#include "arch/x86/iommu/amdvi/commands.hpp"
#include "arch/x86/iommu/amdvi/coverage.hpp"
#include "arch/x86/iommu/amdvi/event_log.hpp"
#include "arch/x86/iommu/amdvi/interrupt_remapping.hpp"
#include "arch/x86/iommu/amdvi/page_table_format.hpp"
#include "arch/x86/iommu/amdvi/regs.hpp"
#include "arch/x86/iommu/amdvi/ring.hpp"
#include "arch/x86/iommu/amdvi/tables.hpp"
#include "arch/x86/paging/page_table.hpp"
#include "drivers/pci/inventory.hpp"
#include "kernel/console.hpp"
#include "kernel/direct_map.hpp"
#include "kernel/frame_table_memory.hpp"
#include "kernel/kernel_memory.hpp"
#include "kernel/kmalloc.hpp"
#include "kernel/mmio.hpp"
#include "kernel/spinlock.hpp"
#include "kernel/time.hpp"

namespace hv::amdvi {
namespace {

// The register file spans 16 KiB: the base registers at 0, head/tail/status at 2000h.
constexpr std::uint64_t kMmioBytes = 16 * 1024;
constexpr std::uint64_t kDeviceTableBytes = std::uint64_t{kDeviceTableEntries} * 32;  // 2 MiB
constexpr Ring kCommandRing(8);
constexpr Ring kEventRing(8);
// A COMPLETION_WAIT that has not stored its token by then means the command buffer is stuck
// (an ILLEGAL_COMMAND_ERROR or COMMAND_HARDWARE_ERROR in the event log says why).
constexpr std::uint64_t kCommandTimeoutNs = 100'000'000;
// QEMU's amd-iommu model (PCI 1022:0010; real AMD IOMMUs have other device IDs) tags DMA from a
// function behind a bridge with the bus number the bridge had when QEMU built the function's
// address space, before firmware numbered buses: 0 (QEMU 7.2 hw/i386/amd_iommu.c,
// amdvi_host_dma_iommu keeps pci_bus_num() from device realize). Such a function's DMA uses the
// device table entry of bus 0, same device and function: an alias, handled like the aliases IVHD
// entries describe, and refused when another domain holds the alias.
constexpr std::uint16_t kQemuAmdViVendor = 0x1022;
constexpr std::uint16_t kQemuAmdViDevice = 0x0010;
constexpr std::uint16_t kNoAlias = 0xFFFF;

// The remapping-table entry of message `index`: MSI and MSI-X entry 0 share entry 0, as a
// function uses one or the other.
constexpr std::uint16_t irt_entry(std::uint16_t index) {
    return index == passthrough::kMsiMessageIndex ? 0 : index;
}

// Device table entries that are not attached to a domain carry this domain ID.
constexpr std::uint16_t kBlockedDomain = 0;
constexpr std::size_t kMaxUnits = 8;

constexpr paging::Attributes dma_rights(bool write) {
    return {.read = true,
            .write = write,
            .execute = false,
            .user = false,
            .global = false,
            .cache = paging::CacheType::kWriteBack};
}

template <typename T>
T* virt(HostPhys p) {
    return static_cast<T*>(phys_to_virt(p));
}

Result<HostPhys> allocate_zeroed(std::uint64_t bytes) {
    const HostPhys p = TRY(memory::allocate(bytes, kPageSize));
    __builtin_memset(phys_to_virt(p), 0, bytes);
    return p;
}

// One IOMMU: its registers, device table, command buffer and event log.
class Unit {
  public:
    // `abort_interrupts`: blocked entries also drop the device's interrupts (IV = 1, IntCtl =
    // abort), for when interrupt remapping is on.
    Result<void> init(const acpi::Ivhd& ivhd, bool efr_valid, HostPhys empty_root,
                      bool abort_interrupts);

    [[nodiscard]] const acpi::Ivhd& ivhd() const { return *ivhd_; }
    [[nodiscard]] Optional<std::uint16_t> device_id(pci::Bdf bdf) const {
        return requester_id(*ivhd_, bdf);
    }

    // Writes `entry` for `id` and invalidates what the unit may have cached for it: the entry
    // itself and the translations of both the old and the new domain. The entry is rewritten
    // in place, word 0 last (clearing it first would set V = 0, which passes DMA through
    // untranslated), so a walk in between may tag the old table's translations with the new
    // domain ID.
    Result<void> set_entry(std::uint16_t id, const DeviceTableEntry& entry);
    // One 32-bit interrupt remapping table entry, then INVALIDATE_INTERRUPT_TABLE for `id` and
    // (unless kNoAlias) `alias`, the bus 0 ID QEMU's model also uses, and completion.
    Result<void> set_irte(std::uint32_t* table, std::uint16_t index, Irte entry, std::uint16_t id,
                          std::uint16_t alias);
    // INVALIDATE_IOMMU_PAGES for [iova, iova + size) of `domain`, then completion.
    Result<void> invalidate_pages(std::uint16_t domain, std::uint64_t iova, std::uint64_t size);
    std::uint32_t drain_events(passthrough::FaultSink& sink);

  private:
    std::uint64_t read(Reg64 r) const {
        return *reinterpret_cast<volatile const std::uint64_t*>(regs_ + static_cast<unsigned>(r));
    }
    void write(Reg64 r, std::uint64_t v) {
        *reinterpret_cast<volatile std::uint64_t*>(regs_ + static_cast<unsigned>(r)) = v;
    }
    void set_control(Control bit, bool on) {
        write(Reg64::kControl, with(read(Reg64::kControl), bit, on));
    }
    std::uint64_t* entry_slot(std::uint16_t id) { return device_table_ + std::size_t{id} * 4; }

    // Callers hold command_lock_.
    Result<void> submit(const Command& c);
    Result<void> wait_for_completion();
    Result<void> run(std::initializer_list<Command> commands);
    void restart_event_log();

    const acpi::Ivhd* ivhd_ = nullptr;
    volatile std::uint8_t* regs_ = nullptr;
    std::uint64_t* device_table_ = nullptr;
    std::uint64_t* command_ring_ = nullptr;
    std::uint64_t* event_ring_ = nullptr;
    HostPhys event_ring_phys_{};
    volatile std::uint64_t* semaphore_ = nullptr;
    HostPhys semaphore_phys_{};
    std::uint64_t next_token_ = 1;
    unsigned command_tail_ = 0;
    SpinLock command_lock_;
    SpinLock event_lock_;
};

Result<void> Unit::init(const acpi::Ivhd& ivhd, bool efr_valid, HostPhys empty_root,
                        bool abort_interrupts) {
    ivhd_ = &ivhd;
    regs_ = static_cast<volatile std::uint8_t*>(TRY(mmio_map(HostPhys(ivhd.base), kMmioBytes)));

    // Off first: the bases below may change only while the unit is disabled (spec 3.4). With
    // firmware DMA protection on (IVinfo DMARemap) this opens a window until IommuEn below.
    std::uint64_t control = read(Reg64::kControl);
    for (Control c :
         {Control::kIommuEnable, Control::kCommandBufferEnable, Control::kEventLogEnable,
          Control::kEventInterruptEnable, Control::kCompletionWaitInterruptEnable})
        control = with(control, c, false);
    write(Reg64::kControl, control);

    // Every device ID valid and blocked. tables.hpp's blocked() leaves Mode 0, which real units
    // abort and log; QEMU's amd-iommu (7.2) aborts a Mode 0 request silently, without an event.
    // So blocked entries point at an empty 4-level table with IR = IW = 0: the entry's rights
    // deny every request and the walk would find nothing either, and both log IO_PAGE_FAULT.
    const HostPhys table = TRY(allocate_zeroed(kDeviceTableBytes));
    device_table_ = virt<std::uint64_t>(table);
    DeviceTableEntry blocked = DeviceTableEntry::blocked(kBlockedDomain);
    blocked.set_page_table(empty_root, PagingMode::kLevels4);
    if (abort_interrupts) blocked.set_interrupts_aborted();
    for (unsigned id = 0; id < kDeviceTableEntries; ++id)
        blocked.write_to(entry_slot(static_cast<std::uint16_t>(id)));

    const HostPhys commands = TRY(allocate_zeroed(kCommandRing.bytes()));
    command_ring_ = virt<std::uint64_t>(commands);
    event_ring_phys_ = TRY(allocate_zeroed(kEventRing.bytes()));
    event_ring_ = virt<std::uint64_t>(event_ring_phys_);
    semaphore_phys_ = TRY(allocate_zeroed(kPageSize));
    semaphore_ = virt<volatile std::uint64_t>(semaphore_phys_);

    write(Reg64::kDeviceTableBase, device_table_base(table, kDeviceTableBytes / kPageSize));
    write(Reg64::kCommandBufferBase, ring_base(commands, kCommandRing.entries_log2()));
    write(Reg64::kCommandBufferHead, 0);
    write(Reg64::kCommandBufferTail, 0);
    write(Reg64::kEventLogBase, ring_base(event_ring_phys_, kEventRing.entries_log2()));
    write(Reg64::kEventLogHead, 0);
    write(Reg64::kEventLogTail, 0);
    write(Reg64::kStatus, Status(read(Reg64::kStatus)).acknowledge());

    // HtTunEn, PassPW, ResPassPW, Isoc and InvTimeOut stay as firmware left them. Coherent:
    // the unit's reads of the device table and page tables snoop, so no cache flushes. No
    // EventIntEn: faults are polled (poll_faults). Interrupt remapping is per device table entry
    // (IV, IntCtl and a table from interrupt_remapping.hpp), set as functions are attached.
    control = read(Reg64::kControl);
    control = with(control, Control::kCoherent, true);
    control = with(control, Control::kCommandBufferEnable, true);
    control = with(control, Control::kEventLogEnable, true);
    write(Reg64::kControl, control);
    set_control(Control::kIommuEnable, true);

    // The unit may hold entries cached from before (firmware): drop them all.
    const ExtendedFeatures efr(efr_valid ? read(Reg64::kExtendedFeature) : 0);
    SpinGuard guard(command_lock_);
    if (efr.invalidate_all()) {
        TRY(submit(Command::invalidate_all()));
    } else {
        for (unsigned id = 0; id < kDeviceTableEntries; ++id)
            TRY(submit(Command::invalidate_device_table_entry(static_cast<std::uint16_t>(id))));
        TRY(submit(Command::invalidate_all_pages(kBlockedDomain)));
    }
    TRY(wait_for_completion());
    log("amdvi: unit ", pci::Bdf::from_routing_id(ivhd.segment, ivhd.device_id), " mmio=0x",
        Hex{ivhd.base}, " efr=0x", Hex{efr.raw()}, " enabled, all devices blocked");
    return {};
}

Result<void> Unit::submit(const Command& c) {
    // Wait for room: the unit consumes at its own pace.
    const std::uint64_t deadline = time::now_ns() + kCommandTimeoutNs;
    while (kCommandRing.full(ring_index(read(Reg64::kCommandBufferHead)), command_tail_)) {
        if (time::now_ns() > deadline) {
            log("amdvi: command buffer stuck head=", ring_index(read(Reg64::kCommandBufferHead)),
                " tail=", command_tail_, " status=0x", Hex{read(Reg64::kStatus)});
            return make_error(Errc::kTimeout, "AMD-Vi command buffer full");
        }
        asm volatile("pause");
    }
    std::uint64_t* slot = command_ring_ + std::size_t{command_tail_} * 2;
    slot[0] = c.low();
    slot[1] = c.high();
    command_tail_ = kCommandRing.next(command_tail_);
    // The entry must be in memory before the unit sees the new tail (x86 keeps stores in
    // order; this keeps the compiler from moving them).
    __atomic_thread_fence(__ATOMIC_RELEASE);
    write(Reg64::kCommandBufferTail, ring_offset(command_tail_));
    return {};
}

Result<void> Unit::wait_for_completion() {
    const std::uint64_t token = next_token_++;
    TRY(submit(Command::completion_wait(semaphore_phys_, token)));
    const std::uint64_t deadline = time::now_ns() + kCommandTimeoutNs;
    while (__atomic_load_n(semaphore_, __ATOMIC_ACQUIRE) != token) {
        if (time::now_ns() > deadline) {
            log("amdvi: error: COMPLETION_WAIT timed out unit=",
                pci::Bdf::from_routing_id(ivhd_->segment, ivhd_->device_id),
                " head=", ring_index(read(Reg64::kCommandBufferHead)), " tail=", command_tail_,
                " status=0x", Hex{read(Reg64::kStatus)});
            return make_error(Errc::kTimeout, "AMD-Vi COMPLETION_WAIT timed out");
        }
        asm volatile("pause");
    }
    return {};
}

Result<void> Unit::run(std::initializer_list<Command> commands) {
    SpinGuard guard(command_lock_);
    for (const Command& c : commands) TRY(submit(c));
    return wait_for_completion();
}

Result<void> Unit::set_entry(std::uint16_t id, const DeviceTableEntry& entry) {
    const std::uint16_t old_domain = DeviceTableEntry({entry_slot(id)[0], entry_slot(id)[1],
                                                       entry_slot(id)[2], entry_slot(id)[3]})
                                         .domain_id();
    entry.write_to(entry_slot(id));
    return run({Command::invalidate_device_table_entry(id),
                Command::invalidate_all_pages(old_domain),
                Command::invalidate_all_pages(entry.domain_id())});
}

Result<void> Unit::set_irte(std::uint32_t* table, std::uint16_t index, Irte entry, std::uint16_t id,
                            std::uint16_t alias) {
    __atomic_store_n(&table[index], entry.raw(), __ATOMIC_RELEASE);
    SpinGuard guard(command_lock_);
    TRY(submit(Command::invalidate_interrupt_table(id)));
    if (alias != kNoAlias) TRY(submit(Command::invalidate_interrupt_table(alias)));
    return wait_for_completion();
}

Result<void> Unit::invalidate_pages(std::uint16_t domain, std::uint64_t iova, std::uint64_t size) {
    return run({Command::invalidate_pages(domain, iova, size)});
}

// Consumes the entries between the head and tail registers. QEMU 7.2's amd-iommu aborts
// blocked requests (amdvi_page_fault in its trace) but writes no entry and leaves the tail
// register at 0, so under it this finds nothing; it also never logs a walk that reaches a zero
// PTE of an attached domain, nor a Mode 0 entry (see Unit::init).
std::uint32_t Unit::drain_events(passthrough::FaultSink& sink) {
    SpinGuard guard(event_lock_);
    const Status status(read(Reg64::kStatus));
    std::uint32_t faults = 0;
    unsigned head = ring_index(read(Reg64::kEventLogHead));
    const unsigned tail = ring_index(read(Reg64::kEventLogTail));
    while (head != tail) {
        std::uint64_t* slot = event_ring_ + std::size_t{head} * 2;
        const EventLogEntry e(__atomic_load_n(&slot[0], __ATOMIC_ACQUIRE),
                              __atomic_load_n(&slot[1], __ATOMIC_RELAXED));
        if (auto f = to_fault(e, ivhd_->segment)) {
            sink.fault(*f);
            ++faults;
        } else {
            log("amdvi: event ", event_name(e.code()),
                " unit=", pci::Bdf::from_routing_id(ivhd_->segment, ivhd_->device_id), " raw=0x",
                Hex{e.low(), 16}, ":0x", Hex{e.high(), 16});
        }
        slot[0] = 0;
        slot[1] = 0;
        head = kEventRing.next(head);
        write(Reg64::kEventLogHead, ring_offset(head));
    }
    // Acknowledged after the head moved, so an event logged meanwhile sets the bit again.
    write(Reg64::kStatus, Status::kEventLogInterrupt);
    if (status.event_overflow()) restart_event_log();
    return faults;
}

// After an overflow the unit stops logging (spec 3.4, Event Log Overflow): with the log drained,
// turn EventLogEn off, wait for EventLogRun to clear, start from an empty log, turn it back on.
void Unit::restart_event_log() {
    log("amdvi: event log overflowed unit=",
        pci::Bdf::from_routing_id(ivhd_->segment, ivhd_->device_id), "; events were lost");
    set_control(Control::kEventLogEnable, false);
    const std::uint64_t deadline = time::now_ns() + kCommandTimeoutNs;
    while (Status(read(Reg64::kStatus)).event_log_running() && time::now_ns() < deadline)
        asm volatile("pause");
    write(Reg64::kEventLogHead, 0);
    write(Reg64::kEventLogTail, 0);
    write(Reg64::kStatus, Status::kEventOverflow);
    set_control(Control::kEventLogEnable, true);
}

class AmdVi;

class Domain final : public passthrough::IommuDomain {
  public:
    Domain(AmdVi& owner, std::uint16_t id)
        : owner_(owner), id_(id), table_(memory_, paging::MaxPage::k1G) {}
    Result<void> init() { return table_.init(); }

    Result<void> map(std::uint64_t iova, HostPhys hpa, std::uint64_t size, bool write) override;
    Result<void> unmap(std::uint64_t iova, std::uint64_t size) override;
    std::uint64_t table_bytes() const override { return table_.table_pages() * kPageSize; }
    std::uint16_t id() const override { return id_; }
    [[nodiscard]] HostPhys root() const { return table_.root(); }

  private:
    AmdVi& owner_;
    std::uint16_t id_;
    FrameTableMemory memory_;
    paging::PageTable<IoPageTableFormat, FrameTableMemory> table_;
};

class AmdVi final : public passthrough::Iommu {
  public:
    Result<void> init(const acpi::Ivrs& ivrs);

    const char* name() const override { return "amdvi"; }
    bool covers(pci::Bdf bdf) const override { return find(bdf).has_value(); }
    Result<passthrough::IommuDomain*> create_domain() override;
    void destroy_domain(passthrough::IommuDomain* domain) override;
    Result<void> attach(pci::Bdf bdf, passthrough::IommuDomain& domain) override;
    void detach(pci::Bdf bdf) override;
    std::uint32_t poll_faults(passthrough::FaultSink& sink) override;
    bool remaps_interrupts() const override { return remap_; }
    Result<passthrough::MsiMessage> map_interrupt(pci::Bdf bdf, std::uint16_t index,
                                                  std::uint8_t vector,
                                                  std::uint32_t apic_id) override;
    void unmap_interrupt(pci::Bdf bdf, std::uint16_t index) override;

    // Every unit drops `domain`'s cached translations of the range.
    Result<void> invalidate(std::uint16_t domain, std::uint64_t iova, std::uint64_t size);

  private:
    struct Target {
        std::size_t unit;
        std::uint16_t id;  // the device table entry the function's requests use
    };
    [[nodiscard]] Optional<Target> find(pci::Bdf bdf) const;
    // The bus-0 alias QEMU's model uses for `t` (see kQemuAmdViDevice), or kNoAlias.
    [[nodiscard]] std::uint16_t qemu_alias(const Target& t) const;

    // Faults on an alias are the aliased function's.
    class AliasSink final : public passthrough::FaultSink {
      public:
        AliasSink(const AmdVi& iommu, passthrough::FaultSink& next) : iommu_(iommu), next_(next) {}
        void fault(const iommu::Fault& f) override {
            iommu::Fault out = f;
            if (f.bdf.bus() == 0) {
                const std::uint16_t real = iommu_.alias_owner_[f.bdf.routing_id() & 0xFF];
                if (real != kNoAlias) out.bdf = pci::Bdf::from_routing_id(f.bdf.segment(), real);
            }
            next_.fault(out);
        }

      private:
        const AmdVi& iommu_;
        passthrough::FaultSink& next_;
    };
    [[nodiscard]] DeviceTableEntry blocked() const {
        DeviceTableEntry e = DeviceTableEntry::blocked(kBlockedDomain);
        e.set_page_table(empty_root_, PagingMode::kLevels4);
        if (remap_) e.set_interrupts_aborted();
        return e;
    }

    std::array<Unit, kMaxUnits> units_;
    std::size_t unit_count_ = 0;
    HostPhys empty_root_{};
    // Bit n set: domain ID n is in use. ID 0 is kBlockedDomain.
    std::array<std::uint64_t, 65536 / 64> domain_ids_{1};
    bool qemu_bus_alias_ = false;

    // Interrupt remapping (sec 2.2.5): each attached function gets its own table of
    // kInterruptTableEntries 32-bit entries, named by its device table entry (IV = 1, IntCtl =
    // remapped); an MSI's data bits 10:0 pick the entry. Functions not attached keep IV = 1 with
    // IntCtl = abort, so their fixed and arbitrated interrupts are dropped.
    struct InterruptTable {
        std::uint16_t id = 0;  // requester ID; table == nullptr: slot free
        std::uint32_t* table = nullptr;
        HostPhys phys{};
    };
    static constexpr std::size_t kMaxInterruptTables = 64;
    [[nodiscard]] InterruptTable* interrupt_table(std::uint16_t id);
    [[nodiscard]] Result<InterruptTable*> new_interrupt_table(std::uint16_t id);
    void free_interrupt_table(std::uint16_t id);
    bool remap_ = false;
    std::array<InterruptTable, kMaxInterruptTables> irts_{};
    SpinLock irt_lock_;
    // Per bus-0 device/function: the requester ID of the function behind a bridge using it as
    // its alias, or kNoAlias.
    std::array<std::uint16_t, 256> alias_owner_{};
};

Result<void> Domain::map(std::uint64_t iova, HostPhys hpa, std::uint64_t size, bool write) {
    TRY(table_.map(iova, hpa, size, dma_rights(write)));
    // Units that cache non-present entries (capability NpCache, set by emulated IOMMUs) would
    // keep faulting on the new range without this.
    return owner_.invalidate(id_, iova, size);
}

Result<void> Domain::unmap(std::uint64_t iova, std::uint64_t size) {
    TRY(table_.unmap(iova, size));
    return owner_.invalidate(id_, iova, size);
}

Result<void> AmdVi::init(const acpi::Ivrs& ivrs) {
    // One page no entry is ever written to: the root of every blocked device table entry.
    empty_root_ = TRY(allocate_zeroed(kPageSize));
    // Interrupt remapping when every unit's IVHD names the I/O APIC it remaps (a special device
    // entry, IVRS sec 5.2.2.2): firmware lists it only then, and Linux requires it too. QEMU's
    // amd-iommu lists it only with intremap=on, and passes MSIs untranslated without it.
    remap_ = true;
    bool any = false;
    for (std::size_t index : acpi::preferred_ivhds(
             ivrs, static_cast<std::uint8_t>(acpi::IvrsBlockType::kIvhdAcpiHid))) {
        bool ioapic = false;
        for (const acpi::IvhdEntry& e : ivrs.ivhds[index].entries)
            ioapic = ioapic || (e.kind == acpi::IvhdEntryKind::kSpecial &&
                                e.variety == acpi::SpecialVariety::kIoApic);
        remap_ = remap_ && ioapic;
        any = true;
    }
    remap_ = remap_ && any;

    for (std::size_t index : acpi::preferred_ivhds(
             ivrs, static_cast<std::uint8_t>(acpi::IvrsBlockType::kIvhdAcpiHid))) {
        const acpi::Ivhd& ivhd = ivrs.ivhds[index];
        if (unit_count_ == kMaxUnits) {
            log("amdvi: more than ", kMaxUnits, " IOMMUs; the rest are left as firmware set them");
            break;
        }
        // The Extended Feature Register exists when IVinfo says so or a type 11h/40h block
        // carries its image.
        const bool efr_valid =
            ivrs.efr_supported() || ivhd.type != acpi::IvrsBlockType::kIvhdLegacy;
        TRY(units_[unit_count_].init(ivhd, efr_valid, empty_root_, remap_));
        ++unit_count_;
    }
    if (unit_count_ == 0) return make_error(Errc::kNotFound, "IVRS describes no IOMMU");
    alias_owner_.fill(kNoAlias);
    log("amdvi: interrupt remapping ", remap_ ? "on" : "off (no I/O APIC entry in the IVHD)");
    const acpi::Ivhd& first = units_[0].ivhd();
    const std::uint32_t ids =
        pci::host_config().read32(pci::Bdf::from_routing_id(first.segment, first.device_id), 0);
    if (ids == (std::uint32_t{kQemuAmdViDevice} << 16 | kQemuAmdViVendor)) {
        qemu_bus_alias_ = true;
        log("amdvi: QEMU model: functions behind bridges use bus 0 requester IDs (aliased)");
    }
    return {};
}

std::uint16_t AmdVi::qemu_alias(const Target& t) const {
    if (!qemu_bus_alias_ || (t.id >> 8) == 0) return kNoAlias;
    return static_cast<std::uint16_t>(t.id & 0xFF);
}

Optional<AmdVi::Target> AmdVi::find(pci::Bdf bdf) const {
    for (std::size_t i = 0; i < unit_count_; ++i) {
        if (auto id = units_[i].device_id(bdf)) return Target{i, *id};
    }
    return kNone;
}

Result<passthrough::IommuDomain*> AmdVi::create_domain() {
    for (std::size_t word = 0; word < domain_ids_.size(); ++word) {
        if (domain_ids_[word] == ~std::uint64_t{0}) continue;
        const unsigned bit = static_cast<unsigned>(__builtin_ctzll(~domain_ids_[word]));
        const auto id = static_cast<std::uint16_t>(word * 64 + bit);
        Domain* d = TRY(make<Domain>(*this, id));
        if (auto r = d->init(); !r) {
            destroy(d);
            return r.error();
        }
        domain_ids_[word] |= std::uint64_t{1} << bit;
        return d;
    }
    return make_error(Errc::kTooMany, "AMD-Vi domain IDs exhausted");
}

void AmdVi::destroy_domain(passthrough::IommuDomain* domain) {
    if (domain == nullptr) return;
    const std::uint16_t id = domain->id();
    domain_ids_[id / 64] &= ~(std::uint64_t{1} << (id % 64));
    // The caller detached every device first; the page table goes back to the frame allocator.
    destroy(static_cast<Domain*>(domain));
}

Result<void> AmdVi::attach(pci::Bdf bdf, passthrough::IommuDomain& domain) {
    const auto t = find(bdf);
    if (!t) return make_error(Errc::kNotFound, "no AMD-Vi unit covers the device");
    // Domains come from create_domain() of this driver.
    const auto& d = static_cast<const Domain&>(domain);
    DeviceTableEntry entry = DeviceTableEntry::translated(d.root(), PagingMode::kLevels4, d.id());
    if (remap_) {
        InterruptTable* irt = interrupt_table(t->id);
        if (irt == nullptr) irt = TRY(new_interrupt_table(t->id));
        entry.set_interrupt_remapping(irt->phys, kInterruptTableLengthLog2,
                                      /*ignore_unmapped=*/false);
    }
    if (const std::uint16_t alias = qemu_alias(*t); alias != kNoAlias) {
        if (alias_owner_[alias] != kNoAlias && alias_owner_[alias] != t->id)
            return make_error(Errc::kUnsupported,
                              "QEMU amd-iommu: the bus 0 requester ID alias is another device's");
        // A function that really sits at the alias would share the domain; a host bridge does
        // no DMA of its own.
        const pci::PciFunction* at =
            pci::functions().find(pci::Bdf::from_routing_id(bdf.segment(), alias));
        if (at != nullptr && at->class_subclass() != pci::class_subclass::kHostBridge)
            return make_error(Errc::kUnsupported,
                              "QEMU amd-iommu: the bus 0 requester ID alias is a device");
        TRY(units_[t->unit].set_entry(alias, entry));
        alias_owner_[alias] = t->id;
    }
    return units_[t->unit].set_entry(t->id, entry);
}

void AmdVi::detach(pci::Bdf bdf) {
    const auto t = find(bdf);
    if (!t) return;
    if (auto r = units_[t->unit].set_entry(t->id, blocked()); !r)
        log("amdvi: error: detach ", bdf, " not confirmed: ", r.error().what);
    if (const std::uint16_t alias = qemu_alias(*t);
        alias != kNoAlias && alias_owner_[alias] == t->id) {
        if (auto r = units_[t->unit].set_entry(alias, blocked()); !r)
            log("amdvi: error: detach alias of ", bdf, " not confirmed: ", r.error().what);
        alias_owner_[alias] = kNoAlias;
    }
    free_interrupt_table(t->id);
}

AmdVi::InterruptTable* AmdVi::interrupt_table(std::uint16_t id) {
    SpinGuard g(irt_lock_);
    for (InterruptTable& t : irts_)
        if (t.table != nullptr && t.id == id) return &t;
    return nullptr;
}

static_assert(kInterruptTableEntries * sizeof(std::uint32_t) <= kPageSize,
              "an interrupt remapping table fits its page");

Result<AmdVi::InterruptTable*> AmdVi::new_interrupt_table(std::uint16_t id) {
    // Zeroed: every entry has RemapEn clear, so the interrupt is aborted (sec 2.2.5.1).
    const HostPhys phys = TRY(allocate_zeroed(kPageSize));
    SpinGuard g(irt_lock_);
    for (InterruptTable& t : irts_) {
        if (t.table != nullptr) continue;
        t = {id, virt<std::uint32_t>(phys), phys};
        return &t;
    }
    memory::free(phys, kPageSize);
    return make_error(Errc::kTooMany, "amdvi: too many interrupt remapping tables");
}

void AmdVi::free_interrupt_table(std::uint16_t id) {
    SpinGuard g(irt_lock_);
    for (InterruptTable& t : irts_) {
        if (t.table == nullptr || t.id != id) continue;
        memory::free(t.phys, kPageSize);
        t = {};
    }
}

Result<passthrough::MsiMessage> AmdVi::map_interrupt(pci::Bdf bdf, std::uint16_t index,
                                                     std::uint8_t vector, std::uint32_t apic_id) {
    if (!remap_) return passthrough::compatibility_msi(vector, apic_id);
    const auto t = find(bdf);
    if (!t) return make_error(Errc::kNotFound, "no AMD-Vi unit covers the device");
    InterruptTable* irt = interrupt_table(t->id);
    if (irt == nullptr) return make_error(Errc::kInvalid, "amdvi: device not attached");
    const std::uint16_t entry = irt_entry(index);
    if (entry >= kInterruptTableEntries)
        return make_error(Errc::kUnsupported, "amdvi: MSI-X entry past the remapping table");
    if (apic_id > x86::kMaxXapicId)
        return make_error(Errc::kUnsupported, "amdvi: x2APIC destination");
    TRY(units_[t->unit].set_irte(irt->table, entry,
                                 Irte::fixed(vector, static_cast<std::uint8_t>(apic_id)), t->id,
                                 qemu_alias(*t)));
    // Sec 2.2.5: the address is the usual one; data bits 10:0 index the table.
    return passthrough::MsiMessage{passthrough::msi::kAddressBase, remapped_msi_data(entry)};
}

void AmdVi::unmap_interrupt(pci::Bdf bdf, std::uint16_t index) {
    if (!remap_) return;
    const auto t = find(bdf);
    if (!t) return;
    InterruptTable* irt = interrupt_table(t->id);
    const std::uint16_t entry = irt_entry(index);
    if (irt == nullptr || entry >= kInterruptTableEntries) return;
    (void)units_[t->unit].set_irte(irt->table, entry, Irte{}, t->id, qemu_alias(*t));
}

std::uint32_t AmdVi::poll_faults(passthrough::FaultSink& sink) {
    std::uint32_t n = 0;
    AliasSink aliased(*this, sink);
    for (std::size_t i = 0; i < unit_count_; ++i) n += units_[i].drain_events(aliased);
    return n;
}

Result<void> AmdVi::invalidate(std::uint16_t domain, std::uint64_t iova, std::uint64_t size) {
    for (std::size_t i = 0; i < unit_count_; ++i)
        TRY(units_[i].invalidate_pages(domain, iova, size));
    return {};
}

}  // namespace

Result<passthrough::Iommu*> init(const acpi::Ivrs& ivrs) {
    AmdVi* driver = TRY(make<AmdVi>());
    // On error the driver stays allocated: units already enabled keep pointing at its tables.
    TRY(driver->init(ivrs));
    return static_cast<passthrough::Iommu*>(driver);
}

}  // namespace hv::amdvi
