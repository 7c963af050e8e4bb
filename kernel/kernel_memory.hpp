#pragma once
// The hypervisor's own memory: the physical frame allocator (built from the boot memory map) and
// the kernel address space (see the layout in direct_map.hpp). Set up once by the BSP.
#include <cstdint>

#include "boot/multiboot_info.hpp"
#include "kernel/lib/addr.hpp"
#include "kernel/lib/result.hpp"

namespace hv::memory {

struct BootMemory {
    std::uint64_t usable_bytes;     // RAM the firmware reports usable
    std::uint64_t free_bytes;       // left for VMs and the hypervisor after reservations
    std::uint64_t trampoline_page;  // a free page below 1 MiB for AP start-up, identity-mapped
    std::uint64_t kernel_cr3;
};

// Normalizes the memory map, reserves the image, modules and boot information, builds the kernel
// page tables (image with per-section permissions, direct map, MMIO window) and switches to them.
[[nodiscard]] Result<BootMemory> init(const boot::BootInfo& boot);

// Physical frames for the hypervisor and for guests (thread-safe).
[[nodiscard]] Result<HostPhys> allocate(std::uint64_t size, std::uint64_t align);
void free(HostPhys base, std::uint64_t size);
// Allocates exactly [base, base + size), if all of it is free (FrameAllocator::take).
[[nodiscard]] Result<void> take(HostPhys base, std::uint64_t size);
[[nodiscard]] std::uint64_t free_bytes();

// Maps host memory (RAM the hypervisor owns, e.g. a VM's) read-write, no-execute, write-back at
// `va` in the kernel address space; `va` is in a window the caller owns. Thread-safe.
[[nodiscard]] Result<void> map_kernel_range(std::uint64_t va, HostPhys pa, std::uint64_t size);
[[nodiscard]] Result<void> unmap_kernel_range(std::uint64_t va, std::uint64_t size);

}  // namespace hv::memory
