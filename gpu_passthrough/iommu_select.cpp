#include "gpu_passthrough/iommu_select.hpp"

#include <cstddef>
#include <cstdint>

#include "arch/x86/iommu/amdvi/amdvi_iommu.hpp"
#include "arch/x86/iommu/vtd/vtd_iommu.hpp"
#include "kernel/console.hpp"

namespace hv::passthrough {
namespace {

Iommu* g_iommu = nullptr;

}  // namespace

Iommu* init_iommu(const acpi::Platform& platform) {
    if (platform.have_dmar && !platform.dmar.drhds.empty()) {
        auto r = vtd::init(platform.dmar);
        if (!r) {
            log("iommu vtd units=", platform.dmar.drhds.size(), " not enabled: ", r.error().what);
            return nullptr;
        }
        g_iommu = r.value();
        log("iommu vtd units=", platform.dmar.drhds.size(), " default=deny enabled");
        return g_iommu;
    }
    if (platform.have_ivrs && !platform.ivrs.ivhds.empty()) {
        // Firmware may describe one IOMMU with several IVHD types; the driver takes one each.
        const std::size_t units =
            acpi::preferred_ivhds(platform.ivrs,
                                  static_cast<std::uint8_t>(acpi::IvrsBlockType::kIvhdAcpiHid))
                .size();
        auto r = amdvi::init(platform.ivrs);
        if (!r) {
            log("iommu amdvi units=", units, " not enabled: ", r.error().what);
            return nullptr;
        }
        g_iommu = r.value();
        log("iommu amdvi units=", units, " default=deny enabled");
        return g_iommu;
    }
    log("iommu none: the firmware reports no DMAR or IVRS");
    return nullptr;
}

Iommu* active_iommu() { return g_iommu; }

}  // namespace hv::passthrough
