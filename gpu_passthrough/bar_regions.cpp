#include "gpu_passthrough/bar_regions.hpp"

#include "kernel/lib/addr.hpp"

namespace hv::passthrough {
namespace {

void push(BarRegions& out, std::uint64_t offset, std::uint64_t size, bool trapped) {
    if (size == 0) return;
    if (out.count != 0) {
        BarRegion& last = out.region[out.count - 1];
        if (last.trapped == trapped && last.offset + last.size == offset) {
            last.size += size;
            return;
        }
    }
    out.region[out.count++] = {offset, size, trapped};
}

}  // namespace

BarRegions split_bar(std::uint64_t bar_size, std::span<const ByteRange> traps) {
    BarRegions out;
    if (bar_size < kPageSize) {
        push(out, 0, kPageSize, true);
        return out;
    }
    // Page-rounded traps inside the BAR, sorted (there are at most two).
    ByteRange t[2]{};
    unsigned n = 0;
    for (const ByteRange& r : traps) {
        if (n == 2 || r.size == 0 || r.offset >= bar_size) continue;
        const std::uint64_t end = r.size > bar_size - r.offset ? bar_size : r.offset + r.size;
        const std::uint64_t first = align_down(r.offset, kPageSize);
        t[n++] = {first, align_up(end, kPageSize) - first};
    }
    if (n == 2 && t[1].offset < t[0].offset) {
        const ByteRange x = t[0];
        t[0] = t[1];
        t[1] = x;
    }
    std::uint64_t cursor = 0;
    for (unsigned i = 0; i < n; ++i) {
        const std::uint64_t start = t[i].offset < cursor ? cursor : t[i].offset;
        const std::uint64_t end = t[i].offset + t[i].size;
        if (end <= cursor) continue;  // inside the previous trap
        push(out, cursor, start - cursor, false);
        push(out, start, end - start, true);
        cursor = end;
    }
    push(out, cursor, bar_size - cursor, false);
    return out;
}

}  // namespace hv::passthrough
