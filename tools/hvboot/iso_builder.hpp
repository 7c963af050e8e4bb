// The GRUB ISO built for a run: its grub.cfg, where modules go inside it, and the commands that
// extract a kernel from an existing ISO and pack the tree. Pure; main.cpp runs the commands.
//
// Tree (under the run's temporary directory):
//   iso/boot/hypervisor.elf
//   iso/boot/modules/FILE        one per --module
//   iso/boot/grub/grub.cfg
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"

namespace hvboot {

// File names under /boot/modules, one per module: the path's base name, prefixed by its index
// when two modules share one.
[[nodiscard]] std::vector<std::string> iso_module_files(std::span<const Module> modules);

// GRUB config: no menu delay, console on COM1 (and the screen), one multiboot2 entry.
[[nodiscard]] std::string grub_cfg(std::string_view cmdline, std::span<const Module> modules);

// Quotes one word for GRUB's script parser, only when it needs it.
[[nodiscard]] std::string grub_quote(std::string_view word);

[[nodiscard]] std::vector<std::string> grub_mkrescue_argv(const std::string& tree,
                                                          const std::string& iso);
[[nodiscard]] std::vector<std::string> xorriso_extract_argv(const std::string& iso,
                                                            const std::string& elf_out);

}  // namespace hvboot
