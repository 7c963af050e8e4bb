// Bochs run files. Pure.
//
// Debian's Bochs 2.7 is built with its debugger and no "nogui" display: it stops at the debugger
// prompt before the first instruction (hence the -rc file whose first command is "c"), and it
// runs headless with the VNC display told not to wait for a viewer. COM1 goes to a file that
// hvboot tails. An ACPI S5 write ends Bochs through a fatal "panic" (exit status 1) that logs
// "ACPI control: soft power off"; bochs_exit_status() maps that back to 0, QEMU's status.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"

namespace hvboot {

struct BochsFiles {
    std::string iso;
    std::string serial;  // COM1 output
    std::string log;     // Bochs' own log
};

[[nodiscard]] std::string bochsrc(const Options& options, const BochsFiles& files);

// Debugger commands for -rc: continue, then quit if control ever comes back to the debugger.
[[nodiscard]] std::string bochs_rc();

[[nodiscard]] std::vector<std::string> bochs_argv(const Options& options,
                                                  const std::string& rc_path,
                                                  const std::string& bochsrc_path);

// The exit status to check: 0 when Bochs stopped on the guest's ACPI power-off.
[[nodiscard]] int bochs_exit_status(int raw_status, std::string_view bochs_output);

}  // namespace hvboot
