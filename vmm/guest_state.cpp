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

}  // namespace hv::vmm
