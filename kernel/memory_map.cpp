#include "kernel/memory_map.hpp"

#include "kernel/lib/addr.hpp"

namespace hv {
namespace {

// Clipped [base, end) of a firmware entry; empty when it has no bytes below the limit.
PhysRange clip(const boot::MemoryRegion& r) {
    if (r.length == 0 || r.base >= kPhysAddressLimit) return {0, 0};
    // base + length may wrap; anything past the limit is cut there anyway.
    const std::uint64_t room = kPhysAddressLimit - r.base;
    return {r.base, r.base + (r.length < room ? r.length : room)};
}

void insertion_sort(std::uint64_t* v, std::size_t n) {
    for (std::size_t i = 1; i < n; ++i) {
        const std::uint64_t x = v[i];
        std::size_t j = i;
        for (; j > 0 && v[j - 1] > x; --j) v[j] = v[j - 1];
        v[j] = x;
    }
}

Result<void> push(MemoryLayout& out, PhysRange r) {
    if (out.count == kMaxFreeRanges)
        return make_error(Errc::kTooMany, "memory map: too many free ranges");
    out.ranges[out.count++] = r;
    return {};
}

// Steps 2 and 3: usable, non-overlapped, page-aligned runs in ascending order.
Result<void> usable_runs(std::span<const boot::MemoryRegion> firmware, MemoryLayout& out) {
    std::array<std::uint64_t, 2 * kMaxFirmwareRegions> points{};
    std::size_t n = 0;
    for (const boot::MemoryRegion& r : firmware) {
        const PhysRange c = clip(r);
        if (c.size() == 0) continue;
        points[n++] = c.base;
        points[n++] = c.end;
        if (c.end > out.highest_address) out.highest_address = c.end;
    }
    insertion_sort(points.data(), n);

    PhysRange run{0, 0};
    for (std::size_t i = 0; i + 1 < n; ++i) {
        const std::uint64_t lo = points[i], hi = points[i + 1];
        if (lo == hi) continue;
        bool usable = false, claimed = false;
        for (const boot::MemoryRegion& r : firmware) {
            const PhysRange c = clip(r);
            if (c.base > lo || c.end < hi) continue;
            if (r.type == boot::MemoryType::kUsable)
                usable = true;
            else
                claimed = true;
        }
        const bool take = usable && !claimed;
        if (take && run.size() != 0 && run.end == lo) {
            run.end = hi;
            continue;
        }
        if (run.size() != 0) {
            const PhysRange aligned{align_up(run.base, kPageSize), align_down(run.end, kPageSize)};
            if (aligned.base < aligned.end) TRY(push(out, aligned));
        }
        run = take ? PhysRange{lo, hi} : PhysRange{0, 0};
    }
    if (run.size() != 0) {
        const PhysRange aligned{align_up(run.base, kPageSize), align_down(run.end, kPageSize)};
        if (aligned.base < aligned.end) TRY(push(out, aligned));
    }
    return {};
}

// Step 4 for one reservation, already page-aligned outward.
Result<void> subtract(MemoryLayout& out, PhysRange cut) {
    for (std::size_t i = 0; i < out.count;) {
        PhysRange& r = out.ranges[i];
        if (cut.end <= r.base || cut.base >= r.end) {
            ++i;
            continue;
        }
        const bool keep_left = r.base < cut.base;
        const bool keep_right = cut.end < r.end;
        if (keep_left && keep_right) {
            if (out.count == kMaxFreeRanges)
                return make_error(Errc::kTooMany, "memory map: too many free ranges");
            for (std::size_t j = out.count; j > i + 1; --j) out.ranges[j] = out.ranges[j - 1];
            ++out.count;
            out.ranges[i + 1] = PhysRange{cut.end, r.end};
            r.end = cut.base;
            return {};  // the ranges are disjoint, so nothing further overlaps
        }
        if (keep_left) {
            r.end = cut.base;
            ++i;
        } else if (keep_right) {
            r.base = cut.end;
            ++i;
        } else {
            for (std::size_t j = i; j + 1 < out.count; ++j) out.ranges[j] = out.ranges[j + 1];
            --out.count;
        }
    }
    return {};
}

Result<void> normalize(std::span<const boot::MemoryRegion> firmware,
                       std::span<const PhysRange> reserved, MemoryLayout& out) {
    if (firmware.size() > kMaxFirmwareRegions)
        return make_error(Errc::kTooMany, "memory map: too many firmware entries");
    if (reserved.size() > kMaxReservedRanges)
        return make_error(Errc::kTooMany, "memory map: too many reserved ranges");
    TRY(usable_runs(firmware, out));
    for (const PhysRange& r : out.free()) out.usable_bytes += r.size();
    if (out.count > 0) out.highest_usable = out.ranges[out.count - 1].end;

    for (const PhysRange& r : reserved) {
        if (r.end <= r.base) continue;
        const std::uint64_t end = r.end > kPhysAddressLimit ? kPhysAddressLimit : r.end;
        if (r.base >= end) continue;
        TRY(subtract(out, PhysRange{align_down(r.base, kPageSize), align_up(end, kPageSize)}));
    }
    for (const PhysRange& r : out.free()) out.free_bytes += r.size();
    return {};
}

}  // namespace

Result<void> normalize_memory_map(std::span<const boot::MemoryRegion> firmware,
                                  std::span<const PhysRange> reserved, MemoryLayout& out) {
    out = MemoryLayout{};
    auto r = normalize(firmware, reserved, out);
    if (!r.ok()) out = MemoryLayout{};
    return r;
}

}  // namespace hv
