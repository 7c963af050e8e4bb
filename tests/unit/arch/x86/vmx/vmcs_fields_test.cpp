#include "arch/x86/vmx/vmcs_fields.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace hv::vmx {
namespace {

template <typename Field>
void expect_all(std::initializer_list<Field> fields, VmcsWidth width) {
    for (Field f : fields) {
        EXPECT_EQ(vmcs_width(encoding(f)), width) << std::hex << encoding(f);
        EXPECT_EQ(encoding(f) & 1, 0u) << "full access type: " << std::hex << encoding(f);
    }
}

TEST(VmcsFields, EverySixteenBitFieldEncodesWidthSixteen) {
    using F = VmcsField16;
    expect_all(
        {F::kVpid, F::kGuestEsSelector, F::kGuestCsSelector, F::kGuestSsSelector,
         F::kGuestDsSelector, F::kGuestFsSelector, F::kGuestGsSelector, F::kGuestLdtrSelector,
         F::kGuestTrSelector, F::kHostEsSelector, F::kHostCsSelector, F::kHostSsSelector,
         F::kHostDsSelector, F::kHostFsSelector, F::kHostGsSelector, F::kHostTrSelector},
        VmcsWidth::k16);
}

TEST(VmcsFields, EverySixtyFourBitFieldEncodesWidthSixtyFour) {
    using F = VmcsField64;
    expect_all({F::kIoBitmapA,
                F::kIoBitmapB,
                F::kMsrBitmap,
                F::kExitMsrStoreAddress,
                F::kExitMsrLoadAddress,
                F::kEntryMsrLoadAddress,
                F::kTscOffset,
                F::kEptPointer,
                F::kXssExitingBitmap,
                F::kGuestPhysicalAddress,
                F::kVmcsLinkPointer,
                F::kGuestDebugCtl,
                F::kGuestPat,
                F::kGuestEfer,
                F::kGuestPdpte0,
                F::kGuestPdpte1,
                F::kGuestPdpte2,
                F::kGuestPdpte3,
                F::kHostPat,
                F::kHostEfer},
               VmcsWidth::k64);
}

TEST(VmcsFields, EveryThirtyTwoBitFieldEncodesWidthThirtyTwo) {
    using F = VmcsField32;
    expect_all({F::kPinBasedControls,
                F::kPrimaryProcControls,
                F::kExceptionBitmap,
                F::kPageFaultErrorMask,
                F::kPageFaultErrorMatch,
                F::kCr3TargetCount,
                F::kExitControls,
                F::kExitMsrStoreCount,
                F::kExitMsrLoadCount,
                F::kEntryControls,
                F::kEntryMsrLoadCount,
                F::kEntryInterruptionInfo,
                F::kEntryExceptionErrorCode,
                F::kEntryInstructionLength,
                F::kTprThreshold,
                F::kSecondaryProcControls,
                F::kVmInstructionError,
                F::kExitReason,
                F::kExitInterruptionInfo,
                F::kExitInterruptionErrorCode,
                F::kIdtVectoringInfo,
                F::kIdtVectoringErrorCode,
                F::kExitInstructionLength,
                F::kExitInstructionInfo,
                F::kGuestEsLimit,
                F::kGuestCsLimit,
                F::kGuestSsLimit,
                F::kGuestDsLimit,
                F::kGuestFsLimit,
                F::kGuestGsLimit,
                F::kGuestLdtrLimit,
                F::kGuestTrLimit,
                F::kGuestGdtrLimit,
                F::kGuestIdtrLimit,
                F::kGuestEsAccessRights,
                F::kGuestCsAccessRights,
                F::kGuestSsAccessRights,
                F::kGuestDsAccessRights,
                F::kGuestFsAccessRights,
                F::kGuestGsAccessRights,
                F::kGuestLdtrAccessRights,
                F::kGuestTrAccessRights,
                F::kGuestInterruptibility,
                F::kGuestActivityState,
                F::kGuestSysenterCs,
                F::kHostSysenterCs},
               VmcsWidth::k32);
}

TEST(VmcsFields, EveryNaturalWidthFieldEncodesNaturalWidth) {
    using F = VmcsFieldNatural;
    expect_all({F::kCr0GuestHostMask,  F::kCr4GuestHostMask,
                F::kCr0ReadShadow,     F::kCr4ReadShadow,
                F::kExitQualification, F::kGuestLinearAddress,
                F::kGuestCr0,          F::kGuestCr3,
                F::kGuestCr4,          F::kGuestEsBase,
                F::kGuestCsBase,       F::kGuestSsBase,
                F::kGuestDsBase,       F::kGuestFsBase,
                F::kGuestGsBase,       F::kGuestLdtrBase,
                F::kGuestTrBase,       F::kGuestGdtrBase,
                F::kGuestIdtrBase,     F::kGuestDr7,
                F::kGuestRsp,          F::kGuestRip,
                F::kGuestRflags,       F::kGuestPendingDebugExceptions,
                F::kGuestSysenterEsp,  F::kGuestSysenterEip,
                F::kHostCr0,           F::kHostCr3,
                F::kHostCr4,           F::kHostFsBase,
                F::kHostGsBase,        F::kHostTrBase,
                F::kHostGdtrBase,      F::kHostIdtrBase,
                F::kHostSysenterEsp,   F::kHostSysenterEip,
                F::kHostRsp,           F::kHostRip},
               VmcsWidth::kNatural);
}

// SDM vol. 3D appendix B: the guest and host segment fields are laid out ES, CS, SS, DS, FS, GS,
// LDTR, TR at consecutive even indices, which the vCPU relies on when it names them one by one.
TEST(VmcsFields, GuestSegmentFieldsFollowTheManualsOrder) {
    EXPECT_EQ(encoding(VmcsField16::kGuestTrSelector) - encoding(VmcsField16::kGuestEsSelector),
              14u);
    EXPECT_EQ(
        encoding(VmcsField32::kGuestTrAccessRights) - encoding(VmcsField32::kGuestEsAccessRights),
        14u);
    EXPECT_EQ(encoding(VmcsFieldNatural::kGuestTrBase) - encoding(VmcsFieldNatural::kGuestEsBase),
              14u);
    EXPECT_EQ(encoding(VmcsField32::kGuestTrLimit) - encoding(VmcsField32::kGuestEsLimit), 14u);
}

TEST(VmcsFields, TypeBitsSeparateGuestHostControlAndExitInformation) {
    EXPECT_EQ(vmcs_type(encoding(VmcsField32::kPinBasedControls)), VmcsFieldType::kControl);
    EXPECT_EQ(vmcs_type(encoding(VmcsField64::kGuestPhysicalAddress)), VmcsFieldType::kExitInfo);
    EXPECT_EQ(vmcs_type(encoding(VmcsFieldNatural::kGuestCr3)), VmcsFieldType::kGuest);
    EXPECT_EQ(vmcs_type(encoding(VmcsField16::kHostTrSelector)), VmcsFieldType::kHost);
}

TEST(VmcsFields, ExitReasonsPrintByName) {
    EXPECT_STREQ(exit_reason_name(static_cast<std::uint32_t>(ExitReason::kEptViolation)),
                 "ept-violation");
    EXPECT_STREQ(exit_reason_name(48), "ept-violation");
    EXPECT_STREQ(exit_reason_name(33), "invalid-guest-state");
    EXPECT_STREQ(exit_reason_name(18), "vmcall");
    EXPECT_STREQ(exit_reason_name(35), "other");  // unassigned in table C-1
}

TEST(VmcsFields, VmInstructionErrorsPrintTheManualsWording) {
    EXPECT_STREQ(vm_instruction_error_name(7), "VM entry with invalid control field(s)");
    EXPECT_STREQ(vm_instruction_error_name(8), "VM entry with invalid host-state field(s)");
    EXPECT_STREQ(vm_instruction_error_name(4), "VMLAUNCH with non-clear VMCS");
    EXPECT_STREQ(vm_instruction_error_name(14), "unknown VM-instruction error");
}

}  // namespace
}  // namespace hv::vmx
