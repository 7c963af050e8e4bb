#pragma once
// Picks the virtualization backend for this CPU. The only place that knows both SVM and VMX.
#include "arch/x86/cpu/virt_support.hpp"
#include "vmm/virt_backend.hpp"

namespace hv::arch {

// nullptr when `kind` is kNone.
vmm::VirtBackend* select_backend(x86::VirtKind kind);

}  // namespace hv::arch
