#include "arch/x86/svm/svm_exit.hpp"

#include <gtest/gtest.h>

#include "arch/x86/svm/exit_code.hpp"

namespace hv::svm {
namespace {

vmm::Exit decode(const VmcbControl& c, std::uint64_t rip, bool nrip = true) {
    vmm::Exit e{};
    decode_exit(c, rip, nrip, e);
    return e;
}

TEST(SvmExit, CpuidLengthComesFromNextRip) {
    VmcbControl c{};
    c.exit_code = static_cast<std::uint64_t>(ExitCode::kCpuid);
    c.next_rip = 0x1002;
    const vmm::Exit e = decode(c, 0x1000);
    EXPECT_EQ(e.kind, vmm::ExitKind::kCpuid);
    EXPECT_EQ(e.insn_len, 2);
}

TEST(SvmExit, WithoutNripsTheKnownLengthIsUsed) {
    VmcbControl c{};
    c.exit_code = static_cast<std::uint64_t>(ExitCode::kVmmcall);
    EXPECT_EQ(decode(c, 0x1000, false).insn_len, 3);
}

// APM vol. 2 figure 15-2: port in bits 31:16, SZ32 bit 6, TYPE (in) bit 0; EXITINFO2 = next RIP.
TEST(SvmExit, IoioInfoDecodesPortSizeAndDirection) {
    VmcbControl c{};
    c.exit_code = static_cast<std::uint64_t>(ExitCode::kIoio);
    c.exit_info1 = (0x3FDull << 16) | (1u << 4) | 1u;
    c.exit_info2 = 0x2001;
    const vmm::Exit e = decode(c, 0x2000);
    EXPECT_EQ(e.kind, vmm::ExitKind::kIo);
    EXPECT_EQ(e.io.port, 0x3FD);
    EXPECT_EQ(e.io.size, 1);
    EXPECT_TRUE(e.io.in);
    EXPECT_FALSE(e.io.string);
    EXPECT_EQ(e.insn_len, 1);
}

TEST(SvmExit, NestedPageFaultCarriesAddressAndAccess) {
    VmcbControl c{};
    c.exit_code = static_cast<std::uint64_t>(ExitCode::kNpf);
    c.exit_info1 = npf::kWrite | npf::kFinalTranslation;
    c.exit_info2 = 0x4000000;
    const vmm::Exit e = decode(c, 0);
    EXPECT_EQ(e.kind, vmm::ExitKind::kMemory);
    EXPECT_EQ(e.memory.gpa, 0x4000000u);
    EXPECT_TRUE(e.memory.write);
    EXPECT_FALSE(e.memory.present);
}

TEST(SvmExit, MsrDirectionComesFromExitInfoOne) {
    VmcbControl c{};
    c.exit_code = static_cast<std::uint64_t>(ExitCode::kMsr);
    c.exit_info1 = 1;
    EXPECT_EQ(decode(c, 0).kind, vmm::ExitKind::kMsrWrite);
    c.exit_info1 = 0;
    EXPECT_EQ(decode(c, 0).kind, vmm::ExitKind::kMsrRead);
}

TEST(SvmExit, ExceptionExitCarriesVectorAndErrorCode) {
    VmcbControl c{};
    c.exit_code = static_cast<std::uint64_t>(ExitCode::kExceptionBase) + 17;  // #AC
    c.exit_info1 = 0;
    const vmm::Exit e = decode(c, 0);
    EXPECT_EQ(e.kind, vmm::ExitKind::kException);
    EXPECT_EQ(e.exception.vector, 17);
    EXPECT_TRUE(e.exception.has_error);
}

TEST(SvmExit, GuestUseOfSvmInstructionsIsIllegal) {
    VmcbControl c{};
    c.exit_code = static_cast<std::uint64_t>(ExitCode::kVmrun);
    EXPECT_EQ(decode(c, 0).kind, vmm::ExitKind::kIllegalInstruction);
}

TEST(SvmExit, ShutdownMeansTripleFault) {
    VmcbControl c{};
    c.exit_code = static_cast<std::uint64_t>(ExitCode::kShutdown);
    EXPECT_EQ(decode(c, 0).kind, vmm::ExitKind::kShutdown);
}

TEST(SvmExit, InvalidStateAndUnknownCodesAreNamedForTheLog) {
    VmcbControl c{};
    c.exit_code = static_cast<std::uint64_t>(ExitCode::kInvalid);
    vmm::Exit e = decode(c, 0);
    EXPECT_EQ(e.kind, vmm::ExitKind::kInvalidEntry);
    EXPECT_STREQ(e.raw_name, "invalid-state");
    c.exit_code = 0x90;
    e = decode(c, 0);
    EXPECT_EQ(e.kind, vmm::ExitKind::kUnhandled);
    EXPECT_STREQ(e.raw_name, "other");
}

}  // namespace
}  // namespace hv::svm
