// Checks of a parsed manifest against the machine and across VMs (manifest.hpp, validate()).
#include "vmm/manifest/manifest.hpp"

namespace hv::manifest {
namespace {

template <typename... Args>
ManifestError fail(std::uint32_t line, const Args&... args) {
    return make_manifest_error(line, 0, args...);
}

// "(modules: manifest, linux)", so an operator sees at once what the loader did hand over.
struct ModuleList {
    std::span<const StrView> names;
};

void format_to(Sink& s, ModuleList list) {
    if (list.names.empty()) {
        s.write("(no modules loaded)");
        return;
    }
    s.write("(modules: ");
    for (std::size_t i = 0; i < list.names.size(); ++i) {
        if (i != 0) s.write(", ");
        format_to(s, Clipped{list.names[i], 24});
    }
    s.put(')');
}

bool contains(std::span<const StrView> names, StrView name) {
    for (const StrView& n : names) {
        if (n == name) return true;
    }
    return false;
}

Result<void, ManifestError> check_modules(const Manifest& m, std::span<const StrView> modules) {
    for (const VmSpec& vm : m.vm_list()) {
        if (!contains(modules, vm.kernel.view())) {
            return fail(vm.lines.kernel, "kernel module '", vm.kernel.view(), "' not loaded ",
                        ModuleList{modules});
        }
        if (!vm.initrd.empty() && !contains(modules, vm.initrd.view())) {
            return fail(vm.lines.initrd, "initrd module '", vm.initrd.view(), "' not loaded ",
                        ModuleList{modules});
        }
    }
    return Ok{};
}

Result<void, ManifestError> check_pins(const Manifest& m, const Optional<std::uint32_t>& cpus) {
    const auto vms = m.vm_list();
    for (std::size_t v = 0; v < vms.size(); ++v) {
        for (const CpuPin& pin : vms[v].cpu_list()) {
            if (pin.cpu < kHypervisorCpus) {
                return fail(pin.line, "cpu ", pin.cpu,
                            " runs the hypervisor; guests may use CPUs from ", kHypervisorCpus);
            }
            if (cpus.has_value() && pin.cpu >= *cpus) {
                return fail(pin.line, "cpu ", pin.cpu, " does not exist: the host has ", *cpus,
                            " CPUs");
            }
            for (std::size_t w = 0; w < v; ++w) {
                for (const CpuPin& other : vms[w].cpu_list()) {
                    if (other.cpu != pin.cpu) continue;
                    return fail(pin.line, "cpu ", pin.cpu, " pinned by both '", vms[w].name.view(),
                                "' (line ", other.line, ") and '", vms[v].name.view(), "' (line ",
                                pin.line, ")");
                }
            }
        }
    }
    return Ok{};
}

Result<void, ManifestError> check_cpu_total(const Manifest& m, std::uint32_t host_cpus) {
    const std::uint32_t for_guests = host_cpus > kHypervisorCpus ? host_cpus - kHypervisorCpus : 0;
    std::uint32_t total = 0;
    for (const VmSpec& vm : m.vm_list()) {
        total += vm.vcpus;
        if (total > for_guests) {
            return fail(vm.lines.vcpus, "vcpus of all VMs total ", total, " (up to '",
                        vm.name.view(), "'), but only ", for_guests, " of the host's ", host_cpus,
                        " CPUs run guests (CPU 0 runs the hypervisor)");
        }
    }
    return Ok{};
}

Result<void, ManifestError> check_memory(const Manifest& m, std::uint64_t host_mib) {
    std::uint64_t total = 0;
    for (const VmSpec& vm : m.vm_list()) {
        total += vm.memory_mib;
        if (total > host_mib) {
            return fail(vm.lines.memory_mib, "memory_mib of all VMs totals ", total, " (up to '",
                        vm.name.view(), "'), but the host has ", host_mib, " MiB for VMs");
        }
    }
    return Ok{};
}

Result<void, ManifestError> check_devices(const Manifest& m, std::span<const pci::Bdf> present) {
    const auto vms = m.vm_list();
    for (std::size_t v = 0; v < vms.size(); ++v) {
        for (const DeviceEntry& dev : vms[v].device_list()) {
            for (std::size_t w = 0; w < v; ++w) {
                for (const DeviceEntry& other : vms[w].device_list()) {
                    if (!(other.bdf == dev.bdf)) continue;
                    return fail(dev.line, "device ", dev.bdf, " given to both '",
                                vms[w].name.view(), "' (line ", other.line, ") and '",
                                vms[v].name.view(), "' (line ", dev.line, ")");
                }
            }
            if (present.empty()) continue;
            bool found = false;
            for (const pci::Bdf& bdf : present) found = found || bdf == dev.bdf;
            if (!found) return fail(dev.line, "device ", dev.bdf, " is not present on the host");
        }
    }
    return Ok{};
}

}  // namespace

Result<void, ManifestError> validate(const Manifest& manifest, const HostFacts& facts) {
    if (facts.modules.has_value()) TRY(check_modules(manifest, *facts.modules));
    TRY(check_pins(manifest, facts.cpus));
    if (facts.cpus.has_value()) TRY(check_cpu_total(manifest, *facts.cpus));
    if (facts.memory_mib.has_value()) TRY(check_memory(manifest, *facts.memory_mib));
    TRY(check_devices(manifest, facts.devices));
    return Ok{};
}

}  // namespace hv::manifest
