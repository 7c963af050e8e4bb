#pragma once
// Shared helpers of the manifest unit tests.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "vmm/manifest/manifest.hpp"

namespace hv::manifest::testing {

// The example of docs/ARCHITECTURE.md, verbatim.
inline constexpr std::string_view kArchitectureExample = R"(
[host]
on_all_stopped = "poweroff"   # poweroff | halt

[[vm]]
name = "ml0"
vcpus = 2
memory_mib = 512
kernel = "linux"              # module names
initrd = "linux-initrd"
cmdline = "console=ttyS0"
devices = ["0000:00:04.0"]    # host PCI functions assigned to this VM
)";

// A [[vm]] with only its required keys.
inline std::string minimal_vm(std::string_view name = "a") {
    return "[[vm]]\nname = \"" + std::string(name) + "\"\nmemory_mib = 64\nkernel = \"linux\"\n";
}

inline StrView view(std::string_view text) { return StrView(text.data(), text.size()); }

inline std::string reason(const ManifestError& e) {
    return std::string(e.reason().data(), e.reason().size());
}

// The error of a manifest that must not parse (an empty error, and a test failure, if it does).
inline ManifestError parse_error(std::string_view text) {
    auto r = parse(view(text));
    EXPECT_FALSE(r.ok()) << "parsed: " << text;
    return r.ok() ? ManifestError{} : r.error();
}

// Parses a manifest that must parse; on failure the test fails with the reason.
inline Manifest parse_ok(std::string_view text) {
    auto r = parse(view(text));
    EXPECT_TRUE(r.ok()) << "line " << r.error().line << ": " << reason(r.error());
    return r.ok() ? r.value() : Manifest{};
}

}  // namespace hv::manifest::testing
