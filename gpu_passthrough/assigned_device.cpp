#include "gpu_passthrough/assigned_device.hpp"

#include "arch/x86/cpu/io.hpp"
#include "drivers/pci/inventory.hpp"
#include "gpu_passthrough/bar_regions.hpp"
#include "gpu_passthrough/guest_bar_layout.hpp"
#include "gpu_passthrough/host_msi.hpp"
#include "gpu_passthrough/iommu_select.hpp"
#include "kernel/console.hpp"
#include "kernel/kmalloc.hpp"
#include "kernel/mmio.hpp"
#include "kernel/percpu.hpp"
#include "kernel/spinlock.hpp"
#include "vmm/platform/guest_platform.hpp"
#include "vmm/vm.hpp"

namespace hv::passthrough {
namespace {

// PCI 3.0 sec 6.8.2.7: the PBA holds one bit per table entry, in qwords.
constexpr std::uint64_t pba_bytes(std::uint32_t entries) { return (entries + 63) / 64 * 8; }

// Where BAR `slot` holds the MSI-X table and the PBA; empty ranges when it holds neither.
ByteRange msix_table_in(const pci::MsixCap& m, unsigned slot) {
    if (!m.present() || m.table_bir != slot) return {};
    return {m.table_offset, std::uint64_t{m.table_size} * MsixTable::kEntryBytes};
}
ByteRange msix_pba_in(const pci::MsixCap& m, unsigned slot) {
    if (!m.present() || m.pba_bir != slot) return {};
    return {m.pba_offset, pba_bytes(m.table_size)};
}
constexpr bool contains(const ByteRange& r, std::uint64_t at) {
    return at >= r.offset && at - r.offset < r.size;
}

// mmio_map() mappings are permanent, so the host pages of trapped BAR parts are mapped once and
// reused when a VM restarts or another VM gets the device.
struct RegisterMapping {
    std::uint64_t phys = 0;
    std::uint64_t size = 0;
    volatile std::uint8_t* virt = nullptr;
};
constexpr unsigned kMaxRegisterMappings = 64;
SpinLock g_mappings_lock;
RegisterMapping g_mappings[kMaxRegisterMappings];

// The virtual address of host registers [phys, phys + size), mapping the pages around them.
Result<volatile std::uint8_t*> map_registers(std::uint64_t phys, std::uint64_t size) {
    const std::uint64_t first = align_down(phys, kPageSize);
    const std::uint64_t bytes = align_up(phys + size, kPageSize) - first;
    SpinGuard g(g_mappings_lock);
    for (const RegisterMapping& m : g_mappings) {
        if (m.virt != nullptr && first >= m.phys && first + bytes <= m.phys + m.size)
            return m.virt + (phys - m.phys);
    }
    for (RegisterMapping& m : g_mappings) {
        if (m.virt != nullptr) continue;
        volatile void* v = TRY(mmio_map(HostPhys(first), bytes));
        m = {first, bytes, static_cast<volatile std::uint8_t*>(v)};
        return m.virt + (phys - first);
    }
    return make_error(Errc::kTooMany, "no room to map device registers");
}

std::uint64_t read_mmio(volatile std::uint8_t* p, std::uint8_t size) {
    switch (size) {
        case 1:
            return *p;
        case 2:
            return *reinterpret_cast<volatile std::uint16_t*>(p);
        case 4:
            return *reinterpret_cast<volatile std::uint32_t*>(p);
        default:
            return *reinterpret_cast<volatile std::uint64_t*>(p);
    }
}

void write_mmio(volatile std::uint8_t* p, std::uint8_t size, std::uint64_t v) {
    switch (size) {
        case 1:
            *p = static_cast<std::uint8_t>(v);
            return;
        case 2:
            *reinterpret_cast<volatile std::uint16_t*>(p) = static_cast<std::uint16_t>(v);
            return;
        case 4:
            *reinterpret_cast<volatile std::uint32_t*>(p) = static_cast<std::uint32_t>(v);
            return;
        default:
            *reinterpret_cast<volatile std::uint64_t*>(p) = v;
    }
}

}  // namespace

// --- life -----------------------------------------------------------------------------------

Result<void> AssignedDevice::init(vmm::Vm& vm, const pci::PciFunction& host, pci::Bdf guest_bdf,
                                  const AssignedBars& bars) {
    vm_ = &vm;
    host_ = &host;
    guest_bdf_ = guest_bdf;
    first_bars_ = bars;

    const pci::MsixCap& msix = host.caps.msix;
    if (msix.present()) {
        const pci::Bar& tb = host.bars.bar[msix.table_bir];
        if (msix.table_size == 0 || !tb.present() || tb.kind == pci::BarKind::kIo)
            return make_error(Errc::kUnsupported, "MSI-X table is not in a memory BAR");
        const std::uint64_t table_bytes = std::uint64_t{msix.table_size} * MsixTable::kEntryBytes;
        const std::uint64_t phys = tb.base + msix.table_offset;
        host_msix_table_ = TRY(map_registers(phys, table_bytes));
        msix_entries_ = static_cast<MsixEntry*>(
            TRY(kmalloc(msix.table_size * sizeof(MsixEntry), alignof(MsixEntry))));
        msix_vectors_ = static_cast<MsixVector*>(
            TRY(kmalloc(msix.table_size * sizeof(MsixVector), alignof(MsixVector))));
        for (std::uint32_t i = 0; i < msix.table_size; ++i) {
            new (&msix_entries_[i]) MsixEntry{};
            msix_vectors_[i] = {};
        }
    }
    TRY(build_view());
    TRY(vm.platform().attach_pci(guest_bdf, *this));
    report_bars();
    return {};
}

void AssignedDevice::report_bars() const {
    for (unsigned slot = 0; slot < pci::kType0BarCount; ++slot) {
        const AssignedBar& b = first_bars_.bar[slot];
        if (b.kind == pci::BarKind::kAbsent) continue;
        // What backs the BAR's first byte: a second-stage leaf, a trap, or I/O ports.
        const char* backing = "trapped";
        if (b.kind == pci::BarKind::kIo) {
            backing = "io";
        } else if (auto m = vm_->stage2().lookup(GuestPhys(b.guest_base))) {
            backing = m->page_size >= kGiB ? "1g" : m->page_size >= 2 * kMiB ? "2m" : "4k";
        }
        log("vm ", vm_->name(), " device ", host_->bdf, " bar", slot, " ", pci::name(b.kind),
            b.prefetchable ? " pref" : "", " guest=0x", Hex{b.guest_base}, " host=0x",
            Hex{host_->bars.bar[slot].base}, " size=0x", Hex{b.size}, " page=", backing);
    }
}

void AssignedDevice::decode_host_bars() {
    // The host keeps decoding the BARs where firmware put them; the guest's command register is
    // virtual except for bus mastering (virtual_config_space.hpp). Done for every fresh view: the
    // reset before a restart leaves the function quiesced, decoding nothing, and a guest whose
    // BAR reads then return nothing would find no device there.
    std::uint16_t decode = 0;
    for (const AssignedBar& b : first_bars_.bar) {
        if (b.kind == pci::BarKind::kIo) decode |= pci::command::kIoSpace;
        if (b.kind == pci::BarKind::kMem32 || b.kind == pci::BarKind::kMem64)
            decode |= pci::command::kMemorySpace;
    }
    pci::ConfigSpace& cs = pci::host_config();
    const std::uint16_t command = cs.read(host_->bdf, pci::Reg16::kCommand);
    cs.write(host_->bdf, pci::Reg16::kCommand,
             static_cast<std::uint16_t>((command & ~pci::command::kBusMaster) | decode |
                                        pci::command::kIntxDisable));
}

Result<void> AssignedDevice::build_view() {
    decode_host_bars();  // first: interrupts_off() writes the MSI-X table in a BAR
    interrupts_off();
    if (msix_entries_ != nullptr)
        msix_table_ = MsixTable(std::span<MsixEntry>(msix_entries_, host_->caps.msix.table_size));
    view_ = TRY(VirtualConfigSpace::create(*this, first_bars_));
    for (unsigned slot = 0; slot < pci::kType0BarCount; ++slot) {
        const AssignedBar& b = first_bars_.bar[slot];
        if (b.kind == pci::BarKind::kAbsent) continue;
        TRY(map_bar(slot, b.guest_base));
    }
    return {};
}

Result<void> AssignedDevice::reset_guest_view() {
    unmap_all();
    return build_view();
}

void AssignedDevice::release() {
    if (vm_ == nullptr) return;
    interrupts_off();
    unmap_all();
    vm_->platform().detach_pci(guest_bdf_);
    pci::ConfigSpace& cs = pci::host_config();
    const std::uint16_t command = cs.read(host_->bdf, pci::Reg16::kCommand);
    cs.write(host_->bdf, pci::Reg16::kCommand,
             static_cast<std::uint16_t>(command & ~pci::command::kBusMaster));
    if (msix_entries_ != nullptr) kfree(msix_entries_);
    if (msix_vectors_ != nullptr) kfree(msix_vectors_);
    msix_entries_ = nullptr;
    msix_vectors_ = nullptr;
    vm_ = nullptr;
}

// --- configuration space --------------------------------------------------------------------

std::uint32_t AssignedDevice::config_read(std::uint16_t reg, std::uint8_t size) {
    return view_->config_read(reg, size);
}

void AssignedDevice::config_write(std::uint16_t reg, std::uint8_t size, std::uint32_t value) {
    view_->config_write(reg, size, value);
    apply_guest_changes();
}

std::uint32_t AssignedDevice::read32(std::uint16_t reg) {
    return pci::host_config().read32(host_->bdf, reg);
}

void AssignedDevice::write32(std::uint16_t reg, std::uint32_t value) {
    pci::host_config().write32(host_->bdf, reg, value);
}

void AssignedDevice::apply_guest_changes() {
    if (view_->take_mapping_change()) update_mappings();
    if (auto c = view_->take_msi_change()) apply_msi(*c);
    if (auto c = view_->take_msix_change()) apply_msix_control(*c);
}

// --- BAR mappings ---------------------------------------------------------------------------

bool AssignedDevice::valid_guest_base(unsigned slot, std::uint64_t base) const {
    const AssignedBar& b = first_bars_.bar[slot];
    return fits_window(vm_guest_windows(), b.kind, b.size, base);
}

Result<void> AssignedDevice::map_bar(unsigned slot, std::uint64_t guest_base) {
    const AssignedBar& b = first_bars_.bar[slot];
    const pci::Bar& hb = host_->bars.bar[slot];
    if (b.kind == pci::BarKind::kIo) {
        PortTrap& t = port_traps_[slot];
        t.host_base = static_cast<std::uint16_t>(hb.base);
        t.id = TRY(vm_->platform().port_regions().add(guest_base, b.size, t));
        t.active = true;
        mapped_[slot] = {true, guest_base};
        return {};
    }
    const ByteRange traps[] = {msix_table_in(host_->caps.msix, slot),
                               msix_pba_in(host_->caps.msix, slot)};
    const BarRegions regions = split_bar(b.size, traps);
    mapped_[slot] = {true, guest_base};
    for (const BarRegion& r : regions.list()) {
        if (!r.trapped) {
            TRY(vm_->device_stage2().map_mmio(GuestPhys(guest_base + r.offset),
                                              HostPhys(hb.base + r.offset), r.size));
            continue;
        }
        MmioTrap* t = nullptr;
        for (MmioTrap& c : traps_) {
            if (!c.active) {
                t = &c;
                break;
            }
        }
        if (t == nullptr) return make_error(Errc::kTooMany, "too many trapped BAR regions");
        // A BAR smaller than a page forwards only its own bytes; its page's rest reads all ones.
        const std::uint64_t forwarded = b.size < r.size ? b.size : r.size;
        const std::uint64_t phys = hb.base + r.offset;
        volatile std::uint8_t* const host = TRY(map_registers(phys, forwarded));
        t->device = this;
        t->slot = slot;
        t->bar_offset = r.offset;
        t->size = forwarded;
        t->host = host;
        t->id = TRY(vm_->platform().mmio_regions().add(guest_base + r.offset, r.size, *t));
        t->active = true;
    }
    return {};
}

Result<void> AssignedDevice::unmap_bar(unsigned slot) {
    if (!mapped_[slot].present) return {};
    const AssignedBar& b = first_bars_.bar[slot];
    if (b.kind == pci::BarKind::kIo) {
        if (port_traps_[slot].active) vm_->platform().port_regions().remove(port_traps_[slot].id);
        port_traps_[slot].active = false;
    } else {
        const std::uint64_t footprint = b.size < kPageSize ? kPageSize : b.size;
        TRY(vm_->device_stage2().unmap(GuestPhys(mapped_[slot].guest_base), footprint,
                                       vm_->next_translation_generation()));
        for (MmioTrap& t : traps_) {
            if (!t.active || t.slot != slot) continue;
            vm_->platform().mmio_regions().remove(t.id);
            t.active = false;
        }
    }
    mapped_[slot] = {};
    return {};
}

void AssignedDevice::unmap_all() {
    bool any = false;
    for (unsigned slot = 0; slot < pci::kType0BarCount; ++slot) {
        any = any || mapped_[slot].present;
        if (auto r = unmap_bar(slot); !r)
            log("vm ", vm_->name(), " device ", host_->bdf, ": BAR", slot,
                " unmap failed: ", r.error().what);
    }
    // The tables the unmaps held go back once every vCPU has flushed (at its next start).
    if (any) vm_->flush_translations();
}

void AssignedDevice::update_mappings() {
    bool changed = false;
    for (unsigned slot = 0; slot < pci::kType0BarCount; ++slot) {
        if (first_bars_.bar[slot].kind == pci::BarKind::kAbsent) continue;
        const std::uint64_t base = view_->guest_bar_base(slot);
        if (mapped_[slot].present && mapped_[slot].guest_base == base) continue;
        if (!valid_guest_base(slot, base)) continue;
        // A refused unmap (earlier frees still wait for the vCPUs' flush) keeps the old place;
        // the guest's next write of the BAR tries again.
        if (auto r = unmap_bar(slot); !r) {
            log("vm ", vm_->name(), " device ", host_->bdf, ": BAR", slot, " not moved to 0x",
                Hex{base}, ": ", r.error().what);
            continue;
        }
        changed = true;
        if (auto r = map_bar(slot, base); r) {
            log("vm ", vm_->name(), " device ", host_->bdf, " bar", slot, " moved to 0x",
                Hex{base});
        } else {
            log("vm ", vm_->name(), " device ", host_->bdf, ": BAR", slot, " at 0x", Hex{base},
                " not mapped: ", r.error().what);
            (void)unmap_bar(slot);
        }
    }
    if (changed) vm_->flush_translations();
}

// --- trapped accesses -----------------------------------------------------------------------

std::uint64_t AssignedDevice::MmioTrap::mmio_read(std::uint64_t offset, std::uint8_t size) {
    const std::uint64_t in_bar = bar_offset + offset;
    const ByteRange table = msix_table_in(device->host_->caps.msix, slot);
    if (contains(table, in_bar))
        return device->table_read(static_cast<std::uint32_t>(in_bar - table.offset), size);
    if (offset + size > this->size) return vmm::all_ones(size);
    return read_mmio(host + offset, size);
}

void AssignedDevice::MmioTrap::mmio_write(std::uint64_t offset, std::uint8_t size,
                                          std::uint64_t value) {
    const std::uint64_t in_bar = bar_offset + offset;
    const ByteRange table = msix_table_in(device->host_->caps.msix, slot);
    if (contains(table, in_bar)) {
        device->table_write(static_cast<std::uint32_t>(in_bar - table.offset), size, value);
        return;
    }
    // The PBA is read-only (PCI 3.0 sec 6.8.2.10); anything else in the page is the device's.
    if (offset + size > this->size) return;
    if (contains(msix_pba_in(device->host_->caps.msix, slot), in_bar)) return;
    write_mmio(host + offset, size, value);
}

std::uint32_t AssignedDevice::PortTrap::port_read(std::uint16_t offset, std::uint8_t size) {
    const auto port = static_cast<std::uint16_t>(host_base + offset);
    switch (size) {
        case 1:
            return x86::inb(port);
        case 2:
            return x86::inw(port);
        default:
            return x86::inl(port);
    }
}

void AssignedDevice::PortTrap::port_write(std::uint16_t offset, std::uint8_t size,
                                          std::uint32_t value) {
    const auto port = static_cast<std::uint16_t>(host_base + offset);
    switch (size) {
        case 1:
            x86::outb(port, static_cast<std::uint8_t>(value));
            return;
        case 2:
            x86::outw(port, static_cast<std::uint16_t>(value));
            return;
        default:
            x86::outl(port, value);
    }
}

// --- interrupts -----------------------------------------------------------------------------

Result<MsiMessage> AssignedDevice::host_message(std::uint16_t index, std::uint8_t vector,
                                                const vmm::ApicMessage& m) const {
    // The physical CPU of the destination vCPU (APIC ID = vCPU index), else the boot vCPU's: the
    // handler then runs where the guest takes the interrupt, without a cross-CPU kick.
    const std::uint32_t vcpu = !m.logical && m.destination < vm_->vcpu_count() ? m.destination : 0;
    const std::uint32_t apic_id = cpu(vm_->host_cpu(vcpu)).apic_id;
    // Through the IOMMU's interrupt remapping table when it has one: the device gets a handle,
    // never a vector and destination of its own choosing.
    Iommu* iommu = active_iommu();
    if (iommu == nullptr) return compatibility_msi(vector, apic_id);
    return iommu->map_interrupt(host_->bdf, index, vector, apic_id);
}

Result<std::uint8_t> AssignedDevice::route(std::uint8_t& vector, const vmm::ApicMessage& m) {
    if (vector == 0) vector = TRY(allocate_vector());
    set_route(vector, *vm_, m);
    return vector;
}

void AssignedDevice::apply_msi(const MsiChange& change) {
    const pci::MsiCap& cap = host_->caps.msi;
    if (!cap.present()) return;
    const bool deliver = change.enabled && change.valid && !change.masked;
    if (change.enabled && !change.valid) {
        log("vm ", vm_->name(), " device ", host_->bdf,
            ": MSI message refused: ", change.reason != nullptr ? change.reason : "invalid");
    }
    if (!deliver) {
        disable_msi();
        return;
    }
    auto v = route(msi_vector_, change.message);
    if (!v) {
        log("vm ", vm_->name(), " device ", host_->bdf, ": MSI not routed: ", v.error().what);
        disable_msi();
        return;
    }
    auto message = host_message(kMsiMessageIndex, v.value(), change.message);
    if (!message) {
        log("vm ", vm_->name(), " device ", host_->bdf,
            ": MSI not remapped: ", message.error().what);
        disable_msi();
        return;
    }
    const MsiMessage hm = message.value();
    const std::uint16_t base = cap.offset;
    write32(base + pci::msi_cap::kAddressLow, static_cast<std::uint32_t>(hm.address));
    if (cap.is_64bit) write32(base + pci::msi_cap::kAddressHigh, hm.address >> 32);
    write32(base + (cap.is_64bit ? pci::msi_cap::kData64 : pci::msi_cap::kData32), hm.data);
    // Multiple Message Enable stays 0: one vector.
    update_message_control(base, pci::msi_cap::kMultipleMessageEnableMask, pci::msi_cap::kEnable);
}

void AssignedDevice::disable_msi() {
    const pci::MsiCap& cap = host_->caps.msi;
    if (!cap.present()) return;
    update_message_control(cap.offset, pci::msi_cap::kEnable, 0);
    if (msi_vector_ != 0) clear_route(msi_vector_);
}

void AssignedDevice::update_message_control(std::uint16_t cap, std::uint16_t clear,
                                            std::uint16_t set) {
    // Message Control (MSI and MSI-X alike, PCI 3.0 sec 6.8.1.3 and 6.8.2.3) is the upper half
    // of the capability's first dword; the lower half (ID, next pointer) is read-only.
    static_assert(pci::msi_cap::kControl == 2 && pci::msix_cap::kControl == 2);
    const std::uint32_t first = read32(cap);
    const auto control = static_cast<std::uint16_t>(((first >> 16) & ~clear) | set);
    write32(cap, (first & 0xFFFF) | std::uint32_t{control} << 16);
}

void AssignedDevice::mask_host_msix_entry(std::uint16_t index) {
    volatile std::uint8_t* e = host_msix_table_ + index * MsixTable::kEntryBytes;
    write_mmio(e + offsetof(MsixEntry, vector_control), 4, MsixEntry::kMasked);
}

void AssignedDevice::program_msix_entry(std::uint16_t index) {
    const MsixEntry& e = msix_table_->entry(index);
    mask_host_msix_entry(index);
    if (e.masked()) return;
    auto m = decode_msi(e.message());
    if (!m) {
        log("vm ", vm_->name(), " device ", host_->bdf, ": MSI-X entry ", index,
            " refused: ", m.error().what);
        return;
    }
    auto v = route(msix_vectors_[index].vector, m.value());
    if (!v) {
        log("vm ", vm_->name(), " device ", host_->bdf, ": MSI-X entry ", index,
            " not routed: ", v.error().what);
        return;
    }
    auto message = host_message(index, v.value(), m.value());
    if (!message) {
        log("vm ", vm_->name(), " device ", host_->bdf, ": MSI-X entry ", index,
            " not remapped: ", message.error().what);
        return;
    }
    const MsiMessage hm = message.value();
    volatile std::uint8_t* h = host_msix_table_ + index * MsixTable::kEntryBytes;
    write_mmio(h + offsetof(MsixEntry, address_low), 4, static_cast<std::uint32_t>(hm.address));
    write_mmio(h + offsetof(MsixEntry, address_high), 4,
               static_cast<std::uint32_t>(hm.address >> 32));
    write_mmio(h + offsetof(MsixEntry, data), 4, hm.data);
    write_mmio(h + offsetof(MsixEntry, vector_control), 4, 0);  // unmasked
}

void AssignedDevice::apply_msix_control(const MsixControl& control) {
    const pci::MsixCap& cap = host_->caps.msix;
    if (!cap.present() || !msix_table_) return;
    if (control.enabled) {
        for (std::uint16_t i = 0; i < cap.table_size; ++i) program_msix_entry(i);
    }
    update_message_control(
        cap.offset, pci::msix_cap::kEnable | pci::msix_cap::kFunctionMask,
        static_cast<std::uint16_t>((control.enabled ? pci::msix_cap::kEnable : 0) |
                                   (control.function_masked ? pci::msix_cap::kFunctionMask : 0)));
    msix_control_ = control;
}

std::uint64_t AssignedDevice::table_read(std::uint32_t offset, std::uint8_t size) {
    auto v = msix_table_->read(offset, size);
    return v ? v.value() : vmm::all_ones(size);
}

void AssignedDevice::table_write(std::uint32_t offset, std::uint8_t size, std::uint64_t value) {
    if (!msix_table_->write(offset, size, value)) return;
    while (auto i = msix_table_->take_changed_entry()) {
        if (msix_control_.enabled) program_msix_entry(*i);
    }
}

void AssignedDevice::interrupts_off() {
    if (host_ == nullptr) return;
    disable_msi();
    Iommu* iommu = active_iommu();
    if (msi_vector_ != 0) {
        if (iommu != nullptr) iommu->unmap_interrupt(host_->bdf, kMsiMessageIndex);
        free_vector(msi_vector_);
    }
    msi_vector_ = 0;
    const pci::MsixCap& cap = host_->caps.msix;
    if (cap.present() && host_msix_table_ != nullptr) {
        update_message_control(cap.offset, pci::msix_cap::kEnable, 0);
        for (std::uint16_t i = 0; i < cap.table_size; ++i) {
            mask_host_msix_entry(i);
            if (msix_vectors_[i].vector == 0) continue;
            if (iommu != nullptr) iommu->unmap_interrupt(host_->bdf, i);
            free_vector(msix_vectors_[i].vector);
            msix_vectors_[i] = {};
        }
    }
    msix_control_ = {};
}

}  // namespace hv::passthrough
