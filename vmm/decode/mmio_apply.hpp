#pragma once
// Carrying out a decoded MMIO instruction on the guest's registers, with x86 semantics. The
// device access itself is the caller's; these functions supply the value to write and take the
// value read:
//
//   kStore, kStoreImmediate, kStos   write store_value()                      advance RIP
//   kLoad, kLoadZeroExtend, kLoadSignExtend, kLods
//                                    read v; complete_load(v)                 advance RIP
//   kXchg                            v = store_value(); read old; write v; complete_load(old)
//   kAlu                             read v; o = complete_alu(v); if o.writes_memory write
//                                    o.memory_value; RFLAGS = o.rflags        advance RIP
//   kMovs                            read the source, write it to the destination
//
// String forms (kMovs, kStos, kLods) move one element per step. With a rep prefix, a step is taken
// only while string_count() != 0; after each, advance_string() moves rSI/rDI and counts rCX down,
// and RIP advances once string_count() reaches 0 (or re-enters the guest with RIP unchanged to
// resume later, as the CPU does on an interrupt). Without rep: one step, then advance RIP.
//
// Register files are GPR arrays in encoding order (vmm::GuestRegisters::gpr). Pure; no state.
#include <cstdint>

#include "kernel/lib/result.hpp"
#include "vmm/decode/mmio_instruction.hpp"

namespace hv::vmm::decode {

inline constexpr unsigned kGprCount = 16;
inline constexpr unsigned kRcx = 1;
inline constexpr unsigned kRsi = 6;
inline constexpr unsigned kRdi = 7;

// RFLAGS bits the emulated instructions read or write (SDM vol. 1 3.4.3).
inline constexpr std::uint64_t kFlagCf = 1u << 0;
inline constexpr std::uint64_t kFlagPf = 1u << 2;
inline constexpr std::uint64_t kFlagAf = 1u << 4;
inline constexpr std::uint64_t kFlagZf = 1u << 6;
inline constexpr std::uint64_t kFlagSf = 1u << 7;
inline constexpr std::uint64_t kFlagDf = 1u << 10;
inline constexpr std::uint64_t kFlagOf = 1u << 11;
inline constexpr std::uint64_t kArithmeticFlags =
    kFlagCf | kFlagPf | kFlagAf | kFlagZf | kFlagSf | kFlagOf;

// The `access.size` bytes the instruction writes to memory, in the low bits: the register for
// kStore and kXchg (AH..BH when high_byte), the immediate for kStoreImmediate, rAX for kStos.
// kInvalid for every other kind (kMovs writes what it read; kAlu's value comes from complete_alu).
[[nodiscard]] Result<std::uint64_t> store_value(const MmioAccess& access,
                                                const std::uint64_t (&regs)[kGprCount]);

// Writes `value_read` (the low `access.size` bytes count; higher bits are ignored) to the
// destination register of kLoad, kLods, kXchg, kLoadZeroExtend and kLoadSignExtend. MOVZX/MOVSX
// extend to `operand_size` first. Then, as the CPU does (SDM vol. 1 3.4.1.1): an 8- or 16-bit
// write keeps the register's other bits, a 32-bit write clears bits 63:32, a 64-bit write
// replaces it. (Outside 64-bit mode bits 63:32 are not visible, so clearing them is harmless.)
// Other kinds leave `regs` unchanged.
void complete_load(const MmioAccess& access, std::uint64_t value_read,
                   std::uint64_t (&regs)[kGprCount]);

struct AluResult {
    std::uint64_t value;   // destination op source, truncated to the size (CMP/TEST discard it)
    std::uint64_t rflags;  // the input RFLAGS with the six arithmetic flags replaced
};

// `destination op source` at `size` bytes (1, 2, 4 or 8; any other value counts as 8), with
// flags per the SDM vol. 2 pages of each instruction. CF is read by ADC and SBB. AND, OR, XOR and
// TEST clear CF and OF and leave AF undefined; this clears it, as current CPUs do.
[[nodiscard]] AluResult evaluate_alu(AluOp op, std::uint8_t size, std::uint64_t destination,
                                     std::uint64_t source, std::uint64_t rflags);

struct AluOutcome {
    std::uint64_t rflags;        // new RFLAGS
    bool writes_memory;          // a memory destination that is not CMP/TEST: write it back
    std::uint64_t memory_value;  // what to write (access.size bytes), when writes_memory
};

// Runs a kAlu access given the value read from memory: writes a register destination into
// `regs` itself and tells the caller whether memory must be written. kInvalid for other kinds.
[[nodiscard]] Result<AluOutcome> complete_alu(const MmioAccess& access, std::uint64_t value_read,
                                              std::uint64_t (&regs)[kGprCount],
                                              std::uint64_t rflags);

// rCX at the access's address size: the elements a rep-prefixed string form has left.
[[nodiscard]] std::uint64_t string_count(const MmioAccess& access,
                                         const std::uint64_t (&regs)[kGprCount]);

// One element's register update for kMovs, kStos and kLods: rSI (MOVS, LODS) and rDI (MOVS,
// STOS) step by `size`, downwards when RFLAGS.DF is set; with a rep prefix rCX counts down. The
// registers wrap at the address size and are written like any register of that width. Other
// kinds leave `regs` unchanged.
void advance_string(const MmioAccess& access, std::uint64_t rflags,
                    std::uint64_t (&regs)[kGprCount]);

}  // namespace hv::vmm::decode
