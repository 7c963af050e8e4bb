#pragma once
// Decoding the guest instruction behind an MMIO exit.
//
// A guest touches a device register with an ordinary memory instruction; the access faults on a
// stage-2 (NPT/EPT) page that a device model owns, and the hypervisor must emulate that one
// instruction. The exit already gives the guest-physical address, so the decoder's job is to say
// what the instruction does to memory and registers and how long it is (to advance RIP):
//
//   bytes at RIP, CPU mode --decode()--> MmioAccess --mmio_apply.hpp--> registers, RFLAGS, value
//
// Only the instructions that drivers and compilers use for device registers are decoded: MOV
// (88-8B, C6/C7 /0, A0-A3), MOVZX/MOVSX (0F B6/B7/BE/BF), MOVS/STOS/LODS (A4/A5, AA/AB, AC/AD),
// the ALU row with a memory operand (00-3B: ADD, OR, ADC, SBB, AND, SUB, XOR, CMP), group 1 with
// an immediate (80, 81, 83), TEST (84/85, F6/F7 /0) and XCHG (86/87). Everything else, including
// every VEX/EVEX/XOP and SSE form, is refused with Errc::kUnsupported.
//
// Errors:
//   kUnsupported  a valid instruction this decoder does not emulate.
//   kInvalid      the bytes cannot be executed as an MMIO access: longer than 15 bytes (#GP), LOCK
//                 on an instruction that cannot be locked (#UD), or no memory operand at all.
//   kNotFound     the bytes end before the instruction does. The caller passed fewer than 15
//                 bytes (e.g. stopped at a page boundary); fetch the rest and decode again.
//
// Pure: no state, no allocation; builds unchanged in the kernel and host tests. Reference: Intel
// SDM vol. 2A chapter 2 (instruction format) and vol. 2D appendix A (opcode map).
#include <cstdint>

#include "kernel/lib/bytes.hpp"
#include "kernel/lib/result.hpp"

namespace hv::vmm::decode {

// The longest legal x86 instruction (SDM vol. 2A 2.3.11); longer ones raise #GP.
inline constexpr std::size_t kMaxInstructionLength = 15;

// The default operand and address size the code segment gives (SDM vol. 1 3.6, vol. 3A 3.4.5):
//   k16  real mode, virtual-8086 mode, 16-bit protected or compatibility mode (CS.D = 0)
//   k32  32-bit protected or compatibility mode (CS.D = 1)
//   k64  64-bit mode (EFER.LMA = 1 and CS.L = 1); the only mode with REX prefixes
enum class CpuMode : std::uint8_t { k16, k32, k64 };

// From the hardware state; pass cs_d = false in real and virtual-8086 mode.
[[nodiscard]] constexpr CpuMode cpu_mode(bool efer_lma, bool cs_l, bool cs_d) {
    if (efer_lma && cs_l) return CpuMode::k64;
    return cs_d ? CpuMode::k32 : CpuMode::k16;
}

enum class MmioKind : std::uint8_t {
    kLoad,            // mov reg, m         8A, 8B; A0, A1 (reg = rAX)
    kStore,           // mov m, reg         88, 89; A2, A3 (reg = rAX)
    kStoreImmediate,  // mov m, imm         C6 /0, C7 /0
    kLoadZeroExtend,  // movzx reg, m8/m16  0F B6, 0F B7
    kLoadSignExtend,  // movsx reg, m8/m16  0F BE, 0F BF
    kMovs,            // [ES:rDI] = [seg:rSI]  A4, A5
    kStos,            // [ES:rDI] = rAX        AA, AB
    kLods,            // rAX = [seg:rSI]       AC, AD
    kAlu,             // arithmetic or logic with a memory operand: see `alu` and `alu_form`
    kXchg,            // swap m and reg     86, 87 (locked whether or not LOCK is given)
};

// In encoding order: the first eight are ModRM.reg of group 1 and bits 5:3 of opcodes 00-3B
// (SDM vol. 2D table A-6).
enum class AluOp : std::uint8_t { kAdd, kOr, kAdc, kSbb, kAnd, kSub, kXor, kCmp, kTest };

// Where an ALU instruction's operands come from; the first operand is the destination. CMP and
// TEST write no operand, only RFLAGS.
enum class AluForm : std::uint8_t {
    kMemoryRegister,   // op m, reg   00/01, 08/09, ... 38/39, 84/85
    kRegisterMemory,   // op reg, m   02/03, 0A/0B, ... 3A/3B
    kMemoryImmediate,  // op m, imm   80, 81, 83, F6 /0, F7 /0
};

enum class RepPrefix : std::uint8_t {
    kNone,
    kRep,    // F3
    kRepne,  // F2; MOVS, STOS and LODS repeat under it exactly as under F3 (they set no flags)
};

// Segment registers in their sreg3 encoding order (SDM vol. 2D B.1.4.3).
enum class SegmentReg : std::uint8_t { kEs, kCs, kSs, kDs, kFs, kGs, kNone };

struct MmioAccess {
    MmioKind kind;
    AluOp alu;          // kAlu only
    AluForm alu_form;   // kAlu only
    std::uint8_t size;  // bytes read or written in memory: 1, 2, 4 or 8
    // Width of the register or immediate operand: equals `size`, except for MOVZX/MOVSX, where it
    // is the destination width (2, 4 or 8) and `size` the source's (1 or 2).
    std::uint8_t operand_size;
    // GPR index in encoding order (0 = rAX ... 15 = r15), ModRM.reg extended by REX.R; 0 (rAX) for
    // the moffs and string forms. Meaningless for kStoreImmediate, kMovs and kMemoryImmediate.
    std::uint8_t reg;
    // An 8-bit register operand without a REX prefix names AH, CH, DH or BH for encodings 4-7
    // (SDM vol. 2A 3.1.1.1, table 3-1); then `reg` is 0-3, the GPR whose bits 15:8 are meant.
    bool high_byte;
    bool has_immediate;
    // The immediate as the instruction uses it: sign-extended to `operand_size` where the encoding
    // says so (83, REX.W with C7/81/F7) and truncated to `operand_size`.
    std::uint64_t immediate;
    std::uint8_t length;        // bytes, prefixes included; RIP advances by this much
    std::uint8_t address_size;  // 2, 4 or 8: the width of rSI, rDI and rCX for string forms
    RepPrefix rep;              // string forms only; kNone for all others (F2/F3 there are hints)
    // The segment prefix as given, kNone if absent. For MOVS it applies to the source only; STOS
    // always writes ES. In 64-bit mode ES, CS, SS and DS prefixes are ignored (reported kNone).
    SegmentReg segment_override;
    bool lock;  // F0 was present (only on lockable forms; otherwise decode() fails)
};

// Decodes the instruction at the start of `bytes` (at most the first 15 bytes are looked at).
[[nodiscard]] Result<MmioAccess> decode(Bytes bytes, CpuMode mode);

}  // namespace hv::vmm::decode
