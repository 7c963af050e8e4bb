#include <gtest/gtest.h>

#include <string>

#include "manifest_test_support.hpp"
#include "vmm/manifest/manifest.hpp"

namespace hv::manifest {
namespace {

using testing::kArchitectureExample;
using testing::minimal_vm;
using testing::parse_error;
using testing::parse_ok;
using testing::reason;
using testing::view;

std::string sv(StrView v) { return std::string(v.data(), v.size()); }

TEST(ManifestParse, ReadsTheArchitectureExample) {
    const Manifest m = parse_ok(kArchitectureExample);
    EXPECT_EQ(m.host.on_all_stopped, OnAllStopped::kPoweroff);
    EXPECT_EQ(m.host.line, 2u);
    EXPECT_EQ(m.host.on_all_stopped_line, 3u);
    ASSERT_EQ(m.vm_count, 1u);
    const VmSpec& vm = m.vms[0];
    EXPECT_EQ(sv(vm.name.view()), "ml0");
    EXPECT_EQ(vm.vcpus, 2u);
    EXPECT_EQ(vm.memory_mib, 512u);
    EXPECT_EQ(sv(vm.kernel.view()), "linux");
    EXPECT_EQ(sv(vm.initrd.view()), "linux-initrd");
    EXPECT_EQ(sv(vm.cmdline.view()), "console=ttyS0");
    ASSERT_EQ(vm.device_count, 1u);
    EXPECT_EQ(vm.devices[0].bdf, pci::Bdf(0, 0, 4, 0));
    EXPECT_EQ(vm.devices[0].line, 12u);
}

TEST(ManifestParse, RecordsTheLineOfEachKey) {
    const VmSpec vm = parse_ok(kArchitectureExample).vms[0];
    EXPECT_EQ(vm.lines.table, 5u);
    EXPECT_EQ(vm.lines.name, 6u);
    EXPECT_EQ(vm.lines.vcpus, 7u);
    EXPECT_EQ(vm.lines.memory_mib, 8u);
    EXPECT_EQ(vm.lines.kernel, 9u);
    EXPECT_EQ(vm.lines.initrd, 10u);
    EXPECT_EQ(vm.lines.cmdline, 11u);
    EXPECT_EQ(vm.lines.devices, 12u);
}

TEST(ManifestParse, AppliesDefaultsToLeftOutKeys) {
    const Manifest m = parse_ok(minimal_vm());
    EXPECT_EQ(m.host.on_all_stopped, OnAllStopped::kHalt);
    EXPECT_EQ(m.host.line, 0u);
    EXPECT_EQ(m.host.on_all_stopped_line, 0u);
    const VmSpec& vm = m.vms[0];
    EXPECT_EQ(vm.vcpus, 1u);
    EXPECT_TRUE(vm.initrd.empty());
    EXPECT_TRUE(vm.cmdline.empty());
    EXPECT_EQ(vm.device_count, 0u);
    EXPECT_EQ(vm.cpu_count, 0u);
    EXPECT_EQ(vm.on_reboot, OnReboot::kRestart);
    EXPECT_EQ(vm.on_dma_fault, OnDmaFault::kStop);
}

TEST(ManifestParse, GivesLeftOutKeysTheLineOfTheirTable) {
    const VmSpec vm = parse_ok("\n\n" + minimal_vm()).vms[0];
    EXPECT_EQ(vm.lines.table, 3u);
    EXPECT_EQ(vm.lines.vcpus, 3u);
    EXPECT_EQ(vm.lines.devices, 3u);
    EXPECT_EQ(vm.lines.on_dma_fault, 3u);
}

TEST(ManifestParse, ReadsEveryOptionalKey) {
    const Manifest m = parse_ok(minimal_vm() + R"(vcpus = 3
cpus = [3, 1, 2]
on_reboot = "stop"
on_dma_fault = "report"
devices = ["0000:00:04.0", "00:05.1", "0001:3a:1f.7"]
[host]
on_all_stopped = "halt"
)");
    const VmSpec& vm = m.vms[0];
    ASSERT_EQ(vm.cpu_count, 3u);
    EXPECT_EQ(vm.cpus[0].cpu, 3u);
    EXPECT_EQ(vm.cpus[2].cpu, 2u);
    EXPECT_EQ(vm.on_reboot, OnReboot::kStop);
    EXPECT_EQ(vm.on_dma_fault, OnDmaFault::kReport);
    ASSERT_EQ(vm.device_list().size(), 3u);
    EXPECT_EQ(vm.devices[1].bdf, pci::Bdf(0, 0, 5, 1));
    EXPECT_EQ(vm.devices[2].bdf, pci::Bdf(1, 0x3a, 0x1f, 7));
    EXPECT_EQ(m.host.on_all_stopped, OnAllStopped::kHalt);
    EXPECT_EQ(m.host.line, 10u);
}

TEST(ManifestParse, LeavesOnAllStoppedUnsetInAnEmptyHostTable) {
    const Manifest m = parse_ok("[host]\n" + minimal_vm());
    EXPECT_EQ(m.host.line, 1u);
    EXPECT_EQ(m.host.on_all_stopped_line, 0u);
    EXPECT_EQ(m.host.on_all_stopped, OnAllStopped::kHalt);
}

TEST(ManifestParse, ReadsSeveralVmsInOrder) {
    const Manifest m = parse_ok(minimal_vm("a") + minimal_vm("b") + minimal_vm("c"));
    ASSERT_EQ(m.vm_list().size(), 3u);
    EXPECT_EQ(sv(m.vms[2].name.view()), "c");
    EXPECT_EQ(m.vms[2].lines.table, 9u);
}

TEST(ManifestParse, AcceptsSixteenVms) {
    std::string text;
    for (int i = 0; i < 16; ++i) text += minimal_vm("vm" + std::to_string(i));
    EXPECT_EQ(parse_ok(text).vm_count, 16u);
}

TEST(ManifestParse, RejectsASeventeenthVm) {
    std::string text;
    for (int i = 0; i < 17; ++i) text += minimal_vm("vm" + std::to_string(i));
    const ManifestError e = parse_error(text);
    EXPECT_EQ(reason(e), "too many VMs: at most 16 [[vm]] tables");
    EXPECT_EQ(e.line, 65u);
}

TEST(ManifestParse, AcceptsCommentsBlankLinesAndIndentation) {
    const Manifest m = parse_ok(R"(# VMs of the lab machine

  [host]   # the machine itself
	on_all_stopped="poweroff"#no space needed

# first guest
[[vm]]
    name   =   "ml0"   # indented
    memory_mib = 1_024
    kernel = "linux"
)");
    EXPECT_EQ(m.vms[0].memory_mib, 1024u);
    EXPECT_EQ(m.host.on_all_stopped, OnAllStopped::kPoweroff);
}

TEST(ManifestParse, AcceptsCrlfLineEnds) {
    std::string text;
    for (char c : std::string(kArchitectureExample)) {
        if (c == '\n') text += '\r';
        text += c;
    }
    const Manifest m = parse_ok(text);
    EXPECT_EQ(sv(m.vms[0].cmdline.view()), "console=ttyS0");
    EXPECT_EQ(m.vms[0].lines.devices, 12u);
}

TEST(ManifestParse, AcceptsAByteOrderMark) {
    const Manifest m = parse_ok("\xef\xbb\xbf" + minimal_vm());
    EXPECT_EQ(m.vm_count, 1u);
}

TEST(ManifestParse, AcceptsAMissingFinalNewline) {
    EXPECT_EQ(parse_ok("[[vm]]\nname=\"a\"\nmemory_mib=2\nkernel=\"k\"").vm_count, 1u);
}

TEST(ManifestParse, ReadsBytes) {
    const std::string text = minimal_vm();
    const Bytes bytes(reinterpret_cast<const std::byte*>(text.data()), text.size());
    auto r = parse(bytes);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().vm_count, 1u);
}

TEST(ManifestParse, FillsTheCallersManifest) {
    static Manifest m;
    ASSERT_TRUE(parse_into(view(kArchitectureExample), m).ok());
    EXPECT_EQ(m.vms[0].vcpus, 2u);
    ASSERT_TRUE(parse_into(view(minimal_vm("z")), m).ok());
    EXPECT_EQ(m.vms[0].vcpus, 1u);
    EXPECT_EQ(m.host.on_all_stopped, OnAllStopped::kHalt);
}

TEST(ManifestParse, RejectsAnEmptyManifest) {
    const ManifestError e = parse_error("");
    EXPECT_EQ(reason(e), "the manifest defines no VMs (add a [[vm]] table)");
    EXPECT_EQ(e.line, 0u);
}

TEST(ManifestParse, RejectsAManifestWithoutVms) {
    EXPECT_EQ(reason(parse_error("[host]\non_all_stopped = \"halt\"\n")),
              "the manifest defines no VMs (add a [[vm]] table)");
}

TEST(ManifestParse, RejectsAManifestOverOneMebibyte) {
    const std::string text = minimal_vm() + std::string(kMaxManifestBytes, '\n');
    EXPECT_EQ(reason(parse_error(text)), "the manifest is 1048627 bytes, at most 1048576");
}

TEST(ManifestParse, RejectsUnknownKeyInVm) {
    const ManifestError e = parse_error(minimal_vm() + "memroy_mib = 5\n");
    EXPECT_EQ(reason(e), "unknown key 'memroy_mib' in [[vm]]");
    EXPECT_EQ(e.line, 5u);
    EXPECT_EQ(e.column, 1u);
}

TEST(ManifestParse, RejectsUnknownKeyInHost) {
    EXPECT_EQ(reason(parse_error("[host]\ncpus = 4\n" + minimal_vm())),
              "unknown key 'cpus' in [host]");
}

TEST(ManifestParse, RejectsDuplicateKey) {
    const ManifestError e = parse_error(minimal_vm() + "vcpus = 1\nvcpus = 2\n");
    EXPECT_EQ(reason(e), "duplicate key 'vcpus' (first at line 5)");
    EXPECT_EQ(e.line, 6u);
}

TEST(ManifestParse, RejectsDuplicateHostKey) {
    EXPECT_EQ(reason(parse_error("[host]\non_all_stopped = \"halt\"\non_all_stopped = \"halt\"\n")),
              "duplicate key 'on_all_stopped' (first at line 2)");
}

TEST(ManifestParse, AllowsTheSameKeyInDifferentVms) {
    EXPECT_EQ(
        parse_ok(minimal_vm("a") + "vcpus = 2\n" + minimal_vm("b") + "vcpus = 3\n").vms[1].vcpus,
        3u);
}

TEST(ManifestParse, RejectsDuplicateVmName) {
    const ManifestError e = parse_error("\n\n" + minimal_vm("ml0") + minimal_vm("ml0"));
    EXPECT_EQ(reason(e), "duplicate VM name 'ml0' (first at line 4)");
    EXPECT_EQ(e.line, 8u);
}

TEST(ManifestParse, RejectsDuplicateHostTable) {
    EXPECT_EQ(reason(parse_error("[host]\n" + minimal_vm() + "[host]\n")),
              "duplicate table [host] (first at line 1)");
}

TEST(ManifestParse, RejectsSingleBracketVmTable) {
    EXPECT_EQ(reason(parse_error("[vm]\nname = \"a\"\n")),
              "[vm] holds a list of VMs: write [[vm]]");
}

TEST(ManifestParse, RejectsArrayOfHostTables) {
    EXPECT_EQ(reason(parse_error("[[host]]\n")), "[[host]] is a single table: write [host]");
}

TEST(ManifestParse, RejectsUnknownTables) {
    EXPECT_EQ(reason(parse_error("[guest]\n")),
              "unknown table [guest]; a manifest has only [host] and [[vm]]");
    EXPECT_EQ(reason(parse_error("[[guest]]\n")),
              "unknown table [[guest]]; a manifest has only [host] and [[vm]]");
}

TEST(ManifestParse, RejectsKeysOutsideTables) {
    const ManifestError e = parse_error("name = \"a\"\n" + minimal_vm());
    EXPECT_EQ(reason(e), "key 'name' is outside any table; put it under [host] or [[vm]]");
    EXPECT_EQ(e.line, 1u);
}

TEST(ManifestParse, RejectsVcpusOutOfRange) {
    EXPECT_EQ(reason(parse_error(minimal_vm() + "vcpus = 0\n")),
              "vcpus must be between 1 and 15, got 0");
    EXPECT_EQ(reason(parse_error(minimal_vm() + "vcpus = 65\n")),
              "vcpus must be between 1 and 15, got 65");
    EXPECT_EQ(reason(parse_error(minimal_vm() + "vcpus = -1\n")),
              "vcpus must be between 1 and 15, got -1");
}

TEST(ManifestParse, AcceptsVcpusAtTheLimits) {
    EXPECT_EQ(parse_ok(minimal_vm() + "vcpus = 15\n").vms[0].vcpus, 15u);
}

TEST(ManifestParse, RejectsMemoryOutOfRange) {
    EXPECT_EQ(reason(parse_error("[[vm]]\nname = \"a\"\nkernel = \"k\"\nmemory_mib = 1\n")),
              "memory_mib must be between 2 and 1048576, got 1");
    EXPECT_EQ(reason(parse_error("[[vm]]\nname = \"a\"\nkernel = \"k\"\nmemory_mib = 0x100001\n")),
              "memory_mib must be between 2 and 1048576, got 1048577");
}

TEST(ManifestParse, AcceptsMemoryAtTheLimits) {
    EXPECT_EQ(
        parse_ok("[[vm]]\nname = \"a\"\nkernel = \"k\"\nmemory_mib = 1048576\n").vms[0].memory_mib,
        1048576u);
}

TEST(ManifestParse, RejectsMissingMemory) {
    const ManifestError e =
        parse_error(minimal_vm("a") + "\n\n[[vm]]\nname = \"b\"\nkernel = \"linux\"\n");
    EXPECT_EQ(reason(e), "missing required key 'memory_mib' in [[vm]] starting at line 7");
    EXPECT_EQ(e.line, 7u);
}

TEST(ManifestParse, RejectsMissingNameWhenAnotherTableFollows) {
    EXPECT_EQ(reason(parse_error("[[vm]]\nmemory_mib = 2\nkernel = \"k\"\n[host]\n")),
              "missing required key 'name' in [[vm]] starting at line 1");
}

TEST(ManifestParse, RejectsMissingKernel) {
    EXPECT_EQ(reason(parse_error("[[vm]]\nname = \"a\"\nmemory_mib = 2\n")),
              "missing required key 'kernel' in [[vm]] starting at line 1");
}

TEST(ManifestParse, RejectsAValueOfTheWrongType) {
    const ManifestError e = parse_error("[[vm]]\nname = \"a\"\nmemory_mib = 2\nkernel = 5\n");
    EXPECT_EQ(reason(e), "expected a string for 'kernel', got an integer");
    EXPECT_EQ(e.line, 4u);
    EXPECT_EQ(e.column, 10u);
    EXPECT_EQ(reason(parse_error(minimal_vm() + "vcpus = \"2\"\n")),
              "expected an integer for 'vcpus', got a string");
    EXPECT_EQ(reason(parse_error(minimal_vm() + "cmdline = true\n")),
              "expected a string for 'cmdline', got a boolean");
    EXPECT_EQ(reason(parse_error(minimal_vm() + "on_reboot = [\"stop\"]\n")),
              "expected a string for 'on_reboot', got an array");
}

TEST(ManifestParse, RejectsBadNames) {
    EXPECT_EQ(reason(parse_error(minimal_vm(""))), "name must be 1 to 31 characters, got 0");
    EXPECT_EQ(reason(parse_error(minimal_vm(std::string(32, 'n')))),
              "name must be 1 to 31 characters, got 32");
    EXPECT_EQ(reason(parse_error(minimal_vm("ml 0"))),
              "name 'ml 0' may only contain letters, digits, '_', '.' and '-'");
    EXPECT_EQ(reason(parse_error(minimal_vm("a\\nb"))),
              "name 'a\\nb' may only contain letters, digits, '_', '.' and '-'");
    EXPECT_EQ(reason(parse_error(minimal_vm("caf\xc3\xa9"))),
              "name 'caf\xc3\xa9' may only contain letters, digits, '_', '.' and '-'");
}

TEST(ManifestParse, AcceptsNamesOf31AllowedCharacters) {
    const std::string name = "Az09_.-" + std::string(24, 'x');
    EXPECT_EQ(sv(parse_ok(minimal_vm(name)).vms[0].name.view()), name);
}

TEST(ManifestParse, RejectsBadModuleNames) {
    EXPECT_EQ(reason(parse_error("[[vm]]\nname = \"a\"\nmemory_mib = 2\nkernel = \"\"\n")),
              "kernel module name must be 1 to 63 characters, got 0");
    EXPECT_EQ(reason(parse_error(minimal_vm() + "initrd = \"my initrd\"\n")),
              "initrd module name 'my initrd' may only contain printable ASCII without spaces");
    EXPECT_EQ(reason(parse_error(minimal_vm() + "initrd = \"" + std::string(64, 'i') + "\"\n")),
              "initrd module name must be 1 to 63 characters, got 64");
}

TEST(ManifestParse, DecodesEscapesInCmdline) {
    const Manifest m = parse_ok(minimal_vm() + R"(cmdline = "root=\"/dev/vda\" a\\b\tc")" + "\n");
    EXPECT_EQ(sv(m.vms[0].cmdline.view()), "root=\"/dev/vda\" a\\b\tc");
}

TEST(ManifestParse, AcceptsCmdlineOf1024Bytes) {
    const Manifest m = parse_ok(minimal_vm() + "cmdline = \"" + std::string(1024, 'c') + "\"\n");
    EXPECT_EQ(m.vms[0].cmdline.size(), 1024u);
}

TEST(ManifestParse, RejectsCmdlineOver1024Bytes) {
    EXPECT_EQ(reason(parse_error(minimal_vm() + "cmdline = \"" + std::string(1025, 'c') + "\"\n")),
              "cmdline is 1025 bytes, at most 1024");
    // Escapes count once decoded: 1022 bytes of text plus two \n is 1024.
    EXPECT_TRUE(
        parse(view(minimal_vm() + "cmdline = \"" + std::string(1022, 'c') + "\\n\\n\"\n")).ok());
}

TEST(ManifestParse, RejectsBadEnumValues) {
    EXPECT_EQ(reason(parse_error(minimal_vm() + "on_reboot = \"reboot\"\n")),
              "on_reboot must be \"restart\" or \"stop\", got \"reboot\"");
    EXPECT_EQ(reason(parse_error(minimal_vm() + "on_dma_fault = \"ignore\"\n")),
              "on_dma_fault must be \"stop\" or \"report\", got \"ignore\"");
    EXPECT_EQ(reason(parse_error("[host]\non_all_stopped = \"Poweroff\"\n")),
              "on_all_stopped must be \"halt\" or \"poweroff\", got \"Poweroff\"");
}

TEST(ManifestParse, RejectsDevicesThatAreNotPciFunctions) {
    const ManifestError e = parse_error(minimal_vm() + "devices = [\"0000:00:04.0\", \"gpu0\"]\n");
    EXPECT_EQ(reason(e),
              "device 'gpu0' is not a PCI function like 0000:00:04.0 (bdf separator missing)");
    EXPECT_EQ(e.column, 28u);
    EXPECT_EQ(
        reason(parse_error(minimal_vm() + "devices = [\"0000:00:20.0\"]\n")),
        "device '0000:00:20.0' is not a PCI function like 0000:00:04.0 (bdf device above 0x1f)");
    EXPECT_EQ(
        reason(parse_error(minimal_vm() + "devices = [\"0000:00:04.0:0000:00:04.0\"]\n")),
        "device '0000:00:04.0:0000:00:04.0' is not a PCI function like 0000:00:04.0 (too long)");
}

TEST(ManifestParse, RejectsDevicesThatAreNotAnArrayOfStrings) {
    EXPECT_EQ(reason(parse_error(minimal_vm() + "devices = \"0000:00:04.0\"\n")),
              "expected an array of strings for 'devices', got a string");
    EXPECT_EQ(reason(parse_error(minimal_vm() + "devices = [\"0000:00:04.0\", 5]\n")),
              "expected an array of strings for 'devices', but item 2 is an integer");
}

TEST(ManifestParse, RejectsADeviceListedTwiceInOneVm) {
    EXPECT_EQ(reason(parse_error(minimal_vm() + "devices = [\"0000:00:04.0\", \"00:04.0\"]\n")),
              "device 0000:00:04.0 listed twice in 'devices'");
}

TEST(ManifestParse, AcceptsSixteenDevices) {
    std::string list;
    for (int i = 0; i < 16; ++i)
        list += "\"00:" + std::to_string(i % 8) + "." + std::to_string(i / 8) + "\",\n";
    const Manifest m = parse_ok(minimal_vm() + "devices = [\n" + list + "]\n");
    ASSERT_EQ(m.vms[0].device_count, 16u);
    EXPECT_EQ(m.vms[0].devices[15].line, 21u);
}

TEST(ManifestParse, RejectsSeventeenDevices) {
    std::string list;
    for (int i = 0; i < 17; ++i) list += "\"00:" + std::to_string(10 + i) + ".1\",";
    EXPECT_EQ(reason(parse_error(minimal_vm() + "devices = [" + list + "]\n")),
              "devices lists 17 functions, at most 16 per VM");
}

TEST(ManifestParse, AcceptsAnEmptyDeviceList) {
    EXPECT_EQ(parse_ok(minimal_vm() + "devices = []\n").vms[0].device_count, 0u);
}

TEST(ManifestParse, RejectsCpusOfAnotherLengthThanVcpus) {
    const ManifestError e = parse_error(minimal_vm() + "cpus = [1, 2]\nvcpus = 3\n");
    EXPECT_EQ(reason(e), "cpus lists 2 CPUs but vcpus is 3 (one host CPU per vCPU)");
    EXPECT_EQ(e.line, 5u);
    EXPECT_EQ(reason(parse_error(minimal_vm() + "cpus = [1, 2]\n")),
              "cpus lists 2 CPUs but vcpus is 1 (one host CPU per vCPU)");
    EXPECT_EQ(reason(parse_error(minimal_vm() + "cpus = []\n")),
              "cpus lists 0 CPUs but vcpus is 1 (one host CPU per vCPU)");
}

TEST(ManifestParse, RejectsACpuListedTwice) {
    EXPECT_EQ(reason(parse_error(minimal_vm() + "vcpus = 2\ncpus = [3, 3]\n")),
              "cpu 3 listed twice in 'cpus'");
}

TEST(ManifestParse, RejectsCpuIndicesOutOfRange) {
    EXPECT_EQ(reason(parse_error(minimal_vm() + "cpus = [-1]\n")),
              "cpu index must be between 0 and 4095, got -1");
    EXPECT_EQ(reason(parse_error(minimal_vm() + "cpus = [4096]\n")),
              "cpu index must be between 0 and 4095, got 4096");
}

TEST(ManifestParse, RejectsCpusThatAreNotIntegers) {
    EXPECT_EQ(reason(parse_error(minimal_vm() + "cpus = [\"1\"]\n")),
              "expected an array of integers for 'cpus', but item 1 is a string");
    EXPECT_EQ(reason(parse_error(minimal_vm() + "cpus = 1\n")),
              "expected an array of integers for 'cpus', got an integer");
}

TEST(ManifestParse, NamesEnumValues) {
    EXPECT_STREQ(name(OnAllStopped::kPoweroff), "poweroff");
    EXPECT_STREQ(name(OnAllStopped::kHalt), "halt");
    EXPECT_STREQ(name(OnReboot::kRestart), "restart");
    EXPECT_STREQ(name(OnReboot::kStop), "stop");
    EXPECT_STREQ(name(OnDmaFault::kStop), "stop");
    EXPECT_STREQ(name(OnDmaFault::kReport), "report");
}

TEST(ManifestParse, KeepsTheManifestSmallEnoughForStaticStorage) {
    EXPECT_LE(sizeof(Manifest), 40u * 1024u);
}

}  // namespace
}  // namespace hv::manifest
