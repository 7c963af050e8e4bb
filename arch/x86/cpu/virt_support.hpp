#pragma once
// Which hardware virtualization this CPU offers the hypervisor: AMD SVM with nested paging, or
// Intel VMX with EPT (and unrestricted guest). The decision is a pure function of CPUID and MSR
// values so it is unit-tested; `probe_virt_support()` gathers the values on the running CPU.
#include <cstdint>

namespace hv::x86 {

enum class VirtKind : std::uint8_t { kNone, kSvm, kVmx };

[[nodiscard]] constexpr const char* virt_name(VirtKind k) {
    switch (k) {
        case VirtKind::kSvm:
            return "svm";
        case VirtKind::kVmx:
            return "vmx";
        case VirtKind::kNone:
            break;
    }
    return "none";
}

// Raw inputs. MSR values are only meaningful when the matching CPUID bit is set.
struct VirtInputs {
    std::uint32_t leaf1_ecx;         // CPUID.1:ECX (VMX bit 5)
    std::uint32_t max_ext_leaf;      // CPUID.8000_0000h:EAX
    std::uint32_t ext1_ecx;          // CPUID.8000_0001h:ECX (SVM bit 2)
    std::uint32_t svm_features_edx;  // CPUID.8000_000Ah:EDX (NP bit 0)
    std::uint64_t vm_cr;             // AMD MSR VM_CR (C001_0114h)
    std::uint64_t feature_control;   // Intel IA32_FEATURE_CONTROL (3Ah)
    std::uint64_t vmx_procbased;     // IA32_VMX_PROCBASED_CTLS (482h)
    std::uint64_t vmx_procbased2;    // IA32_VMX_PROCBASED_CTLS2 (48Bh)
};

struct VirtSupport {
    VirtKind kind;
    const char* reason;  // why not, when kind is kNone; a static string
};

[[nodiscard]] VirtSupport classify_virt_support(const VirtInputs& in);

// Kernel only: reads CPUID and the MSRs that the CPUID bits say exist.
[[nodiscard]] VirtInputs probe_virt_inputs();

}  // namespace hv::x86
