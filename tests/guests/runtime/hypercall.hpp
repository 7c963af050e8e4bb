// Hypercalls per docs/guest_abi.md: VMMCALL on AMD, VMCALL otherwise, chosen from the CPUID
// vendor. A 32-bit guest passes EAX = number, EBX ECX EDX ESI = arguments and gets EAX = status,
// EBX ECX = outputs. Without the hypervisor both instructions raise #UD, so guests first ask
// under_aihypervisor().
#pragma once

#include <stdint.h>

namespace rt {

enum class Hypercall : uint32_t {
    kVersion = 0,
    kConsoleWrite = 1,
    kMemoryInfo = 2,
    kNop = 3,
    kPoweroff = 4,
    kVcpuInfo = 5,
};

constexpr int32_t kStatusOk = 0;
constexpr int32_t kStatusNoSys = -38;
constexpr int32_t kStatusInval = -22;
constexpr uint32_t kAbiVersion = 2;
constexpr uint32_t kHypervisorLeaf = 0x40000000;

struct HypercallResult {
    int32_t status;
    uint32_t rbx, rcx;
};

HypercallResult hypercall(uint32_t number, uint32_t rbx = 0, uint32_t rcx = 0, uint32_t rdx = 0,
                          uint32_t rsi = 0);
inline HypercallResult hypercall(Hypercall call, uint32_t rbx = 0, uint32_t rcx = 0) {
    return hypercall(static_cast<uint32_t>(call), rbx, rcx);
}

bool cpu_is_amd();
// CPUID leaf 0x40000000 carries "AIHypervisor" in EBX ECX EDX.
bool under_aihypervisor();

}  // namespace rt
