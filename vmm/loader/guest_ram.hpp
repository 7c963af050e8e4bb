#pragma once
// GuestRam: how the guest loaders reach a VM's RAM without knowing how it is backed.
//
// Guest RAM follows docs/guest_abi.md: [0, ram_top_below_4g()) is RAM (at most 3 GiB), and
// [4 GiB, 4 GiB + ram_above_4g()) is RAM if ram_above_4g() is not zero. Nothing else is.
//
// The VM builder implements this over the host memory it reserved for the VM; host tests and the
// fuzz target use a fake over a host buffer. Loaders ask bytes() only for ranges inside one
// kGuestRamChunk-aligned chunk (see guest_write.hpp), so an implementation backed by 2 MiB or
// 1 GiB host pages can return a slice of its direct map without stitching pages together.
//
// Not thread-safe: a VM is loaded by one CPU before any of its vCPUs runs.
#include <cstdint>
#include <span>

namespace hv::vmm::loader {

class GuestRam {
  public:
    // The host view of guest-physical [gpa, gpa + len), or an empty span if that range is not
    // entirely RAM (or overflows).
    virtual std::span<std::byte> bytes(std::uint64_t gpa, std::uint64_t len) = 0;
    // End (exclusive) of the contiguous RAM that starts at guest-physical 0.
    [[nodiscard]] virtual std::uint64_t ram_top_below_4g() const = 0;
    // Bytes of RAM starting at 4 GiB; 0 if the VM has none there.
    [[nodiscard]] virtual std::uint64_t ram_above_4g() const = 0;

  protected:
    ~GuestRam() = default;
};

}  // namespace hv::vmm::loader
