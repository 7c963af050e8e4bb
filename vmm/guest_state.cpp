#include "vmm/guest_state.hpp"

namespace hv::vmm {

InitialState flat_protected_mode(std::uint32_t eip, std::uint32_t eax, std::uint32_t ebx) {
    InitialState s{};
    s.regs.rip = eip;
    s.regs.rflags = kRflagsFixed;
    s.regs[Gpr::kRax] = eax;
    s.regs[Gpr::kRbx] = ebx;
    s.cr0 = kCr0Pe | kCr0Et | kCr0Ne;
    constexpr std::uint32_t kFlatLimit = 0xFFFF'FFFF;
    s.cs = Segment{0x08, kAttrCode32, kFlatLimit, 0};
    const Segment data{0x10, kAttrData32, kFlatLimit, 0};
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    // A minimal 32-bit TSS (104 bytes, SDM vol. 3A figure 8-2) and the reset-state LDTR/GDTR/IDTR
    // limits (SDM vol. 3A table 10-1): the guest loads its own before relying on them.
    constexpr std::uint32_t kTss32Limit = 104 - 1;
    constexpr std::uint16_t kResetTableLimit = 0xFFFF;
    s.tr = Segment{0x18, kAttrTss32Busy, kTss32Limit, 0};
    s.ldtr = Segment{0, kAttrLdt, kResetTableLimit, 0};
    s.gdtr_limit = kResetTableLimit;
    s.idtr_limit = kResetTableLimit;
    return s;
}

InitialState startup_ipi_state(std::uint8_t vector) {
    InitialState s{};
    s.regs.rflags = kRflagsFixed;
    s.cr0 = kCr0Et | kCr0Ne;
    // Real-mode segments: present, accessible, 64 KiB limit (SDM vol. 3A table 10-1).
    constexpr std::uint16_t kAttrRealCode = 0x9B;
    constexpr std::uint16_t kAttrRealData = 0x93;
    constexpr std::uint16_t kRealLimit = 0xFFFF;
    const std::uint16_t cs = static_cast<std::uint16_t>(vector) << 8;
    s.cs = Segment{cs, kAttrRealCode, kRealLimit, static_cast<std::uint64_t>(cs) << 4};
    const Segment data{0, kAttrRealData, kRealLimit, 0};
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    s.tr = Segment{0, kAttrTss32Busy, kRealLimit, 0};
    s.ldtr = Segment{0, kAttrLdt, kRealLimit, 0};
    s.gdtr_limit = kRealLimit;
    s.idtr_limit = kRealLimit;
    return s;
}

}  // namespace hv::vmm
