#pragma once
// Table memory for the page-table engine (arch/x86/paging/page_table.hpp): zeroed 4 KiB frames
// from the frame allocator, reached through the direct map. Used by the kernel's own tables and
// by every VM's NPT/EPT.
#include <cstdint>

#include "kernel/direct_map.hpp"
#include "kernel/kernel_memory.hpp"
#include "kernel/lib/addr.hpp"
#include "kernel/lib/result.hpp"

namespace hv {

struct FrameTableMemory {
    Result<HostPhys> allocate_table() {
        const HostPhys p = TRY(memory::allocate(kPageSize, kPageSize));
        __builtin_memset(phys_to_virt(p), 0, kPageSize);
        return p;
    }
    void free_table(HostPhys p) { memory::free(p, kPageSize); }
    std::uint64_t* table(HostPhys p) { return static_cast<std::uint64_t*>(phys_to_virt(p)); }
};

}  // namespace hv
