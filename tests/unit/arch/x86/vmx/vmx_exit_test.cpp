#include "arch/x86/vmx/vmx_exit.hpp"

#include <gtest/gtest.h>

#include "arch/x86/vmx/vmcs_fields.hpp"

namespace hv::vmx {
namespace {

ExitInfo info(ExitReason reason, std::uint64_t qualification = 0, std::uint32_t length = 0) {
    ExitInfo i{};
    i.reason = static_cast<std::uint32_t>(reason);
    i.qualification = qualification;
    i.instruction_length = length;
    return i;
}

TEST(VmxExit, CpuidTakesItsLengthFromTheVmcs) {
    const vmm::Exit e = decode_exit(info(ExitReason::kCpuid, 0, 2));
    EXPECT_EQ(e.kind, vmm::ExitKind::kCpuid);
    EXPECT_EQ(e.insn_len, 2);
    EXPECT_STREQ(e.raw_name, "cpuid");
}

TEST(VmxExit, RdmsrAndWrmsrAreSeparateReasons) {
    EXPECT_EQ(decode_exit(info(ExitReason::kRdmsr, 0, 2)).kind, vmm::ExitKind::kMsrRead);
    EXPECT_EQ(decode_exit(info(ExitReason::kWrmsr, 0, 2)).kind, vmm::ExitKind::kMsrWrite);
}

// SDM vol. 3C table 28-5: OUT DX, AL to 0x3F8 is size 0, direction 0, port in bits 31:16.
TEST(VmxExit, ByteOutDecodesPortAndSize) {
    const vmm::Exit e = decode_exit(info(ExitReason::kIoInstruction, 0x03F8'0000, 1));
    EXPECT_EQ(e.kind, vmm::ExitKind::kIo);
    EXPECT_EQ(e.io.port, 0x3F8);
    EXPECT_EQ(e.io.size, 1);
    EXPECT_FALSE(e.io.in);
    EXPECT_FALSE(e.io.string);
    EXPECT_EQ(e.insn_len, 1);
}

TEST(VmxExit, DwordInWithImmediatePort) {
    // IN EAX, 0xF4: size 3 (4 bytes), direction 1, operand encoding 1 (immediate).
    const vmm::Exit e =
        decode_exit(info(ExitReason::kIoInstruction, 0x00F4'0000 | 0x3 | 0x8 | 0x40, 2));
    EXPECT_EQ(e.io.port, 0xF4);
    EXPECT_EQ(e.io.size, 4);
    EXPECT_TRUE(e.io.in);
}

TEST(VmxExit, WordRepOutsSetsStringAndRep) {
    const vmm::Exit e =
        decode_exit(info(ExitReason::kIoInstruction, 0x0604'0000 | 0x1 | 0x10 | 0x20, 2));
    EXPECT_EQ(e.io.size, 2);
    EXPECT_TRUE(e.io.string);
    EXPECT_TRUE(e.io.rep);
}

TEST(VmxExit, EptViolationOnAnUnmappedReadIsNotPresent) {
    ExitInfo i = info(ExitReason::kEptViolation, ept_qual::kRead | ept_qual::kLinearValid);
    i.guest_physical = 0x400'0000;
    const vmm::Exit e = decode_exit(i);
    EXPECT_EQ(e.kind, vmm::ExitKind::kMemory);
    EXPECT_EQ(e.memory.gpa, 0x400'0000u);
    EXPECT_FALSE(e.memory.write);
    EXPECT_FALSE(e.memory.fetch);
    EXPECT_FALSE(e.memory.present);
    EXPECT_EQ(e.insn_len, 0);  // no length for EPT violations: the MMIO decoder measures
}

TEST(VmxExit, EptViolationWriteToReadOnlyPageIsPresent) {
    ExitInfo i = info(ExitReason::kEptViolation,
                      ept_qual::kWrite | ept_qual::kReadable | ept_qual::kExecutable);
    i.guest_physical = 0xFEE0'0030;
    const vmm::Exit e = decode_exit(i);
    EXPECT_TRUE(e.memory.write);
    EXPECT_TRUE(e.memory.present);
}

TEST(VmxExit, EptViolationFetch) {
    EXPECT_TRUE(decode_exit(info(ExitReason::kEptViolation, ept_qual::kFetch)).memory.fetch);
}

TEST(VmxExit, EptMisconfigurationStopsTheVmByName) {
    const vmm::Exit e = decode_exit(info(ExitReason::kEptMisconfiguration));
    EXPECT_EQ(e.kind, vmm::ExitKind::kUnhandled);
    EXPECT_STREQ(e.raw_name, "ept-misconfiguration");
}

TEST(VmxExit, HltVmcallAndPauseCarryLengths) {
    EXPECT_EQ(decode_exit(info(ExitReason::kHlt, 0, 1)).kind, vmm::ExitKind::kHlt);
    const vmm::Exit call = decode_exit(info(ExitReason::kVmcall, 0, 3));
    EXPECT_EQ(call.kind, vmm::ExitKind::kHypercall);
    EXPECT_EQ(call.insn_len, 3);
    EXPECT_EQ(decode_exit(info(ExitReason::kPause, 0, 2)).kind, vmm::ExitKind::kPause);
}

TEST(VmxExit, ExternalInterruptAndWindow) {
    EXPECT_EQ(decode_exit(info(ExitReason::kExternalInterrupt)).kind, vmm::ExitKind::kInterrupt);
    EXPECT_EQ(decode_exit(info(ExitReason::kInterruptWindow)).kind,
              vmm::ExitKind::kInterruptWindow);
}

TEST(VmxExit, NmiArrivesAsAnExceptionExitWithNmiType) {
    ExitInfo i = info(ExitReason::kExceptionOrNmi);
    i.interruption_info = make_event(2, EventType::kNmi, false);
    EXPECT_EQ(decode_exit(i).kind, vmm::ExitKind::kNmi);
}

TEST(VmxExit, InterceptedExceptionCarriesVectorAndErrorCode) {
    ExitInfo i = info(ExitReason::kExceptionOrNmi);
    i.interruption_info = make_event(17, EventType::kHardwareException, true);  // #AC
    i.interruption_error = 0;
    vmm::Exit e = decode_exit(i);
    EXPECT_EQ(e.kind, vmm::ExitKind::kException);
    EXPECT_EQ(e.exception.vector, 17);
    EXPECT_TRUE(e.exception.has_error);

    i.interruption_info = make_event(1, EventType::kHardwareException, false);  // #DB
    i.interruption_error = 0xDEAD;  // undefined without the valid bit; must not leak through
    e = decode_exit(i);
    EXPECT_EQ(e.exception.vector, 1);
    EXPECT_FALSE(e.exception.has_error);
    EXPECT_EQ(e.exception.error, 0u);
}

TEST(VmxExit, TripleFaultIsAShutdown) {
    EXPECT_EQ(decode_exit(info(ExitReason::kTripleFault)).kind, vmm::ExitKind::kShutdown);
}

TEST(VmxExit, InitSignal) {
    EXPECT_EQ(decode_exit(info(ExitReason::kInit)).kind, vmm::ExitKind::kInit);
}

TEST(VmxExit, SipiOutsideWaitForSipiIsUnhandled) {
    EXPECT_EQ(decode_exit(info(ExitReason::kSipi)).kind, vmm::ExitKind::kUnhandled);
}

TEST(VmxExit, EntryFailureBitMakesAnInvalidEntry) {
    ExitInfo i{};
    i.reason = kExitReasonEntryFailure | static_cast<std::uint32_t>(ExitReason::kInvalidGuestState);
    const vmm::Exit e = decode_exit(i);
    EXPECT_EQ(e.kind, vmm::ExitKind::kInvalidEntry);
    EXPECT_STREQ(e.raw_name, "invalid-guest-state");
}

TEST(VmxExit, VmxInstructionsAreIllegalForGuests) {
    for (ExitReason r :
         {ExitReason::kVmclear, ExitReason::kVmlaunch, ExitReason::kVmptrld, ExitReason::kVmptrst,
          ExitReason::kVmread, ExitReason::kVmresume, ExitReason::kVmwrite, ExitReason::kVmxoff,
          ExitReason::kVmxon, ExitReason::kInvept, ExitReason::kInvvpid}) {
        EXPECT_EQ(decode_exit(info(r)).kind, vmm::ExitKind::kIllegalInstruction)
            << exit_reason_name(static_cast<std::uint32_t>(r));
    }
}

TEST(VmxExit, MonitorAndMwaitAreIllegal) {
    EXPECT_EQ(decode_exit(info(ExitReason::kMonitor)).kind, vmm::ExitKind::kIllegalInstruction);
    EXPECT_EQ(decode_exit(info(ExitReason::kMwait)).kind, vmm::ExitKind::kIllegalInstruction);
}

TEST(VmxExit, InvdAndWbinvdAreSkipped) {
    const vmm::Exit e = decode_exit(info(ExitReason::kWbinvd, 0, 2));
    EXPECT_EQ(e.kind, vmm::ExitKind::kNoOp);
    EXPECT_EQ(e.insn_len, 2);
    EXPECT_EQ(decode_exit(info(ExitReason::kInvd, 0, 2)).kind, vmm::ExitKind::kNoOp);
}

TEST(VmxExit, UnknownReasonIsUnhandledWithItsRawValue) {
    const vmm::Exit e = decode_exit(info(ExitReason::kEptMisconfiguration, 0, 0));
    EXPECT_EQ(e.kind, vmm::ExitKind::kUnhandled);
    EXPECT_EQ(e.raw_reason, 49u);
}

TEST(VmxExit, XsetbvGoesToTheGenericHandlerWithItsLength) {
    const vmm::Exit e = decode_exit(info(ExitReason::kXsetbv, 0, 3));
    EXPECT_EQ(e.kind, vmm::ExitKind::kXsetbv);
    EXPECT_EQ(e.insn_len, 3u);
}

// SDM vol. 3C table 28-3: MOV CR4, EAX is CR 4, type 0, register 0.
TEST(VmxExit, CrAccessQualificationDecodes) {
    const CrAccess a = decode_cr_access(0x0304);  // MOV CR4, RBX
    EXPECT_EQ(a.cr, 4);
    EXPECT_EQ(a.type, CrAccessType::kMovToCr);
    EXPECT_EQ(a.gpr, 3);
    EXPECT_EQ(decode_cr_access(0x0030).type, CrAccessType::kLmsw);
}

constexpr FixedBits kCr0Guest{kCr0Ne, 0xFFFF'FFFF};
constexpr FixedBits kCr4Guest{kCr4Vmxe, 0x0037'27FF};

TEST(VmxExit, GuestSettingCr4VmxeGetsGp) {
    const ShadowedCr cr4 = shadow_cr(0x20, kCr4Guest);
    EXPECT_EQ(decide_cr_write(4, 0x20 | kCr4Vmxe, cr4, kCr4Guest).action, CrWriteAction::kInjectGp);
}

TEST(VmxExit, GuestClearingCr0NeIsCompletedWithNeStillSet) {
    const ShadowedCr cr0 = shadow_cr(kCr0Pe | kCr0Ne | 0x10, kCr0Guest);
    const CrWriteOutcome o = decide_cr_write(0, kCr0Pe | 0x10, cr0, kCr0Guest);
    EXPECT_EQ(o.action, CrWriteAction::kApply);
    EXPECT_EQ(o.next.actual, kCr0Pe | kCr0Ne | 0x10);
    EXPECT_EQ(o.next.guest_view(), kCr0Pe | 0x10);
}

TEST(VmxExit, Cr0NeChangeTogetherWithPagingIsNotEmulated) {
    const ShadowedCr cr0 = shadow_cr(kCr0Pe | kCr0Ne, kCr0Guest);
    EXPECT_EQ(decide_cr_write(0, kCr0Pe | kCr0Pg, cr0, kCr0Guest).action,
              CrWriteAction::kUnsupported);
}

}  // namespace
}  // namespace hv::vmx
