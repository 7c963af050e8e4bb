#include "gpu_passthrough/guest_bar_layout.hpp"

#include "kernel/lib/addr.hpp"
#include "vmm/platform/guest_platform.hpp"

namespace hv::passthrough {
namespace {

// Takes `size` bytes aligned to `size` from [cursor, limit); false when it does not fit.
bool take(std::uint64_t& cursor, std::uint64_t limit, std::uint64_t size, std::uint64_t& out) {
    const std::uint64_t base = align_up(cursor, size);
    if (base < cursor || base > limit || limit - base < size) return false;
    out = base;
    cursor = base + size;
    return true;
}

// [base, base + size) inside [lo, lo + len), without overflow.
constexpr bool inside(std::uint64_t base, std::uint64_t size, std::uint64_t lo, std::uint64_t len) {
    return base >= lo && base - lo <= len && size <= len - (base - lo);
}

}  // namespace

GuestWindows vm_guest_windows() {
    return {.mmio32_base = vmm::platform::kPciMmio32Base,
            .mmio32_size = vmm::platform::kPciMmio32Size,
            .mmio64_base = vmm::platform::kPciMmio64Base,
            .mmio64_size = vmm::platform::kPciMmio64Size,
            .io_base = vmm::platform::kPciIoBase,
            .io_size = vmm::platform::kPciIoSize};
}

bool fits_window(const GuestWindows& w, pci::BarKind kind, std::uint64_t size, std::uint64_t base) {
    if (size == 0) return false;
    const std::uint64_t footprint =
        kind != pci::BarKind::kIo && size < kPageSize ? kPageSize : size;
    if ((footprint & (footprint - 1)) != 0 || base % footprint != 0) return false;
    switch (kind) {
        case pci::BarKind::kIo:
            return inside(base, footprint, w.io_base, w.io_size);
        case pci::BarKind::kMem32:
            return inside(base, footprint, w.mmio32_base, w.mmio32_size);
        case pci::BarKind::kMem64:
            return inside(base, footprint, w.mmio32_base, w.mmio32_size) ||
                   inside(base, footprint, w.mmio64_base, w.mmio64_size);
        case pci::BarKind::kAbsent:
            break;
    }
    return false;
}

Result<AssignedBars> GuestBarLayout::place(const pci::Bars& host) {
    AssignedBars out;
    std::uint64_t c32 = next32_, c64 = next64_, cio = next_io_;
    bool done[pci::kType0BarCount] = {};
    const unsigned slots =
        host.slot_count < pci::kType0BarCount ? host.slot_count : pci::kType0BarCount;
    for (;;) {
        // The largest BAR not yet placed.
        int pick = -1;
        for (unsigned i = 0; i < slots; ++i) {
            const pci::Bar& b = host.bar[i];
            if (done[i] || !b.present()) continue;
            if (pick < 0 || b.size > host.bar[pick].size) pick = static_cast<int>(i);
        }
        if (pick < 0) break;
        const auto i = static_cast<unsigned>(pick);
        done[i] = true;
        const pci::Bar& b = host.bar[i];
        AssignedBar& g = out.bar[i];
        g.kind = b.kind;
        g.prefetchable = b.prefetchable;
        g.size = b.size;
        bool ok;
        if (b.kind == pci::BarKind::kIo) {
            ok = take(cio, windows_.io_base + windows_.io_size, b.size, g.guest_base);
        } else {
            const std::uint64_t footprint = b.size < kPageSize ? kPageSize : b.size;
            if (b.kind == pci::BarKind::kMem64 && b.prefetchable) {
                ok =
                    take(c64, windows_.mmio64_base + windows_.mmio64_size, footprint, g.guest_base);
            } else {
                ok =
                    take(c32, windows_.mmio32_base + windows_.mmio32_size, footprint, g.guest_base);
            }
        }
        if (!ok) return make_error(Errc::kTooMany, "the guest's PCI window has no room for a BAR");
    }
    next32_ = c32;
    next64_ = c64;
    next_io_ = cio;
    return out;
}

}  // namespace hv::passthrough
