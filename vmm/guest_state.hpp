#pragma once
// Backend-neutral guest register state. General registers are indexed in x86 encoding order
// (the ModRM/REX register numbers), so the instruction decoder's register indices apply directly.
#include <cstdint>

namespace hv::vmm {

enum class Gpr : std::uint8_t {
    kRax,
    kRcx,
    kRdx,
    kRbx,
    kRsp,
    kRbp,
    kRsi,
    kRdi,
    kR8,
    kR9,
    kR10,
    kR11,
    kR12,
    kR13,
    kR14,
    kR15,
};
inline constexpr unsigned kGprCount = 16;

struct GuestRegisters {
    std::uint64_t gpr[kGprCount];
    std::uint64_t rip;
    std::uint64_t rflags;

    std::uint64_t& operator[](Gpr r) { return gpr[static_cast<unsigned>(r)]; }
    std::uint64_t operator[](Gpr r) const { return gpr[static_cast<unsigned>(r)]; }
};
// arch/x86/guest_gprs.inc (the entry stubs) relies on this layout.
static_assert(__builtin_offsetof(GuestRegisters, gpr) == 0 &&
              sizeof(std::uint64_t) * kGprCount == 128);

// Segment as the hardware sees it; `attrib` uses the compressed SVM layout
// ([7:0] type,S,DPL,P; [11:8] AVL,L,D/B,G), which the VMX backend converts from/to its own.
struct Segment {
    std::uint16_t selector;
    std::uint16_t attrib;
    std::uint32_t limit;
    std::uint64_t base;
};

// Where a vCPU starts (reset state, a boot loader's hand-over or an AP's start-up).
struct InitialState {
    GuestRegisters regs;
    std::uint64_t cr0, cr3, cr4, efer;
    Segment cs, ds, es, fs, gs, ss, tr, ldtr;
    std::uint64_t gdtr_base, idtr_base;
    std::uint16_t gdtr_limit, idtr_limit;
};

// Architectural constants for building initial states (Intel SDM vol. 3A 2.5, 10.1.1).
inline constexpr std::uint64_t kCr0Pe = 1ull << 0;
inline constexpr std::uint64_t kCr0Et = 1ull << 4;
inline constexpr std::uint64_t kCr0Ne = 1ull << 5;
inline constexpr std::uint64_t kCr0Wp = 1ull << 16;
inline constexpr std::uint64_t kCr0Pg = 1ull << 31;
inline constexpr std::uint64_t kCr4Pae = 1ull << 5;
inline constexpr std::uint64_t kEferLme = 1ull << 8;
inline constexpr std::uint64_t kEferLma = 1ull << 10;
inline constexpr std::uint64_t kEferNxe = 1ull << 11;
inline constexpr std::uint64_t kRflagsFixed = 1ull << 1;  // bit 1 always reads 1
inline constexpr std::uint64_t kRflagsIf = 1ull << 9;

// Segment attribute values in the compressed layout.
inline constexpr std::uint16_t kAttrCode32 = 0xC9B;    // P, S, DPL0, exec/read accessed; G, D
inline constexpr std::uint16_t kAttrData32 = 0xC93;    // P, S, DPL0, read/write accessed; G, B
inline constexpr std::uint16_t kAttrCode64 = 0xA9B;    // P, S, exec/read accessed; G, L
inline constexpr std::uint16_t kAttrTss32Busy = 0x8B;  // P, type 11 (busy 32/64-bit TSS)
inline constexpr std::uint16_t kAttrLdt = 0x82;        // P, type 2

// Multiboot 0.6.96 sec 3.2: flat 32-bit protected mode, paging off.
InitialState flat_protected_mode(std::uint32_t eip, std::uint32_t eax, std::uint32_t ebx);

// An application processor after INIT and a start-up IPI with `vector` (SDM vol. 3A 10.1.1 table
// 10-1, 10.4.4.1): real mode at CS:IP = (vector << 8):0000, everything else in its reset state.
InitialState startup_ipi_state(std::uint8_t vector);

}  // namespace hv::vmm
