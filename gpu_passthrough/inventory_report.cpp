#include "gpu_passthrough/inventory_report.hpp"

#include "drivers/pci/function_reset.hpp"
#include "drivers/pci/inventory.hpp"
#include "gpu_passthrough/assignability.hpp"
#include "gpu_passthrough/iommu_groups.hpp"
#include "kernel/console.hpp"

namespace hv::passthrough {
namespace {

// About 0.5 KiB; static rather than on the boot stack.
IommuGroups g_groups;
HostDevices g_host;

bool pm_reset_works(const pci::PciFunction& fn) {
    return pci::pm_reset_works(pci::host_config(), fn.bdf);
}

}  // namespace

void report_assignable(const Iommu* iommu) {
    const pci::FunctionList& fns = pci::functions();
    const std::span<const pci::PciFunction> list(fns.begin(), fns.size());
    g_groups.compute(list);
    g_host = HostDevices{
        .functions = list, .groups = &g_groups, .iommu = iommu, .pm_reset_works = pm_reset_works};
    const HostDevices& host = g_host;
    for (std::size_t i = 0; i < g_groups.function_count(); ++i) {
        if (list[i].is_bridge()) continue;
        console::lock();
        Sink& s = console::locked_sink();
        s.write("hv: ");
        format_inventory_line(s, host, i);
        s.put('\n');
        console::unlock();
    }
}

const HostDevices& host_devices() { return g_host; }

}  // namespace hv::passthrough
