#pragma once
// Decoding a VM exit into the neutral vmm::Exit (Intel SDM vol. 3C ch. 28 "VM exits", 28.2
// "recording VM-exit information"; vol. 3D appendix C), and the one exit the backend settles
// itself: a guest write to a host-owned control-register bit. Pure: takes the VMCS exit-
// information fields as integers, so it is unit-tested against hand-built values.
#include <cstdint>

#include "arch/x86/vmx/vmx_controls.hpp"
#include "vmm/exit.hpp"

namespace hv::vmx {

// The exit-information fields the decoder reads (SDM vol. 3C 25.9).
struct ExitInfo {
    std::uint32_t reason;              // exit reason: basic reason [15:0], entry failure [31]
    std::uint64_t qualification;       // exit qualification
    std::uint32_t instruction_length;  // VM-exit instruction length
    std::uint64_t guest_physical;      // guest-physical address (EPT violations)
    std::uint32_t interruption_info;   // VM-exit interruption information
    std::uint32_t interruption_error;  // VM-exit interruption error code
};

vmm::Exit decode_exit(const ExitInfo& info);

// I/O instruction exit qualification (SDM vol. 3C 28.2.1, table 28-5).
namespace io_qual {
inline constexpr std::uint64_t kSizeMask = 7;  // 0: 1 byte, 1: 2 bytes, 3: 4 bytes
inline constexpr std::uint64_t kIn = 1u << 3;
inline constexpr std::uint64_t kString = 1u << 4;
inline constexpr std::uint64_t kRep = 1u << 5;
inline constexpr std::uint64_t kImmediate = 1u << 6;
inline constexpr unsigned kPortShift = 16;
}  // namespace io_qual

// EPT violation exit qualification (SDM vol. 3C 28.2.1, table 28-7).
namespace ept_qual {
inline constexpr std::uint64_t kRead = 1u << 0;
inline constexpr std::uint64_t kWrite = 1u << 1;
inline constexpr std::uint64_t kFetch = 1u << 2;
inline constexpr std::uint64_t kReadable = 1u << 3;  // bits 3-5: what the translation allowed
inline constexpr std::uint64_t kWritable = 1u << 4;
inline constexpr std::uint64_t kExecutable = 1u << 5;
inline constexpr std::uint64_t kLinearValid = 1u << 7;
inline constexpr std::uint64_t kNmiUnblocking = 1u << 12;
}  // namespace ept_qual

// Control-register access exit qualification (SDM vol. 3C 28.2.1, table 28-3).
enum class CrAccessType : std::uint8_t { kMovToCr = 0, kMovFromCr = 1, kClts = 2, kLmsw = 3 };
struct CrAccess {
    std::uint8_t cr;  // 0, 3, 4 or 8
    CrAccessType type;
    std::uint8_t gpr;  // MOV: the general register, in x86 encoding order (vmm::Gpr)
    std::uint16_t lmsw_source;
};
[[nodiscard]] constexpr CrAccess decode_cr_access(std::uint64_t q) {
    return CrAccess{static_cast<std::uint8_t>(q & 0xF), static_cast<CrAccessType>((q >> 4) & 3),
                    static_cast<std::uint8_t>((q >> 8) & 0xF), static_cast<std::uint16_t>(q >> 16)};
}

// What to do with a guest MOV to CR0/CR4 that exited because it disagreed with a host-owned bit
// (the guest/host mask holds only the bits VMX forces: CR0.NE, CR4.VMXE).
enum class CrWriteAction : std::uint8_t {
    kApply,        // write `next` into the VMCS and skip the instruction
    kInjectGp,     // #GP(0): what the guest would get on a CPU without the feature (CR4.VMXE)
    kUnsupported,  // a change this backend does not emulate (e.g. CR0.NE together with PG)
};
struct CrWriteOutcome {
    CrWriteAction action;
    ShadowedCr next;
};
// `cr` is 0 or 4; `value` the guest's source operand; `current` the register's state; `fixed`
// the guest's fixed bits for that register.
[[nodiscard]] CrWriteOutcome decide_cr_write(std::uint8_t cr, std::uint64_t value,
                                             const ShadowedCr& current, FixedBits fixed);

}  // namespace hv::vmx
