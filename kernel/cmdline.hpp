#pragma once
// Kernel and module command lines: space-separated tokens, each either `key=value` or a bare
// `flag`. GRUB passes the image path as the first token ("/boot/hypervisor.elf console=com1"),
// and module lines look the same ("/boot/vms.toml name=manifest"), so a path is just a flag that
// nobody asks for.
//
// Pure: the results are views into the caller's string, which must outlive them.
#include <cstdint>

#include "kernel/lib/optional.hpp"
#include "kernel/lib/str.hpp"

namespace hv {

// The value of the first `key=value` token whose key equals `key` (the value may be empty, as in
// "console="). Tokens without '=' are ignored.
[[nodiscard]] Optional<StrView> cmdline_value(StrView cmdline, StrView key);

// True when a token equals `flag` exactly, or is `flag=` followed by a value other than
// "0", "off", "no" or "false".
[[nodiscard]] bool cmdline_flag(StrView cmdline, StrView flag);

// A command-line number: decimal digits, or `0x` and hex digits (either case). None for anything
// else: empty, a sign, other characters, or a value past 2^64 - 1.
[[nodiscard]] Optional<std::uint64_t> parse_cmdline_number(StrView text);

// The name a boot module is known by: the `name=` token of its command line, or the empty view.
[[nodiscard]] StrView module_name(StrView module_cmdline);

}  // namespace hv
