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
constexpr std::uint32_t kEcxX2apic = 1u << 21;  // hidden until the LAPIC model speaks x2APIC
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

}  // namespace

CpuidValues guest_cpuid(std::uint32_t leaf, std::uint32_t subleaf, CpuidValues host,
                        const CpuidContext& ctx) {
    CpuidValues r = host;
    switch (leaf) {
        case 0x1:
            r.ecx &= ~(kEcxMonitor | kEcxVmx | kEcxSmx | kEcxEst | kEcxTm2 | kEcxPdcm | kEcxX2apic |
                       kEcxOsxsave);
            r.ecx |= kEcxHypervisor | (ctx.guest_osxsave ? kEcxOsxsave : 0);
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
        case kHypervisorLeafBase:
            r = {kHypervisorLeafMax, kSignatureEbx, kSignatureEcx, kSignatureEdx};
            break;
        case kHypervisorLeafMax:
            r = {kGuestAbiVersion, 0, 0, 0};
            break;
        case 0x8000'0001:
            r.ecx &= ~(kExtEcxSvm | kExtEcxSkinit | kExtEcxWdt);
            break;
        case 0x8000'000A:  // SVM features: no nesting
            r = {};
            break;
        default:
            if (leaf > kHypervisorLeafMax && leaf < 0x8000'0000 &&
                (leaf & 0xF000'0000) == 0x4000'0000)
                r = {};
            break;
    }
    return r;
}

}  // namespace hv::vmm
