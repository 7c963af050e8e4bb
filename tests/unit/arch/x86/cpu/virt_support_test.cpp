#include "arch/x86/cpu/virt_support.hpp"

#include <gtest/gtest.h>

namespace hv::x86 {
namespace {

// QEMU TCG -cpu max: SVM with nested paging, SVMDIS clear.
VirtInputs svm_with_npt() {
    VirtInputs in{};
    in.max_ext_leaf = 0x8000'001F;
    in.ext1_ecx = 1u << 2;
    in.svm_features_edx = 1u << 0;
    return in;
}

// Bochs corei7_skylake_x: VMX, feature control locked with VMXON allowed, EPT + unrestricted guest.
VirtInputs vmx_with_ept() {
    VirtInputs in{};
    in.leaf1_ecx = 1u << 5;
    in.max_ext_leaf = 0x8000'0008;
    in.feature_control = 0x5;
    in.vmx_procbased = 1ull << 63;
    in.vmx_procbased2 = (1ull << 33) | (1ull << 39);
    return in;
}

TEST(VirtSupport, SvmWithNestedPagingIsUsable) {
    const VirtSupport s = classify_virt_support(svm_with_npt());
    EXPECT_EQ(s.kind, VirtKind::kSvm);
    EXPECT_STREQ(virt_name(s.kind), "svm");
}

TEST(VirtSupport, SvmWithoutNestedPagingIsRefused) {
    VirtInputs in = svm_with_npt();
    in.svm_features_edx = 0;
    const VirtSupport s = classify_virt_support(in);
    EXPECT_EQ(s.kind, VirtKind::kNone);
    EXPECT_STREQ(s.reason, "SVM without nested paging");
}

TEST(VirtSupport, SvmDisabledByFirmwareIsRefused) {
    VirtInputs in = svm_with_npt();
    in.vm_cr = 1u << 4;
    EXPECT_EQ(classify_virt_support(in).kind, VirtKind::kNone);
}

TEST(VirtSupport, VmxWithEptAndUnrestrictedGuestIsUsable) {
    EXPECT_EQ(classify_virt_support(vmx_with_ept()).kind, VirtKind::kVmx);
}

TEST(VirtSupport, VmxLockedOffByFirmwareIsRefused) {
    VirtInputs in = vmx_with_ept();
    in.feature_control = 0x1;
    EXPECT_EQ(classify_virt_support(in).kind, VirtKind::kNone);
}

TEST(VirtSupport, VmxWithoutEptIsRefused) {
    VirtInputs in = vmx_with_ept();
    in.vmx_procbased2 = 1ull << 39;
    EXPECT_STREQ(classify_virt_support(in).reason, "VMX without EPT");
}

TEST(VirtSupport, NoExtensionsMeansNone) {
    const VirtSupport s = classify_virt_support(VirtInputs{});
    EXPECT_EQ(s.kind, VirtKind::kNone);
    EXPECT_STREQ(virt_name(s.kind), "none");
}

}  // namespace
}  // namespace hv::x86
