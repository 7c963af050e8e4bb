#pragma once
// The boot plan: the manifest module becomes VMs, each vCPU on its own physical CPU; the BSP
// waits until every VM has stopped. Console lines: docs/console.md.
#include <cstdint>

#include "boot/multiboot_info.hpp"
#include "vmm/virt_backend.hpp"

namespace hv::vmm {

enum class AfterVms : std::uint8_t { kUseCmdline, kHalt, kPowerOff };

struct HostResources {
    std::uint64_t free_memory_bytes;  // what VMs may take
    std::uint32_t cpus;               // online CPUs, BSP included
};

// Parses and validates the manifest (if any), runs its VMs to completion and returns what the
// manifest says to do afterwards. Without a manifest nothing runs. A bad manifest runs nothing.
AfterVms run_manifest(const boot::BootInfo& boot, VirtBackend* backend, const HostResources& host);

}  // namespace hv::vmm
