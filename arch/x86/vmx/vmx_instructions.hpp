#pragma once
// The VMX instructions (Intel SDM vol. 3C ch. 32), typed by VMCS field width. Kernel only.
// Every instruction reports failure through RFLAGS: CF=1 VMfailInvalid (no current VMCS), ZF=1
// VMfailValid (the reason is in the VM-instruction error field); `ok` is "neither" (SDM 31.2).
#include <cstdint>

#include "arch/x86/vmx/vmcs_fields.hpp"

namespace hv::vmx {

inline bool vmxon(std::uint64_t region_pa) {
    bool ok;
    asm volatile("vmxon %1; seta %0" : "=qm"(ok) : "m"(region_pa) : "cc", "memory");
    return ok;
}
inline bool vmclear(std::uint64_t vmcs_pa) {
    bool ok;
    asm volatile("vmclear %1; seta %0" : "=qm"(ok) : "m"(vmcs_pa) : "cc", "memory");
    return ok;
}
inline bool vmptrld(std::uint64_t vmcs_pa) {
    bool ok;
    asm volatile("vmptrld %1; seta %0" : "=qm"(ok) : "m"(vmcs_pa) : "cc", "memory");
    return ok;
}

inline std::uint64_t vmread_raw(std::uint32_t field) {
    std::uint64_t v;
    asm volatile("vmread %1, %0" : "=r"(v) : "r"(static_cast<std::uint64_t>(field)) : "cc");
    return v;
}
inline bool vmwrite_raw(std::uint32_t field, std::uint64_t value) {
    bool ok;
    asm volatile("vmwrite %1, %2; seta %0"
                 : "=qm"(ok)
                 : "rm"(value), "r"(static_cast<std::uint64_t>(field))
                 : "cc", "memory");
    return ok;
}

inline std::uint16_t vmread(VmcsField16 f) {
    return static_cast<std::uint16_t>(vmread_raw(encoding(f)));
}
inline std::uint32_t vmread(VmcsField32 f) {
    return static_cast<std::uint32_t>(vmread_raw(encoding(f)));
}
inline std::uint64_t vmread(VmcsField64 f) { return vmread_raw(encoding(f)); }
inline std::uint64_t vmread(VmcsFieldNatural f) { return vmread_raw(encoding(f)); }
inline bool vmwrite(VmcsField16 f, std::uint16_t v) { return vmwrite_raw(encoding(f), v); }
inline bool vmwrite(VmcsField32 f, std::uint32_t v) { return vmwrite_raw(encoding(f), v); }
inline bool vmwrite(VmcsField64 f, std::uint64_t v) { return vmwrite_raw(encoding(f), v); }
inline bool vmwrite(VmcsFieldNatural f, std::uint64_t v) { return vmwrite_raw(encoding(f), v); }

// INVEPT / INVVPID types (SDM vol. 3C 29.4.3.1; vol. 2 "INVEPT", "INVVPID").
enum class InveptType : std::uint64_t { kSingleContext = 1, kAllContexts = 2 };
enum class InvvpidType : std::uint64_t {
    kIndividualAddress = 0,
    kSingleContext = 1,
    kAllContexts = 2
};

inline bool invept(InveptType type, std::uint64_t eptp) {
    struct {
        std::uint64_t eptp, reserved;
    } desc{eptp, 0};
    bool ok;
    asm volatile("invept %1, %2; seta %0"
                 : "=qm"(ok)
                 : "m"(desc), "r"(static_cast<std::uint64_t>(type))
                 : "cc", "memory");
    return ok;
}
inline bool invvpid(InvvpidType type, std::uint16_t vpid, std::uint64_t address = 0) {
    struct {
        std::uint64_t vpid, address;
    } desc{vpid, address};
    bool ok;
    asm volatile("invvpid %1, %2; seta %0"
                 : "=qm"(ok)
                 : "m"(desc), "r"(static_cast<std::uint64_t>(type))
                 : "cc", "memory");
    return ok;
}

}  // namespace hv::vmx
