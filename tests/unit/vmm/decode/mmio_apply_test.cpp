#include "vmm/decode/mmio_apply.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace hv::vmm::decode {
namespace {

constexpr std::uint64_t kPattern = 0x1122334455667788;
constexpr unsigned kRax = 0;
constexpr unsigned kRdx = 2;
constexpr unsigned kR9 = 9;

MmioAccess decode_ok(std::initializer_list<int> values, CpuMode mode = CpuMode::k64) {
    std::vector<std::byte> b;
    for (int v : values) b.push_back(static_cast<std::byte>(v));
    auto r = decode(Bytes(b.data(), b.size()), mode);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what);
    return r.ok() ? r.value() : MmioAccess{};
}

struct Registers {
    std::uint64_t gpr[kGprCount];
    Registers() {
        for (unsigned i = 0; i < kGprCount; ++i) gpr[i] = kPattern + i;
    }
};

std::uint64_t load(std::initializer_list<int> insn, std::uint64_t value, unsigned reg,
                   std::uint64_t before = kPattern, CpuMode mode = CpuMode::k64) {
    Registers r;
    r.gpr[reg] = before;
    complete_load(decode_ok(insn, mode), value, r.gpr);
    return r.gpr[reg];
}

// --- complete_load ----------------------------------------------------------------------------

TEST(MmioApply, DwordLoadClearsTheUpperHalf) {
    EXPECT_EQ(load({0x8b, 0x07}, 0x12345678, kRax, ~std::uint64_t{0}), 0x12345678u);
}

TEST(MmioApply, QwordLoadReplacesTheRegister) {
    EXPECT_EQ(load({0x48, 0x8b, 0x07}, 0xfedcba9876543210, kRax), 0xfedcba9876543210u);
}

TEST(MmioApply, ByteLoadKeepsTheOtherBits) {
    EXPECT_EQ(load({0x8a, 0x07}, 0xab, kRax), 0x11223344556677abu);
}

TEST(MmioApply, WordLoadKeepsTheOtherBits) {
    EXPECT_EQ(load({0x66, 0x8b, 0x07}, 0xabcd, kRax), 0x112233445566abcdu);
}

TEST(MmioApply, HighByteLoadWritesBitsFifteenToEight) {
    EXPECT_EQ(load({0x8a, 0x37}, 0xab, kRdx), 0x112233445566ab88u);  // mov dh, [rdi]
}

TEST(MmioApply, LoadIgnoresBitsAboveTheAccessSize) {
    EXPECT_EQ(load({0x8b, 0x07}, 0xdeadbeef00000001, kRax), 1u);
}

TEST(MmioApply, LoadIntoR9UsesTheExtendedRegister) {
    EXPECT_EQ(load({0x44, 0x8b, 0x0f}, 7, kR9), 7u);
}

TEST(MmioApply, MovzxByteZeroExtendsAndClearsUpperHalf) {
    EXPECT_EQ(load({0x0f, 0xb6, 0x07}, 0x80, kRax, ~std::uint64_t{0}), 0x80u);
}

TEST(MmioApply, MovzxWordFromMemoryZeroExtendsIntoEax) {
    EXPECT_EQ(load({0x0f, 0xb7, 0x07}, 0xffff, kRax, ~std::uint64_t{0}), 0xffffu);
}

TEST(MmioApply, MovzxIntoAxKeepsTheUpperBits) {
    EXPECT_EQ(load({0x66, 0x0f, 0xb6, 0x07}, 0x80, kRax), 0x1122334455660080u);
}

TEST(MmioApply, MovsxByteIntoEaxSignExtendsToThirtyTwoBits) {
    EXPECT_EQ(load({0x0f, 0xbe, 0x07}, 0x80, kRax), 0xffffff80u);
}

TEST(MmioApply, MovsxWordIntoRaxSignExtendsToSixtyFourBits) {
    EXPECT_EQ(load({0x48, 0x0f, 0xbf, 0x07}, 0x8000, kRax), 0xffffffffffff8000u);
}

TEST(MmioApply, MovsxOfAPositiveValueZeroFills) {
    EXPECT_EQ(load({0x48, 0x0f, 0xbe, 0x07}, 0x7f, kRax), 0x7fu);
}

TEST(MmioApply, LodsbWritesAl) { EXPECT_EQ(load({0xac}, 0x5a, kRax), 0x112233445566775au); }

TEST(MmioApply, CompleteLoadLeavesRegistersAloneForAStore) {
    EXPECT_EQ(load({0x89, 0x07}, 0x5a, kRax), kPattern);
}

// --- store_value ------------------------------------------------------------------------------

TEST(MmioApply, StoreValueIsTheRegisterTruncatedToTheAccessSize) {
    Registers r;
    auto v = store_value(decode_ok({0x89, 0x50, 0x30}), r.gpr);  // mov [rax+0x30], edx
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.value(), (kPattern + kRdx) & 0xffffffff);
}

TEST(MmioApply, StoreValueOfHighByteRegisterIsBitsFifteenToEight) {
    Registers r;
    r.gpr[kRdx] = 0xabcd;
    auto v = store_value(decode_ok({0x88, 0x37}), r.gpr);  // mov [rdi], dh
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.value(), 0xabu);
}

TEST(MmioApply, StoreValueOfSilIsTheLowByteOfRsi) {
    Registers r;
    auto v = store_value(decode_ok({0x40, 0x88, 0x37}), r.gpr);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.value(), (kPattern + 6) & 0xff);
}

TEST(MmioApply, StoreValueOfR9IsR9) {
    Registers r;
    auto v = store_value(decode_ok({0x4c, 0x89, 0x0f}), r.gpr);  // mov [rdi], r9
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.value(), kPattern + kR9);
}

TEST(MmioApply, StoreValueOfImmediateStoreIsTheImmediate) {
    Registers r;
    auto v = store_value(decode_ok({0xc7, 0x07, 0x78, 0x56, 0x34, 0x12}), r.gpr);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.value(), 0x12345678u);
}

TEST(MmioApply, StoreValueOfStoswIsAx) {
    Registers r;
    auto v = store_value(decode_ok({0x66, 0xab}), r.gpr);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.value(), kPattern & 0xffff);
}

TEST(MmioApply, StoreValueOfALoadIsRefused) {
    Registers r;
    EXPECT_FALSE(store_value(decode_ok({0x8b, 0x07}), r.gpr).ok());
}

TEST(MmioApply, XchgStoresTheRegisterAndLoadsTheOldValue) {
    Registers r;
    const MmioAccess a = decode_ok({0x87, 0x07});  // xchg [rdi], eax
    auto v = store_value(a, r.gpr);
    ASSERT_TRUE(v.ok());
    complete_load(a, 0xcafe, r.gpr);
    EXPECT_EQ(v.value(), kPattern & 0xffffffff);
    EXPECT_EQ(r.gpr[kRax], 0xcafeu);
}

// --- ALU
// ------------------------------------------------------------------------------------------

constexpr std::uint64_t kOtherFlags = (1u << 9) | (1u << 1);  // IF and the always-one bit

TEST(MmioApply, AluKeepsNonArithmeticFlags) {
    const AluResult r = evaluate_alu(AluOp::kAnd, 4, 1, 1, kOtherFlags | kArithmeticFlags);
    EXPECT_EQ(r.rflags & ~kArithmeticFlags, kOtherFlags);
}

TEST(MmioApply, TestWithNoCommonBitsSetsZeroAndParity) {
    const AluResult r = evaluate_alu(AluOp::kTest, 4, 0x0f, 0xf0, kOtherFlags | kFlagCf);
    EXPECT_EQ(r.rflags, kOtherFlags | kFlagZf | kFlagPf);
}

TEST(MmioApply, TestOfTheSignBitSetsSf) {
    const AluResult r = evaluate_alu(AluOp::kTest, 1, 0x81, 0x80, 0);
    EXPECT_EQ(r.rflags, kFlagSf);
}

TEST(MmioApply, LogicOperationsClearCarryAndOverflow) {
    const AluResult r = evaluate_alu(AluOp::kOr, 4, 1, 2, kFlagCf | kFlagOf | kFlagAf);
    EXPECT_EQ(r.value, 3u);
    EXPECT_EQ(r.rflags, kFlagPf);
}

TEST(MmioApply, XorOfEqualValuesIsZero) {
    const AluResult r = evaluate_alu(AluOp::kXor, 8, kPattern, kPattern, 0);
    EXPECT_EQ(r.value, 0u);
    EXPECT_EQ(r.rflags, kFlagZf | kFlagPf);
}

TEST(MmioApply, CmpOfEqualValuesSetsZf) {
    const AluResult r = evaluate_alu(AluOp::kCmp, 4, 5, 5, 0);
    EXPECT_EQ(r.rflags, kFlagZf | kFlagPf);
}

TEST(MmioApply, CmpOfSmallerValueBorrows) {
    const AluResult r = evaluate_alu(AluOp::kCmp, 4, 1, 2, 0);  // 1 - 2 = 0xffffffff
    EXPECT_EQ(r.rflags, kFlagCf | kFlagSf | kFlagPf | kFlagAf);
}

TEST(MmioApply, CmpSignedOverflowSetsOf) {
    const AluResult r = evaluate_alu(AluOp::kCmp, 1, 0x80, 0x01, 0);  // -128 - 1
    EXPECT_EQ(r.value, 0x7fu);
    EXPECT_EQ(r.rflags, kFlagOf | kFlagAf);
}

TEST(MmioApply, AddSignedOverflowSetsOfAndSf) {
    const AluResult r = evaluate_alu(AluOp::kAdd, 4, 0x7fffffff, 1, 0);
    EXPECT_EQ(r.value, 0x80000000u);
    EXPECT_EQ(r.rflags, kFlagOf | kFlagSf | kFlagAf | kFlagPf);
}

TEST(MmioApply, AddUnsignedWrapSetsCfAndZf) {
    const AluResult r = evaluate_alu(AluOp::kAdd, 2, 0xffff, 1, 0);
    EXPECT_EQ(r.value, 0u);
    EXPECT_EQ(r.rflags, kFlagCf | kFlagZf | kFlagPf | kFlagAf);
}

TEST(MmioApply, AdcAddsTheCarry) {
    const AluResult r = evaluate_alu(AluOp::kAdc, 8, ~std::uint64_t{0}, 0, kFlagCf);
    EXPECT_EQ(r.value, 0u);
    EXPECT_EQ(r.rflags & kFlagCf, kFlagCf);
}

TEST(MmioApply, SbbSubtractsTheCarry) {
    const AluResult r = evaluate_alu(AluOp::kSbb, 4, 5, 5, kFlagCf);
    EXPECT_EQ(r.value, 0xffffffffu);
    EXPECT_EQ(r.rflags & kFlagCf, kFlagCf);
}

TEST(MmioApply, SubWithoutBorrowClearsCf) {
    const AluResult r = evaluate_alu(AluOp::kSub, 4, 0x10, 1, kFlagCf);
    EXPECT_EQ(r.value, 0xfu);
    EXPECT_EQ(r.rflags, kFlagAf | kFlagPf);
}

TEST(MmioApply, OrImmediateIntoMemoryWritesMemory) {
    Registers r;
    const MmioAccess a = decode_ok({0x83, 0x0f, 0x01});  // orl $1, (%rdi)
    auto o = complete_alu(a, 0x100, r.gpr, 0);
    ASSERT_TRUE(o.ok());
    EXPECT_TRUE(o.value().writes_memory);
    EXPECT_EQ(o.value().memory_value, 0x101u);
}

TEST(MmioApply, AndWithSignExtendedImmediateClearsBitZero) {
    Registers r;
    auto o = complete_alu(decode_ok({0x48, 0x83, 0x27, 0xfe}), ~std::uint64_t{0}, r.gpr, 0);
    ASSERT_TRUE(o.ok());
    EXPECT_EQ(o.value().memory_value, 0xfffffffffffffffeu);
}

TEST(MmioApply, CmpImmediateWritesNothing) {
    Registers r;
    auto o = complete_alu(decode_ok({0x83, 0x3f, 0x00}), 0, r.gpr, 0);  // cmpl $0, (%rdi)
    ASSERT_TRUE(o.ok());
    EXPECT_FALSE(o.value().writes_memory);
    EXPECT_EQ(o.value().rflags, kFlagZf | kFlagPf);
}

TEST(MmioApply, TestByteImmediateOnAClearBitSetsZf) {
    Registers r;
    auto o = complete_alu(decode_ok({0xf6, 0x47, 0x05, 0x80}), 0x7f, r.gpr, 0);
    ASSERT_TRUE(o.ok());
    EXPECT_FALSE(o.value().writes_memory);
    EXPECT_EQ(o.value().rflags & kFlagZf, kFlagZf);
}

TEST(MmioApply, AndMemoryIntoRegisterWritesTheRegisterZeroExtended) {
    Registers r;
    r.gpr[kRax] = ~std::uint64_t{0};
    auto o = complete_alu(decode_ok({0x23, 0x07}), 0x0ff0, r.gpr, 0);  // and eax, [rdi]
    ASSERT_TRUE(o.ok());
    EXPECT_FALSE(o.value().writes_memory);
    EXPECT_EQ(r.gpr[kRax], 0x0ff0u);
}

TEST(MmioApply, CmpRegisterWithMemorySubtractsMemoryFromRegister) {
    Registers r;
    r.gpr[kRax] = 1;
    auto o = complete_alu(decode_ok({0x3b, 0x07}), 2, r.gpr, 0);  // cmp eax, [rdi]: 1 - 2
    ASSERT_TRUE(o.ok());
    EXPECT_EQ(o.value().rflags & kFlagCf, kFlagCf);
    EXPECT_EQ(r.gpr[kRax], 1u);
}

TEST(MmioApply, CmpMemoryWithRegisterSubtractsRegisterFromMemory) {
    Registers r;
    r.gpr[kRax] = 1;
    auto o = complete_alu(decode_ok({0x39, 0x07}), 2, r.gpr, 0);  // cmp [rdi], eax: 2 - 1
    ASSERT_TRUE(o.ok());
    EXPECT_EQ(o.value().rflags & kFlagCf, 0u);
}

TEST(MmioApply, SubRegisterFromMemoryWritesMemory) {
    Registers r;
    r.gpr[kRdx] = 3;
    auto o = complete_alu(decode_ok({0x29, 0x17}), 10, r.gpr, 0);  // sub [rdi], edx
    ASSERT_TRUE(o.ok());
    EXPECT_TRUE(o.value().writes_memory);
    EXPECT_EQ(o.value().memory_value, 7u);
}

TEST(MmioApply, OrMemoryIntoHighByteRegisterMergesBitsFifteenToEight) {
    Registers r;
    r.gpr[kRax] = 0x1200;
    auto o = complete_alu(decode_ok({0x0a, 0x27}), 0x05, r.gpr, 0);  // or ah, [rdi]
    ASSERT_TRUE(o.ok());
    EXPECT_EQ(r.gpr[kRax], 0x1700u);
}

TEST(MmioApply, CompleteAluRefusesAMov) {
    Registers r;
    EXPECT_FALSE(complete_alu(decode_ok({0x8b, 0x07}), 0, r.gpr, 0).ok());
}

// --- String forms ------------------------------------------------------------------------------

TEST(MmioApply, MovsAdvancesSourceAndDestinationForward) {
    Registers r;
    r.gpr[kRsi] = 0x1000;
    r.gpr[kRdi] = 0x2000;
    r.gpr[kRcx] = 5;
    advance_string(decode_ok({0x48, 0xa5}), 0, r.gpr);
    EXPECT_EQ(r.gpr[kRsi], 0x1008u);
    EXPECT_EQ(r.gpr[kRdi], 0x2008u);
    EXPECT_EQ(r.gpr[kRcx], 5u);  // no rep: rCX untouched
}

TEST(MmioApply, RepStosCountsRcxDownAndMovesOnlyRdi) {
    Registers r;
    r.gpr[kRsi] = 0x1000;
    r.gpr[kRdi] = 0x2000;
    r.gpr[kRcx] = 5;
    const MmioAccess a = decode_ok({0xf3, 0xab});
    advance_string(a, 0, r.gpr);
    EXPECT_EQ(r.gpr[kRsi], 0x1000u);
    EXPECT_EQ(r.gpr[kRdi], 0x2004u);
    EXPECT_EQ(string_count(a, r.gpr), 4u);
}

TEST(MmioApply, DirectionFlagMovesLodsBackwards) {
    Registers r;
    r.gpr[kRsi] = 0x1000;
    advance_string(decode_ok({0xad}), kFlagDf, r.gpr);
    EXPECT_EQ(r.gpr[kRsi], 0xffcu);
}

TEST(MmioApply, SixteenBitAddressesWrapAndKeepUpperBits) {
    Registers r;
    r.gpr[kRdi] = 0xabcd'ffff;
    advance_string(decode_ok({0xaa}, CpuMode::k16), 0, r.gpr);
    EXPECT_EQ(r.gpr[kRdi], 0xabcd'0000u);
}

TEST(MmioApply, ThirtyTwoBitAddressesIn64BitModeClearUpperHalf) {
    Registers r;
    r.gpr[kRdi] = 0x1'ffff'fffe;
    r.gpr[kRcx] = 0x1'0000'0000;  // ECX = 0
    const MmioAccess a = decode_ok({0x67, 0xf3, 0xaa});
    EXPECT_EQ(string_count(a, r.gpr), 0u);
    advance_string(a, 0, r.gpr);
    EXPECT_EQ(r.gpr[kRdi], 0xffff'ffffu);
}

TEST(MmioApply, AdvanceStringIgnoresNonStringAccesses) {
    Registers r;
    advance_string(decode_ok({0x8b, 0x07}), 0, r.gpr);
    EXPECT_EQ(r.gpr[kRsi], kPattern + kRsi);
    EXPECT_EQ(r.gpr[kRdi], kPattern + kRdi);
}

}  // namespace
}  // namespace hv::vmm::decode
