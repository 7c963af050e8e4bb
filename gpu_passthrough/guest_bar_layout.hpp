#pragma once
// Where an assigned function's BARs appear in the guest: addresses inside the PCI windows the
// VM's ACPI tables describe (vmm/platform/guest_platform.hpp), chosen before the guest boots so
// that its OS finds them programmed, as firmware leaves them on a PC.
//
//   memory BARs, non-prefetchable (any width)  32-bit window [0xC0000000, +512 MiB)
//   64-bit prefetchable memory BARs            64-bit window [512 GiB, +256 GiB)
//   I/O BARs                                   the I/O window [0x1000, 0x10000)
//
// Each BAR is aligned to its size (PCI 3.0 sec 6.2.5.1), and never smaller than a page in memory
// space: a BAR that shares a 4 KiB page with another cannot be mapped on its own. A 64-bit BAR
// may sit in the 32-bit window (its upper dword 0) — Linux puts a non-prefetchable BAR only in a
// non-prefetchable window (pci_find_parent_resource), and the 64-bit window is prefetchable.
//
// Pure: host-tested in tests/unit/gpu_passthrough/guest_bar_layout_test.cpp.
#include <cstdint>

#include "drivers/pci/bar.hpp"
#include "gpu_passthrough/virtual_config_space.hpp"
#include "kernel/lib/result.hpp"

namespace hv::passthrough {

struct GuestWindows {
    std::uint64_t mmio32_base, mmio32_size;
    std::uint64_t mmio64_base, mmio64_size;
    std::uint64_t io_base, io_size;
};

// The windows of every VM (vmm/platform/guest_platform.hpp, vmm/vm.hpp; I/O from 0x1000).
[[nodiscard]] GuestWindows vm_guest_windows();

// Whether a guest may move a BAR of `kind` and `size` to `base` (a guest-controlled value): aligned
// to its footprint (the size, at least a page for memory) and wholly inside a window that kind
// may use: the 32-bit window for any memory BAR, the 64-bit window for a 64-bit one, the I/O
// window for an I/O BAR. Pure; overflow-safe for any `base`.
[[nodiscard]] bool fits_window(const GuestWindows& w, pci::BarKind kind, std::uint64_t size,
                               std::uint64_t base);

// Hands out guest addresses for the functions of one VM, in assignment order.
class GuestBarLayout {
  public:
    explicit GuestBarLayout(const GuestWindows& w)
        : windows_(w), next32_(w.mmio32_base), next64_(w.mmio64_base), next_io_(w.io_base) {}

    // Places each present BAR of `host` (biggest first inside a function, so alignment wastes
    // little). Errors (kTooMany): a window is full; nothing is taken from any window then.
    [[nodiscard]] Result<AssignedBars> place(const pci::Bars& host);

  private:
    GuestWindows windows_;
    std::uint64_t next32_;
    std::uint64_t next64_;
    std::uint64_t next_io_;
};

}  // namespace hv::passthrough
