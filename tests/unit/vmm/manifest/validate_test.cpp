#include <gtest/gtest.h>

#include <array>
#include <string>

#include "manifest_test_support.hpp"
#include "vmm/manifest/manifest.hpp"

namespace hv::manifest {
namespace {

using testing::kArchitectureExample;
using testing::parse_ok;
using testing::reason;

constexpr std::array<StrView, 3> kModules = {"manifest", "linux", "linux-initrd"};
constexpr std::array<pci::Bdf, 2> kPresent = {pci::Bdf(0, 0, 4, 0), pci::Bdf(0, 0, 5, 0)};

HostFacts full_facts() {
    HostFacts facts;
    facts.modules = std::span<const StrView>(kModules);
    facts.memory_mib = 4096;
    facts.cpus = 4;
    facts.devices = kPresent;
    return facts;
}

// A [[vm]] of five lines: header, name, memory_mib, kernel, then `extra` (one line).
std::string vm(const std::string& name, const std::string& extra = "",
               const std::string& memory_mib = "64", const std::string& kernel = "linux") {
    return "[[vm]]\nname = \"" + name + "\"\nmemory_mib = " + memory_mib + "\nkernel = \"" +
           kernel + "\"\n" + extra + "\n";
}

ManifestError validate_error(const std::string& text, const HostFacts& facts) {
    const Manifest m = parse_ok(text);
    auto r = validate(m, facts);
    EXPECT_FALSE(r.ok());
    return r.ok() ? ManifestError{} : r.error();
}

TEST(ManifestValidate, AcceptsTheArchitectureExampleOnAHostThatFitsIt) {
    EXPECT_TRUE(validate(parse_ok(kArchitectureExample), full_facts()).ok());
}

TEST(ManifestValidate, SkipsHostChecksWhenFactsAreUnknown) {
    const Manifest m =
        parse_ok(vm("a", "vcpus = 15\ndevices = [\"0000:00:1f.7\"]", "1048576", "absent") +
                 vm("b", "", "1048576", "absent-too"));
    EXPECT_TRUE(validate(m, HostFacts{}).ok());
}

TEST(ManifestValidate, RejectsAMissingKernelModule) {
    const ManifestError e = validate_error(vm("a") + vm("b", "", "64", "guest2"), full_facts());
    EXPECT_EQ(reason(e),
              "kernel module 'guest2' not loaded (modules: manifest, linux, linux-initrd)");
    EXPECT_EQ(e.line, 9u);
}

TEST(ManifestValidate, RejectsAMissingInitrdModule) {
    const ManifestError e = validate_error(vm("a", "initrd = \"busybox\""), full_facts());
    EXPECT_EQ(reason(e),
              "initrd module 'busybox' not loaded (modules: manifest, linux, linux-initrd)");
    EXPECT_EQ(e.line, 5u);
}

TEST(ManifestValidate, SaysSoWhenNoModulesAreLoaded) {
    HostFacts facts;
    facts.modules = std::span<const StrView>();
    EXPECT_EQ(reason(validate_error(vm("a"), facts)),
              "kernel module 'linux' not loaded (no modules loaded)");
}

TEST(ManifestValidate, RejectsMoreMemoryThanTheHostHas) {
    const ManifestError e = validate_error(
        vm("a", "", "2048") + vm("b", "", "1024") + vm("c", "", "2048"), full_facts());
    EXPECT_EQ(reason(e),
              "memory_mib of all VMs totals 5120 (up to 'c'), but the host has 4096 MiB for VMs");
    EXPECT_EQ(e.line, 13u);
}

TEST(ManifestValidate, AcceptsMemoryThatExactlyFills) {
    EXPECT_TRUE(validate(parse_ok(vm("a", "", "2048") + vm("b", "", "2048")), full_facts()).ok());
}

TEST(ManifestValidate, ReservesCpuZeroForTheHypervisor) {
    EXPECT_EQ(kHypervisorCpus, 1u);
    // 4 host CPUs leave 3 for guests.
    EXPECT_TRUE(validate(parse_ok(vm("a", "vcpus = 2") + vm("b")), full_facts()).ok());
    const ManifestError e =
        validate_error(vm("a", "vcpus = 2") + vm("b", "vcpus = 2"), full_facts());
    EXPECT_EQ(reason(e),
              "vcpus of all VMs total 4 (up to 'b'), but only 3 of the host's 4 CPUs "
              "run guests (CPU 0 runs the hypervisor)");
    EXPECT_EQ(e.line, 10u);
}

TEST(ManifestValidate, RejectsAnyVcpuOnASingleCpuHost) {
    HostFacts facts;
    facts.cpus = 1;
    EXPECT_EQ(reason(validate_error(vm("a"), facts)),
              "vcpus of all VMs total 1 (up to 'a'), but only 0 of the host's 1 CPUs run guests "
              "(CPU 0 runs the hypervisor)");
}

TEST(ManifestValidate, RejectsPinningToCpuZeroEvenWithoutHostFacts) {
    const ManifestError e = validate_error(vm("a", "cpus = [0]"), HostFacts{});
    EXPECT_EQ(reason(e), "cpu 0 runs the hypervisor; guests may use CPUs from 1");
    EXPECT_EQ(e.line, 5u);
}

TEST(ManifestValidate, RejectsAPinnedCpuTheHostDoesNotHave) {
    const ManifestError e = validate_error(vm("a", "vcpus = 2\ncpus = [\n1,\n4,\n]"), full_facts());
    EXPECT_EQ(reason(e), "cpu 4 does not exist: the host has 4 CPUs");
    EXPECT_EQ(e.line, 8u);
}

TEST(ManifestValidate, RejectsACpuPinnedByTwoVms) {
    const ManifestError e =
        validate_error(vm("a", "cpus = [2]") + vm("b", "cpus = [2]"), HostFacts{});
    EXPECT_EQ(reason(e), "cpu 2 pinned by both 'a' (line 5) and 'b' (line 10)");
    EXPECT_EQ(e.line, 10u);
}

TEST(ManifestValidate, AcceptsDisjointPins) {
    EXPECT_TRUE(validate(parse_ok(vm("a", "vcpus = 2\ncpus = [1, 2]") + vm("b", "cpus = [3]")),
                         full_facts())
                    .ok());
}

TEST(ManifestValidate, RejectsADeviceGivenToTwoVms) {
    const ManifestError e = validate_error(
        vm("a", "devices = [\"0000:00:04.0\"]") + vm("b", "devices = [\"00:05.0\", \"00:04.0\"]"),
        HostFacts{});
    EXPECT_EQ(reason(e), "device 0000:00:04.0 given to both 'a' (line 5) and 'b' (line 10)");
    EXPECT_EQ(e.line, 10u);
}

TEST(ManifestValidate, RejectsADeviceTheHostDoesNotHave) {
    const ManifestError e = validate_error(vm("a", "devices = [\"0000:00:06.0\"]"), full_facts());
    EXPECT_EQ(reason(e), "device 0000:00:06.0 is not present on the host");
    EXPECT_EQ(e.line, 5u);
}

TEST(ManifestValidate, SkipsDevicePresenceWhenTheDeviceListIsEmpty) {
    HostFacts facts = full_facts();
    facts.devices = {};
    EXPECT_TRUE(validate(parse_ok(vm("a", "devices = [\"0000:00:06.0\"]")), facts).ok());
}

TEST(ManifestValidate, ReportsTheFirstProblemInCheckOrder) {
    // A missing module is reported before the memory shortage further down.
    const ManifestError e =
        validate_error(vm("a", "", "8192") + vm("b", "", "64", "nope"), full_facts());
    EXPECT_EQ(e.line, 9u);
}

}  // namespace
}  // namespace hv::manifest
