#pragma once
// How a multi-word IOMMU structure (VT-d root, context and interrupt remapping entries, the
// AMD-Vi device table entry) reaches memory the IOMMU reads while it runs. The unit may fetch
// the entry between any two stores, so:
//  - making an entry valid writes every other word first and the word with the present/valid
//    bit last;
//  - making it invalid clears the present word first and the rest afterwards.
// Each word is one 64-bit store. A structure's write_to()/clear() call these, so no caller can
// get the order wrong. Changing a live entry in place is not covered: clear it, invalidate the
// unit's caches, then write the new one (VT-d spec 6.5.3.3 "Guidance to Software for
// Invalidations"; AMD IOMMU spec 2.4, INVALIDATE_DEVTAB_ENTRY).
//
// Store policy: `void operator()(std::uint64_t* word, std::uint64_t value)`. AtomicStore is the
// kernel's; a driver for a unit that does not snoop page walks (VT-d ECAP.C clear) wraps it with
// a cache-line flush, and tests record the order.
#include <array>
#include <cstddef>
#include <cstdint>

namespace hv::iommu {

struct AtomicStore {
    void operator()(std::uint64_t* word, std::uint64_t value) const {
        __atomic_store_n(word, value, __ATOMIC_RELEASE);
    }
};

// Writes `words` to `dst`, the word at `present_index` last.
template <std::size_t N, typename Store>
void write_entry(std::uint64_t* dst, const std::array<std::uint64_t, N>& words,
                 std::size_t present_index, Store&& store) {
    for (std::size_t i = N; i-- > 0;)
        if (i != present_index) store(&dst[i], words[i]);
    store(&dst[present_index], words[present_index]);
}

// Zeroes an N-word entry at `dst`, the word at `present_index` first.
template <std::size_t N, typename Store>
void clear_entry(std::uint64_t* dst, std::size_t present_index, Store&& store) {
    store(&dst[present_index], 0);
    for (std::size_t i = 0; i < N; ++i)
        if (i != present_index) store(&dst[i], 0);
}

}  // namespace hv::iommu
