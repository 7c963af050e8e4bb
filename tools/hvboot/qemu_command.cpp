#include "qemu_command.hpp"

#include <fmt/format.h>

namespace hvboot {

std::string qemu_initrd(std::span<const Module> modules) {
    std::string out;
    for (const auto& m : modules) {
        if (!out.empty()) out += ',';
        out += m.path;
        if (!m.args.empty()) out += ' ' + m.args;
    }
    return out;
}

std::vector<std::string> qemu_argv(const Options& o, BootMedium medium, const QemuInputs& in) {
    std::string machine = o.machine == Machine::kQ35 ? "q35" : "pc";
    // The intel-iommu device's interrupt remapping needs the IOAPIC in QEMU, not the accelerator.
    if (o.iommu == Iommu::kIntel) machine += ",kernel-irqchip=split";

    std::vector<std::string> argv{o.qemu,
                                  "-accel",
                                  "tcg",
                                  "-cpu",
                                  "max",
                                  "-machine",
                                  machine,
                                  "-smp",
                                  std::to_string(o.smp),
                                  "-m",
                                  std::to_string(o.memory_mib),
                                  "-display",
                                  "none",
                                  "-vga",
                                  "none",
                                  "-serial",
                                  "stdio",
                                  "-monitor",
                                  "none",
                                  "-no-reboot"};
    auto add = [&](std::initializer_list<std::string> words) {
        argv.insert(argv.end(), words.begin(), words.end());
    };
    if (o.icount) add({"-icount", "shift=0"});
    if (o.firmware == Firmware::kUefi) {
        add({"-drive", fmt::format("if=pflash,format=raw,unit=0,readonly=on,file={}", o.ovmf_code),
             "-drive", fmt::format("if=pflash,format=raw,unit=1,file={}", in.ovmf_vars)});
    }
    if (medium == BootMedium::kKernel) {
        add({"-kernel", o.image});
        if (o.cmdline) add({"-append", *o.cmdline});
        if (!o.modules.empty()) add({"-initrd", qemu_initrd(o.modules)});
    } else {
        add({"-cdrom", in.iso});
    }
    // QEMU wants the IOMMU created before the PCI devices it translates for.
    if (o.iommu == Iommu::kIntel) add({"-device", "intel-iommu,intremap=on,caching-mode=on"});
    if (o.iommu == Iommu::kAmd) add({"-device", "amd-iommu"});
    for (const auto& d : o.devices) add({"-device", d});
    argv.insert(argv.end(), o.qemu_args.begin(), o.qemu_args.end());
    return argv;
}

std::string shell_join(std::span<const std::string> argv) {
    std::string out;
    for (const auto& word : argv) {
        if (!out.empty()) out += ' ';
        const bool plain =
            !word.empty() && word.find_first_not_of(
                                 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789-_./=:,+@%") == std::string::npos;
        if (plain) {
            out += word;
            continue;
        }
        out += '\'';
        for (char c : word) {
            if (c == '\'') {
                out += "'\\''";
            } else {
                out += c;
            }
        }
        out += '\'';
    }
    return out;
}

}  // namespace hvboot
