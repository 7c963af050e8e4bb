#pragma once
// Device registers: mapped uncached (PCD|PWT) into the MMIO window of the kernel address space.
#include <cstdint>

#include "kernel/lib/addr.hpp"
#include "kernel/lib/result.hpp"

namespace hv {

// Maps [phys, phys + size) and returns the virtual address of `phys`. Mappings are permanent
// (device registers the hypervisor owns for its lifetime). Not for RAM.
[[nodiscard]] Result<volatile void*> mmio_map(HostPhys phys, std::uint64_t size);

}  // namespace hv
