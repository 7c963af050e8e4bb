#pragma once
// Emulating one guest instruction that touched a device register page: fetch its bytes (from
// the CPU's decode assist or guest memory), decode it (pure decoder), perform the access on the
// device, write back registers and advance RIP.
#include <cstdint>

#include "vmm/devices/device.hpp"
#include "vmm/exit.hpp"
#include "vmm/guest_memory.hpp"
#include "vmm/vcpu.hpp"

namespace hv::vmm {

struct MmioOutcome {
    bool ok;
    const char* reason;  // static text when !ok
};

// `offset` is the access's offset inside `device`'s region.
MmioOutcome emulate_mmio(Vcpu& vcpu, const Exit& exit, GuestMemory& memory, MmioDevice& device,
                         std::uint64_t offset);

}  // namespace hv::vmm
