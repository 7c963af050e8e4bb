// hvmanifest: checks a VM manifest before boot with the hypervisor's own parser and validator
// (vmm/manifest), so an operator learns of a typo at their desk rather than on the serial console.
// See usage() and docs/manifest.md.

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "drivers/pci/bdf.hpp"
#include "vmm/manifest/manifest.hpp"

namespace hvmanifest {
namespace {

namespace fs = std::filesystem;
namespace mf = hv::manifest;

constexpr int kExitOk = 0;
constexpr int kExitInvalid = 1;  // the manifest has an error
constexpr int kExitUsage = 2;    // bad flags or an unreadable file

constexpr std::string_view kUsage = R"(usage: hvmanifest check FILE [HOST FACTS...]
       hvmanifest --help

Checks a VM manifest (docs/manifest.md) with the parser and validator the hypervisor runs at boot.
FILE may be - for standard input.

Always checked: the TOML subset, keys, types and limits, required keys, and the rules between
VMs (no device or pinned CPU given to two VMs, no vCPU pinned to CPU 0). Each host fact given
turns on the checks that need it:
  --module NAME           a boot module that will be loaded (repeatable); kernel and initrd
                          must then name a given module
  --modules-from-dir DIR  every regular file in DIR is a module named after the file (adds to
                          --module)
  --host-memory-mib N     MiB the host can give to VMs; the VMs' memory_mib must fit in it
  --host-cpus N           host CPUs, CPU 0 included; CPU 0 runs the hypervisor, so the VMs'
                          vcpus must fit in N-1, and pinned CPUs must be below N
  --device BDF            a PCI function present on the host, e.g. 0000:00:04.0 (repeatable);
                          every device in the manifest must then be one of them

Prints 'FILE: ok: N vms (NAME vcpus=V memory_mib=M devices=D, ...)' and exits 0, or
'FILE:LINE: error: REASON' and exits 1. Bad flags or an unreadable FILE exit 2.
)";

struct Options {
    std::string file;
    std::vector<std::string> modules;
    bool modules_given = false;
    std::optional<std::uint64_t> memory_mib;
    std::optional<std::uint32_t> cpus;
    std::vector<hv::pci::Bdf> devices;
};

struct UsageError {
    std::string message;
};

template <typename T>
std::optional<T> parse_number(std::string_view text) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// Returns the options, or the reason they are unusable.
std::variant<Options, UsageError> parse_args(const std::vector<std::string_view>& args) {
    if (args.empty() || args[0] != "check") return UsageError{"expected the command 'check'"};
    Options o;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const bool takes_value = arg == "--module" || arg == "--modules-from-dir" ||
                                 arg == "--host-memory-mib" || arg == "--host-cpus" ||
                                 arg == "--device";
        if (takes_value && i + 1 >= args.size()) {
            return UsageError{fmt::format("{} needs a value", arg)};
        }
        if (arg == "--module") {
            o.modules.emplace_back(args[++i]);
            o.modules_given = true;
        } else if (arg == "--modules-from-dir") {
            const fs::path dir(args[++i]);
            std::error_code ec;
            for (const auto& entry : fs::directory_iterator(dir, ec)) {
                if (entry.is_regular_file()) o.modules.push_back(entry.path().filename().string());
            }
            if (ec)
                return UsageError{fmt::format("cannot list {}: {}", dir.string(), ec.message())};
            o.modules_given = true;
        } else if (arg == "--host-memory-mib") {
            o.memory_mib = parse_number<std::uint64_t>(args[++i]);
            if (!o.memory_mib)
                return UsageError{fmt::format("bad --host-memory-mib '{}'", args[i])};
        } else if (arg == "--host-cpus") {
            o.cpus = parse_number<std::uint32_t>(args[++i]);
            if (!o.cpus) return UsageError{fmt::format("bad --host-cpus '{}'", args[i])};
        } else if (arg == "--device") {
            const std::string_view text = args[++i];
            auto bdf = hv::pci::parse_bdf(hv::StrView(text.data(), text.size()));
            if (!bdf.ok())
                return UsageError{fmt::format("bad --device '{}': {}", text, bdf.error().what)};
            o.devices.push_back(bdf.value());
        } else if (arg.starts_with("--") && arg != "--") {
            return UsageError{fmt::format("unknown option '{}'", arg)};
        } else if (o.file.empty()) {
            o.file = std::string(arg);
        } else {
            return UsageError{fmt::format("more than one FILE ('{}' and '{}')", o.file, arg)};
        }
    }
    if (o.file.empty()) return UsageError{"missing FILE"};
    return o;
}

std::optional<std::string> read_file(const std::string& path) {
    if (path == "-") {
        return std::string(std::istreambuf_iterator<char>(std::cin),
                           std::istreambuf_iterator<char>());
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return std::nullopt;
    return text;
}

std::string_view sv(hv::StrView v) { return std::string_view(v.data(), v.size()); }

int report(const std::string& file, const mf::ManifestError& e) {
    if (e.line == 0) {
        fmt::print("{}: error: {}\n", file, sv(e.reason()));
    } else {
        fmt::print("{}:{}: error: {}\n", file, e.line, sv(e.reason()));
    }
    return kExitInvalid;
}

int check(const Options& o) {
    const std::optional<std::string> text = read_file(o.file);
    if (!text) {
        fmt::print(stderr, "hvmanifest: cannot read {}\n", o.file);
        return kExitUsage;
    }
    auto manifest = std::make_unique<mf::Manifest>();
    auto parsed = mf::parse_into(hv::StrView(text->data(), text->size()), *manifest);
    if (!parsed.ok()) return report(o.file, parsed.error());

    std::vector<hv::StrView> modules;
    for (const std::string& m : o.modules) modules.emplace_back(m.data(), m.size());
    mf::HostFacts facts;
    if (o.modules_given) facts.modules = std::span<const hv::StrView>(modules);
    if (o.memory_mib) facts.memory_mib = *o.memory_mib;
    if (o.cpus) facts.cpus = *o.cpus;
    facts.devices = o.devices;
    auto valid = mf::validate(*manifest, facts);
    if (!valid.ok()) return report(o.file, valid.error());

    std::string vms;
    for (const mf::VmSpec& vm : manifest->vm_list()) {
        if (!vms.empty()) vms += ", ";
        vms += fmt::format("{} vcpus={} memory_mib={} devices={}", sv(vm.name.view()), vm.vcpus,
                           vm.memory_mib, vm.device_count);
    }
    fmt::print("{}: ok: {} vm{} ({})\n", o.file, manifest->vm_count,
               manifest->vm_count == 1 ? "" : "s", vms);
    return kExitOk;
}

}  // namespace
}  // namespace hvmanifest

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    for (std::string_view a : args) {
        if (a == "--help" || a == "-h") {
            fmt::print("{}", hvmanifest::kUsage);
            return hvmanifest::kExitOk;
        }
    }
    auto options = hvmanifest::parse_args(args);
    if (const auto* error = std::get_if<hvmanifest::UsageError>(&options)) {
        fmt::print(stderr, "hvmanifest: {}\n{}", error->message, hvmanifest::kUsage);
        return hvmanifest::kExitUsage;
    }
    return hvmanifest::check(std::get<hvmanifest::Options>(options));
}
