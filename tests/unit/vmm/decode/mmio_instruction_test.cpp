#include "vmm/decode/mmio_instruction.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <vector>

// Byte sequences are what GCC and Clang emit for Linux's MMIO accessors (readl/writel and
// friends in arch/x86/include/asm/io.h) and for common driver code, plus real-mode firmware forms.

namespace hv::vmm::decode {
namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int v : values) out.push_back(static_cast<std::byte>(v));
    return out;
}

Result<MmioAccess> decode_bytes(std::initializer_list<int> values, CpuMode mode = CpuMode::k64) {
    const std::vector<std::byte> b = bytes_of(values);
    return decode(Bytes(b.data(), b.size()), mode);
}

MmioAccess decode_ok(std::initializer_list<int> values, CpuMode mode = CpuMode::k64) {
    auto r = decode_bytes(values, mode);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what);
    return r.ok() ? r.value() : MmioAccess{};
}

Errc decode_error(std::initializer_list<int> values, CpuMode mode = CpuMode::k64) {
    auto r = decode_bytes(values, mode);
    EXPECT_FALSE(r.ok());
    return r.ok() ? Errc::kTimeout : r.error().code;  // kTimeout: never produced by decode()
}

TEST(MmioDecode, CpuModeFollowsLmaCsLAndCsD) {
    EXPECT_EQ(cpu_mode(true, true, false), CpuMode::k64);
    EXPECT_EQ(cpu_mode(true, false, true), CpuMode::k32);   // compatibility mode
    EXPECT_EQ(cpu_mode(true, false, false), CpuMode::k16);  // 16-bit compatibility mode
    EXPECT_EQ(cpu_mode(false, true, true), CpuMode::k32);   // CS.L means nothing without LMA
    EXPECT_EQ(cpu_mode(false, false, false), CpuMode::k16);
}

// --- MOV loads and stores -----------------------------------------------------------------------

TEST(MmioDecode, ReadlThroughRdiIsADwordLoadIntoEax) {
    const MmioAccess a = decode_ok({0x8b, 0x07});  // mov eax, [rdi]
    EXPECT_EQ(a.kind, MmioKind::kLoad);
    EXPECT_EQ(a.size, 4);
    EXPECT_EQ(a.operand_size, 4);
    EXPECT_EQ(a.reg, 0);
    EXPECT_FALSE(a.high_byte);
    EXPECT_EQ(a.length, 2);
    EXPECT_EQ(a.address_size, 8);
    EXPECT_EQ(a.segment_override, SegmentReg::kNone);
    EXPECT_EQ(a.rep, RepPrefix::kNone);
    EXPECT_FALSE(a.lock);
    EXPECT_FALSE(a.has_immediate);
}

TEST(MmioDecode, ReadlWithDisp8IsThreeBytes) {
    const MmioAccess a = decode_ok({0x8b, 0x40, 0x30});  // mov eax, [rax+0x30]
    EXPECT_EQ(a.kind, MmioKind::kLoad);
    EXPECT_EQ(a.length, 3);
}

TEST(MmioDecode, WritelWithDisp8StoresEdx) {
    const MmioAccess a = decode_ok({0x89, 0x50, 0x30});  // mov [rax+0x30], edx
    EXPECT_EQ(a.kind, MmioKind::kStore);
    EXPECT_EQ(a.size, 4);
    EXPECT_EQ(a.reg, 2);
    EXPECT_EQ(a.length, 3);
}

TEST(MmioDecode, WritelThroughRdiStoresEax) {
    const MmioAccess a = decode_ok({0x89, 0x07});  // mov [rdi], eax
    EXPECT_EQ(a.kind, MmioKind::kStore);
    EXPECT_EQ(a.reg, 0);
    EXPECT_EQ(a.length, 2);
}

TEST(MmioDecode, Disp32AddressingIsSixBytes) {
    const MmioAccess a = decode_ok({0x8b, 0x87, 0x00, 0x01, 0x00, 0x00});  // mov eax, [rdi+0x100]
    EXPECT_EQ(a.reg, 0);
    EXPECT_EQ(a.length, 6);
}

TEST(MmioDecode, RexWLoadIsEightBytes) {
    const MmioAccess a = decode_ok({0x48, 0x8b, 0x07});  // readq: mov rax, [rdi]
    EXPECT_EQ(a.size, 8);
    EXPECT_EQ(a.length, 3);
}

TEST(MmioDecode, OperandSizePrefixMakesAWordStore) {
    const MmioAccess a = decode_ok({0x66, 0x89, 0x37});  // writew: mov [rdi], si
    EXPECT_EQ(a.kind, MmioKind::kStore);
    EXPECT_EQ(a.size, 2);
    EXPECT_EQ(a.reg, 6);
    EXPECT_EQ(a.length, 3);
}

TEST(MmioDecode, RexWOverridesOperandSizePrefix) {
    const MmioAccess a = decode_ok({0x66, 0x48, 0x89, 0x07});
    EXPECT_EQ(a.size, 8);
    EXPECT_EQ(a.length, 4);
}

TEST(MmioDecode, RexBeforeALegacyPrefixIsIgnored) {
    // 48 66 89 07: the REX does not directly precede the opcode, so it is dropped and 66 rules.
    const MmioAccess a = decode_ok({0x48, 0x66, 0x89, 0x07});
    EXPECT_EQ(a.size, 2);
    EXPECT_EQ(a.length, 4);
}

TEST(MmioDecode, RexRSelectsR8ToR15AsRegisterOperand) {
    const MmioAccess a = decode_ok({0x44, 0x8b, 0x47, 0x10});  // mov r8d, [rdi+0x10]
    EXPECT_EQ(a.reg, 8);
    EXPECT_EQ(a.size, 4);
    EXPECT_EQ(a.length, 4);
}

TEST(MmioDecode, R12BaseNeedsASibByte) {
    const MmioAccess a = decode_ok({0x45, 0x89, 0x0c, 0x24});  // mov [r12], r9d
    EXPECT_EQ(a.kind, MmioKind::kStore);
    EXPECT_EQ(a.reg, 9);
    EXPECT_EQ(a.length, 4);
}

TEST(MmioDecode, R13BaseWithZeroDisplacementIsNotRipRelative) {
    const MmioAccess a = decode_ok({0x41, 0x8b, 0x45, 0x00});  // mov eax, [r13+0]
    EXPECT_EQ(a.reg, 0);
    EXPECT_EQ(a.length, 4);
}

TEST(MmioDecode, RexBDoesNotChangeRipRelativeLength) {
    // mod=00 rm=101 stays RIP-relative with REX.B set (SDM vol. 2A table 2-5).
    const MmioAccess a = decode_ok({0x41, 0x8b, 0x05, 0x10, 0x20, 0x30, 0x00});
    EXPECT_EQ(a.length, 7);
}

TEST(MmioDecode, RexXIndexWithSibIsFourBytes) {
    const MmioAccess a = decode_ok({0x42, 0x8b, 0x04, 0xa1});  // mov eax, [rcx+r12*4]
    EXPECT_EQ(a.reg, 0);
    EXPECT_EQ(a.length, 4);
}

TEST(MmioDecode, RexWAndRLoadR15FromStack) {
    const MmioAccess a = decode_ok({0x4c, 0x8b, 0x3c, 0x24});  // mov r15, [rsp]
    EXPECT_EQ(a.reg, 15);
    EXPECT_EQ(a.size, 8);
    EXPECT_EQ(a.length, 4);
}

TEST(MmioDecode, SibWithoutBaseCarriesDisp32) {
    const MmioAccess a =
        decode_ok({0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00});  // mov eax, [0x1000]
    EXPECT_EQ(a.length, 7);
}

TEST(MmioDecode, SibWithDisp32AfterRspBaseIsSevenBytes) {
    const MmioAccess a = decode_ok({0x8b, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00});  // [rsp+0x100]
    EXPECT_EQ(a.length, 7);
}

TEST(MmioDecode, RipRelativeLoadIsSixBytes) {
    const MmioAccess a = decode_ok({0x8b, 0x05, 0xf0, 0xff, 0xff, 0xff});  // mov eax, [rip-0x10]
    EXPECT_EQ(a.kind, MmioKind::kLoad);
    EXPECT_EQ(a.length, 6);
}

TEST(MmioDecode, RipRelativeStoreImmediateCountsDisplacementAndImmediate) {
    // movl $1, dev_reg(%rip)
    const MmioAccess a = decode_ok({0xc7, 0x05, 0xf0, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00});
    EXPECT_EQ(a.kind, MmioKind::kStoreImmediate);
    EXPECT_EQ(a.immediate, 1u);
    EXPECT_EQ(a.length, 10);
}

TEST(MmioDecode, ByteLoadWithoutRexNamesAh) {
    const MmioAccess a = decode_ok({0x8a, 0x67, 0x01});  // mov ah, [rdi+1]
    EXPECT_EQ(a.size, 1);
    EXPECT_EQ(a.reg, 0);
    EXPECT_TRUE(a.high_byte);
}

TEST(MmioDecode, ByteStoreWithoutRexNamesDh) {
    const MmioAccess a = decode_ok({0x88, 0x37});  // mov [rdi], dh
    EXPECT_EQ(a.reg, 2);
    EXPECT_TRUE(a.high_byte);
}

TEST(MmioDecode, ByteStoreWithEmptyRexNamesSil) {
    const MmioAccess a = decode_ok({0x40, 0x88, 0x37});  // writeb: mov [rdi], sil
    EXPECT_EQ(a.kind, MmioKind::kStore);
    EXPECT_EQ(a.reg, 6);
    EXPECT_FALSE(a.high_byte);
    EXPECT_EQ(a.length, 3);
}

TEST(MmioDecode, ByteLoadIntoR9bUsesRexR) {
    const MmioAccess a = decode_ok({0x44, 0x8a, 0x0f});  // mov r9b, [rdi]
    EXPECT_EQ(a.reg, 9);
    EXPECT_FALSE(a.high_byte);
}

TEST(MmioDecode, AddressSizePrefixIn64BitModeGivesFourByteAddresses) {
    const MmioAccess a = decode_ok({0x67, 0x8b, 0x07});  // mov eax, [edi]
    EXPECT_EQ(a.address_size, 4);
    EXPECT_EQ(a.length, 3);
}

// --- MOV immediate
// --------------------------------------------------------------------------------

TEST(MmioDecode, StoreImmediateDwordCarriesTheImmediate) {
    const MmioAccess a =
        decode_ok({0xc7, 0x07, 0x78, 0x56, 0x34, 0x12});  // movl $0x12345678,(%rdi)
    EXPECT_EQ(a.kind, MmioKind::kStoreImmediate);
    EXPECT_EQ(a.size, 4);
    EXPECT_TRUE(a.has_immediate);
    EXPECT_EQ(a.immediate, 0x12345678u);
    EXPECT_EQ(a.length, 6);
}

TEST(MmioDecode, StoreImmediateByteIsThreeBytes) {
    const MmioAccess a = decode_ok({0xc6, 0x07, 0xff});  // movb $0xff, (%rdi)
    EXPECT_EQ(a.size, 1);
    EXPECT_EQ(a.immediate, 0xffu);
    EXPECT_EQ(a.length, 3);
}

TEST(MmioDecode, StoreImmediateWordTakesImm16) {
    const MmioAccess a = decode_ok({0x66, 0xc7, 0x07, 0x34, 0x12});  // movw $0x1234, (%rdi)
    EXPECT_EQ(a.size, 2);
    EXPECT_EQ(a.immediate, 0x1234u);
    EXPECT_EQ(a.length, 5);
}

TEST(MmioDecode, StoreImmediateQwordSignExtendsImm32) {
    const MmioAccess a = decode_ok({0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff});  // movq $-1,(%rdi)
    EXPECT_EQ(a.size, 8);
    EXPECT_EQ(a.immediate, ~std::uint64_t{0});
    EXPECT_EQ(a.length, 7);
}

TEST(MmioDecode, StoreImmediateDwordDoesNotSignExtendPastItsSize) {
    const MmioAccess a = decode_ok({0xc7, 0x07, 0x00, 0x00, 0x00, 0x80});
    EXPECT_EQ(a.immediate, 0x80000000u);
}

TEST(MmioDecode, GroupElevenOtherThanMovIsUnsupported) {
    EXPECT_EQ(decode_error({0xc7, 0x0f, 0, 0, 0, 0}), Errc::kUnsupported);  // C7 /1
}

// --- MOVZX / MOVSX -----------------------------------------------------------------------------

TEST(MmioDecode, Ioread8IsMovzxByteIntoEax) {
    const MmioAccess a = decode_ok({0x0f, 0xb6, 0x07});  // movzbl (%rdi), %eax
    EXPECT_EQ(a.kind, MmioKind::kLoadZeroExtend);
    EXPECT_EQ(a.size, 1);
    EXPECT_EQ(a.operand_size, 4);
    EXPECT_EQ(a.reg, 0);
    EXPECT_EQ(a.length, 3);
}

TEST(MmioDecode, MovzxWordFromMemoryZeroExtendsIntoEax) {
    const MmioAccess a = decode_ok({0x0f, 0xb7, 0x47, 0x02});  // movzwl 2(%rdi), %eax
    EXPECT_EQ(a.kind, MmioKind::kLoadZeroExtend);
    EXPECT_EQ(a.size, 2);
    EXPECT_EQ(a.operand_size, 4);
    EXPECT_EQ(a.length, 4);
}

TEST(MmioDecode, MovzxIntoR8dUsesRexR) {
    const MmioAccess a = decode_ok({0x44, 0x0f, 0xb7, 0x47, 0x02});
    EXPECT_EQ(a.reg, 8);
    EXPECT_EQ(a.length, 5);
}

TEST(MmioDecode, MovzxByteIntoEspIsNotAHighByteRegister) {
    const MmioAccess a = decode_ok({0x0f, 0xb6, 0x27});  // movzbl (%rdi), %esp
    EXPECT_EQ(a.reg, 4);
    EXPECT_FALSE(a.high_byte);
}

TEST(MmioDecode, MovzxWithOperandSizePrefixWritesAx) {
    const MmioAccess a = decode_ok({0x66, 0x0f, 0xb6, 0x07});  // movzbw (%rdi), %ax
    EXPECT_EQ(a.operand_size, 2);
    EXPECT_EQ(a.size, 1);
}

TEST(MmioDecode, MovsxByteIsSignExtendingLoad) {
    const MmioAccess a = decode_ok({0x0f, 0xbe, 0x07});  // movsbl (%rdi), %eax
    EXPECT_EQ(a.kind, MmioKind::kLoadSignExtend);
    EXPECT_EQ(a.size, 1);
    EXPECT_EQ(a.operand_size, 4);
}

TEST(MmioDecode, MovsxWordIntoRaxWithRexW) {
    const MmioAccess a = decode_ok({0x48, 0x0f, 0xbf, 0x07});  // movswq (%rdi), %rax
    EXPECT_EQ(a.kind, MmioKind::kLoadSignExtend);
    EXPECT_EQ(a.size, 2);
    EXPECT_EQ(a.operand_size, 8);
    EXPECT_EQ(a.length, 4);
}

// --- moffs ---------------------------------------------------------------------------------------

TEST(MmioDecode, MoffsLoadIn64BitModeHasAnEightByteOffset) {
    const MmioAccess a = decode_ok({0xa1, 0x00, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00});
    EXPECT_EQ(a.kind, MmioKind::kLoad);
    EXPECT_EQ(a.reg, 0);
    EXPECT_EQ(a.size, 4);
    EXPECT_EQ(a.length, 9);
}

TEST(MmioDecode, MoffsStoreOfRaxIsTenBytes) {
    const MmioAccess a = decode_ok({0x48, 0xa3, 0, 0, 0xe0, 0xfe, 0, 0, 0, 0});
    EXPECT_EQ(a.kind, MmioKind::kStore);
    EXPECT_EQ(a.size, 8);
    EXPECT_EQ(a.length, 10);
}

TEST(MmioDecode, MoffsWithAddressSizePrefixIn64BitModeHasAFourByteOffset) {
    const MmioAccess a = decode_ok({0x67, 0xa1, 0x00, 0x00, 0xe0, 0xfe});
    EXPECT_EQ(a.length, 6);
}

TEST(MmioDecode, MoffsIn32BitModeHasAFourByteOffset) {
    const MmioAccess a = decode_ok({0xa1, 0x00, 0x00, 0xe0, 0xfe}, CpuMode::k32);  // LAPIC read
    EXPECT_EQ(a.kind, MmioKind::kLoad);
    EXPECT_EQ(a.size, 4);
    EXPECT_EQ(a.length, 5);
}

TEST(MmioDecode, MoffsByteStoreIn16BitModeHasATwoByteOffset) {
    const MmioAccess a = decode_ok({0xa2, 0x34, 0x12}, CpuMode::k16);  // mov [0x1234], al
    EXPECT_EQ(a.kind, MmioKind::kStore);
    EXPECT_EQ(a.size, 1);
    EXPECT_FALSE(a.high_byte);
    EXPECT_EQ(a.length, 3);
}

// --- 32-bit and 16-bit modes ---------------------------------------------------------------------

TEST(MmioDecode, In32BitModeTheOperandSizePrefixSelectsWords) {
    const MmioAccess a = decode_ok({0x66, 0x8b, 0x07}, CpuMode::k32);
    EXPECT_EQ(a.size, 2);
    EXPECT_EQ(a.address_size, 4);
}

TEST(MmioDecode, In32BitModeFortyEightIsDecEaxNotRex) {
    EXPECT_EQ(decode_error({0x48, 0x8b, 0x07}, CpuMode::k32), Errc::kUnsupported);
}

TEST(MmioDecode, In32BitModeAddressSizePrefixUsesSixteenBitForms) {
    const MmioAccess a = decode_ok({0x67, 0x8b, 0x06, 0x34, 0x12}, CpuMode::k32);  // [0x1234]
    EXPECT_EQ(a.address_size, 2);
    EXPECT_EQ(a.length, 5);
}

TEST(MmioDecode, In32BitModeDisp32WithoutBaseIsAbsolute) {
    const MmioAccess a = decode_ok({0x89, 0x15, 0x00, 0x03, 0xe0, 0xfe}, CpuMode::k32);
    EXPECT_EQ(a.reg, 2);
    EXPECT_EQ(a.length, 6);
}

TEST(MmioDecode, RealModeLoadThroughBxIsAWord) {
    const MmioAccess a = decode_ok({0x8b, 0x07}, CpuMode::k16);  // mov ax, [bx]
    EXPECT_EQ(a.size, 2);
    EXPECT_EQ(a.address_size, 2);
    EXPECT_EQ(a.length, 2);
}

TEST(MmioDecode, RealModeDirectAddressTakesDisp16) {
    const MmioAccess a = decode_ok({0x8b, 0x06, 0x34, 0x12}, CpuMode::k16);  // mov ax, [0x1234]
    EXPECT_EQ(a.length, 4);
}

TEST(MmioDecode, RealModeRmFiveIsDiNotDisp32) {
    const MmioAccess a = decode_ok({0x8b, 0x05}, CpuMode::k16);  // mov ax, [di]
    EXPECT_EQ(a.length, 2);
}

TEST(MmioDecode, RealModeDisp8AndDisp16Forms) {
    EXPECT_EQ(decode_ok({0x8b, 0x47, 0x10}, CpuMode::k16).length, 3);        // [bx+0x10]
    EXPECT_EQ(decode_ok({0x8b, 0x87, 0x00, 0x10}, CpuMode::k16).length, 4);  // [bx+0x1000]
}

TEST(MmioDecode, RealModeByteLoadIntoAhIsHighByte) {
    const MmioAccess a = decode_ok({0x8a, 0x26, 0x34, 0x12}, CpuMode::k16);  // mov ah, [0x1234]
    EXPECT_EQ(a.reg, 0);
    EXPECT_TRUE(a.high_byte);
    EXPECT_EQ(a.length, 4);
}

TEST(MmioDecode, RealModeAddressSizePrefixUsesThirtyTwoBitForms) {
    // mov eax, [0xb8000] with 66 67 in real mode ("unreal" firmware code)
    const MmioAccess a = decode_ok({0x66, 0x67, 0x8b, 0x05, 0x00, 0x80, 0x0b, 0x00}, CpuMode::k16);
    EXPECT_EQ(a.size, 4);
    EXPECT_EQ(a.address_size, 4);
    EXPECT_EQ(a.length, 8);
}

TEST(MmioDecode, RealModeAddressSizePrefixAllowsSib) {
    const MmioAccess a = decode_ok({0x67, 0x8b, 0x04, 0x24}, CpuMode::k16);  // mov ax, [esp]
    EXPECT_EQ(a.length, 4);
}

TEST(MmioDecode, RealModeStoreImmediateWordIsSixBytes) {
    // mov word [es:0x0010], 0x1234
    const MmioAccess a = decode_ok({0x26, 0xc7, 0x06, 0x10, 0x00, 0x34, 0x12}, CpuMode::k16);
    EXPECT_EQ(a.kind, MmioKind::kStoreImmediate);
    EXPECT_EQ(a.segment_override, SegmentReg::kEs);
    EXPECT_EQ(a.immediate, 0x1234u);
    EXPECT_EQ(a.length, 7);
}

// --- Segment, REP and LOCK prefixes
// ---------------------------------------------------------------

TEST(MmioDecode, FsOverrideIsReported) {
    const MmioAccess a = decode_ok({0x64, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00});
    EXPECT_EQ(a.segment_override, SegmentReg::kFs);
    EXPECT_EQ(a.length, 8);
}

TEST(MmioDecode, DsOverrideIsIgnoredIn64BitMode) {
    const MmioAccess a = decode_ok({0x3e, 0x8b, 0x07});
    EXPECT_EQ(a.segment_override, SegmentReg::kNone);
    EXPECT_EQ(a.length, 3);
}

TEST(MmioDecode, CsOverrideIsReportedIn32BitMode) {
    EXPECT_EQ(decode_ok({0x2e, 0x8b, 0x07}, CpuMode::k32).segment_override, SegmentReg::kCs);
}

TEST(MmioDecode, RepOnAPlainMovIsAHintNotARepeat) {
    const MmioAccess a = decode_ok({0xf3, 0x89, 0x07});  // xrelease mov
    EXPECT_EQ(a.kind, MmioKind::kStore);
    EXPECT_EQ(a.rep, RepPrefix::kNone);
    EXPECT_EQ(a.length, 3);
}

TEST(MmioDecode, LockedAddIsAccepted) {
    const MmioAccess a = decode_ok({0xf0, 0x83, 0x07, 0x01});  // lock addl $1, (%rdi)
    EXPECT_TRUE(a.lock);
    EXPECT_EQ(a.alu, AluOp::kAdd);
    EXPECT_EQ(a.length, 4);
}

TEST(MmioDecode, LockedXchgIsAccepted) { EXPECT_TRUE(decode_ok({0xf0, 0x87, 0x07}).lock); }

TEST(MmioDecode, LockOnMovIsInvalid) {
    EXPECT_EQ(decode_error({0xf0, 0x89, 0x07}), Errc::kInvalid);
}

TEST(MmioDecode, LockOnCmpIsInvalid) {
    EXPECT_EQ(decode_error({0xf0, 0x83, 0x3f, 0x00}), Errc::kInvalid);
    EXPECT_EQ(decode_error({0xf0, 0x39, 0x07}), Errc::kInvalid);
}

TEST(MmioDecode, LockOnRegisterDestinationIsInvalid) {
    EXPECT_EQ(decode_error({0xf0, 0x0b, 0x07}), Errc::kInvalid);  // lock or eax, [rdi]
}

TEST(MmioDecode, LockOnStringMoveIsInvalid) {
    EXPECT_EQ(decode_error({0xf0, 0xa5}), Errc::kInvalid);
}

TEST(MmioDecode, LockOnTestAndMovzxIsInvalid) {
    EXPECT_EQ(decode_error({0xf0, 0x85, 0x07}), Errc::kInvalid);
    EXPECT_EQ(decode_error({0xf0, 0x0f, 0xb6, 0x07}), Errc::kInvalid);
}

// --- String forms
// ---------------------------------------------------------------------------------

TEST(MmioDecode, RepMovsdIn32BitMode) {
    const MmioAccess a = decode_ok({0xf3, 0xa5}, CpuMode::k32);
    EXPECT_EQ(a.kind, MmioKind::kMovs);
    EXPECT_EQ(a.size, 4);
    EXPECT_EQ(a.rep, RepPrefix::kRep);
    EXPECT_EQ(a.address_size, 4);
    EXPECT_EQ(a.length, 2);
}

TEST(MmioDecode, RepMovsqWithRexW) {
    const MmioAccess a = decode_ok({0xf3, 0x48, 0xa5});  // memcpy_toio's rep movsq
    EXPECT_EQ(a.kind, MmioKind::kMovs);
    EXPECT_EQ(a.size, 8);
    EXPECT_EQ(a.length, 3);
}

TEST(MmioDecode, RepStosbIsAByteStore) {
    const MmioAccess a = decode_ok({0xf3, 0xaa});  // memset_io
    EXPECT_EQ(a.kind, MmioKind::kStos);
    EXPECT_EQ(a.size, 1);
    EXPECT_EQ(a.reg, 0);
    EXPECT_EQ(a.rep, RepPrefix::kRep);
}

TEST(MmioDecode, RepneOnStosIsRecorded) {
    EXPECT_EQ(decode_ok({0xf2, 0xab}).rep, RepPrefix::kRepne);
}

TEST(MmioDecode, LodswWithoutRep) {
    const MmioAccess a = decode_ok({0x66, 0xad});
    EXPECT_EQ(a.kind, MmioKind::kLods);
    EXPECT_EQ(a.size, 2);
    EXPECT_EQ(a.rep, RepPrefix::kNone);
    EXPECT_EQ(a.length, 2);
}

TEST(MmioDecode, RealModeRepMovsbWithAddressSizePrefixUsesEsiEdi) {
    const MmioAccess a = decode_ok({0x67, 0xf3, 0xa4}, CpuMode::k16);
    EXPECT_EQ(a.size, 1);
    EXPECT_EQ(a.address_size, 4);
    EXPECT_EQ(a.length, 3);
}

TEST(MmioDecode, SegmentOverrideOnLodsIsReported) {
    EXPECT_EQ(decode_ok({0x26, 0xac}, CpuMode::k32).segment_override, SegmentReg::kEs);
}

// --- ALU with memory
// -------------------------------------------------------------------------------

TEST(MmioDecode, OrRegisterIntoMemory) {
    const MmioAccess a = decode_ok({0x09, 0x07});  // or [rdi], eax
    EXPECT_EQ(a.kind, MmioKind::kAlu);
    EXPECT_EQ(a.alu, AluOp::kOr);
    EXPECT_EQ(a.alu_form, AluForm::kMemoryRegister);
    EXPECT_EQ(a.size, 4);
    EXPECT_EQ(a.length, 2);
}

TEST(MmioDecode, OrMemoryIntoByteRegister) {
    const MmioAccess a = decode_ok({0x0a, 0x4f, 0x04});  // or cl, [rdi+4]
    EXPECT_EQ(a.alu, AluOp::kOr);
    EXPECT_EQ(a.alu_form, AluForm::kRegisterMemory);
    EXPECT_EQ(a.size, 1);
    EXPECT_EQ(a.reg, 1);
    EXPECT_EQ(a.length, 3);
}

TEST(MmioDecode, AndRowDecodesAllFourForms) {
    EXPECT_EQ(decode_ok({0x20, 0x07}).size, 1);
    EXPECT_EQ(decode_ok({0x21, 0x47, 0x04}).alu_form, AluForm::kMemoryRegister);
    EXPECT_EQ(decode_ok({0x22, 0x07}).alu_form, AluForm::kRegisterMemory);
    const MmioAccess a = decode_ok({0x23, 0x07});
    EXPECT_EQ(a.alu, AluOp::kAnd);
    EXPECT_EQ(a.size, 4);
}

TEST(MmioDecode, CmpRowComparesInBothDirections) {
    EXPECT_EQ(decode_ok({0x39, 0x07}).alu_form, AluForm::kMemoryRegister);  // cmp [rdi], eax
    const MmioAccess a = decode_ok({0x3b, 0x07});                           // cmp eax, [rdi]
    EXPECT_EQ(a.alu, AluOp::kCmp);
    EXPECT_EQ(a.alu_form, AluForm::kRegisterMemory);
}

TEST(MmioDecode, AddSubXorRowsMapToTheirOperations) {
    EXPECT_EQ(decode_ok({0x01, 0x07}).alu, AluOp::kAdd);
    EXPECT_EQ(decode_ok({0x11, 0x07}).alu, AluOp::kAdc);
    EXPECT_EQ(decode_ok({0x19, 0x07}).alu, AluOp::kSbb);
    EXPECT_EQ(decode_ok({0x29, 0x07}).alu, AluOp::kSub);
    EXPECT_EQ(decode_ok({0x31, 0x07}).alu, AluOp::kXor);
}

TEST(MmioDecode, GroupOneOrWithImm8SignExtends) {
    const MmioAccess a = decode_ok({0x83, 0x27, 0xfe});  // andl $-2, (%rdi)
    EXPECT_EQ(a.alu, AluOp::kAnd);
    EXPECT_EQ(a.alu_form, AluForm::kMemoryImmediate);
    EXPECT_EQ(a.immediate, 0xfffffffeu);
    EXPECT_EQ(a.length, 3);
}

TEST(MmioDecode, GroupOneWithRexWSignExtendsImm8ToSixtyFourBits) {
    EXPECT_EQ(decode_ok({0x48, 0x83, 0x27, 0xfe}).immediate, 0xfffffffffffffffeu);
}

TEST(MmioDecode, GroupOneWithImm32) {
    const MmioAccess a = decode_ok({0x81, 0x4f, 0x10, 0x00, 0x00, 0x00, 0x80});  // orl $0x80000000
    EXPECT_EQ(a.alu, AluOp::kOr);
    EXPECT_EQ(a.immediate, 0x80000000u);
    EXPECT_EQ(a.length, 7);
}

TEST(MmioDecode, GroupOneWordWithImm16) {
    const MmioAccess a = decode_ok({0x66, 0x81, 0x27, 0xff, 0x7f});  // andw $0x7fff, (%rdi)
    EXPECT_EQ(a.size, 2);
    EXPECT_EQ(a.immediate, 0x7fffu);
    EXPECT_EQ(a.length, 5);
}

TEST(MmioDecode, GroupOneByteWithImm8) {
    const MmioAccess a = decode_ok({0x80, 0x0f, 0x01});  // orb $1, (%rdi)
    EXPECT_EQ(a.size, 1);
    EXPECT_EQ(a.immediate, 1u);
}

TEST(MmioDecode, GroupOneCmpWithZero) {
    const MmioAccess a = decode_ok({0x83, 0x3f, 0x00});  // cmpl $0, (%rdi)
    EXPECT_EQ(a.alu, AluOp::kCmp);
    EXPECT_EQ(a.immediate, 0u);
}

TEST(MmioDecode, TestMemoryWithRegister) {
    const MmioAccess a = decode_ok({0x85, 0x07});
    EXPECT_EQ(a.alu, AluOp::kTest);
    EXPECT_EQ(a.alu_form, AluForm::kMemoryRegister);
}

TEST(MmioDecode, TestByteImmediate) {
    const MmioAccess a = decode_ok({0xf6, 0x47, 0x05, 0x80});  // testb $0x80, 5(%rdi)
    EXPECT_EQ(a.alu, AluOp::kTest);
    EXPECT_EQ(a.alu_form, AluForm::kMemoryImmediate);
    EXPECT_EQ(a.size, 1);
    EXPECT_EQ(a.immediate, 0x80u);
    EXPECT_EQ(a.length, 4);
}

TEST(MmioDecode, TestDwordImmediate) {
    const MmioAccess a = decode_ok({0xf7, 0x07, 0x00, 0x00, 0x01, 0x00});
    EXPECT_EQ(a.immediate, 0x10000u);
    EXPECT_EQ(a.length, 6);
}

TEST(MmioDecode, GroupThreeNotIsUnsupported) {
    EXPECT_EQ(decode_error({0xf7, 0x17}), Errc::kUnsupported);
}

TEST(MmioDecode, XchgWithMemory) {
    const MmioAccess a = decode_ok({0x87, 0x07});
    EXPECT_EQ(a.kind, MmioKind::kXchg);
    EXPECT_EQ(a.size, 4);
    EXPECT_EQ(a.length, 2);
    EXPECT_EQ(decode_ok({0x86, 0x27}).high_byte, true);  // xchg [rdi], ah
}

// --- Refusals
// -------------------------------------------------------------------------------------

TEST(MmioDecode, EmptyInputIsTruncated) { EXPECT_EQ(decode_error({}), Errc::kNotFound); }

TEST(MmioDecode, MissingModrmIsTruncated) { EXPECT_EQ(decode_error({0x8b}), Errc::kNotFound); }

TEST(MmioDecode, MissingDisplacementIsTruncated) {
    EXPECT_EQ(decode_error({0x8b, 0x40}), Errc::kNotFound);
    EXPECT_EQ(decode_error({0x8b, 0x05, 0x00, 0x00, 0x00}), Errc::kNotFound);
}

TEST(MmioDecode, MissingImmediateIsTruncated) {
    EXPECT_EQ(decode_error({0xc7, 0x07, 0x01, 0x00}), Errc::kNotFound);
}

TEST(MmioDecode, MissingSibIsTruncated) { EXPECT_EQ(decode_error({0x8b, 0x04}), Errc::kNotFound); }

TEST(MmioDecode, LoneEscapeIsTruncated) { EXPECT_EQ(decode_error({0x0f}), Errc::kNotFound); }

TEST(MmioDecode, OnlyPrefixesIsTruncated) {
    EXPECT_EQ(decode_error({0x66, 0x48}), Errc::kNotFound);
}

TEST(MmioDecode, FifteenBytesIsTheLongestAccepted) {
    // 13 operand-size prefixes + 8b 07
    const MmioAccess a = decode_ok(
        {0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x8b, 0x07});
    EXPECT_EQ(a.length, 15);
}

TEST(MmioDecode, SixteenBytesIsTooLong) {
    EXPECT_EQ(decode_error({0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                            0x66, 0x66, 0x8b, 0x07}),
              Errc::kInvalid);
}

TEST(MmioDecode, ImmediatePastFifteenBytesIsTooLong) {
    // Ten ignored DS prefixes + c7 07 imm32 = 16 bytes; the limit is hit inside the immediate.
    EXPECT_EQ(decode_error({0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0xc7, 0x07,
                            0x01, 0x00, 0x00, 0x00, 0x00}),
              Errc::kInvalid);
}

TEST(MmioDecode, BytesAfterTheInstructionAreIgnored) {
    const MmioAccess a = decode_ok({0x8b, 0x07, 0x8b, 0x07, 0x8b, 0x07, 0x8b, 0x07, 0x8b, 0x07,
                                    0x8b, 0x07, 0x8b, 0x07, 0x8b, 0x07, 0x8b, 0x07});
    EXPECT_EQ(a.length, 2);
}

TEST(MmioDecode, RegisterOperandHasNoMemoryAccess) {
    EXPECT_EQ(decode_error({0x89, 0xc0}), Errc::kInvalid);  // mov eax, eax
}

TEST(MmioDecode, LeaIsUnsupported) { EXPECT_EQ(decode_error({0x8d, 0x07}), Errc::kUnsupported); }

TEST(MmioDecode, VexMoveIsUnsupported) {
    const auto r = decode_bytes({0xc5, 0xf9, 0x7e, 0x07});  // vmovd %xmm0, (%rdi)
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kUnsupported);
    EXPECT_STREQ(r.error().what, "VEX/EVEX/XOP-encoded instructions are not emulated for MMIO");
}

TEST(MmioDecode, EvexMoveIsUnsupported) {
    EXPECT_EQ(decode_error({0x62, 0xf1, 0x7e, 0x48, 0x7f, 0x07}), Errc::kUnsupported);
}

TEST(MmioDecode, SseMoveIsUnsupported) {
    EXPECT_EQ(decode_error({0x0f, 0x11, 0x07}), Errc::kUnsupported);        // movups
    EXPECT_EQ(decode_error({0x66, 0x0f, 0x7f, 0x07}), Errc::kUnsupported);  // movdqa
    EXPECT_EQ(decode_error({0x0f, 0xc3, 0x07}), Errc::kUnsupported);        // movnti
}

}  // namespace
}  // namespace hv::vmm::decode
