#pragma once
// A VM's RAM: host frames taken in 1 GiB and 2 MiB blocks, zeroed, mapped into the VM's stage-2
// tables at the guest-physical layout of docs/guest_abi.md ([0, 3 GiB) then from 4 GiB), and into
// the VM's window of the hypervisor address space for loaders and device models.
// Threading: built and torn down by one CPU while no vCPU of the VM runs.
#include <cstdint>
#include <span>

#include "kernel/lib/addr.hpp"
#include "kernel/lib/optional.hpp"
#include "kernel/lib/result.hpp"
#include "vmm/loader/guest_ram.hpp"
#include "vmm/stage2.hpp"

namespace hv::vmm {

inline constexpr std::uint64_t kLowRamLimit = 3 * kGiB;  // device registers live in [3, 4) GiB
inline constexpr std::uint64_t kHighRamBase = 4 * kGiB;
inline constexpr std::size_t kMaxRamChunks = 1024;

class GuestMemory final : public loader::GuestRam {
  public:
    // `bytes` is rounded up to 2 MiB. `window` is the VM's hypervisor-virtual slot.
    [[nodiscard]] Result<void> create(std::uint64_t bytes, Stage2& stage2, std::uint64_t window);
    // Unmaps and frees everything (the stage-2 tables are the caller's).
    void release();
    // Zeroes all of it again (a restart must not leak the previous boot's data).
    void zero();

    // loader::GuestRam
    std::span<std::byte> bytes(std::uint64_t gpa, std::uint64_t len) override;
    std::uint64_t ram_top_below_4g() const override { return low_bytes_; }
    std::uint64_t ram_above_4g() const override { return high_bytes_; }

    [[nodiscard]] std::uint64_t size() const { return low_bytes_ + high_bytes_; }
    [[nodiscard]] bool is_ram(std::uint64_t gpa) const;
    // Host blocks by size, for the boot line and the benchmark.
    [[nodiscard]] std::size_t gigabyte_blocks() const { return huge_; }
    [[nodiscard]] std::size_t two_megabyte_blocks() const { return large_; }

    // The host blocks backing guest RAM, in guest-physical order (IOMMU domains map them).
    struct Chunk {
        std::uint64_t gpa;
        HostPhys hpa;
        std::uint64_t size;
    };
    [[nodiscard]] std::span<const Chunk> chunks() const { return {chunks_, chunk_count_}; }

  private:
    Result<void> add_region(std::uint64_t gpa, std::uint64_t size, Stage2& stage2);

    Chunk chunks_[kMaxRamChunks];
    std::size_t chunk_count_ = 0;
    std::size_t huge_ = 0;
    std::size_t large_ = 0;
    std::uint64_t low_bytes_ = 0;
    std::uint64_t high_bytes_ = 0;
    std::uint64_t window_ = 0;
};

}  // namespace hv::vmm
