// Local APIC registers at the default xAPIC base (SDM vol. 3 table 11-1), reached by MMIO with
// paging off. Under the hypervisor this page is emulated (nested page faults on 0xFEE00000).
#pragma once

#include <stdint.h>

#include "cpu.hpp"

namespace rt {

constexpr uint32_t kLapicBase = 0xFEE00000;

enum class LapicReg : uint32_t {
    kId = 0x020,
    kVersion = 0x030,
    kTpr = 0x080,
    kEoi = 0x0B0,
    kSpurious = 0x0F0,
    kIrr = 0x200,  // eight registers 0x10 apart: vectors 32*n .. 32*n+31 at kIrr + 0x10*n
    kLvtTimer = 0x320,
    kTimerInitialCount = 0x380,
    kTimerCurrentCount = 0x390,
    kTimerDivide = 0x3E0,
};

constexpr uint32_t kLapicSoftwareEnable = 1 << 8;  // spurious-vector register
constexpr uint32_t kLvtMasked = 1 << 16;
// Timer mode bits 18:17 = 01b: periodic (SDM vol. 3 fig. 11-8).
constexpr uint32_t kLvtTimerPeriodic = 1 << 17;
constexpr uint32_t kTimerDivideBy1 = 0xB;  // SDM vol. 3 fig. 11-10

inline uint32_t lapic_read(LapicReg reg) {
    return mmio_read32(kLapicBase + static_cast<uint32_t>(reg));
}
inline void lapic_write(LapicReg reg, uint32_t value) {
    mmio_write32(kLapicBase + static_cast<uint32_t>(reg), value);
}
// Is `vector` requested (IRR bit set) but not yet taken?
inline bool lapic_requested(uint8_t vector) {
    const uint32_t word =
        mmio_read32(kLapicBase + static_cast<uint32_t>(LapicReg::kIrr) + 0x10 * (vector / 32));
    return (word >> (vector % 32)) & 1;
}

}  // namespace rt
