#pragma once
// One page-table engine for every radix table the hypervisor builds (4 levels, or 3): host page
// tables (hpt_format.hpp), Intel EPT (ept_format.hpp), AMD NPT (the host format) and the IOMMU
// tables (arch/x86/iommu/vtd/page_table_format.hpp, arch/x86/iommu/amdvi/page_table_format.hpp).
// The engine knows the shape (levels of 512 entries, 4 KiB << 9*level per entry); a Format knows
// the bits; a Memory policy provides the table pages.
//
//   input address   47      39 38      30 29      21 20      12 11        0
//                  [  level 3  |  level 2  |  level 1  |  level 0  |  offset  ]
//                     PML4        PDPT        PD          PT
//                                 1 GiB leaf  2 MiB leaf  4 KiB leaf
//
// map(va, pa, size): at each level, take the part of the range inside one entry.
//   it covers the whole entry, pa is aligned to it, a leaf is allowed here, the entry is empty
//                                        -> write a leaf
//   otherwise                            -> descend (creating the next table when empty)
// so an unaligned range is mapped as  |4K..4K|2M..2M|1G ... 1G|2M..2M|4K..4K|  (head, body,
// tail). An existing entry must already say exactly what was asked (an identical remap, at any
// page size); anything else is an error, found by a checking walk before anything is written.
//
// unmap / protect of part of a large leaf splits it:
//   before:  PD[i] = 2 MiB leaf @ pa
//   1. allocate PT; PT[k] = 4 KiB leaf @ pa + k * 4 KiB, same attributes  (not yet reachable)
//   2. clear / re-protect the affected PT entries                          (not yet reachable)
//   3. PD[i] = table(PT)                                                    (one 64-bit store)
// and unmap frees a table once all its entries are empty.
//
// Contract:
// - Update order: a new table is written completely before the entry linking it is stored, and
//   every entry is written with one 64-bit release store, so a concurrent hardware walk sees
//   either the old or the new translation, never a half-built one.
// - Flushing is the caller's job: after unmap/protect (and after map over a split), the caller
//   invalidates the TLBs (INVLPG / CR3 reload, INVEPT, INVLPGA, IOMMU invalidation) before
//   relying on the change. Tables are handed to Memory::free_table() when unlinked, before that
//   flush: the policy must not reuse them until the caller has flushed.
// - No locking: the caller serialises all calls on one table. lookup() may run concurrently
//   with the hardware walker (it reads entries atomically).
// - A failed map/unmap/protect for lack of memory may leave the range partly done (every entry
//   is still valid); a refused map (conflict, bad arguments) changes nothing.
//
// Memory policy:
//   Result<HostPhys> allocate_table();          a zeroed 4 KiB page
//   void free_table(HostPhys);
//   std::uint64_t* table(HostPhys);             where the engine can reach that page
//   optional: void write_entry(std::uint64_t* slot, std::uint64_t value);  to observe stores
#include <concepts>
#include <cstddef>
#include <cstdint>

#include "arch/x86/paging/attributes.hpp"
#include "kernel/lib/addr.hpp"
#include "kernel/lib/optional.hpp"
#include "kernel/lib/result.hpp"

namespace hv::paging {

// make_table(pa) builds the entry that links a table; a format whose table entries depend on
// the level they sit at (AMD-Vi's Next Level field) provides make_table(pa, level) instead.
template <typename F>
concept LinksTables = requires(HostPhys pa) {
    { F::make_table(pa) } -> std::same_as<std::uint64_t>;
};
template <typename F>
concept LinksTablesByLevel = requires(HostPhys pa, unsigned level) {
    { F::make_table(pa, level) } -> std::same_as<std::uint64_t>;
};

template <typename F>
concept PageTableFormat = requires(std::uint64_t e, unsigned level, HostPhys pa, Attributes a) {
    { F::kLevels } -> std::convertible_to<unsigned>;
    { F::kMaxLeafLevel } -> std::convertible_to<unsigned>;
    { F::kSignExtended } -> std::convertible_to<bool>;
    { F::kHardwareBits } -> std::convertible_to<std::uint64_t>;
    { F::present(e) } -> std::same_as<bool>;
    { F::is_leaf(e, level) } -> std::same_as<bool>;
    { F::address(e, level) } -> std::same_as<std::uint64_t>;
    requires LinksTables<F> || LinksTablesByLevel<F>;
    { F::make_leaf(pa, level, a) } -> std::same_as<std::uint64_t>;
    { F::attributes(e, level) } -> std::same_as<Attributes>;
    { F::supports(a) } -> std::same_as<bool>;
};

// The largest leaf the walker of a table accepts, as the level of that leaf. A format's
// kMaxLeafLevel is what the format can express; this is what the hardware at hand offers
// (CPUID 80000001h:EDX[26], IA32_VMX_EPT_VPID_CAP[17], VT-d CAP.SLLPS).
enum class MaxPage : unsigned { k4K = 0, k2M = 1, k1G = 2 };

template <typename M>
concept TableMemory = requires(M& m, HostPhys pa) {
    { m.allocate_table() } -> std::same_as<Result<HostPhys>>;
    {m.free_table(pa)};
    { m.table(pa) } -> std::same_as<std::uint64_t*>;
};

template <PageTableFormat Format, TableMemory Memory>
class PageTable {
  public:
    static constexpr unsigned kEntries = 512;  // 4 KiB of 8-byte entries
    static constexpr unsigned kTopLevel = Format::kLevels - 1;
    static constexpr unsigned kInputBits = 12 + 9 * Format::kLevels;

    // `gigabyte_pages`: whether the CPU supports 1 GiB leaves for this format (CPUID
    // 80000001h:EDX[26] for host tables, IA32_VMX_EPT_VPID_CAP[17] for EPT).
    PageTable(Memory& memory, bool gigabyte_pages)
        : PageTable(memory, gigabyte_pages ? MaxPage::k1G : MaxPage::k2M) {}
    PageTable(Memory& memory, MaxPage max_page)
        : memory_(memory), max_leaf_level_(static_cast<unsigned>(max_page)) {}
    PageTable(const PageTable&) = delete;
    PageTable& operator=(const PageTable&) = delete;
    ~PageTable() { destroy(); }

    // Allocates the root table; the table is empty (maps nothing) until map().
    [[nodiscard]] Result<void> init();
    [[nodiscard]] HostPhys root() const { return root_; }
    [[nodiscard]] std::size_t table_pages() const { return tables_; }

    // va, pa and size must be 4 KiB aligned, size non-zero, [va, va + size) inside the input
    // address space (canonical for sign-extended formats) and pa + size inside 2^52.
    [[nodiscard]] Result<void> map(std::uint64_t va, HostPhys pa, std::uint64_t size,
                                   Attributes attrs);
    // Unmapping what is not mapped is not an error.
    [[nodiscard]] Result<void> unmap(std::uint64_t va, std::uint64_t size);
    // Every page in the range must be mapped; checked before anything changes.
    [[nodiscard]] Result<void> protect(std::uint64_t va, std::uint64_t size, Attributes attrs);
    [[nodiscard]] Optional<Translation> lookup(std::uint64_t va) const;
    // Frees every table, the root included; init() may be called again afterwards.
    void destroy();

  private:
    static constexpr std::uint64_t page_size(unsigned level) { return level_page_size(level); }
    static constexpr unsigned index(std::uint64_t va, unsigned level) {
        return static_cast<unsigned>((va >> (12 + 9 * level)) & (kEntries - 1));
    }
    bool leaf_allowed(unsigned level) const {
        return level == 0 || (level <= Format::kMaxLeafLevel && level <= max_leaf_level_);
    }
    static constexpr std::uint64_t table_entry(HostPhys table, unsigned level) {
        if constexpr (requires { Format::make_table(table, level); })
            return Format::make_table(table, level);
        else
            return Format::make_table(table);
    }
    static Result<void> check_range(std::uint64_t va, std::uint64_t size);
    static bool same_leaf(std::uint64_t have, std::uint64_t want) {
        return (have & ~Format::kHardwareBits) == (want & ~Format::kHardwareBits);
    }

    std::uint64_t load(const std::uint64_t* slot) const {
        return __atomic_load_n(slot, __ATOMIC_RELAXED);
    }
    void store(std::uint64_t* slot, std::uint64_t value) {
        if constexpr (requires { memory_.write_entry(slot, value); }) {
            memory_.write_entry(slot, value);
        } else {
            __atomic_store_n(slot, value, __ATOMIC_RELEASE);
        }
    }
    Result<HostPhys> new_table();
    void release_table(HostPhys table);
    void free_subtree(HostPhys table, unsigned level);
    bool table_empty(HostPhys table) const;

    Result<void> map_level(HostPhys table, unsigned level, std::uint64_t va, std::uint64_t pa,
                           std::uint64_t size, const Attributes& a, bool apply);
    bool mapped_level(HostPhys table, unsigned level, std::uint64_t va, std::uint64_t size) const;
    // `attrs` null: unmap. Otherwise: protect.
    Result<void> change_level(HostPhys table, unsigned level, std::uint64_t va, std::uint64_t size,
                              const Attributes* attrs);

    Memory& memory_;
    unsigned max_leaf_level_;
    bool has_root_ = false;
    HostPhys root_{};
    std::size_t tables_ = 0;
};

}  // namespace hv::paging

#include "arch/x86/paging/page_table_impl.hpp"
