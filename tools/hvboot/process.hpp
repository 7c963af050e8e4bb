// Child processes for hvboot (POSIX). Not pure; kept small.
//
// Each child runs in its own process group so a timeout can kill the emulator together with
// anything it started, and gets SIGKILL if hvboot itself dies (PR_SET_PDEATHSIG), so a killed
// test never leaves an emulator behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace hvboot {

struct ChildOutput {
    // Either a pipe (read end returned in Child) or a file path to write to; empty path + !pipe
    // means /dev/null.
    bool pipe = false;
    std::string file;
};

struct Child {
    pid_t pid = -1;
    int stdout_fd = -1;  // read ends when piped, else -1
    int stderr_fd = -1;
    std::string error;  // spawn failure (e.g. "not found"), empty on success
};

[[nodiscard]] Child spawn(const std::vector<std::string>& argv, const ChildOutput& out,
                          const ChildOutput& err);

// Status as a shell reports it: exit code, or 128 + signal.
struct ExitStatus {
    int code = 0;
    bool signaled = false;
    int signal = 0;
};

// Non-blocking reap; nullopt while it runs.
[[nodiscard]] std::optional<ExitStatus> try_wait(pid_t pid);

// SIGTERM to the whole group, SIGKILL after the grace period, then reap.
ExitStatus kill_group(pid_t pid, std::chrono::milliseconds grace);

// Runs a helper to completion (output to log_file), killing it after timeout.
// Returns an error text, empty on success.
[[nodiscard]] std::string run_helper(const std::vector<std::string>& argv,
                                     const std::string& log_file, std::chrono::seconds timeout);

// True when argv0 names an executable (directly or on PATH).
[[nodiscard]] bool executable_exists(const std::string& argv0);

}  // namespace hvboot
