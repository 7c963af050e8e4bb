#include "vmm/msr_emulation.hpp"

#include "vmm/guest_state.hpp"

namespace hv::vmm {
namespace {

constexpr std::uint64_t kEferSce = 1ull << 0;           // the others are in guest_state.hpp
constexpr std::uint64_t kFeatureControlLocked = 1;      // locked with VMX off: no nesting
constexpr std::uint64_t kMiscEnableFastStrings = 1;     // SDM vol. 4 table 2-2, bit 0
constexpr std::uint64_t kMtrrDefTypeEnabledWb = 0x806;  // E=1, default type WB

}  // namespace

bool pat_valid(std::uint64_t pat) {
    for (int i = 0; i < 8; ++i) {
        const std::uint64_t t = (pat >> (i * 8)) & 0xFF;
        if (t == 2 || t == 3 || t > 7) return false;
    }
    return true;
}

bool efer_write_valid(std::uint64_t value) {
    return (value & ~(kEferSce | kEferLme | kEferLma | kEferNxe)) == 0;
}

bool read_guest_msr(Vcpu& vcpu, std::uint32_t vcpu_index, std::uint32_t m, std::uint64_t& value,
                    std::uint64_t tsc) {
    switch (m) {
        case msr::kTsc:
            value = tsc + vcpu.tsc_offset();
            return true;
        case msr::kFeatureControl:
            value = kFeatureControlLocked;
            return true;
        case msr::kUcodeRev:
            value = 0;
            return true;
        case msr::kMtrrCap:
            value = 0;
            return true;
        case msr::kMiscEnable:
            value = kMiscEnableFastStrings;
            return true;
        case msr::kPat:
            value = vcpu.pat();
            return true;
        case msr::kMtrrDefType:
            value = kMtrrDefTypeEnabledWb;
            return true;
        case msr::kEfer:
            value = vcpu.efer();
            return true;
        case msr::kTscAux:
            value = vcpu_index;
            return true;
        case msr::kAmdHwcr:
        case msr::kAmdIntPendingMsg:
            value = 0;
            return true;
        default:
            return false;
    }
}

bool write_guest_msr(Vcpu& vcpu, std::uint32_t m, std::uint64_t value, std::uint64_t tsc) {
    switch (m) {
        case msr::kTsc:
            vcpu.set_tsc_offset(value - tsc);
            return true;
        case msr::kPat:
            if (!pat_valid(value)) return false;
            vcpu.set_pat(value);
            return true;
        case msr::kEfer: {
            if (!efer_write_valid(value)) return false;
            // LMA is set by the CPU when paging turns on with LME; a write cannot change it.
            vcpu.set_efer((value & ~kEferLma) | (vcpu.efer() & kEferLma));
            return true;
        }
        case msr::kUcodeRev:
        case msr::kMiscEnable:
        case msr::kMtrrDefType:
        case msr::kTscAux:
            return true;  // accepted and ignored: nothing in the VM depends on them
        default:
            return false;
    }
}

}  // namespace hv::vmm
