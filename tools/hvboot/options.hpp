// Command-line options of hvboot and their parser.
//
// parse_options() is pure: it reads only its arguments (no files, no environment), so every rule
// about which flags combine is unit-tested. Whether the image is an ELF or an ISO is decided later,
// from the file's bytes, by boot_plan.hpp.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hvboot {

enum class Emulator { kQemu, kBochs };
enum class Machine { kQ35, kPc };
enum class Iommu { kNone, kIntel, kAmd };
enum class Firmware { kBios, kUefi };

// A boot module: the file to load and the words after it (`name=ID ...`).
struct Module {
    std::string path;
    std::string args;
};

// Always rejected, whatever --reject adds: the console contract's hypervisor failure line.
inline constexpr std::string_view kDefaultReject = "hv: panic";

struct Options {
    std::string image;
    Emulator emulator = Emulator::kQemu;
    Machine machine = Machine::kQ35;
    bool machine_given = false;
    int smp = 1;
    int memory_mib = 1024;
    Iommu iommu = Iommu::kNone;
    Firmware firmware = Firmware::kBios;
    bool force_iso = false;
    std::optional<std::string> cmdline;
    std::vector<Module> modules;
    std::vector<std::string> devices;
    std::vector<std::string> qemu_args;
    bool icount = false;

    std::vector<std::string> expect;            // in order, each on a later line
    std::vector<std::string> expect_unordered;  // anywhere in the transcript
    std::vector<std::string> reject;            // kDefaultReject first, then the user's
    std::optional<std::string> stop_on;
    int expect_exit = 0;
    int timeout_s = 60;

    std::string log_path;
    bool quiet = false;
    bool dry_run = false;
    bool keep = false;

    std::string qemu = "qemu-system-x86_64";
    std::string bochs = "bochs";
    std::string ovmf_code = "/usr/share/OVMF/OVMF_CODE_4M.fd";
    std::string ovmf_vars = "/usr/share/OVMF/OVMF_VARS_4M.fd";
    std::string bochs_bios = "/usr/share/bochs/BIOS-bochs-latest";
    std::string bochs_vgabios = "/usr/share/vgabios/vgabios.bin";
    std::string bochs_cpu = "corei7_skylake_x";
};

struct ParseResult {
    Options options;
    bool help = false;
    std::string error;  // empty on success
};

// args excludes argv[0].
[[nodiscard]] ParseResult parse_options(std::span<const std::string> args);

// "PATH name=ID ..." -> {PATH, "name=ID ..."}; the error is empty on success.
[[nodiscard]] std::optional<Module> parse_module(std::string_view spec, std::string& error);

[[nodiscard]] std::string usage();

}  // namespace hvboot
