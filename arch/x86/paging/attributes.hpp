#pragma once
// What a mapping allows, in words no page-table format owns. Each format (hpt_format.hpp,
// ept_format.hpp, later NPT and the IOMMU tables) translates these to and from its own bits, so
// the engine in page_table.hpp and its callers never see a format's bit layout.
#include <cstdint>

#include "kernel/lib/addr.hpp"

namespace hv::paging {

// Memory types a mapping may ask for (Intel SDM vol. 3A, Memory Cache Control, "Methods of Caching
// Available").
enum class CacheType : std::uint8_t {
    kWriteBack,
    kWriteThrough,
    kUncached,
    kWriteCombining,
};

struct Attributes {
    bool read = true;
    bool write = false;
    bool execute = false;
    bool user = false;    // host tables: CPL 3 may access. Ignored by EPT.
    bool global = false;  // host tables: survives CR3 reloads. Ignored by EPT.
    CacheType cache = CacheType::kWriteBack;
    friend constexpr bool operator==(const Attributes&, const Attributes&) = default;
};

// Bytes one entry at `level` maps: 4 KiB at level 0, 512 times more per level up (every format
// here: 512 eight-byte entries per table, SDM vol. 3A 4.5, VT-d spec 9.8, AMD IOMMU spec 2.2.3).
[[nodiscard]] constexpr std::uint64_t level_page_size(unsigned level) {
    return hv::kPageSize << (9 * level);
}

// The address an entry holds under `address_mask`: a leaf above level 0 maps a naturally aligned
// large page, so its low address bits are flags or reserved and are dropped.
[[nodiscard]] constexpr std::uint64_t entry_address(std::uint64_t raw, std::uint64_t address_mask,
                                                    unsigned level, bool leaf) {
    const std::uint64_t low = level == 0 || !leaf ? 0 : level_page_size(level) - 1;
    return raw & address_mask & ~low;
}

// The result of a lookup: the physical address the input address maps to (page offset
// included), what the leaf allows, and the size of the leaf page.
struct Translation {
    HostPhys pa;
    Attributes attrs;
    std::uint64_t page_size;
};

}  // namespace hv::paging
