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
    s.tr = Segment{0x18, kAttrTss32Busy, 0x67, 0};
    s.ldtr = Segment{0, kAttrLdt, 0xFFFF, 0};
    s.gdtr_limit = 0xFFFF;
    s.idtr_limit = 0xFFFF;
    return s;
}

}  // namespace hv::vmm
