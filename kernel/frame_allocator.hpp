#pragma once
// Physical memory allocator over extents: a sorted array of disjoint free [base, end) ranges.
//
// Guest memory wants 2 MiB- and 1 GiB-aligned blocks (so NPT/EPT can map it with large pages),
// while page tables and per-VM structures want single pages. To keep the big aligned blocks
// whole, every allocation looks at two candidate places per extent, its lowest and its highest
// aligned fit, and picks the one that
//   1. breaks the fewest large aligned blocks: a 1 GiB (or 2 MiB) block that lies wholly inside
//      an extent is "broken" when a smaller allocation lands in it;
//   2. then sits in the smallest extent (best fit);
//   3. then is the highest (low memory is scarcer: DMA-limited devices, the first 4 GiB).
// For example, a 4 KiB page from [1 MiB, 2047.875 MiB) comes from just below its end, in the
// tail that no 2 MiB block covers.
//
// Contract: no locking inside; the caller serialises all calls (the kernel wraps the one global
// instance in a spinlock). The allocator never touches the memory it manages, so it is pure and
// host-testable; zeroing is the caller's job. Errors leave the state unchanged.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "kernel/lib/addr.hpp"
#include "kernel/lib/result.hpp"

namespace hv {

class FrameAllocator {
  public:
    struct Extent {
        std::uint64_t base;
        std::uint64_t end;  // exclusive
        [[nodiscard]] constexpr std::uint64_t size() const { return end - base; }
    };

    static constexpr std::size_t kCapacity = 512;

    // Adds free memory; the range is shrunk inward to whole pages (nothing is added if no whole
    // page remains). Errors: overflow past 2^64, overlap with memory already free, or no room
    // for another extent.
    [[nodiscard]] Result<void> add_range(HostPhys base, std::uint64_t size);

    // `size` is rounded up to whole pages; `align` must be a power of two (anything below 4 KiB
    // means 4 KiB). Errors: zero size, bad alignment, no fitting block (kNoMemory), or the
    // allocation would split an extent while the array is full (kTooMany).
    [[nodiscard]] Result<HostPhys> allocate(std::uint64_t size, std::uint64_t align);
    // Allocates exactly [base, base + size) (size rounded up to pages). Errors: an unaligned
    // base or zero size (kInvalid), a range not wholly free (kNoMemory), a full array (kTooMany).
    [[nodiscard]] Result<void> take(HostPhys base, std::uint64_t size);

    // Returns a block (size rounded up to pages as in allocate), merging it with its neighbours.
    // Errors: unaligned base, zero size, or any overlap with free memory (a double free).
    [[nodiscard]] Result<void> free(HostPhys base, std::uint64_t size);

    [[nodiscard]] std::uint64_t free_bytes() const;
    // The largest size (a multiple of `align`, a power of two) that allocate(size, align) would
    // currently satisfy; 0 if none.
    [[nodiscard]] std::uint64_t largest_free_aligned(std::uint64_t align) const;
    [[nodiscard]] std::span<const Extent> extents() const { return {extents_.data(), count_}; }

  private:
    Result<void> insert_free(std::uint64_t base, std::uint64_t end);
    void remove_at(std::size_t i);
    // Removes [base, base + size) from extent `index`, which contains it.
    void carve(std::size_t index, std::uint64_t base, std::uint64_t size);

    std::array<Extent, kCapacity> extents_{};
    std::size_t count_ = 0;
};

}  // namespace hv
