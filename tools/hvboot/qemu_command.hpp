// The QEMU command line for a run. Pure: paths of generated files come in as arguments.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "boot_plan.hpp"
#include "options.hpp"

namespace hvboot {

struct QemuInputs {
    std::string iso;        // the ISO to boot when the medium is not kKernel
    std::string ovmf_vars;  // this run's writable copy, for --firmware uefi
};

[[nodiscard]] std::vector<std::string> qemu_argv(const Options& options, BootMedium medium,
                                                 const QemuInputs& inputs);

// QEMU's multiboot -initrd: "PATH ARGS" per module, joined with commas. The whole text,
// path included, becomes the module's string.
[[nodiscard]] std::string qemu_initrd(std::span<const Module> modules);

// argv as one line a POSIX shell would split back into the same words.
[[nodiscard]] std::string shell_join(std::span<const std::string> argv);

}  // namespace hvboot
