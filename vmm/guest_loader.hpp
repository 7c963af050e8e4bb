#pragma once
// Puts a guest kernel into a VM's memory and says how its boot vCPU starts. The kernel's format
// is detected from its headers (vmm/loader/kernel_format.hpp).
#include "kernel/lib/bytes.hpp"
#include "kernel/lib/str.hpp"
#include "vmm/guest_state.hpp"
#include "vmm/loader/guest_ram.hpp"
#include "vmm/loader/load_error.hpp"

namespace hv::vmm {

[[nodiscard]] loader::LoadResult<InitialState> load_kernel(loader::GuestRam& ram, Bytes kernel,
                                                           Bytes initrd, StrView initrd_name,
                                                           StrView cmdline);

}  // namespace hv::vmm
