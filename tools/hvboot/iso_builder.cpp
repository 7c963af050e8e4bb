#include "iso_builder.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

namespace hvboot {

std::vector<std::string> iso_module_files(std::span<const Module> modules) {
    std::vector<std::string> bases;
    for (const auto& m : modules) {
        auto base = std::filesystem::path(m.path).filename().string();
        bases.push_back(base.empty() ? "module" : base);
    }
    std::vector<std::string> files;
    for (std::size_t i = 0; i < bases.size(); ++i) {
        const bool shared = std::count(bases.begin(), bases.end(), bases[i]) > 1;
        files.push_back(shared ? fmt::format("{}-{}", i, bases[i]) : bases[i]);
    }
    return files;
}

std::string grub_quote(std::string_view word) {
    constexpr std::string_view kSpecial = " \t\"'\\$;&|<>{}()#*?[]`";
    if (!word.empty() && word.find_first_of(kSpecial) == std::string_view::npos) {
        return std::string(word);
    }
    std::string out = "'";
    for (char c : word) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

namespace {

std::string quote_words(std::string_view text) {
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto begin = text.find_first_not_of(' ', pos);
        if (begin == std::string_view::npos) break;
        auto end = text.find(' ', begin);
        if (end == std::string_view::npos) end = text.size();
        out += ' ' + grub_quote(text.substr(begin, end - begin));
        pos = end;
    }
    return out;
}

}  // namespace

std::string grub_cfg(std::string_view cmdline, std::span<const Module> modules) {
    std::string cfg =
        "set timeout=0\n"
        "set default=0\n"
        "serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1\n"
        "terminal_input serial console\n"
        "terminal_output serial console\n"
        "menuentry \"hypervisor\" {\n";
    cfg += "    multiboot2 /boot/hypervisor.elf" + quote_words(cmdline) + "\n";
    const auto files = iso_module_files(modules);
    for (std::size_t i = 0; i < modules.size(); ++i) {
        cfg += fmt::format("    module2 /boot/modules/{}{}\n", grub_quote(files[i]),
                           quote_words(modules[i].args));
    }
    cfg += "    boot\n}\n";
    return cfg;
}

std::vector<std::string> grub_mkrescue_argv(const std::string& tree, const std::string& iso) {
    return {"grub-mkrescue", "-o", iso, tree};
}

std::vector<std::string> xorriso_extract_argv(const std::string& iso, const std::string& elf_out) {
    return {"xorriso", "-osirrox", "on", "-indev", iso, "-extract", "/boot/hypervisor.elf",
            elf_out};
}

}  // namespace hvboot
