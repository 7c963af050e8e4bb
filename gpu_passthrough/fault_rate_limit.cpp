#include "gpu_passthrough/fault_rate_limit.hpp"

namespace hv::passthrough {

FaultRateLimiter::Slot& FaultRateLimiter::slot_for(pci::Bdf bdf, Decision& evicted) {
    Slot* oldest = nullptr;
    for (Slot& s : slots_) {
        if (s.used && s.bdf == bdf) return s;
    }
    for (Slot& s : slots_) {
        if (!s.used) {
            oldest = &s;
            break;
        }
        if (oldest == nullptr || s.window_start < oldest->window_start) oldest = &s;
    }
    if (oldest->used && oldest->suppressed != 0) {
        evicted.suppressed = oldest->suppressed;
        evicted.summary_bdf = oldest->bdf;
    }
    *oldest = Slot{.used = true, .bdf = bdf, .window_start = 0, .printed = 0, .suppressed = 0};
    return *oldest;
}

FaultRateLimiter::Decision FaultRateLimiter::on_fault(pci::Bdf bdf, std::uint64_t now_ns) {
    Decision d;
    const bool fresh = [&] {
        for (const Slot& s : slots_)
            if (s.used && s.bdf == bdf) return false;
        return true;
    }();
    Slot& s = slot_for(bdf, d);
    if (fresh || now_ns - s.window_start >= window_ns_) {
        s.window_start = now_ns;
        s.printed = 0;
    }
    if (s.printed >= lines_) {
        ++s.suppressed;
        return d;
    }
    ++s.printed;
    d.print = true;
    if (s.suppressed != 0) {
        // A summary of an evicted device cannot be pending too: a device's own slot is found.
        d.suppressed = s.suppressed;
        d.summary_bdf = bdf;
        s.suppressed = 0;
    }
    return d;
}

}  // namespace hv::passthrough
