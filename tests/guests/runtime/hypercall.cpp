#include "hypercall.hpp"

#include "cpu.hpp"
#include "libc.hpp"

namespace rt {
namespace {

bool vendor_is(uint32_t leaf, const char (&name)[13]) {
    CpuidResult r = cpuid(leaf);
    // Leaf 0 spells the vendor in EBX EDX ECX; the hypervisor leaf in EBX ECX EDX.
    uint32_t words[3] = {r.ebx, leaf == 0 ? r.edx : r.ecx, leaf == 0 ? r.ecx : r.edx};
    return memcmp(words, name, 12) == 0;
}

}  // namespace

bool cpu_is_amd() { return vendor_is(0, "AuthenticAMD"); }

bool under_aihypervisor() {
    if ((cpuid(1).ecx & (1u << 31)) == 0) return false;
    return vendor_is(kHypervisorLeaf, "AIHypervisor");
}

HypercallResult hypercall(uint32_t number, uint32_t rbx, uint32_t rcx, uint32_t rdx, uint32_t rsi) {
    static const bool amd = cpu_is_amd();
    uint32_t eax = number;
    if (amd) {
        asm volatile("vmmcall"
                     : "+a"(eax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi)
                     :
                     : "memory");
    } else {
        asm volatile("vmcall" : "+a"(eax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi) : : "memory");
    }
    return {static_cast<int32_t>(eax), rbx, rcx};
}

}  // namespace rt
