// The CPUID policy of docs/guest_abi.md: the hypervisor bit is set, VMX and SVM are hidden, and
// the hypervisor leaves 0x40000000 ("AIHypervisor", max leaf) and 0x40000001 (ABI version).
// Without AIHypervisor (plain QEMU) every check is skipped.
#include "runtime.hpp"

const char rt::kGuestName[] = "cpuid_policy";

namespace {

constexpr uint32_t kLeaf1HypervisorBit = 1u << 31;  // ECX
constexpr uint32_t kLeaf1VmxBit = 1 << 5;           // ECX
constexpr uint32_t kExtLeaf1SvmBit = 1 << 2;        // 8000_0001h ECX

}  // namespace

void guest_main(uint32_t, const rt::MultibootInfo*) {
    rt::CpuidResult leaf1 = rt::cpuid(1);
    rt::CpuidResult hv = rt::cpuid(rt::kHypervisorLeaf);
    rt::note("leaf1 ecx=0x%x leaf 0x40000000 eax=0x%x ebx=0x%x ecx=0x%x edx=0x%x", leaf1.ecx,
             hv.eax, hv.ebx, hv.ecx, hv.edx);
    if (!rt::under_aihypervisor()) {
        rt::skip("cpuid_policy", "not under AIHypervisor (no signature at CPUID 0x40000000)");
        return;
    }

    rt::check((leaf1.ecx & kLeaf1HypervisorBit) != 0, "cpuid_policy.hypervisor_bit",
              "leaf 1 ecx=0x%x", leaf1.ecx);
    rt::check((leaf1.ecx & kLeaf1VmxBit) == 0, "cpuid_policy.vmx_hidden", "leaf 1 ecx=0x%x",
              leaf1.ecx);
    uint32_t max_ext = rt::cpuid(0x80000000).eax;
    uint32_t ext1_ecx = max_ext >= 0x80000001 ? rt::cpuid(0x80000001).ecx : 0;
    rt::check((ext1_ecx & kExtLeaf1SvmBit) == 0, "cpuid_policy.svm_hidden",
              "leaf 0x80000001 ecx=0x%x", ext1_ecx);
    // under_aihypervisor() compared the signature already; this names it in the log.
    rt::pass("cpuid_policy.signature");
    rt::check(hv.eax >= 0x40000001, "cpuid_policy.max_leaf", "eax=0x%x, expected >= 0x40000001",
              hv.eax);
    uint32_t version = rt::cpuid(0x40000001).eax;
    rt::check(version == rt::kAbiVersion, "cpuid_policy.abi_version", "eax=%u, expected %u",
              version, rt::kAbiVersion);
}
