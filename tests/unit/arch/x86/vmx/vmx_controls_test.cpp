#include "arch/x86/vmx/vmx_controls.hpp"

#include <gtest/gtest.h>

namespace hv::vmx {
namespace {

// Capability MSRs read from Bochs 2.7 `cpu: model=corei7_skylake_x` (IA32_VMX_BASIC
// 0x00d810000000002b: revision 0x2b, 4 KiB region, WB, TRUE controls).
constexpr std::uint64_t kBochsBasic = 0x00d8'1000'0000'002b;
constexpr std::uint64_t kBochsPinBased = 0x0000'007f'0000'0016;
constexpr std::uint64_t kBochsProcBased = 0xf7f9'fffe'0401'e172;
constexpr std::uint64_t kBochsTrueProcBased = 0xf7f9'fffe'0400'6172;
constexpr std::uint64_t kBochsProcBased2 = 0x0217'7fff'0000'0000;
constexpr std::uint64_t kBochsTrueExit = 0x007f'ffff'0003'6dfb;
constexpr std::uint64_t kBochsTrueEntry = 0x0000'ffff'0000'11fb;
constexpr std::uint64_t kBochsEptVpidCap = 0x0000'0f01'0633'4141;
constexpr FixedBits kBochsCr0{0x8000'0021, 0xffff'ffff};
constexpr FixedBits kBochsCr4{0x2000, 0x0037'27ff};

TEST(VmxControls, TrueControlsAreUsedWhenBasicBit55IsSet) {
    EXPECT_EQ(capability_msr(ControlKind::kProcBased, kBochsBasic), msr::kTrueProcBased);
    EXPECT_EQ(capability_msr(ControlKind::kEntry, kBochsBasic), msr::kTrueEntry);
    EXPECT_EQ(capability_msr(ControlKind::kProcBased, kBochsBasic & ~basic::kTrueControls),
              msr::kProcBased);
}

TEST(VmxControls, SecondaryControlsHaveNoTrueMsr) {
    EXPECT_EQ(capability_msr(ControlKind::kProcBased2, kBochsBasic), msr::kProcBased2);
}

TEST(VmxControls, DefaultOneBitsAreKeptWhenNotAsked) {
    const AdjustedControls a =
        adjust_controls(kBochsPinBased, pin::kExternalInterruptExiting | pin::kNmiExiting);
    EXPECT_TRUE(a.ok());
    // Bits 1, 2 and 4 are default-1 (SDM vol. 3D A.3.1).
    EXPECT_EQ(a.value, 0x16u | pin::kExternalInterruptExiting | pin::kNmiExiting);
}

TEST(VmxControls, OptionalBitsTheCpuLacksAreDropped) {
    // Bochs' pin-based allowed-1 is 0x7f: posted interrupts (bit 7) are not there.
    const AdjustedControls a = adjust_controls(kBochsPinBased, 0, 1u << 7);
    EXPECT_TRUE(a.ok());
    EXPECT_EQ(a.value & (1u << 7), 0u);
}

TEST(VmxControls, RequiredBitsTheCpuLacksAreReported) {
    const AdjustedControls a = adjust_controls(kBochsPinBased, pin::kNmiExiting | (1u << 7));
    EXPECT_FALSE(a.ok());
    EXPECT_EQ(a.missing_required, 1u << 7);
}

TEST(VmxControls, Cr3ExitingCanBeClearedOnlyThroughTheTrueMsr) {
    const std::uint32_t forbidden = proc::kCr3LoadExiting | proc::kCr3StoreExiting;
    EXPECT_TRUE(adjust_controls(kBochsTrueProcBased, proc::kHltExiting, 0, forbidden).ok());
    const AdjustedControls legacy =
        adjust_controls(kBochsProcBased, proc::kHltExiting, 0, forbidden);
    EXPECT_FALSE(legacy.ok());
    EXPECT_EQ(legacy.forced_forbidden, forbidden);
}

TEST(VmxControls, BochsOffersEverySecondaryControlTheBackendNeeds) {
    const AdjustedControls a =
        adjust_controls(kBochsProcBased2, proc2::kEnableEpt | proc2::kUnrestrictedGuest,
                        proc2::kEnableVpid | proc2::kEnableRdtscp);
    EXPECT_TRUE(a.ok());
    EXPECT_EQ(a.value, proc2::kEnableEpt | proc2::kUnrestrictedGuest | proc2::kEnableVpid |
                           proc2::kEnableRdtscp);
}

TEST(VmxControls, AcknowledgeInterruptOnExitStaysClear) {
    const AdjustedControls a = adjust_controls(
        kBochsTrueExit, exit_ctl::kHostAddressSpaceSize | exit_ctl::kLoadEfer | exit_ctl::kSaveEfer,
        0, exit_ctl::kAckInterruptOnExit);
    EXPECT_TRUE(a.ok());
    EXPECT_EQ(a.value & exit_ctl::kAckInterruptOnExit, 0u);
    EXPECT_NE(a.value & exit_ctl::kHostAddressSpaceSize, 0u);
}

TEST(VmxControls, EntryControlsLeaveIa32eModeToTheGuestState) {
    const AdjustedControls a =
        adjust_controls(kBochsTrueEntry, entry_ctl::kLoadEfer | entry_ctl::kLoadPat, 0,
                        entry_ctl::kIa32eModeGuest | entry_ctl::kEntryToSmm);
    EXPECT_TRUE(a.ok());
    EXPECT_EQ(a.value & entry_ctl::kIa32eModeGuest, 0u);
}

TEST(VmxControls, HostCr0GainsNumericErrorFromFixed0) {
    EXPECT_EQ(kBochsCr0.apply(0x8000'0011), 0x8000'0031u);
    EXPECT_FALSE(kBochsCr0.satisfied_by(0x8000'0011));
    EXPECT_TRUE(kBochsCr0.satisfied_by(0x8001'0031));
}

TEST(VmxControls, Fixed1ClearsBitsTheCpuCannotSet) {
    const FixedBits cr4 = kBochsCr4;
    EXPECT_EQ(cr4.apply(1ull << 23), 0x2000u);  // CR4 bit 23 (CET) is 0 in Bochs' FIXED1
}

TEST(VmxControls, UnrestrictedGuestMayRunWithPagingAndProtectionOff) {
    const FixedBits guest = guest_cr0_fixed(kBochsCr0, true);
    EXPECT_EQ(guest.fixed0, kCr0Ne);
    EXPECT_TRUE(guest.satisfied_by(kCr0Ne));
    EXPECT_EQ(guest_cr0_fixed(kBochsCr0, false).fixed0, kCr0Pe | kCr0Ne | kCr0Pg);
}

TEST(VmxControls, ShadowedCr4HidesVmxeFromTheGuest) {
    constexpr std::uint64_t kPae = 1u << 5;
    const ShadowedCr c = shadow_cr(kPae, kBochsCr4);
    EXPECT_EQ(c.actual, kPae | kCr4Vmxe);
    EXPECT_EQ(c.mask, kCr4Vmxe);
    EXPECT_EQ(c.guest_view(), kPae);
}

TEST(VmxControls, ShadowedCr0ForcesNumericErrorButShowsTheGuestsValue) {
    const ShadowedCr c = shadow_cr(kCr0Pe, guest_cr0_fixed(kBochsCr0, true));
    EXPECT_EQ(c.actual, kCr0Pe | kCr0Ne);
    EXPECT_EQ(c.guest_view(), kCr0Pe);
}

TEST(VmxControls, BochsEptSupportsEverythingTheBackendUses) {
    const EptSupport s = check_ept_support(kBochsEptVpidCap);
    EXPECT_TRUE(s.usable);
    EXPECT_TRUE(s.pages_1g);
    EXPECT_TRUE(s.invept_single_context);
    EXPECT_TRUE(s.invvpid);
    EXPECT_TRUE(s.invvpid_single_context);
}

TEST(VmxControls, EptWithoutFourLevelWalksIsRefused) {
    const EptSupport s = check_ept_support(kBochsEptVpidCap & ~ept_cap::kWalkLength4);
    EXPECT_FALSE(s.usable);
    EXPECT_STREQ(s.missing, "EPT without 4-level page walks");
}

TEST(VmxControls, EptWithoutWriteBackIsRefused) {
    EXPECT_STREQ(check_ept_support(kBochsEptVpidCap & ~ept_cap::kMemoryTypeWb).missing,
                 "EPT without write-back paging structures");
}

TEST(VmxControls, EptWithoutTwoMegabytePagesIsRefused) {
    EXPECT_FALSE(check_ept_support(kBochsEptVpidCap & ~ept_cap::kPages2M).usable);
}

TEST(VmxControls, EptWithoutGigabytePagesStillWorks) {
    const EptSupport s = check_ept_support(kBochsEptVpidCap & ~ept_cap::kPages1G);
    EXPECT_TRUE(s.usable);
    EXPECT_FALSE(s.pages_1g);
}

TEST(VmxControls, AccessRightsMoveTheHighNibbleToBits15To12) {
    // 32-bit flat code (P, S, type 0xB, D, G): compressed 0xC9B is VMX 0xC09B.
    EXPECT_EQ(to_access_rights(0xC9B, false), 0xC09Bu);
    // 64-bit code: L instead of D.
    EXPECT_EQ(to_access_rights(0xA9B, false), 0xA09Bu);
}

TEST(VmxControls, UnusableSegmentsCarryBit16) { EXPECT_EQ(to_access_rights(0x82, true), 0x10082u); }

TEST(VmxControls, AccessRightsRoundTrip) {
    for (std::uint16_t attrib : {std::uint16_t{0xC9B}, std::uint16_t{0xC93}, std::uint16_t{0xA9B},
                                 std::uint16_t{0x8B}, std::uint16_t{0x82}, std::uint16_t{0xF3}}) {
        EXPECT_EQ(from_access_rights(to_access_rights(attrib, false)), attrib)
            << std::hex << attrib;
    }
}

TEST(VmxControls, UnusableComesBackNotPresent) { EXPECT_EQ(from_access_rights(0x1C093), 0xC13); }

TEST(VmxControls, NullSelectorsAreUnusableOnlyInProtectedMode) {
    EXPECT_TRUE(segment_unusable(0, 0x82, true, false));
    EXPECT_FALSE(segment_unusable(0, 0x93, false, false));  // real mode: selector 0 is a segment
    EXPECT_FALSE(segment_unusable(0x10, 0xC93, true, false));
    EXPECT_TRUE(segment_unusable(0x10, 0x13, true, false));  // not present
    EXPECT_FALSE(segment_unusable(0, 0x8B, true, true));     // TR never is
}

TEST(VmxControls, EventInjectionEncodesVectorTypeAndErrorBit) {
    // SDM vol. 3C table 25-17: #GP (13), hardware exception (3), error code, valid.
    EXPECT_EQ(make_event(13, EventType::kHardwareException, true), 0x8000'0B0Du);
    EXPECT_EQ(make_event(0x40, EventType::kExternalInterrupt, false), 0x8000'0040u);
}

TEST(VmxControls, ReinjectionDropsReservedBitsAndKeepsTheEvent) {
    EXPECT_EQ(reinjection_of(0x8000'1B0E), 0x8000'0B0Eu);  // #PF with bit 12 set
    EXPECT_EQ(reinjection_of(0x0000'0B0E), 0u);            // not valid: nothing to deliver
}

TEST(VmxControls, SoftwareInterruptsNeedTheirInstructionLength) {
    EXPECT_TRUE(event_needs_length(make_event(0x80, EventType::kSoftwareInterrupt, false)));
    EXPECT_FALSE(event_needs_length(make_event(14, EventType::kHardwareException, true)));
}

}  // namespace
}  // namespace hv::vmx
