// Kernel-only half of virt_support: reads the inputs on the running CPU.
#include "arch/x86/cpu/cpuid.hpp"
#include "arch/x86/cpu/msr.hpp"
#include "arch/x86/cpu/virt_support.hpp"

namespace hv::x86 {
namespace {
constexpr std::uint32_t kMsrVmxProcbasedCtls = 0x482;  // Intel SDM vol. 4 table 2-2
constexpr std::uint32_t kMsrVmxProcbasedCtls2 = 0x48B;
// Allowed-1 "activate secondary controls" (SDM vol. 3D A.3.2): only then does the MSR above exist.
constexpr std::uint64_t kProcbasedActivateSecondary = 1ull << (32 + 31);
}  // namespace

VirtInputs probe_virt_inputs() {
    VirtInputs in{};
    in.leaf1_ecx = cpuid(1).ecx;
    in.max_ext_leaf = cpuid_max_ext_leaf();
    if (in.max_ext_leaf >= 0x8000'0001) in.ext1_ecx = cpuid(0x8000'0001).ecx;
    const bool svm = (in.ext1_ecx & cpuid_bits::kExt1EcxSvm) != 0;
    if (svm && in.max_ext_leaf >= 0x8000'000A) {
        in.svm_features_edx = cpuid(0x8000'000A).edx;
        in.vm_cr = rdmsr(Msr::kVmCr);
    }
    if (!svm && (in.leaf1_ecx & cpuid_bits::kLeaf1EcxVmx) != 0) {
        in.feature_control = rdmsr(Msr::kFeatureControl);
        in.vmx_procbased = rdmsr(kMsrVmxProcbasedCtls);
        // The secondary-controls MSR exists only when its activation bit may be 1 (SDM A.3.3).
        if (in.vmx_procbased & kProcbasedActivateSecondary)
            in.vmx_procbased2 = rdmsr(kMsrVmxProcbasedCtls2);
    }
    return in;
}

}  // namespace hv::x86
