#include "arch/x86/cpu/virt_support.hpp"

#include "arch/x86/cpu/cpuid.hpp"

namespace hv::x86 {
namespace {

constexpr std::uint32_t kExtLeafSvmFeatures = 0x8000'000A;
constexpr std::uint64_t kVmCrSvmDisable = 1ull << 4;  // AMD APM vol. 2 15.30.1
// IA32_FEATURE_CONTROL (Intel SDM vol. 3C 25.7): lock bit 0, VMXON outside SMX bit 2.
constexpr std::uint64_t kFeatureControlLock = 1ull << 0;
constexpr std::uint64_t kFeatureControlVmxOutsideSmx = 1ull << 2;
// Allowed-1 settings live in bits 63:32 of the capability MSRs (SDM vol. 3D A.3.2, A.3.3).
constexpr std::uint64_t kProcbasedActivateSecondary = 1ull << (32 + 31);
constexpr std::uint64_t kProcbased2Ept = 1ull << (32 + 1);
constexpr std::uint64_t kProcbased2UnrestrictedGuest = 1ull << (32 + 7);

}  // namespace

VirtSupport classify_virt_support(const VirtInputs& in) {
    const bool has_svm =
        in.max_ext_leaf >= kExtLeafSvmFeatures && (in.ext1_ecx & cpuid_bits::kExt1EcxSvm) != 0;
    if (has_svm) {
        if (in.vm_cr & kVmCrSvmDisable)
            return {VirtKind::kNone, "SVM disabled by firmware (VM_CR.SVMDIS)"};
        if ((in.svm_features_edx & cpuid_bits::kSvmEdxNestedPaging) == 0)
            return {VirtKind::kNone, "SVM without nested paging"};
        return {VirtKind::kSvm, nullptr};
    }
    if ((in.leaf1_ecx & cpuid_bits::kLeaf1EcxVmx) != 0) {
        // Locked without the enable bit means firmware forbade VMX until the next reset.
        if ((in.feature_control & kFeatureControlLock) != 0 &&
            (in.feature_control & kFeatureControlVmxOutsideSmx) == 0) {
            return {VirtKind::kNone, "VMX disabled by firmware (IA32_FEATURE_CONTROL locked)"};
        }
        if ((in.vmx_procbased & kProcbasedActivateSecondary) == 0) {
            return {VirtKind::kNone, "VMX without secondary controls"};
        }
        if ((in.vmx_procbased2 & kProcbased2Ept) == 0) return {VirtKind::kNone, "VMX without EPT"};
        if ((in.vmx_procbased2 & kProcbased2UnrestrictedGuest) == 0) {
            return {VirtKind::kNone, "VMX without unrestricted guest"};
        }
        return {VirtKind::kVmx, nullptr};
    }
    return {VirtKind::kNone, "CPU has neither SVM nor VMX"};
}

}  // namespace hv::x86
