#include "vmm/hypercall.hpp"

#include "vmm/cpuid_policy.hpp"

namespace hv::vmm {

HypercallResult handle_hypercall(HypercallEnv& env, std::uint32_t vcpu_index, std::uint64_t nr,
                                 std::uint64_t arg0, std::uint64_t arg1) {
    switch (static_cast<Hypercall>(nr)) {
        case Hypercall::kVersion:
            return {kHypercallOk, kGuestAbiVersion, 0};
        case Hypercall::kConsoleWrite:
            if (arg1 > kConsoleWriteMax || !env.console_write(arg0, arg1))
                return {kHypercallEinval, 0, 0};
            return {kHypercallOk, 0, 0};
        case Hypercall::kMemoryInfo: {
            const HypercallEnv::Backing b = env.memory_info(arg0);
            return {kHypercallOk, b.page_size, b.ram ? 1u : 0u};
        }
        case Hypercall::kNop:
            return {kHypercallOk, 0, 0};
        case Hypercall::kPoweroff:
            env.poweroff(static_cast<std::uint32_t>(arg0));
            return {kHypercallOk, 0, 0};
        case Hypercall::kVcpuInfo:
            return {kHypercallOk, vcpu_index, env.vcpu_count()};
    }
    return {kHypercallEnosys, 0, 0};
}

}  // namespace hv::vmm
