#pragma once
// The MSRs a guest may touch beyond those the backend passes through (docs/guest_abi.md "MSRs").
// Anything not listed here gets #GP(0). Pure apart from the Vcpu interface, which tests fake.
#include <cstdint>

#include "vmm/vcpu.hpp"

namespace hv::vmm {

namespace msr {
inline constexpr std::uint32_t kTsc = 0x10;
inline constexpr std::uint32_t kFeatureControl = 0x3A;
inline constexpr std::uint32_t kUcodeRev = 0x8B;
inline constexpr std::uint32_t kMtrrCap = 0xFE;
inline constexpr std::uint32_t kMiscEnable = 0x1A0;
inline constexpr std::uint32_t kPat = 0x277;
inline constexpr std::uint32_t kMtrrDefType = 0x2FF;
inline constexpr std::uint32_t kEfer = 0xC000'0080;
inline constexpr std::uint32_t kTscAux = 0xC000'0103;
inline constexpr std::uint32_t kAmdHwcr = 0xC001'0015;
// K8 interrupt-pending message (APM BKDG for family 0Fh): Linux reads it on CPUs with the
// E400 erratum to see whether C1E is on. No C1E here: reads 0.
inline constexpr std::uint32_t kAmdIntPendingMsg = 0xC001'0055;
}  // namespace msr

// Each byte of PAT must name a defined memory type: 0, 1, 4, 5, 6 or 7 (SDM vol. 3A 13.12.2).
[[nodiscard]] bool pat_valid(std::uint64_t pat);
// EFER bits a guest may write: SCE, LME, NXE (SDM vol. 3A 2.2.1); LMA is the CPU's.
[[nodiscard]] bool efer_write_valid(std::uint64_t value);

// `tsc` is the host TSC now. Return false: inject #GP(0).
[[nodiscard]] bool read_guest_msr(Vcpu& vcpu, std::uint32_t vcpu_index, std::uint32_t msr,
                                  std::uint64_t& value, std::uint64_t tsc);
[[nodiscard]] bool write_guest_msr(Vcpu& vcpu, std::uint32_t msr, std::uint64_t value,
                                   std::uint64_t tsc);

}  // namespace hv::vmm
