#pragma once
// VMX capability arithmetic (Intel SDM vol. 3D appendix A) and the bit layouts of the VMCS
// control, event and segment fields. Pure: every function takes the capability MSR values as
// integers, so the kernel and the host unit tests run the same code.
#include <cstdint>

namespace hv::vmx {

// VMX capability MSRs (SDM vol. 4 table 2-2, vol. 3D appendix A).
namespace msr {
inline constexpr std::uint32_t kBasic = 0x480;
inline constexpr std::uint32_t kPinBased = 0x481;
inline constexpr std::uint32_t kProcBased = 0x482;
inline constexpr std::uint32_t kExit = 0x483;
inline constexpr std::uint32_t kEntry = 0x484;
inline constexpr std::uint32_t kCr0Fixed0 = 0x486;
inline constexpr std::uint32_t kCr0Fixed1 = 0x487;
inline constexpr std::uint32_t kCr4Fixed0 = 0x488;
inline constexpr std::uint32_t kCr4Fixed1 = 0x489;
inline constexpr std::uint32_t kProcBased2 = 0x48B;
inline constexpr std::uint32_t kEptVpidCap = 0x48C;
inline constexpr std::uint32_t kTruePinBased = 0x48D;
inline constexpr std::uint32_t kTrueProcBased = 0x48E;
inline constexpr std::uint32_t kTrueExit = 0x48F;
inline constexpr std::uint32_t kTrueEntry = 0x490;
}  // namespace msr

// IA32_VMX_BASIC (SDM vol. 3D A.1).
namespace basic {
inline constexpr std::uint64_t kRevisionMask = 0x7FFF'FFFF;  // bits 30:0
inline constexpr unsigned kRegionSizeShift = 32;             // bits 44:32
inline constexpr std::uint64_t kRegionSizeMask = 0x1FFF;
inline constexpr std::uint64_t kTrueControls = 1ull << 55;
}  // namespace basic

// Pin-based VM-execution controls (SDM vol. 3C 25.6.1, table 25-5).
namespace pin {
inline constexpr std::uint32_t kExternalInterruptExiting = 1u << 0;
inline constexpr std::uint32_t kNmiExiting = 1u << 3;
inline constexpr std::uint32_t kVirtualNmis = 1u << 5;
inline constexpr std::uint32_t kPreemptionTimer = 1u << 6;
}  // namespace pin

// Primary processor-based VM-execution controls (SDM vol. 3C 25.6.2, table 25-6).
namespace proc {
inline constexpr std::uint32_t kInterruptWindowExiting = 1u << 2;
inline constexpr std::uint32_t kUseTscOffsetting = 1u << 3;
inline constexpr std::uint32_t kHltExiting = 1u << 7;
inline constexpr std::uint32_t kInvlpgExiting = 1u << 9;
inline constexpr std::uint32_t kMwaitExiting = 1u << 10;
inline constexpr std::uint32_t kRdpmcExiting = 1u << 11;
inline constexpr std::uint32_t kRdtscExiting = 1u << 12;
inline constexpr std::uint32_t kCr3LoadExiting = 1u << 15;
inline constexpr std::uint32_t kCr3StoreExiting = 1u << 16;
inline constexpr std::uint32_t kCr8LoadExiting = 1u << 19;
inline constexpr std::uint32_t kCr8StoreExiting = 1u << 20;
inline constexpr std::uint32_t kUseTprShadow = 1u << 21;
inline constexpr std::uint32_t kNmiWindowExiting = 1u << 22;
inline constexpr std::uint32_t kMovDrExiting = 1u << 23;
inline constexpr std::uint32_t kUnconditionalIoExiting = 1u << 24;
inline constexpr std::uint32_t kUseIoBitmaps = 1u << 25;
inline constexpr std::uint32_t kMonitorTrapFlag = 1u << 27;
inline constexpr std::uint32_t kUseMsrBitmaps = 1u << 28;
inline constexpr std::uint32_t kMonitorExiting = 1u << 29;
inline constexpr std::uint32_t kPauseExiting = 1u << 30;
inline constexpr std::uint32_t kActivateSecondary = 1u << 31;
}  // namespace proc

// Secondary processor-based VM-execution controls (SDM vol. 3C 25.6.2, table 25-7).
namespace proc2 {
inline constexpr std::uint32_t kVirtualizeApicAccesses = 1u << 0;
inline constexpr std::uint32_t kEnableEpt = 1u << 1;
inline constexpr std::uint32_t kDescriptorTableExiting = 1u << 2;
inline constexpr std::uint32_t kEnableRdtscp = 1u << 3;
inline constexpr std::uint32_t kEnableVpid = 1u << 5;
inline constexpr std::uint32_t kWbinvdExiting = 1u << 6;
inline constexpr std::uint32_t kUnrestrictedGuest = 1u << 7;
inline constexpr std::uint32_t kEnableInvpcid = 1u << 12;
inline constexpr std::uint32_t kEnableXsaves = 1u << 20;
}  // namespace proc2

// Primary VM-exit controls (SDM vol. 3C 25.7.1, table 25-13).
namespace exit_ctl {
inline constexpr std::uint32_t kSaveDebugControls = 1u << 2;
inline constexpr std::uint32_t kHostAddressSpaceSize = 1u << 9;
inline constexpr std::uint32_t kAckInterruptOnExit = 1u << 15;
inline constexpr std::uint32_t kSavePat = 1u << 18;
inline constexpr std::uint32_t kLoadPat = 1u << 19;
inline constexpr std::uint32_t kSaveEfer = 1u << 20;
inline constexpr std::uint32_t kLoadEfer = 1u << 21;
}  // namespace exit_ctl

// VM-entry controls (SDM vol. 3C 25.8.1, table 25-15).
namespace entry_ctl {
inline constexpr std::uint32_t kLoadDebugControls = 1u << 2;
inline constexpr std::uint32_t kIa32eModeGuest = 1u << 9;
inline constexpr std::uint32_t kEntryToSmm = 1u << 10;
inline constexpr std::uint32_t kLoadPat = 1u << 14;
inline constexpr std::uint32_t kLoadEfer = 1u << 15;
}  // namespace entry_ctl

// IA32_VMX_EPT_VPID_CAP (SDM vol. 3D A.10).
namespace ept_cap {
inline constexpr std::uint64_t kExecuteOnly = 1ull << 0;
inline constexpr std::uint64_t kWalkLength4 = 1ull << 6;
inline constexpr std::uint64_t kMemoryTypeWb = 1ull << 14;
inline constexpr std::uint64_t kPages2M = 1ull << 16;
inline constexpr std::uint64_t kPages1G = 1ull << 17;
inline constexpr std::uint64_t kInvept = 1ull << 20;
inline constexpr std::uint64_t kAccessedDirty = 1ull << 21;
inline constexpr std::uint64_t kInveptSingleContext = 1ull << 25;
inline constexpr std::uint64_t kInveptAllContexts = 1ull << 26;
inline constexpr std::uint64_t kInvvpid = 1ull << 32;
inline constexpr std::uint64_t kInvvpidSingleContext = 1ull << 41;
inline constexpr std::uint64_t kInvvpidAllContexts = 1ull << 42;
}  // namespace ept_cap

// The capability MSR that governs a control field: the TRUE_* variant when IA32_VMX_BASIC[55]
// says it exists (SDM vol. 3D A.2), because only it reports which default-1 bits may be cleared.
enum class ControlKind : std::uint8_t { kPinBased, kProcBased, kExit, kEntry, kProcBased2 };
[[nodiscard]] std::uint32_t capability_msr(ControlKind kind, std::uint64_t vmx_basic);

// Adjusting a control field to a capability MSR (SDM vol. 3D A.3): bits 31:0 are the allowed-0
// settings (a 1 there means the control must be 1), bits 63:32 the allowed-1 settings (a 0 there
// means the control must be 0).
struct AdjustedControls {
    std::uint32_t value;
    std::uint32_t missing_required;  // required but not allowed to be 1
    std::uint32_t forced_forbidden;  // forbidden but forced to 1
    [[nodiscard]] constexpr bool ok() const {
        return missing_required == 0 && forced_forbidden == 0;
    }
};
// `required`: must be 1; `optional`: 1 if the CPU allows; `forbidden`: must be 0. Every other
// bit is left at the CPU's default (0 if allowed, else 1).
[[nodiscard]] AdjustedControls adjust_controls(std::uint64_t capability, std::uint32_t required,
                                               std::uint32_t optional = 0,
                                               std::uint32_t forbidden = 0);

// CR0/CR4 in VMX operation (SDM vol. 3D A.7, A.8): a bit set in FIXED0 must be 1, a bit clear in
// FIXED1 must be 0.
inline constexpr std::uint64_t kCr0Pe = 1ull << 0;
inline constexpr std::uint64_t kCr0Ne = 1ull << 5;
inline constexpr std::uint64_t kCr0Pg = 1ull << 31;
inline constexpr std::uint64_t kCr4Vmxe = 1ull << 13;
struct FixedBits {
    std::uint64_t fixed0;
    std::uint64_t fixed1;
    [[nodiscard]] constexpr std::uint64_t apply(std::uint64_t v) const {
        return (v | fixed0) & fixed1;
    }
    [[nodiscard]] constexpr bool satisfied_by(std::uint64_t v) const { return apply(v) == v; }
};
// The bits a guest's CR0 must have set: FIXED0 without PE and PG under unrestricted guest
// (SDM vol. 3C 27.3.1.1), so real mode and unpaged protected mode can run directly.
[[nodiscard]] FixedBits guest_cr0_fixed(FixedBits cr0, bool unrestricted_guest);

// A guest's control register as the hardware holds it and as the guest reads it: bits the host
// forces (guest/host mask) read from the read shadow (SDM vol. 3C 25.6.6).
struct ShadowedCr {
    std::uint64_t actual;  // guest CR field
    std::uint64_t mask;    // guest/host mask: host-owned bits
    std::uint64_t shadow;  // read shadow
    [[nodiscard]] constexpr std::uint64_t guest_view() const {
        return (actual & ~mask) | (shadow & mask);
    }
};
// Shadows `guest_value`: the bits FIXED0 forces are host-owned and read from the shadow.
[[nodiscard]] ShadowedCr shadow_cr(std::uint64_t guest_value, FixedBits fixed);

// What the backend needs from IA32_VMX_EPT_VPID_CAP, or why it cannot run.
struct EptSupport {
    bool usable;
    const char* missing;  // static string, set when !usable
    bool pages_1g;
    bool invept_single_context;
    bool invvpid;
    bool invvpid_single_context;
};
[[nodiscard]] EptSupport check_ept_support(std::uint64_t ept_vpid_cap);

// Segment access rights (SDM vol. 3C 25.4.1, table 25-2) from and to the neutral compressed
// layout of vmm::Segment ([7:0] type,S,DPL,P; [11:8] AVL,L,D/B,G). The VMX form keeps
// [7:0], puts AVL,L,D/B,G at [15:12] and adds "unusable" at bit 16.
inline constexpr std::uint32_t kAccessRightsUnusable = 1u << 16;
inline constexpr std::uint16_t kAttribPresent = 1u << 7;
[[nodiscard]] constexpr std::uint32_t to_access_rights(std::uint16_t attrib, bool unusable) {
    const std::uint32_t ar = (attrib & 0xFFu) | ((attrib & 0xF00u) << 4);
    return unusable ? ar | kAccessRightsUnusable : ar;
}
// An unusable segment comes back not present, which is how the neutral layout says "null".
[[nodiscard]] constexpr std::uint16_t from_access_rights(std::uint32_t ar) {
    auto attrib = static_cast<std::uint16_t>((ar & 0xFFu) | ((ar >> 4) & 0xF00u));
    if (ar & kAccessRightsUnusable) attrib &= static_cast<std::uint16_t>(~kAttribPresent);
    return attrib;
}
// Whether a segment of a guest state is unusable (SDM vol. 3C 25.4.1: "a segment register is
// unusable if it has been loaded with a null selector" in protected mode). Not present always
// is; CS and TR never are (VM entry requires them usable, SDM 27.3.1.2).
[[nodiscard]] constexpr bool segment_unusable(std::uint16_t selector, std::uint16_t attrib,
                                              bool protected_mode, bool cs_or_tr) {
    if (cs_or_tr) return false;
    if ((attrib & kAttribPresent) == 0) return true;
    return protected_mode && (selector & 0xFFFCu) == 0;
}

// Event injection and exit interruption information (SDM vol. 3C 25.8.3 table 25-17, 28.2.2
// table 28-17, 28.2.4 table 28-19): vector [7:0], type [10:8], error code valid [11],
// NMI unblocking due to IRET [12] (exit information only), valid [31].
enum class EventType : std::uint8_t {
    kExternalInterrupt = 0,
    kNmi = 2,
    kHardwareException = 3,
    kSoftwareInterrupt = 4,
    kPrivilegedSoftwareException = 5,
    kSoftwareException = 6,
};
namespace event {
inline constexpr std::uint32_t kVectorMask = 0xFF;
inline constexpr unsigned kTypeShift = 8;
inline constexpr std::uint32_t kTypeMask = 7u << kTypeShift;
inline constexpr std::uint32_t kErrorValid = 1u << 11;
inline constexpr std::uint32_t kNmiUnblocking = 1u << 12;
inline constexpr std::uint32_t kValid = 1u << 31;
}  // namespace event
[[nodiscard]] constexpr std::uint32_t make_event(std::uint8_t vector, EventType type,
                                                 bool has_error) {
    return vector | (static_cast<std::uint32_t>(type) << event::kTypeShift) |
           (has_error ? event::kErrorValid : 0) | event::kValid;
}
[[nodiscard]] constexpr EventType event_type(std::uint32_t info) {
    return static_cast<EventType>((info & event::kTypeMask) >> event::kTypeShift);
}
// An event the exit cut short, re-injected at the next entry (SDM vol. 3C 28.2.4
// "IDT-vectoring information"): same vector, type and error-code bit, reserved bits cleared.
// Software interrupts and exceptions also need the instruction length given back.
[[nodiscard]] constexpr std::uint32_t reinjection_of(std::uint32_t idt_vectoring_info) {
    if ((idt_vectoring_info & event::kValid) == 0) return 0;
    return idt_vectoring_info &
           (event::kVectorMask | event::kTypeMask | event::kErrorValid | event::kValid);
}
[[nodiscard]] constexpr bool event_needs_length(std::uint32_t info) {
    const EventType t = event_type(info);
    return t == EventType::kSoftwareInterrupt || t == EventType::kPrivilegedSoftwareException ||
           t == EventType::kSoftwareException;
}

// Guest interruptibility state (SDM vol. 3C 25.4.2, table 25-3).
namespace interruptibility {
inline constexpr std::uint32_t kBlockingBySti = 1u << 0;
inline constexpr std::uint32_t kBlockingByMovSs = 1u << 1;
inline constexpr std::uint32_t kBlockingBySmi = 1u << 2;
inline constexpr std::uint32_t kBlockingByNmi = 1u << 3;
}  // namespace interruptibility

// Guest activity state (SDM vol. 3C 25.4.2).
enum class ActivityState : std::uint32_t { kActive = 0, kHlt = 1, kShutdown = 2, kWaitForSipi = 3 };

}  // namespace hv::vmx
