#include "arch/x86/iommu/vtd/vtd_iommu.hpp"

#include <cstddef>
#include <new>

#include "arch/x86/cpu/apic_delivery_mode.hpp"
#include "arch/x86/iommu/vtd/page_table_format.hpp"
#include "arch/x86/iommu/vtd/vtd_unit.hpp"
#include "arch/x86/paging/page_table.hpp"
#include "drivers/pci/inventory.hpp"
#include "kernel/console.hpp"
#include "kernel/frame_table_memory.hpp"
#include "kernel/kmalloc.hpp"

namespace hv::vtd {
namespace {

// Domain IDs handed out (the unit may offer more; CAP.ND). ID 0 stays unused: under CAP.CM it
// is reserved, and a zero in a context entry is easier to spot as a bug.
constexpr std::uint32_t kMaxDomainIds = 256;
// Table pages an unmap may unlink before its IOTLB invalidation; they are freed only after it.
constexpr std::size_t kMaxDeferredFrees = 64;

Unit g_units[acpi::kMaxDrhds];
std::size_t g_unit_count = 0;

std::span<Unit> units() { return std::span<Unit>(g_units, g_unit_count); }

// Does the scope name `bdf`? Paths are walked through the bridges' secondary bus numbers as
// firmware programmed them (VT-d spec 8.3.1.1); a sub-hierarchy scope covers the bridge and
// everything below it.
bool scope_covers(const acpi::DeviceScope& scope, std::uint16_t segment, pci::Bdf bdf) {
    if (scope.type != acpi::DeviceScopeType::kPciEndpoint &&
        scope.type != acpi::DeviceScopeType::kPciSubHierarchy)
        return false;
    if (scope.path_length == 0 || bdf.segment() != segment) return false;
    std::uint8_t bus = scope.start_bus;
    const pci::PciFunction* fn = nullptr;
    for (std::size_t i = 0; i < scope.path_length; ++i) {
        const pci::Bdf at(segment, bus, scope.path[i].device, scope.path[i].function);
        if (i + 1 == scope.path_length && at == bdf) return true;
        fn = pci::functions().find(at);
        if (fn == nullptr || !fn->is_bridge()) return false;
        if (i + 1 < scope.path_length) bus = fn->secondary_bus;
    }
    return scope.type == acpi::DeviceScopeType::kPciSubHierarchy &&
           bdf.bus() >= fn->secondary_bus && bdf.bus() <= fn->subordinate_bus;
}

// VT-d spec 8.3: a unit with explicit scopes wins; the INCLUDE_PCI_ALL unit of the segment
// takes the rest.
Unit* unit_for(pci::Bdf bdf) {
    Unit* catch_all = nullptr;
    for (Unit& u : units()) {
        if (u.segment() != bdf.segment()) continue;
        if (u.drhd().include_pci_all()) {
            catch_all = &u;
            continue;
        }
        for (const acpi::DeviceScope& s : u.drhd().scopes)
            if (scope_covers(s, u.segment(), bdf)) return &u;
    }
    return catch_all;
}

// Table memory for second-level tables: zeroed frames, flushed for a non-snooping unit, and
// frees held back until the IOTLB no longer caches the tables (page_table.hpp contract).
class IoTableMemory {
  public:
    explicit IoTableMemory(bool flush) : store_{flush} {}
    Result<HostPhys> allocate_table() {
        const HostPhys p = TRY(frames_.allocate_table());
        if (store_.flush) flush_cache(frames_.table(p), kPageSize);
        return p;
    }
    void free_table(HostPhys p) {
        if (deferred_count_ < kMaxDeferredFrees)
            deferred_[deferred_count_++] = p;
        else
            frames_.free_table(p);  // rare: a huge unmap; the invalidation follows at once
    }
    std::uint64_t* table(HostPhys p) { return frames_.table(p); }
    void write_entry(std::uint64_t* slot, std::uint64_t value) { store_(slot, value); }
    // After the IOTLB invalidation.
    void release_deferred() {
        for (std::size_t i = 0; i < deferred_count_; ++i) frames_.free_table(deferred_[i]);
        deferred_count_ = 0;
    }

  private:
    FrameTableMemory frames_;
    TableStore store_;
    HostPhys deferred_[kMaxDeferredFrees]{};
    std::size_t deferred_count_ = 0;
};

template <typename Format>
class Domain final : public passthrough::IommuDomain {
  public:
    Domain(std::uint16_t id, paging::MaxPage max_page, bool flush)
        : id_(id), memory_(flush), table_(memory_, max_page) {}
    [[nodiscard]] Result<void> init() { return table_.init(); }
    void release() {
        table_.destroy();
        memory_.release_deferred();
    }
    [[nodiscard]] HostPhys root() const { return table_.root(); }

    Result<void> map(std::uint64_t iova, HostPhys hpa, std::uint64_t size, bool write) override {
        TRY(table_.map(iova, hpa, size, paging::Attributes{.read = true, .write = write}));
        for (Unit& u : units()) TRY(u.after_map(id_));
        return {};
    }
    Result<void> unmap(std::uint64_t iova, std::uint64_t size) override {
        auto r = table_.unmap(iova, size);
        for (Unit& u : units()) {
            if (auto inv = u.invalidate_domain(id_); !inv) return inv.error();
        }
        memory_.release_deferred();
        return r;
    }
    std::uint64_t table_bytes() const override { return table_.table_pages() * kPageSize; }
    std::uint16_t id() const override { return id_; }

  private:
    std::uint16_t id_;
    IoTableMemory memory_;
    paging::PageTable<Format, IoTableMemory> table_;
};

template <typename Format>
class Remapper final : public passthrough::Iommu {
  public:
    Remapper(paging::MaxPage max_page, std::uint32_t domain_ids, bool flush, bool remap)
        : max_page_(max_page), domain_ids_(domain_ids), flush_(flush), remap_(remap) {}

    const char* name() const override { return "vtd"; }
    bool covers(pci::Bdf bdf) const override { return unit_for(bdf) != nullptr; }

    Result<passthrough::IommuDomain*> create_domain() override {
        const std::uint16_t id = TRY(allocate_id());
        auto made = make<Domain<Format>>(id, max_page_, flush_);
        if (!made) {
            free_id(id);
            return made.error();
        }
        Domain<Format>* d = made.value();
        if (auto r = d->init(); !r) {
            destroy(d);
            free_id(id);
            return r.error();
        }
        return static_cast<passthrough::IommuDomain*>(d);
    }

    // The caller has detached every function first (iommu.hpp).
    void destroy_domain(passthrough::IommuDomain* domain) override {
        if (domain == nullptr) return;
        auto* d = static_cast<Domain<Format>*>(domain);
        const std::uint16_t id = d->id();
        for (Unit& u : units()) (void)u.invalidate_domain(id);
        d->release();
        destroy(d);
        free_id(id);
    }

    Result<void> attach(pci::Bdf bdf, passthrough::IommuDomain& domain) override {
        Unit* u = unit_for(bdf);
        if (u == nullptr) return make_error(Errc::kNotFound, "vtd: no remapping unit covers it");
        auto& d = static_cast<Domain<Format>&>(domain);
        return u->set_context(bdf.routing_id(), d.root(), Format::kAddressWidth, d.id());
    }

    void detach(pci::Bdf bdf) override {
        if (Unit* u = unit_for(bdf)) u->clear_context(bdf.routing_id());
    }

    std::uint32_t poll_faults(passthrough::FaultSink& sink) override {
        std::uint32_t n = 0;
        for (Unit& u : units()) n += u.drain_faults(sink);
        return n;
    }

    bool remaps_interrupts() const override { return remap_; }

    Result<passthrough::MsiMessage> map_interrupt(pci::Bdf bdf, std::uint16_t index,
                                                  std::uint8_t vector,
                                                  std::uint32_t apic_id) override {
        if (!remap_) return passthrough::compatibility_msi(vector, apic_id);
        Unit* u = unit_for(bdf);
        if (u == nullptr) return make_error(Errc::kNotFound, "vtd: no remapping unit covers it");
        if (apic_id > x86::kMaxXapicId)
            return make_error(Errc::kUnsupported, "vtd: x2APIC destination");
        const std::uint16_t handle = TRY(handle_for(bdf, index));
        // Source validation: only `bdf` itself may raise this entry (9.10, SVT/SID).
        TRY(u->set_irte(handle, Irte::fixed(vector, apic_id, /*x2apic=*/false, bdf.routing_id())));
        return passthrough::MsiMessage{remappable_msi_address(handle), 0};
    }

    void unmap_interrupt(pci::Bdf bdf, std::uint16_t index) override {
        if (!remap_) return;
        const auto handle = find_handle(bdf, index);
        if (!handle) return;
        if (Unit* u = unit_for(bdf)) (void)u->set_irte(*handle, Irte{});
        SpinGuard g(lock_);
        handles_[*handle] = 0;
    }

  private:
    // Interrupt remapping handles, one space for all units: 0 free, else (BDF, index) + 1.
    static constexpr std::uint32_t kHandles = Unit::kIrtEntries;
    static constexpr std::uint64_t handle_key(pci::Bdf bdf, std::uint16_t index) {
        return ((static_cast<std::uint64_t>(bdf.segment()) << 16 | bdf.routing_id()) << 16 |
                index) +
               1;
    }
    Optional<std::uint16_t> find_handle(pci::Bdf bdf, std::uint16_t index) {
        SpinGuard g(lock_);
        const std::uint64_t key = handle_key(bdf, index);
        for (std::uint32_t h = 0; h < kHandles; ++h)
            if (handles_[h] == key) return static_cast<std::uint16_t>(h);
        return kNone;
    }
    Result<std::uint16_t> handle_for(pci::Bdf bdf, std::uint16_t index) {
        if (auto h = find_handle(bdf, index)) return *h;
        SpinGuard g(lock_);
        for (std::uint32_t h = 0; h < kHandles; ++h) {
            if (handles_[h] != 0) continue;
            handles_[h] = handle_key(bdf, index);
            return static_cast<std::uint16_t>(h);
        }
        return make_error(Errc::kTooMany, "vtd: interrupt remapping table full");
    }

    Result<std::uint16_t> allocate_id() {
        SpinGuard g(lock_);
        for (std::uint32_t id = 1; id < domain_ids_; ++id) {
            if (!used_[id]) {
                used_[id] = true;
                return static_cast<std::uint16_t>(id);
            }
        }
        return make_error(Errc::kTooMany, "vtd: out of domain IDs");
    }
    void free_id(std::uint16_t id) {
        SpinGuard g(lock_);
        used_[id] = false;
    }

    paging::MaxPage max_page_;
    std::uint32_t domain_ids_;
    bool flush_;
    bool remap_;
    std::uint64_t handles_[kHandles]{};
    bool used_[kMaxDomainIds]{};
    SpinLock lock_;
};

union RemapperStorage {
    RemapperStorage() {}
    ~RemapperStorage() {}
    Remapper<SlFormat4> four_level;
    Remapper<SlFormat3> three_level;
};
RemapperStorage g_remapper;
bool g_initialised = false;

}  // namespace

Result<passthrough::Iommu*> init(const acpi::Dmar& dmar) {
    if (g_initialised) return make_error(Errc::kInvalid, "vtd: already initialised");
    g_unit_count = 0;
    for (const acpi::Drhd& drhd : dmar.drhds) {
        TRY(g_units[g_unit_count].probe(drhd, static_cast<unsigned>(g_unit_count)));
        ++g_unit_count;
    }
    if (g_unit_count == 0) return make_error(Errc::kNotFound, "vtd: the DMAR lists no unit");

    // One table format for every unit, so a domain's table serves a device behind any of them.
    bool all48 = true;
    bool all39 = true;
    bool flush = false;
    paging::MaxPage max_page = paging::MaxPage::k1G;
    std::uint32_t domain_ids = kMaxDomainIds;
    for (const Unit& u : units()) {
        all48 = all48 && u.cap().supports(AddressWidth::k48Bit);
        all39 = all39 && u.cap().supports(AddressWidth::k39Bit);
        flush = flush || !u.ecap().coherent();
        if (u.cap().max_page() < max_page) max_page = u.cap().max_page();
        if (u.cap().domains() < domain_ids) domain_ids = u.cap().domains();
    }
    if (!all48 && !all39) return make_error(Errc::kUnsupported, "vtd: no common 39/48-bit AGAW");
    const AddressWidth aw = all48 ? AddressWidth::k48Bit : AddressWidth::k39Bit;

    bool remap = true;
    for (Unit& u : units()) {
        TRY(u.enable(aw));
        // Interrupt remapping on every unit or on none: a device's MSI format must not depend
        // on which unit covers it.
        const char* ir_off = nullptr;
        if (auto r = u.enable_interrupt_remapping(); !r) {
            ir_off = r.error().what;
            remap = false;
        }
        log("iommu vtd unit=", &u - g_units, " base=0x", Hex{u.drhd().register_base},
            " segment=", u.segment(), u.drhd().include_pci_all() ? " include_pci_all" : "",
            " cap=0x", Hex{u.cap().raw()}, " ecap=0x", Hex{u.ecap().raw()}, " aw=", all48 ? 48 : 39,
            " invalidation=", u.queued_invalidation() ? "queued" : "register",
            u.cap().caching_mode() ? " caching_mode" : "", " translation=on",
            ir_off == nullptr ? " interrupt_remapping=on" : " interrupt_remapping=off");
        if (ir_off != nullptr)
            log("iommu vtd unit=", &u - g_units, " no interrupt remapping: ", ir_off);
    }
    g_initialised = true;
    if (aw == AddressWidth::k48Bit)
        return static_cast<passthrough::Iommu*>(
            new (&g_remapper.four_level) Remapper<SlFormat4>(max_page, domain_ids, flush, remap));
    return static_cast<passthrough::Iommu*>(
        new (&g_remapper.three_level) Remapper<SlFormat3>(max_page, domain_ids, flush, remap));
}

}  // namespace hv::vtd
