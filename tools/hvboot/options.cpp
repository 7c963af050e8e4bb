#include "options.hpp"

#include <charconv>
#include <regex>

#include <fmt/format.h>

namespace hvboot {
namespace {

bool parse_int(std::string_view text, int min, int max, int& out) {
    int value = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || value < min || value > max) return false;
    out = value;
    return true;
}

bool valid_regex(const std::string& pattern, std::string& error) {
    try {
        std::regex re(pattern);
    } catch (const std::regex_error& e) {
        error = fmt::format("bad regex /{}/: {}", pattern, e.what());
        return false;
    }
    return true;
}

// Rules between flags, checked once all of them are known.
std::string check_combinations(const Options& o) {
    if (o.image.empty()) return "--image is required";
    if (o.iommu != Iommu::kNone && o.machine != Machine::kQ35) {
        return "--iommu intel|amd needs --machine q35";
    }
    if (o.emulator == Emulator::kBochs) {
        if (o.firmware == Firmware::kUefi) return "--firmware uefi is QEMU-only";
        if (o.iommu != Iommu::kNone) return "--iommu is QEMU-only";
        if (o.machine_given) return "--machine is QEMU-only (Bochs models an i440FX board)";
        if (!o.devices.empty()) return "--device is QEMU-only";
        if (!o.qemu_args.empty()) return "--qemu-arg is QEMU-only";
        if (o.icount) return "--icount is QEMU-only";
    }
    return {};
}

}  // namespace

std::optional<Module> parse_module(std::string_view spec, std::string& error) {
    const auto first = spec.find_first_not_of(' ');
    if (first == std::string_view::npos) {
        error = "--module needs \"PATH name=ID\"";
        return std::nullopt;
    }
    spec.remove_prefix(first);
    // QEMU's -initrd separates modules with commas; a comma inside one cannot be passed through.
    if (spec.find(',') != std::string_view::npos) {
        error = fmt::format("--module \"{}\": commas are not allowed", spec);
        return std::nullopt;
    }
    Module m;
    const auto space = spec.find(' ');
    m.path = std::string(spec.substr(0, space));
    if (space != std::string_view::npos) {
        auto rest = spec.substr(space);
        const auto begin = rest.find_first_not_of(' ');
        const auto end = rest.find_last_not_of(' ');
        if (begin != std::string_view::npos)
            m.args = std::string(rest.substr(begin, end - begin + 1));
    }
    return m;
}

ParseResult parse_options(std::span<const std::string> args) {
    ParseResult r;
    Options& o = r.options;
    o.reject.emplace_back(kDefaultReject);

    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        std::optional<std::string> inline_value;
        if (arg.starts_with("--")) {
            if (const auto eq = arg.find('='); eq != std::string_view::npos) {
                inline_value = std::string(arg.substr(eq + 1));
                arg = arg.substr(0, eq);
            }
        }
        auto flag = [&](std::string_view name) { return arg == name; };
        // Takes the value of the current option, from "--x=V" or the next argument.
        auto value = [&](std::string& out) -> bool {
            if (inline_value) {
                out = *inline_value;
                return true;
            }
            if (i + 1 >= args.size()) {
                r.error = fmt::format("{} needs a value", arg);
                return false;
            }
            out = args[++i];
            return true;
        };
        auto no_value = [&]() -> bool {
            if (!inline_value) return true;
            r.error = fmt::format("{} takes no value", arg);
            return false;
        };
        auto bad = [&](std::string_view v, std::string_view allowed) {
            r.error = fmt::format("{} {}: expected {}", arg, v, allowed);
        };

        std::string v;
        if (flag("--help") || flag("-h")) {
            r.help = true;
            return r;
        } else if (flag("--image") || flag("--qemu") || flag("--bochs") || flag("--ovmf-code") ||
                   flag("--ovmf-vars") || flag("--bochs-bios") || flag("--bochs-vgabios") ||
                   flag("--bochs-cpu") || flag("--log")) {
            if (!value(v)) return r;
            if (flag("--image")) o.image = v;
            if (flag("--qemu")) o.qemu = v;
            if (flag("--bochs")) o.bochs = v;
            if (flag("--ovmf-code")) o.ovmf_code = v;
            if (flag("--ovmf-vars")) o.ovmf_vars = v;
            if (flag("--bochs-bios")) o.bochs_bios = v;
            if (flag("--bochs-vgabios")) o.bochs_vgabios = v;
            if (flag("--bochs-cpu")) o.bochs_cpu = v;
            if (flag("--log")) o.log_path = v;
        } else if (flag("--emulator")) {
            if (!value(v)) return r;
            if (v == "qemu") {
                o.emulator = Emulator::kQemu;
            } else if (v == "bochs") {
                o.emulator = Emulator::kBochs;
            } else {
                bad(v, "qemu or bochs");
                return r;
            }
        } else if (flag("--machine")) {
            if (!value(v)) return r;
            if (v == "q35") {
                o.machine = Machine::kQ35;
            } else if (v == "pc") {
                o.machine = Machine::kPc;
            } else {
                bad(v, "q35 or pc");
                return r;
            }
            o.machine_given = true;
        } else if (flag("--iommu")) {
            if (!value(v)) return r;
            if (v == "none") {
                o.iommu = Iommu::kNone;
            } else if (v == "intel") {
                o.iommu = Iommu::kIntel;
            } else if (v == "amd") {
                o.iommu = Iommu::kAmd;
            } else {
                bad(v, "none, intel or amd");
                return r;
            }
        } else if (flag("--firmware")) {
            if (!value(v)) return r;
            if (v == "bios") {
                o.firmware = Firmware::kBios;
            } else if (v == "uefi") {
                o.firmware = Firmware::kUefi;
            } else {
                bad(v, "bios or uefi");
                return r;
            }
        } else if (flag("--smp")) {
            if (!value(v)) return r;
            if (!parse_int(v, 1, 255, o.smp)) {
                bad(v, "1..255");
                return r;
            }
        } else if (flag("--memory")) {
            if (!value(v)) return r;
            if (!parse_int(v, 16, 1 << 20, o.memory_mib)) {
                bad(v, "16..1048576 MiB");
                return r;
            }
        } else if (flag("--timeout")) {
            if (!value(v)) return r;
            if (!parse_int(v, 1, 86400, o.timeout_s)) {
                bad(v, "1..86400 seconds");
                return r;
            }
        } else if (flag("--expect-exit")) {
            if (!value(v)) return r;
            if (!parse_int(v, 0, 255, o.expect_exit)) {
                bad(v, "0..255");
                return r;
            }
        } else if (flag("--cmdline")) {
            if (!value(v)) return r;
            o.cmdline = v;
        } else if (flag("--module")) {
            if (!value(v)) return r;
            auto m = parse_module(v, r.error);
            if (!m) return r;
            o.modules.push_back(std::move(*m));
        } else if (flag("--device")) {
            if (!value(v)) return r;
            o.devices.push_back(v);
        } else if (flag("--qemu-arg")) {
            if (!value(v)) return r;
            o.qemu_args.push_back(v);
        } else if (flag("--expect") || flag("--expect-unordered") || flag("--reject") ||
                   flag("--stop-on")) {
            if (!value(v)) return r;
            if (!valid_regex(v, r.error)) return r;
            if (flag("--expect")) o.expect.push_back(v);
            if (flag("--expect-unordered")) o.expect_unordered.push_back(v);
            if (flag("--reject")) o.reject.push_back(v);
            if (flag("--stop-on")) o.stop_on = v;
        } else if (flag("--icount") || flag("--iso") || flag("--quiet") || flag("-q") ||
                   flag("--dry-run") || flag("--keep") || flag("--expect-panic")) {
            if (!no_value()) return r;
            // A test of the panic path itself: "hv: panic" lines are expected, not fatal.
            if (flag("--expect-panic") && !o.reject.empty() && o.reject.front() == kDefaultReject)
                o.reject.erase(o.reject.begin());
            if (flag("--icount")) o.icount = true;
            if (flag("--iso")) o.force_iso = true;
            if (flag("--quiet") || flag("-q")) o.quiet = true;
            if (flag("--dry-run")) o.dry_run = true;
            if (flag("--keep")) o.keep = true;
        } else {
            r.error = fmt::format("unknown option {} (see --help)", args[i]);
            return r;
        }
    }
    r.error = check_combinations(o);
    return r;
}

std::string usage() {
    return R"USAGE(usage: hvboot --image PATH [options]

Boots the hypervisor under QEMU or Bochs, reads its serial console line by line and checks it.
Ends with one line, "hvboot: PASS (Ns, exit=E)" or "hvboot: FAIL: reason", and exit status 0 or 1.

Image and boot medium
  --image PATH          hypervisor.elf (multiboot, loaded with QEMU -kernel) or a GRUB .iso
                        (the kind is read from the file's first bytes)
  --iso                 with an ELF image: boot through GRUB from an ISO built for this run
  --cmdline STR         hypervisor command line (-append, or the GRUB multiboot2 line)
  --module "PATH ARGS"  boot module, repeatable, e.g. --module "vms.toml name=manifest";
                        QEMU gets -initrd "PATH ARGS,...", GRUB gets
                        "module2 /boot/modules/FILE ARGS"
  An ISO is built with grub-mkrescue when the firmware is UEFI, the emulator is Bochs, or --iso
  is given. Given an ISO plus --cmdline or --module, its /boot/hypervisor.elf is extracted
  (xorriso) and a fresh ISO is built; an ISO alone is booted as it is.

Machine
  --emulator qemu|bochs default qemu
  --machine q35|pc      default q35 (QEMU only)
  --smp N               CPUs, default 1
  --memory MIB          default 1024
  --iommu none|intel|amd   intel: -device intel-iommu,intremap=on,caching-mode=on with
                        kernel-irqchip=split; amd: -device amd-iommu. Both need q35.
  --firmware bios|uefi  default bios (SeaBIOS); uefi: OVMF, on a private copy of its variables
  --device STR          QEMU -device STR, repeatable
  --qemu-arg STR        one extra QEMU argument, repeatable, passed verbatim
                        (--qemu-arg -d --qemu-arg int)
  --icount              QEMU -icount shift=0 (deterministic time)

Checks (regexes are ECMAScript, searched within each cleaned console line)
  --expect REGEX        repeatable; each must match a console line later than the previous one
  --expect-unordered REGEX  repeatable; must match some line, anywhere
  --reject REGEX        repeatable; any match fails the run at once. "hv: panic" is always on,
                        unless --expect-panic is given (tests of the panic path itself).
  --stop-on REGEX       once every expectation has matched, this line ends the run (the emulator
                        is killed and its exit status not checked)
  --expect-exit N       the emulator's exit status, default 0. QEMU exits 0 on ACPI power-off
                        (triple faults end QEMU too: -no-reboot). Bochs reports its ACPI
                        soft power-off as exit 0.
  --timeout SECONDS     default 60; then the emulator's process group is killed and the run fails

Output
  --log FILE            write the console transcript (timestamped, cleaned lines) to FILE
  --quiet, -q           do not echo the console
  --dry-run             print the commands and generated files, run nothing
  --keep                keep the temporary directory (ISO tree, bochsrc, serial file)

Tools and firmware (defaults are Debian's paths)
  --qemu PATH  --bochs PATH  --ovmf-code FILE  --ovmf-vars FILE
  --bochs-bios FILE  --bochs-vgabios FILE  --bochs-cpu MODEL (default corei7_skylake_x)

Examples
  hvboot --image build/hypervisor.elf --smp 4 --cmdline on_all_stopped=poweroff \
         --expect '^hv: ready cpus=4 ' --expect '^hv: all vms stopped'
  hvboot --image build/hypervisor.iso --firmware uefi --iommu intel \
         --cmdline on_all_stopped=poweroff --module "vms.toml name=manifest" --expect '^hv: ready'
  hvboot --image build/hypervisor.iso --emulator bochs --smp 2 --timeout 600 \
         --cmdline on_all_stopped=poweroff --expect 'virt=vmx' --expect '^hv: all vms stopped'
)USAGE";
}

}  // namespace hvboot
