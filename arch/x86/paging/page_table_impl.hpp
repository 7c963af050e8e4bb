#pragma once
// Member definitions of PageTable (page_table.hpp); included from there only. A template, so it
// lives in a header; kept apart so page_table.hpp reads as the contract.
#include "arch/x86/paging/page_table.hpp"

namespace hv::paging {

template <PageTableFormat Format, TableMemory Memory>
Result<void> PageTable<Format, Memory>::init() {
    if (has_root_) return make_error(Errc::kInvalid, "page table: already initialised");
    root_ = TRY(new_table());
    has_root_ = true;
    return {};
}

template <PageTableFormat Format, TableMemory Memory>
Result<void> PageTable<Format, Memory>::check_range(std::uint64_t va, std::uint64_t size) {
    if (size == 0 || (va | size) & (kPageSize - 1))
        return make_error(Errc::kInvalid, "page table: unaligned address or size");
    const std::uint64_t last = va + (size - 1);
    if (last < va) return make_error(Errc::kInvalid, "page table: range outside address space");
    constexpr std::uint64_t kHalf = 1ull << (kInputBits - 1);
    if constexpr (Format::kSignExtended) {
        // Canonical: bits 63:47 all equal, for both ends, and the range stays in one half.
        const auto canonical = [](std::uint64_t x) {
            const std::uint64_t high = x & ~(kHalf - 1);
            return high == 0 || high == ~(kHalf - 1);
        };
        if (!canonical(va) || !canonical(last) || (va & kHalf) != (last & kHalf))
            return make_error(Errc::kInvalid, "page table: range outside address space");
    } else {
        if (last >> kInputBits)
            return make_error(Errc::kInvalid, "page table: range outside address space");
    }
    return {};
}

template <PageTableFormat Format, TableMemory Memory>
Result<void> PageTable<Format, Memory>::map(std::uint64_t va, HostPhys pa, std::uint64_t size,
                                            Attributes attrs) {
    if (!has_root_) return make_error(Errc::kInvalid, "page table: not initialised");
    TRY(check_range(va, size));
    // Intel SDM vol. 3A, sec 4.1.4: physical addresses have at most 52 bits.
    constexpr std::uint64_t kPhysLimit = 1ull << 52;
    if (!pa.aligned(kPageSize))
        return make_error(Errc::kInvalid, "page table: unaligned address or size");
    if (pa.raw() >= kPhysLimit || size > kPhysLimit - pa.raw())
        return make_error(Errc::kInvalid, "page table: physical address too wide");
    if (!Format::supports(attrs))
        return make_error(Errc::kUnsupported, "page table: attributes not expressible");
    TRY(map_level(root_, kTopLevel, va, pa.raw(), size, attrs, false));
    return map_level(root_, kTopLevel, va, pa.raw(), size, attrs, true);
}

template <PageTableFormat Format, TableMemory Memory>
Result<void> PageTable<Format, Memory>::map_level(HostPhys table, unsigned level, std::uint64_t va,
                                                  std::uint64_t pa, std::uint64_t size,
                                                  const Attributes& a, bool apply) {
    std::uint64_t* t = memory_.table(table);
    const std::uint64_t ps = page_size(level);
    while (size != 0) {
        const std::uint64_t in_entry = ps - (va & (ps - 1));
        const std::uint64_t n = size < in_entry ? size : in_entry;
        std::uint64_t* slot = &t[index(va, level)];
        const std::uint64_t e = load(slot);
        const bool whole = n == ps && (pa & (ps - 1)) == 0;

        if (!Format::present(e)) {
            if (!apply) {
                // Nothing below an empty entry can conflict.
            } else if (whole && leaf_allowed(level)) {
                store(slot, Format::make_leaf(HostPhys(pa), level, a));
            } else {
                const HostPhys child = TRY(new_table());
                auto r = map_level(child, level - 1, va, pa, n, a, true);
                if (!r.ok()) {
                    free_subtree(child, level - 1);  // never linked
                    return r.error();
                }
                store(slot, table_entry(child, level));
            }
        } else if (Format::is_leaf(e, level)) {
            // Only an identical mapping may already be there, at whatever page size.
            const std::uint64_t base = Format::address(e, level);
            if (base + (va & (ps - 1)) != pa ||
                !same_leaf(e, Format::make_leaf(HostPhys(base), level, a)))
                return make_error(Errc::kInvalid, "page table: range already mapped");
        } else {
            TRY(map_level(HostPhys(Format::address(e, level)), level - 1, va, pa, n, a, apply));
        }
        va += n;
        pa += n;
        size -= n;
    }
    return {};
}

template <PageTableFormat Format, TableMemory Memory>
Result<void> PageTable<Format, Memory>::unmap(std::uint64_t va, std::uint64_t size) {
    if (!has_root_) return make_error(Errc::kInvalid, "page table: not initialised");
    TRY(check_range(va, size));
    return change_level(root_, kTopLevel, va, size, nullptr);
}

template <PageTableFormat Format, TableMemory Memory>
Result<void> PageTable<Format, Memory>::protect(std::uint64_t va, std::uint64_t size,
                                                Attributes attrs) {
    if (!has_root_) return make_error(Errc::kInvalid, "page table: not initialised");
    TRY(check_range(va, size));
    if (!Format::supports(attrs))
        return make_error(Errc::kUnsupported, "page table: attributes not expressible");
    if (!mapped_level(root_, kTopLevel, va, size))
        return make_error(Errc::kNotFound, "page table: protect of unmapped range");
    return change_level(root_, kTopLevel, va, size, &attrs);
}

template <PageTableFormat Format, TableMemory Memory>
bool PageTable<Format, Memory>::mapped_level(HostPhys table, unsigned level, std::uint64_t va,
                                             std::uint64_t size) const {
    const std::uint64_t* t = memory_.table(table);
    const std::uint64_t ps = page_size(level);
    while (size != 0) {
        const std::uint64_t in_entry = ps - (va & (ps - 1));
        const std::uint64_t n = size < in_entry ? size : in_entry;
        const std::uint64_t e = load(&t[index(va, level)]);
        if (!Format::present(e)) return false;
        if (!Format::is_leaf(e, level) &&
            !mapped_level(HostPhys(Format::address(e, level)), level - 1, va, n))
            return false;
        va += n;
        size -= n;
    }
    return true;
}

template <PageTableFormat Format, TableMemory Memory>
Result<void> PageTable<Format, Memory>::change_level(HostPhys table, unsigned level,
                                                     std::uint64_t va, std::uint64_t size,
                                                     const Attributes* attrs) {
    std::uint64_t* t = memory_.table(table);
    const std::uint64_t ps = page_size(level);
    while (size != 0) {
        const std::uint64_t in_entry = ps - (va & (ps - 1));
        const std::uint64_t n = size < in_entry ? size : in_entry;
        std::uint64_t* slot = &t[index(va, level)];
        const std::uint64_t e = load(slot);

        if (!Format::present(e)) {
            // unmap: nothing to do; protect: mapped_level() has ruled this out.
        } else if (Format::is_leaf(e, level) && n == ps) {
            const std::uint64_t base = Format::address(e, level);
            store(slot, attrs ? Format::make_leaf(HostPhys(base), level, *attrs) : 0);
        } else if (Format::is_leaf(e, level)) {
            // Split: rebuild the large page one level down, change the part, then link.
            const HostPhys child = TRY(new_table());
            std::uint64_t* c = memory_.table(child);
            const std::uint64_t base = Format::address(e, level);
            const Attributes old = Format::attributes(e, level);
            const std::uint64_t hw = e & Format::kHardwareBits;
            for (unsigned k = 0; k < kEntries; ++k)
                store(&c[k],
                      Format::make_leaf(HostPhys(base + k * page_size(level - 1)), level - 1, old) |
                          hw);
            auto r = change_level(child, level - 1, va, n, attrs);
            if (!r.ok()) {
                free_subtree(child, level - 1);  // never linked
                return r.error();
            }
            store(slot, table_entry(child, level));
        } else {
            const HostPhys child(Format::address(e, level));
            TRY(change_level(child, level - 1, va, n, attrs));
            if (!attrs && table_empty(child)) {
                store(slot, 0);
                release_table(child);
            }
        }
        va += n;
        size -= n;
    }
    return {};
}

template <PageTableFormat Format, TableMemory Memory>
Optional<Translation> PageTable<Format, Memory>::lookup(std::uint64_t va) const {
    if (!has_root_ || !check_range(va & ~(kPageSize - 1), kPageSize).ok()) return kNone;
    HostPhys table = root_;
    for (unsigned level = kTopLevel;; --level) {
        const std::uint64_t e = load(&memory_.table(table)[index(va, level)]);
        if (!Format::present(e)) return kNone;
        if (Format::is_leaf(e, level)) {
            const std::uint64_t ps = page_size(level);
            return Translation{HostPhys(Format::address(e, level) + (va & (ps - 1))),
                               Format::attributes(e, level), ps};
        }
        table = HostPhys(Format::address(e, level));
    }
}

template <PageTableFormat Format, TableMemory Memory>
void PageTable<Format, Memory>::destroy() {
    if (!has_root_) return;
    free_subtree(root_, kTopLevel);
    has_root_ = false;
    root_ = HostPhys{};
}

template <PageTableFormat Format, TableMemory Memory>
Result<HostPhys> PageTable<Format, Memory>::new_table() {
    const HostPhys t = TRY(memory_.allocate_table());
    ++tables_;
    return t;
}

template <PageTableFormat Format, TableMemory Memory>
void PageTable<Format, Memory>::release_table(HostPhys table) {
    memory_.free_table(table);
    --tables_;
}

template <PageTableFormat Format, TableMemory Memory>
void PageTable<Format, Memory>::free_subtree(HostPhys table, unsigned level) {
    if (level > 0) {
        const std::uint64_t* t = memory_.table(table);
        for (unsigned k = 0; k < kEntries; ++k) {
            const std::uint64_t e = load(&t[k]);
            if (Format::present(e) && !Format::is_leaf(e, level))
                free_subtree(HostPhys(Format::address(e, level)), level - 1);
        }
    }
    release_table(table);
}

template <PageTableFormat Format, TableMemory Memory>
bool PageTable<Format, Memory>::table_empty(HostPhys table) const {
    const std::uint64_t* t = memory_.table(table);
    for (unsigned k = 0; k < kEntries; ++k)
        if (Format::present(load(&t[k]))) return false;
    return true;
}

}  // namespace hv::paging
