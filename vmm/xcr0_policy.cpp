#include "vmm/xcr0_policy.hpp"

namespace hv::vmm {

bool xsetbv_allowed(std::uint32_t index, std::uint64_t value, std::uint64_t supported) {
    if (index != 0) return false;                 // only XCR0 exists here
    if ((value & ~supported) != 0) return false;  // a component the CPU lacks
    if ((value & kXcr0X87) == 0) return false;    // x87 state can never be disabled
    if ((value & kXcr0Avx) && !(value & kXcr0Sse)) return false;
    // MPX: both components or neither (SDM vol. 1 13.3).
    if (((value & kXcr0Bndregs) != 0) != ((value & kXcr0Bndcsr) != 0)) return false;
    // AVX-512: all three components or none, and only with AVX.
    const std::uint64_t avx512 = value & kXcr0Avx512;
    if (avx512 != 0 && (avx512 != kXcr0Avx512 || !(value & kXcr0Avx))) return false;
    // AMX: TILECFG and TILEDATA together.
    if (((value & kXcr0Tilecfg) != 0) != ((value & kXcr0Tiledata) != 0)) return false;
    return true;
}

}  // namespace hv::vmm
