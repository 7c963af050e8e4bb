#include "vmm/cpuid_policy.hpp"

namespace hv::vmm {
namespace {

// Leaf 1 (Intel SDM vol. 2A table 3-10/3-11, AMD APM vol. 3 E.3.2).
constexpr std::uint32_t kEcxMonitor = 1u << 3;
constexpr std::uint32_t kEcxVmx = 1u << 5;
constexpr std::uint32_t kEcxSmx = 1u << 6;
constexpr std::uint32_t kEcxEst = 1u << 7;
constexpr std::uint32_t kEcxTm2 = 1u << 8;
constexpr std::uint32_t kEcxPdcm = 1u << 15;
constexpr std::uint32_t kEcxX2apic = 1u << 21;       // the LAPIC model speaks x2APIC
constexpr std::uint32_t kEcxTscDeadline = 1u << 24;  // the LAPIC model has TSC-deadline mode
constexpr std::uint32_t kEcxOsxsave = 1u << 27;
constexpr std::uint32_t kEcxHypervisor = 1u << 31;
constexpr std::uint32_t kEdxMtrr = 1u << 12;
constexpr std::uint32_t kEdxMca = 1u << 14;
constexpr std::uint32_t kEdxMce = 1u << 7;
constexpr std::uint32_t kEdxAcpi = 1u << 22;
constexpr std::uint32_t kEdxTm = 1u << 29;
constexpr std::uint32_t kEdxDs = 1u << 21;
// Leaf 8000_0001h ECX (APM vol. 3 E.4.2).
constexpr std::uint32_t kExtEcxSvm = 1u << 2;
constexpr std::uint32_t kExtEcxSkinit = 1u << 12;
constexpr std::uint32_t kExtEcxWdt = 1u << 13;
// Leaf 7.0 ECX: WAITPKG (bit 5) lets a guest park a CPU with UMWAIT.
constexpr std::uint32_t kLeaf7EcxWaitpkg = 1u << 5;
// Leaf 8000_0007h EDX bit 8: invariant TSC (APM vol. 3 E.4.6, SDM vol. 3B 19.17.1).
constexpr std::uint32_t kExt7EdxInvariantTsc = 1u << 8;
// Leaf 0Bh ECX[15:8] level types (SDM vol. 2A CPUID leaf 0BH).
constexpr std::uint32_t kLevelSmt = 1;
constexpr std::uint32_t kLevelCore = 2;

// Bits needed to number `n` things (the x2APIC ID shift of a topology level).
std::uint32_t id_bits(std::uint32_t n) {
    std::uint32_t b = 0;
    while ((1u << b) < n) ++b;
    return b;
}

// Leaf 0Bh/1Fh: every vCPU is one core of one package, one thread per core; the x2APIC ID is
// the vCPU index.
CpuidValues topology_leaf(std::uint32_t subleaf, const CpuidContext& ctx) {
    switch (subleaf) {
        case 0:
            return {0, 1, (kLevelSmt << 8) | subleaf, ctx.vcpu_index};
        case 1:
            return {id_bits(ctx.vcpu_count), ctx.vcpu_count, (kLevelCore << 8) | subleaf,
                    ctx.vcpu_index};
        default:
            return {0, 0, subleaf, ctx.vcpu_index};
    }
}

}  // namespace

CpuidValues guest_cpuid(std::uint32_t leaf, std::uint32_t subleaf, CpuidValues host,
                        const CpuidContext& ctx) {
    CpuidValues r = host;
    switch (leaf) {
        case 0x1:
            r.ecx &=
                ~(kEcxMonitor | kEcxVmx | kEcxSmx | kEcxEst | kEcxTm2 | kEcxPdcm | kEcxOsxsave);
            r.ecx |= kEcxHypervisor | kEcxX2apic | kEcxTscDeadline |
                     (ctx.guest_osxsave ? kEcxOsxsave : 0);
            r.edx &= ~(kEdxMtrr | kEdxMca | kEdxMce | kEdxAcpi | kEdxTm | kEdxDs);
            // EBX[31:24] initial APIC ID, [23:16] logical processors per package.
            r.ebx = (r.ebx & 0x0000'FFFF) | (ctx.vcpu_count & 0xFF) << 16 |
                    (ctx.vcpu_index & 0xFF) << 24;
            break;
        case 0x5:  // MONITOR/MWAIT: hidden
        case 0x6:  // thermal and power management: host business
        case 0xA:  // architectural performance monitoring: not virtualized
            r = {};
            break;
        case 0x7:
            if (subleaf == 0) r.ecx &= ~kLeaf7EcxWaitpkg;
            break;
        case 0xB:
        case 0x1F:
            r = topology_leaf(subleaf, ctx);
            break;
        case 0x15:
            // TSC/crystal ratio (SDM vol. 2A CPUID leaf 15H): the "crystal" is the LAPIC timer
            // clock, so TSC Hz = ECX * EBX / EAX with EAX = 1e6 keeps kHz precision.
            if (ctx.lapic_timer_hz != 0 && ctx.tsc_hz != 0)
                r = {1'000'000, static_cast<std::uint32_t>(ctx.tsc_hz / 1000),
                     static_cast<std::uint32_t>(ctx.lapic_timer_hz), 0};
            break;
        case 0x16:  // base / maximum / bus MHz (SDM vol. 2A CPUID leaf 16H)
            if (ctx.tsc_hz != 0)
                r = {static_cast<std::uint32_t>(ctx.tsc_hz / 1'000'000),
                     static_cast<std::uint32_t>(ctx.tsc_hz / 1'000'000),
                     static_cast<std::uint32_t>(ctx.lapic_timer_hz / 1'000'000), 0};
            break;
        case kHypervisorLeafBase:
            r = {kHypervisorLeafMax, kSignatureEbx, kSignatureEcx, kSignatureEdx};
            break;
        case kHypervisorLeafVersion:
            r = {kGuestAbiVersion, 0, 0, 0};
            break;
        case kHypervisorLeafTiming:
            r = {static_cast<std::uint32_t>(ctx.tsc_hz / 1000),
                 static_cast<std::uint32_t>(ctx.lapic_timer_hz / 1000), 0, 0};
            break;
        case 0x8000'0007:
            r.edx |= kExt7EdxInvariantTsc;
            break;
        case 0x8000'0008:
            // ECX[7:0] = cores per package - 1, ECX[15:12] = APIC ID bits for them (APM vol. 3
            // E.4.7).
            r.ecx = (r.ecx & ~0xF0FFu) | (id_bits(ctx.vcpu_count) << 12) | (ctx.vcpu_count - 1);
            break;
        case 0x8000'001E:
            // Extended APIC ID, core ID = vCPU index; one thread per core, node 0 (APM vol. 3
            // E.4.15).
            r = {ctx.vcpu_index, ctx.vcpu_index & 0xFF, 0, 0};
            break;
        case 0x8000'0001:
            r.ecx &= ~(kExtEcxSvm | kExtEcxSkinit | kExtEcxWdt);
            break;
        case 0x8000'000A:  // SVM features: no nesting
            r = {};
            break;
        default:
            if (leaf > kHypervisorLeafBase && leaf < 0x8000'0000 &&
                (leaf & 0xF000'0000) == 0x4000'0000)
                r = {};
            break;
    }
    return r;
}

}  // namespace hv::vmm
