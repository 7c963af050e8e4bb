// Watching one emulator run: reads its console as it arrives, echoes and logs each line, checks
// it, and ends the run on a rejection, the stop line, the emulator's exit, a timeout or a signal.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "options.hpp"

namespace hvboot {

struct RunSources {
    pid_t pid = -1;
    int console_fd = -1;       // QEMU: its stdout (-serial stdio)
    int stderr_fd = -1;        // QEMU: its stderr, echoed but not checked
    std::string console_file;  // Bochs: the COM1 file, tailed
    std::string bochs_output;  // Bochs: its stdout/stderr file, for the power-off message
    std::string bochs_log;
};

struct Verdict {
    bool pass = false;
    std::string reason;  // FAIL reason
    std::string exit_text = "killed";
};

// std::FILE* log may be null. start is when the emulator was launched.
[[nodiscard]] Verdict watch(const Options& options, const RunSources& sources, std::FILE* log,
                            std::chrono::steady_clock::time_point start);

// Set from a signal handler; watch() then kills the emulator and fails.
void request_interrupt();

}  // namespace hvboot
