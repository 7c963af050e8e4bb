#pragma once
// VMCS field encodings (Intel SDM vol. 3D appendix B), basic exit reasons (appendix C) and
// VM-instruction error numbers (vol. 3C 31.4). Pure: encodings and names only; the VMREAD and
// VMWRITE wrappers live in vmx_instructions.hpp.
//
// An encoding is a 32-bit value (SDM vol. 3C 25.11.2, table 25-21):
//   bit  0      access type (0 full, 1 high half of a 64-bit field)
//   bits 9:1    index
//   bits 11:10  type (0 control, 1 VM-exit information, 2 guest state, 3 host state)
//   bits 14:13  width (0 16-bit, 1 64-bit, 2 32-bit, 3 natural width)
// Each width is its own enum class, so a field can only be read or written at its width.
#include <cstdint>

namespace hv::vmx {

enum class VmcsWidth : std::uint8_t { k16 = 0, k64 = 1, k32 = 2, kNatural = 3 };
enum class VmcsFieldType : std::uint8_t { kControl = 0, kExitInfo = 1, kGuest = 2, kHost = 3 };

[[nodiscard]] constexpr VmcsWidth vmcs_width(std::uint32_t encoding) {
    return static_cast<VmcsWidth>((encoding >> 13) & 3);
}
[[nodiscard]] constexpr VmcsFieldType vmcs_type(std::uint32_t encoding) {
    return static_cast<VmcsFieldType>((encoding >> 10) & 3);
}

// SDM vol. 3D B.1.
enum class VmcsField16 : std::uint32_t {
    kVpid = 0x0000,
    kGuestEsSelector = 0x0800,
    kGuestCsSelector = 0x0802,
    kGuestSsSelector = 0x0804,
    kGuestDsSelector = 0x0806,
    kGuestFsSelector = 0x0808,
    kGuestGsSelector = 0x080A,
    kGuestLdtrSelector = 0x080C,
    kGuestTrSelector = 0x080E,
    kHostEsSelector = 0x0C00,
    kHostCsSelector = 0x0C02,
    kHostSsSelector = 0x0C04,
    kHostDsSelector = 0x0C06,
    kHostFsSelector = 0x0C08,
    kHostGsSelector = 0x0C0A,
    kHostTrSelector = 0x0C0C,
};

// SDM vol. 3D B.2 (the "full" encodings; the high halves are encoding + 1).
enum class VmcsField64 : std::uint32_t {
    kIoBitmapA = 0x2000,
    kIoBitmapB = 0x2002,
    kMsrBitmap = 0x2004,
    kExitMsrStoreAddress = 0x2006,
    kExitMsrLoadAddress = 0x2008,
    kEntryMsrLoadAddress = 0x200A,
    kTscOffset = 0x2010,
    kEptPointer = 0x201A,
    kXssExitingBitmap = 0x202C,
    kGuestPhysicalAddress = 0x2400,
    kVmcsLinkPointer = 0x2800,
    kGuestDebugCtl = 0x2802,
    kGuestPat = 0x2804,
    kGuestEfer = 0x2806,
    kGuestPdpte0 = 0x280A,
    kGuestPdpte1 = 0x280C,
    kGuestPdpte2 = 0x280E,
    kGuestPdpte3 = 0x2810,
    kHostPat = 0x2C00,
    kHostEfer = 0x2C02,
};

// SDM vol. 3D B.3.
enum class VmcsField32 : std::uint32_t {
    kPinBasedControls = 0x4000,
    kPrimaryProcControls = 0x4002,
    kExceptionBitmap = 0x4004,
    kPageFaultErrorMask = 0x4006,
    kPageFaultErrorMatch = 0x4008,
    kCr3TargetCount = 0x400A,
    kExitControls = 0x400C,
    kExitMsrStoreCount = 0x400E,
    kExitMsrLoadCount = 0x4010,
    kEntryControls = 0x4012,
    kEntryMsrLoadCount = 0x4014,
    kEntryInterruptionInfo = 0x4016,
    kEntryExceptionErrorCode = 0x4018,
    kEntryInstructionLength = 0x401A,
    kTprThreshold = 0x401C,
    kSecondaryProcControls = 0x401E,
    kVmInstructionError = 0x4400,
    kExitReason = 0x4402,
    kExitInterruptionInfo = 0x4404,
    kExitInterruptionErrorCode = 0x4406,
    kIdtVectoringInfo = 0x4408,
    kIdtVectoringErrorCode = 0x440A,
    kExitInstructionLength = 0x440C,
    kExitInstructionInfo = 0x440E,
    kGuestEsLimit = 0x4800,
    kGuestCsLimit = 0x4802,
    kGuestSsLimit = 0x4804,
    kGuestDsLimit = 0x4806,
    kGuestFsLimit = 0x4808,
    kGuestGsLimit = 0x480A,
    kGuestLdtrLimit = 0x480C,
    kGuestTrLimit = 0x480E,
    kGuestGdtrLimit = 0x4810,
    kGuestIdtrLimit = 0x4812,
    kGuestEsAccessRights = 0x4814,
    kGuestCsAccessRights = 0x4816,
    kGuestSsAccessRights = 0x4818,
    kGuestDsAccessRights = 0x481A,
    kGuestFsAccessRights = 0x481C,
    kGuestGsAccessRights = 0x481E,
    kGuestLdtrAccessRights = 0x4820,
    kGuestTrAccessRights = 0x4822,
    kGuestInterruptibility = 0x4824,
    kGuestActivityState = 0x4826,
    kGuestSysenterCs = 0x482A,
    kHostSysenterCs = 0x4C00,
};

// SDM vol. 3D B.4.
enum class VmcsFieldNatural : std::uint32_t {
    kCr0GuestHostMask = 0x6000,
    kCr4GuestHostMask = 0x6002,
    kCr0ReadShadow = 0x6004,
    kCr4ReadShadow = 0x6006,
    kExitQualification = 0x6400,
    kGuestLinearAddress = 0x640A,
    kGuestCr0 = 0x6800,
    kGuestCr3 = 0x6802,
    kGuestCr4 = 0x6804,
    kGuestEsBase = 0x6806,
    kGuestCsBase = 0x6808,
    kGuestSsBase = 0x680A,
    kGuestDsBase = 0x680C,
    kGuestFsBase = 0x680E,
    kGuestGsBase = 0x6810,
    kGuestLdtrBase = 0x6812,
    kGuestTrBase = 0x6814,
    kGuestGdtrBase = 0x6816,
    kGuestIdtrBase = 0x6818,
    kGuestDr7 = 0x681A,
    kGuestRsp = 0x681C,
    kGuestRip = 0x681E,
    kGuestRflags = 0x6820,
    kGuestPendingDebugExceptions = 0x6822,
    kGuestSysenterEsp = 0x6824,
    kGuestSysenterEip = 0x6826,
    kHostCr0 = 0x6C00,
    kHostCr3 = 0x6C02,
    kHostCr4 = 0x6C04,
    kHostFsBase = 0x6C06,
    kHostGsBase = 0x6C08,
    kHostTrBase = 0x6C0A,
    kHostGdtrBase = 0x6C0C,
    kHostIdtrBase = 0x6C0E,
    kHostSysenterEsp = 0x6C10,
    kHostSysenterEip = 0x6C12,
    kHostRsp = 0x6C14,
    kHostRip = 0x6C16,
};

template <typename Field>
[[nodiscard]] constexpr std::uint32_t encoding(Field f) {
    return static_cast<std::uint32_t>(f);
}

// The width each enum promises matches the width bits of its encodings (spot checks; the unit
// tests walk every field).
static_assert(vmcs_width(encoding(VmcsField16::kGuestTrSelector)) == VmcsWidth::k16);
static_assert(vmcs_width(encoding(VmcsField64::kEptPointer)) == VmcsWidth::k64);
static_assert(vmcs_width(encoding(VmcsField32::kExitReason)) == VmcsWidth::k32);
static_assert(vmcs_width(encoding(VmcsFieldNatural::kHostRip)) == VmcsWidth::kNatural);
static_assert(vmcs_type(encoding(VmcsFieldNatural::kGuestRip)) == VmcsFieldType::kGuest);
static_assert(vmcs_type(encoding(VmcsField32::kExitReason)) == VmcsFieldType::kExitInfo);
// SDM vol. 3D table B-8: "Guest IA32_EFER" is 00002806H; table B-12: "Host RIP" is 00006C16H.
static_assert(encoding(VmcsField64::kGuestEfer) == 0x2806);
static_assert(encoding(VmcsFieldNatural::kHostRip) == 0x6C16);

// Basic exit reasons (SDM vol. 3D appendix C, table C-1): bits 15:0 of the exit-reason field.
enum class ExitReason : std::uint16_t {
    kExceptionOrNmi = 0,
    kExternalInterrupt = 1,
    kTripleFault = 2,
    kInit = 3,
    kSipi = 4,
    kIoSmi = 5,
    kOtherSmi = 6,
    kInterruptWindow = 7,
    kNmiWindow = 8,
    kTaskSwitch = 9,
    kCpuid = 10,
    kGetsec = 11,
    kHlt = 12,
    kInvd = 13,
    kInvlpg = 14,
    kRdpmc = 15,
    kRdtsc = 16,
    kRsm = 17,
    kVmcall = 18,
    kVmclear = 19,
    kVmlaunch = 20,
    kVmptrld = 21,
    kVmptrst = 22,
    kVmread = 23,
    kVmresume = 24,
    kVmwrite = 25,
    kVmxoff = 26,
    kVmxon = 27,
    kCrAccess = 28,
    kDrAccess = 29,
    kIoInstruction = 30,
    kRdmsr = 31,
    kWrmsr = 32,
    kInvalidGuestState = 33,
    kMsrLoading = 34,
    kMwait = 36,
    kMonitorTrapFlag = 37,
    kMonitor = 39,
    kPause = 40,
    kMachineCheck = 41,
    kTprBelowThreshold = 43,
    kApicAccess = 44,
    kVirtualizedEoi = 45,
    kGdtrIdtrAccess = 46,
    kLdtrTrAccess = 47,
    kEptViolation = 48,
    kEptMisconfiguration = 49,
    kInvept = 50,
    kRdtscp = 51,
    kPreemptionTimer = 52,
    kInvvpid = 53,
    kWbinvd = 54,
    kXsetbv = 55,
    kApicWrite = 56,
    kRdrand = 57,
    kInvpcid = 58,
    kVmfunc = 59,
    kEncls = 60,
    kRdseed = 61,
    kPmlFull = 62,
    kXsaves = 63,
    kXrstors = 64,
};

// Bit 31 of the exit-reason field: the VM entry failed (SDM vol. 3C 28.2.1, 27.8).
inline constexpr std::uint32_t kExitReasonEntryFailure = 1u << 31;

[[nodiscard]] constexpr const char* exit_reason_name(std::uint32_t basic_reason) {
    switch (static_cast<ExitReason>(basic_reason)) {
        case ExitReason::kExceptionOrNmi:
            return "exception-or-nmi";
        case ExitReason::kExternalInterrupt:
            return "external-interrupt";
        case ExitReason::kTripleFault:
            return "triple-fault";
        case ExitReason::kInit:
            return "init";
        case ExitReason::kSipi:
            return "sipi";
        case ExitReason::kIoSmi:
            return "io-smi";
        case ExitReason::kOtherSmi:
            return "other-smi";
        case ExitReason::kInterruptWindow:
            return "interrupt-window";
        case ExitReason::kNmiWindow:
            return "nmi-window";
        case ExitReason::kTaskSwitch:
            return "task-switch";
        case ExitReason::kCpuid:
            return "cpuid";
        case ExitReason::kGetsec:
            return "getsec";
        case ExitReason::kHlt:
            return "hlt";
        case ExitReason::kInvd:
            return "invd";
        case ExitReason::kInvlpg:
            return "invlpg";
        case ExitReason::kRdpmc:
            return "rdpmc";
        case ExitReason::kRdtsc:
            return "rdtsc";
        case ExitReason::kRsm:
            return "rsm";
        case ExitReason::kVmcall:
            return "vmcall";
        case ExitReason::kVmclear:
            return "vmclear";
        case ExitReason::kVmlaunch:
            return "vmlaunch";
        case ExitReason::kVmptrld:
            return "vmptrld";
        case ExitReason::kVmptrst:
            return "vmptrst";
        case ExitReason::kVmread:
            return "vmread";
        case ExitReason::kVmresume:
            return "vmresume";
        case ExitReason::kVmwrite:
            return "vmwrite";
        case ExitReason::kVmxoff:
            return "vmxoff";
        case ExitReason::kVmxon:
            return "vmxon";
        case ExitReason::kCrAccess:
            return "cr-access";
        case ExitReason::kDrAccess:
            return "dr-access";
        case ExitReason::kIoInstruction:
            return "io-instruction";
        case ExitReason::kRdmsr:
            return "rdmsr";
        case ExitReason::kWrmsr:
            return "wrmsr";
        case ExitReason::kInvalidGuestState:
            return "invalid-guest-state";
        case ExitReason::kMsrLoading:
            return "msr-loading";
        case ExitReason::kMwait:
            return "mwait";
        case ExitReason::kMonitorTrapFlag:
            return "monitor-trap-flag";
        case ExitReason::kMonitor:
            return "monitor";
        case ExitReason::kPause:
            return "pause";
        case ExitReason::kMachineCheck:
            return "machine-check";
        case ExitReason::kTprBelowThreshold:
            return "tpr-below-threshold";
        case ExitReason::kApicAccess:
            return "apic-access";
        case ExitReason::kVirtualizedEoi:
            return "virtualized-eoi";
        case ExitReason::kGdtrIdtrAccess:
            return "gdtr-idtr-access";
        case ExitReason::kLdtrTrAccess:
            return "ldtr-tr-access";
        case ExitReason::kEptViolation:
            return "ept-violation";
        case ExitReason::kEptMisconfiguration:
            return "ept-misconfiguration";
        case ExitReason::kInvept:
            return "invept";
        case ExitReason::kRdtscp:
            return "rdtscp";
        case ExitReason::kPreemptionTimer:
            return "preemption-timer";
        case ExitReason::kInvvpid:
            return "invvpid";
        case ExitReason::kWbinvd:
            return "wbinvd";
        case ExitReason::kXsetbv:
            return "xsetbv";
        case ExitReason::kApicWrite:
            return "apic-write";
        case ExitReason::kRdrand:
            return "rdrand";
        case ExitReason::kInvpcid:
            return "invpcid";
        case ExitReason::kVmfunc:
            return "vmfunc";
        case ExitReason::kEncls:
            return "encls";
        case ExitReason::kRdseed:
            return "rdseed";
        case ExitReason::kPmlFull:
            return "pml-full";
        case ExitReason::kXsaves:
            return "xsaves";
        case ExitReason::kXrstors:
            return "xrstors";
    }
    return "other";
}

// VM-instruction error numbers (SDM vol. 3C 31.4, table 31-1), read from the VM-instruction
// error field after a VMX instruction fails with RFLAGS.ZF set.
enum class VmInstructionError : std::uint32_t {
    kVmcallInRoot = 1,
    kVmclearInvalidAddress = 2,
    kVmclearVmxonPointer = 3,
    kVmlaunchNonClear = 4,
    kVmresumeNonLaunched = 5,
    kVmresumeAfterVmxoff = 6,
    kEntryInvalidControls = 7,
    kEntryInvalidHostState = 8,
    kVmptrldInvalidAddress = 9,
    kVmptrldVmxonPointer = 10,
    kVmptrldBadRevision = 11,
    kUnsupportedComponent = 12,
    kVmwriteReadOnly = 13,
    kVmxonInRoot = 15,
    kEntryInvalidExecutivePointer = 16,
    kEntryNonLaunchedExecutive = 17,
    kEntryExecutiveNotVmxon = 18,
    kVmcallNonClear = 19,
    kVmcallInvalidExitControls = 20,
    kVmcallBadMsegRevision = 22,
    kVmxoffDualMonitor = 23,
    kVmcallBadSmmFeatures = 24,
    kEntryInvalidExecutiveControls = 25,
    kEntryBlockedByMovSs = 26,
    kInvalidInveptOperand = 28,
};

[[nodiscard]] constexpr const char* vm_instruction_error_name(std::uint32_t n) {
    switch (static_cast<VmInstructionError>(n)) {
        case VmInstructionError::kVmcallInRoot:
            return "VMCALL executed in VMX root operation";
        case VmInstructionError::kVmclearInvalidAddress:
            return "VMCLEAR with invalid physical address";
        case VmInstructionError::kVmclearVmxonPointer:
            return "VMCLEAR with VMXON pointer";
        case VmInstructionError::kVmlaunchNonClear:
            return "VMLAUNCH with non-clear VMCS";
        case VmInstructionError::kVmresumeNonLaunched:
            return "VMRESUME with non-launched VMCS";
        case VmInstructionError::kVmresumeAfterVmxoff:
            return "VMRESUME after VMXOFF";
        case VmInstructionError::kEntryInvalidControls:
            return "VM entry with invalid control field(s)";
        case VmInstructionError::kEntryInvalidHostState:
            return "VM entry with invalid host-state field(s)";
        case VmInstructionError::kVmptrldInvalidAddress:
            return "VMPTRLD with invalid physical address";
        case VmInstructionError::kVmptrldVmxonPointer:
            return "VMPTRLD with VMXON pointer";
        case VmInstructionError::kVmptrldBadRevision:
            return "VMPTRLD with incorrect VMCS revision identifier";
        case VmInstructionError::kUnsupportedComponent:
            return "VMREAD/VMWRITE from/to unsupported VMCS component";
        case VmInstructionError::kVmwriteReadOnly:
            return "VMWRITE to read-only VMCS component";
        case VmInstructionError::kVmxonInRoot:
            return "VMXON executed in VMX root operation";
        case VmInstructionError::kEntryInvalidExecutivePointer:
            return "VM entry with invalid executive-VMCS pointer";
        case VmInstructionError::kEntryNonLaunchedExecutive:
            return "VM entry with non-launched executive VMCS";
        case VmInstructionError::kEntryExecutiveNotVmxon:
            return "VM entry with executive-VMCS pointer not VMXON pointer";
        case VmInstructionError::kVmcallNonClear:
            return "VMCALL with non-clear VMCS";
        case VmInstructionError::kVmcallInvalidExitControls:
            return "VMCALL with invalid VM-exit control fields";
        case VmInstructionError::kVmcallBadMsegRevision:
            return "VMCALL with incorrect MSEG revision identifier";
        case VmInstructionError::kVmxoffDualMonitor:
            return "VMXOFF under dual-monitor treatment of SMIs and SMM";
        case VmInstructionError::kVmcallBadSmmFeatures:
            return "VMCALL with invalid SMM-monitor features";
        case VmInstructionError::kEntryInvalidExecutiveControls:
            return "VM entry with invalid VM-execution control fields in executive VMCS";
        case VmInstructionError::kEntryBlockedByMovSs:
            return "VM entry with events blocked by MOV SS";
        case VmInstructionError::kInvalidInveptOperand:
            return "invalid operand to INVEPT/INVVPID";
    }
    return "unknown VM-instruction error";
}

}  // namespace hv::vmx
