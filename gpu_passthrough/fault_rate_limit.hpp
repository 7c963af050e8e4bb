#pragma once
// Per-device rate limit for IOMMU fault lines: a device that keeps faulting (a DMA loop gone
// wrong) must not flood the console and starve everything else of the UART. Each device gets at
// most `lines_per_window` printed faults per window; the faults beyond that are counted and
// announced by one summary line when the device's next fault is printed (or when the window
// ends, through flush_expired()).
//
// Pure: the caller passes the time and serialises the calls. Host-tested in
// tests/unit/gpu_passthrough/fault_rate_limit_test.cpp.
#include <cstddef>
#include <cstdint>

#include "drivers/pci/bdf.hpp"

namespace hv::passthrough {

class FaultRateLimiter {
  public:
    // Devices tracked at once; a new device beyond that takes the slot whose window began
    // earliest (its pending count is reported as it goes, see on_fault).
    static constexpr std::size_t kDevices = 32;
    static constexpr std::uint32_t kDefaultLines = 10;
    static constexpr std::uint64_t kDefaultWindowNs = 1'000'000'000;

    struct Decision {
        bool print = false;  // print this fault's line
        // Print first a summary line "suppressed=N" for `summary_bdf`: faults dropped since
        // that device's last printed line (0: no summary).
        std::uint64_t suppressed = 0;
        pci::Bdf summary_bdf{};
    };

    constexpr explicit FaultRateLimiter(std::uint32_t lines_per_window = kDefaultLines,
                                        std::uint64_t window_ns = kDefaultWindowNs)
        : lines_(lines_per_window), window_ns_(window_ns) {}

    [[nodiscard]] Decision on_fault(pci::Bdf bdf, std::uint64_t now_ns);

    // For each device whose window has ended with faults still unannounced, calls
    // emit(bdf, suppressed) and forgets them.
    template <typename Emit>
    void flush_expired(std::uint64_t now_ns, Emit&& emit) {
        for (Slot& s : slots_) {
            if (!s.used || s.suppressed == 0 || now_ns - s.window_start < window_ns_) continue;
            emit(s.bdf, s.suppressed);
            s.suppressed = 0;
        }
    }

  private:
    struct Slot {
        bool used = false;
        pci::Bdf bdf{};
        std::uint64_t window_start = 0;
        std::uint32_t printed = 0;
        std::uint64_t suppressed = 0;
    };
    Slot& slot_for(pci::Bdf bdf, Decision& evicted);

    std::uint32_t lines_;
    std::uint64_t window_ns_;
    Slot slots_[kDevices]{};
};

}  // namespace hv::passthrough
