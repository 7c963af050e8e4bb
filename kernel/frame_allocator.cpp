#include "kernel/frame_allocator.hpp"

#include <bit>

namespace hv {
namespace {

// The block sizes worth keeping whole: the large-page sizes of the paging structures
// (Intel SDM vol. 3A, sec 4.5, table 4-1).
constexpr std::uint64_t kProtectedBlocks[] = {kHugePageSize, kLargePageSize};

// The largest protected block size that placing [a, a + size) inside `e` would break: a block
// of that size, aligned, lying wholly inside `e`, and overlapping the placement without being
// consumed whole by it. 0 when no such block is touched.
std::uint64_t damage(const FrameAllocator::Extent& e, std::uint64_t a, std::uint64_t size) {
    for (std::uint64_t block : kProtectedBlocks) {
        if (size >= block) continue;  // the allocation itself is at least this big
        const std::uint64_t first = align_up(e.base, block);
        const std::uint64_t last = align_down(e.end, block);
        if (first >= last || first < e.base) continue;  // no whole block (or align_up wrapped)
        if (a < last && a + size > first) return block;
    }
    return 0;
}

struct Candidate {
    std::size_t extent;
    std::uint64_t base;
    std::uint64_t damage;
    std::uint64_t extent_size;
};

// Ordering from the header: least damage, then smallest extent, then highest address.
bool better(const Candidate& a, const Candidate& b) {
    if (a.damage != b.damage) return a.damage < b.damage;
    if (a.extent_size != b.extent_size) return a.extent_size < b.extent_size;
    return a.base > b.base;
}

}  // namespace

Result<void> FrameAllocator::add_range(HostPhys base, std::uint64_t size) {
    if (size > ~std::uint64_t{0} - base.raw())
        return make_error(Errc::kInvalid, "frame allocator: range wraps");
    const std::uint64_t lo = align_up(base.raw(), kPageSize);
    const std::uint64_t hi = align_down(base.raw() + size, kPageSize);
    if (lo < base.raw() || lo >= hi) return {};  // align_up wrapped, or no whole page
    return insert_free(lo, hi);
}

Result<HostPhys> FrameAllocator::allocate(std::uint64_t size, std::uint64_t align) {
    if (size == 0) return make_error(Errc::kInvalid, "frame allocator: zero size");
    if (!std::has_single_bit(align))
        return make_error(Errc::kInvalid, "frame allocator: alignment not a power of two");
    if (size > ~std::uint64_t{0} - kPageSize)
        return make_error(Errc::kNoMemory, "frame allocator: out of memory");
    size = align_up(size, kPageSize);
    if (align < kPageSize) align = kPageSize;

    bool found = false, blocked_by_capacity = false;
    Candidate best{};
    for (std::size_t i = 0; i < count_; ++i) {
        const Extent& e = extents_[i];
        const std::uint64_t low = align_up(e.base, align);
        if (low < e.base || low >= e.end || e.end - low < size) continue;
        const std::uint64_t high = align_down(e.end - size, align);
        for (std::uint64_t a : {high, low}) {
            // With the array full, only placements that leave at most one piece can proceed.
            const bool splits = a > e.base && a + size < e.end;
            if (splits && count_ == kCapacity) {
                blocked_by_capacity = true;
                continue;
            }
            const Candidate c{i, a, damage(e, a, size), e.size()};
            if (!found || better(c, best)) best = c, found = true;
        }
    }
    if (!found && blocked_by_capacity)
        return make_error(Errc::kTooMany, "frame allocator: too many extents");
    if (!found) return make_error(Errc::kNoMemory, "frame allocator: out of memory");

    carve(best.extent, best.base, size);
    return HostPhys(best.base);
}

void FrameAllocator::carve(std::size_t index, std::uint64_t base, std::uint64_t size) {
    Extent& e = extents_[index];
    const bool keep_low = base > e.base;
    const bool keep_high = base + size < e.end;
    if (keep_low && keep_high) {
        for (std::size_t j = count_; j > index + 1; --j) extents_[j] = extents_[j - 1];
        ++count_;
        extents_[index + 1] = Extent{base + size, e.end};
        e.end = base;
    } else if (keep_low) {
        e.end = base;
    } else if (keep_high) {
        e.base = base + size;
    } else {
        remove_at(index);
    }
}

Result<void> FrameAllocator::take(HostPhys base, std::uint64_t size) {
    if (size == 0 || !base.aligned(kPageSize) || size > ~std::uint64_t{0} - kPageSize)
        return make_error(Errc::kInvalid, "frame allocator: bad range to take");
    size = align_up(size, kPageSize);
    for (std::size_t i = 0; i < count_; ++i) {
        const Extent& e = extents_[i];
        if (base.raw() < e.base || base.raw() >= e.end || e.end - base.raw() < size) continue;
        if (base.raw() > e.base && base.raw() + size < e.end && count_ == kCapacity)
            return make_error(Errc::kTooMany, "frame allocator: too many extents");
        carve(i, base.raw(), size);
        return {};
    }
    return make_error(Errc::kNoMemory, "frame allocator: range is not free");
}

Result<void> FrameAllocator::free(HostPhys base, std::uint64_t size) {
    if (size == 0) return make_error(Errc::kInvalid, "frame allocator: zero size");
    if (!base.aligned(kPageSize))
        return make_error(Errc::kInvalid, "frame allocator: unaligned free");
    if (size > ~std::uint64_t{0} - kPageSize ||
        align_up(size, kPageSize) > ~std::uint64_t{0} - base.raw())
        return make_error(Errc::kInvalid, "frame allocator: range wraps");
    return insert_free(base.raw(), base.raw() + align_up(size, kPageSize));
}

Result<void> FrameAllocator::insert_free(std::uint64_t base, std::uint64_t end) {
    // First extent starting at or after `end`'s predecessor: binary search on base.
    std::size_t lo = 0, hi = count_;
    while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (extents_[mid].base < base)
            lo = mid + 1;
        else
            hi = mid;
    }
    const std::size_t i = lo;  // extents_[i - 1].base < base <= extents_[i].base
    const bool overlaps_prev = i > 0 && extents_[i - 1].end > base;
    const bool overlaps_next = i < count_ && extents_[i].base < end;
    if (overlaps_prev || overlaps_next)
        return make_error(Errc::kInvalid, "frame allocator: double free or overlap");

    const bool join_prev = i > 0 && extents_[i - 1].end == base;
    const bool join_next = i < count_ && extents_[i].base == end;
    if (join_prev && join_next) {
        extents_[i - 1].end = extents_[i].end;
        remove_at(i);
    } else if (join_prev) {
        extents_[i - 1].end = end;
    } else if (join_next) {
        extents_[i].base = base;
    } else {
        if (count_ == kCapacity)
            return make_error(Errc::kTooMany, "frame allocator: too many extents");
        for (std::size_t j = count_; j > i; --j) extents_[j] = extents_[j - 1];
        extents_[i] = Extent{base, end};
        ++count_;
    }
    return {};
}

void FrameAllocator::remove_at(std::size_t i) {
    for (std::size_t j = i; j + 1 < count_; ++j) extents_[j] = extents_[j + 1];
    --count_;
}

std::uint64_t FrameAllocator::free_bytes() const {
    std::uint64_t total = 0;
    for (const Extent& e : extents()) total += e.size();
    return total;
}

std::uint64_t FrameAllocator::largest_free_aligned(std::uint64_t align) const {
    if (!std::has_single_bit(align)) return 0;
    if (align < kPageSize) align = kPageSize;
    std::uint64_t best = 0;
    for (const Extent& e : extents()) {
        const std::uint64_t a = align_up(e.base, align);
        if (a < e.base || a >= e.end) continue;
        const std::uint64_t n = align_down(e.end - a, align);
        if (n > best) best = n;
    }
    return best;
}

}  // namespace hv
