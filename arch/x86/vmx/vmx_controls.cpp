#include "arch/x86/vmx/vmx_controls.hpp"

namespace hv::vmx {

std::uint32_t capability_msr(ControlKind kind, std::uint64_t vmx_basic) {
    const bool use_true = (vmx_basic & basic::kTrueControls) != 0;
    switch (kind) {
        case ControlKind::kPinBased:
            return use_true ? msr::kTruePinBased : msr::kPinBased;
        case ControlKind::kProcBased:
            return use_true ? msr::kTrueProcBased : msr::kProcBased;
        case ControlKind::kExit:
            return use_true ? msr::kTrueExit : msr::kExit;
        case ControlKind::kEntry:
            return use_true ? msr::kTrueEntry : msr::kEntry;
        case ControlKind::kProcBased2:
            return msr::kProcBased2;  // has no TRUE variant
    }
    return msr::kProcBased2;
}

AdjustedControls adjust_controls(std::uint64_t capability, std::uint32_t required,
                                 std::uint32_t optional, std::uint32_t forbidden) {
    const auto must_be_one = static_cast<std::uint32_t>(capability);
    const auto may_be_one = static_cast<std::uint32_t>(capability >> 32);
    AdjustedControls r{};
    r.value = ((required | optional) & may_be_one) | must_be_one;
    r.missing_required = required & ~may_be_one;
    r.forced_forbidden = forbidden & must_be_one;
    return r;
}

FixedBits guest_cr0_fixed(FixedBits cr0, bool unrestricted_guest) {
    if (unrestricted_guest) cr0.fixed0 &= ~(kCr0Pe | kCr0Pg);
    return cr0;
}

ShadowedCr shadow_cr(std::uint64_t guest_value, FixedBits fixed) {
    ShadowedCr c{};
    c.actual = fixed.apply(guest_value);
    // Host-owned: the bits VMX forces to 1 (CR0.NE, CR4.VMXE), so that reads show the guest's own
    // value and a write that disagrees exits. Bits FIXED1 forbids stay guest-owned: setting them
    // faults in the guest as it would on bare metal.
    c.mask = fixed.fixed0;
    c.shadow = guest_value;
    return c;
}

EptSupport check_ept_support(std::uint64_t cap) {
    EptSupport s{};
    s.pages_1g = (cap & ept_cap::kPages1G) != 0;
    s.invept_single_context =
        (cap & ept_cap::kInvept) != 0 && (cap & ept_cap::kInveptSingleContext) != 0;
    s.invvpid = (cap & ept_cap::kInvvpid) != 0;
    s.invvpid_single_context = s.invvpid && (cap & ept_cap::kInvvpidSingleContext) != 0;
    if ((cap & ept_cap::kWalkLength4) == 0) {
        s.missing = "EPT without 4-level page walks";
    } else if ((cap & ept_cap::kMemoryTypeWb) == 0) {
        s.missing = "EPT without write-back paging structures";
    } else if ((cap & ept_cap::kPages2M) == 0) {
        s.missing = "EPT without 2 MiB pages";
    } else if ((cap & ept_cap::kInvept) == 0 ||
               (cap & (ept_cap::kInveptSingleContext | ept_cap::kInveptAllContexts)) == 0) {
        s.missing = "EPT without INVEPT";
    } else {
        s.usable = true;
    }
    return s;
}

}  // namespace hv::vmx
