// libFuzzer target for the VM manifest parser (vmm/manifest): parse, then validate against a few
// host descriptions, and check what a parsed manifest promises. A parsed manifest is also written
// back as TOML and parsed again, which must give the same VMs.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "vmm/manifest/manifest.hpp"

namespace hv::manifest {
namespace {

void check(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "manifest_fuzz: invariant broken: %s\n", what);
    std::abort();
}

void check_error(const ManifestError& e, std::size_t lines) {
    check(e.reason_size > 0 && e.reason_size <= kMaxReasonLen, "reason length");
    check(e.reason_text[e.reason_size] == '\0', "reason terminated");
    check(e.line <= lines, "error line within the text");
}

std::string quoted(StrView text) {
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += "\\t";
        else
            out += c;
    }
    return out + "\"";
}

std::string to_toml(const Manifest& m) {
    std::string out =
        "[host]\non_all_stopped = \"" + std::string(name(m.host.on_all_stopped)) + "\"\n";
    for (const VmSpec& vm : m.vm_list()) {
        out += "[[vm]]\nname = " + quoted(vm.name.view()) +
               "\nvcpus = " + std::to_string(vm.vcpus) +
               "\nmemory_mib = " + std::to_string(vm.memory_mib) +
               "\nkernel = " + quoted(vm.kernel.view()) +
               "\ncmdline = " + quoted(vm.cmdline.view()) + "\non_reboot = \"" +
               name(vm.on_reboot) + "\"\non_dma_fault = \"" + name(vm.on_dma_fault) + "\"\n";
        if (!vm.initrd.empty()) out += "initrd = " + quoted(vm.initrd.view()) + "\n";
        out += "devices = [";
        for (const DeviceEntry& d : vm.device_list()) {
            BufferSink<16> s;
            format_to(s, d.bdf);
            out += std::string("\"") + s.c_str() + "\",";
        }
        out += "]\n";
        if (vm.cpu_count != 0) {
            out += "cpus = [";
            for (const CpuPin& p : vm.cpu_list()) out += std::to_string(p.cpu) + ",";
            out += "]\n";
        }
    }
    return out;
}

bool same_vm(const VmSpec& a, const VmSpec& b) {
    if (!(a.name.view() == b.name.view()) || a.vcpus != b.vcpus || a.memory_mib != b.memory_mib ||
        !(a.kernel.view() == b.kernel.view()) || !(a.initrd.view() == b.initrd.view()) ||
        !(a.cmdline.view() == b.cmdline.view()) || a.device_count != b.device_count ||
        a.cpu_count != b.cpu_count || a.on_reboot != b.on_reboot ||
        a.on_dma_fault != b.on_dma_fault) {
        return false;
    }
    for (std::uint32_t i = 0; i < a.device_count; ++i) {
        if (!(a.devices[i].bdf == b.devices[i].bdf)) return false;
    }
    for (std::uint32_t i = 0; i < a.cpu_count; ++i) {
        if (a.cpus[i].cpu != b.cpus[i].cpu) return false;
    }
    return true;
}

void check_manifest(const Manifest& m, std::size_t lines) {
    check(m.vm_count >= 1 && m.vm_count <= kMaxVms, "vm count");
    for (const VmSpec& vm : m.vm_list()) {
        check(!vm.name.empty() && vm.name.size() <= kMaxNameLen, "name length");
        check(vm.vcpus >= kMinVcpus && vm.vcpus <= kMaxVcpus, "vcpus range");
        check(vm.memory_mib >= kMinMemoryMib && vm.memory_mib <= kMaxMemoryMib, "memory range");
        check(!vm.kernel.empty(), "kernel given");
        check(vm.cpu_count == 0 || vm.cpu_count == vm.vcpus, "one pin per vcpu");
        check(vm.device_count <= kMaxDevicesPerVm, "device count");
        check(vm.cmdline.size() <= kMaxCmdlineLen, "cmdline length");
        check(vm.lines.table >= 1 && vm.lines.table <= lines, "table line");
        for (const DeviceEntry& d : vm.device_list())
            check(d.line >= vm.lines.table, "device line");
    }
}

std::size_t count_lines(const std::uint8_t* data, std::size_t size) {
    std::size_t lines = 1;
    for (std::size_t i = 0; i < size; ++i) lines += data[i] == '\n' ? 1 : 0;
    return lines;
}

}  // namespace
}  // namespace hv::manifest

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hv::manifest;
    static Manifest manifest;  // 30 KiB; static as in the kernel
    static Manifest again;
    const std::size_t lines = count_lines(data, size);
    auto parsed = parse_into(hv::Bytes(reinterpret_cast<const std::byte*>(data), size), manifest);
    if (!parsed.ok()) {
        check_error(parsed.error(), lines);
        return 0;
    }
    check_manifest(manifest, lines);

    const std::string text = to_toml(manifest);
    auto reparsed = parse_into(hv::StrView(text.data(), text.size()), again);
    if (!reparsed.ok()) std::fprintf(stderr, "%s\n%s\n", text.c_str(), reparsed.error().c_str());
    check(reparsed.ok(), "a parsed manifest written back parses");
    check(again.vm_count == manifest.vm_count, "round trip keeps the VMs");
    check(again.host.on_all_stopped == manifest.host.on_all_stopped, "round trip keeps [host]");
    for (std::uint32_t i = 0; i < manifest.vm_count; ++i) {
        check(same_vm(manifest.vms[i], again.vms[i]), "round trip keeps each VM");
    }

    static constexpr hv::StrView kModules[] = {"manifest", "linux", "initrd"};
    static constexpr hv::pci::Bdf kDevices[] = {hv::pci::Bdf(0, 0, 4, 0), hv::pci::Bdf(0, 1, 0, 0)};
    HostFacts unknown;
    auto r = validate(manifest, unknown);
    if (!r.ok()) check_error(r.error(), lines);
    HostFacts small;
    small.modules = std::span<const hv::StrView>(kModules);
    small.memory_mib = 1024;
    small.cpus = 4;
    small.devices = kDevices;
    auto s = validate(manifest, small);
    if (!s.ok()) check_error(s.error(), lines);
    // A host with less of everything cannot accept what a smaller one refused.
    if (!r.ok()) check(!s.ok(), "host facts only add checks");
    return 0;
}
