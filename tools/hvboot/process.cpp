#include "process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>

#include <fmt/format.h>

namespace hvboot {
namespace {

ExitStatus decode(int status) {
    if (WIFSIGNALED(status)) return {128 + WTERMSIG(status), true, WTERMSIG(status)};
    return {WEXITSTATUS(status), false, 0};
}

// Opens where a child's stream goes; in the child, before exec.
int open_target(const ChildOutput& o) {
    if (o.file.empty()) return open("/dev/null", O_WRONLY);
    return open(o.file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
}

std::string tail_of_file(const std::string& path, std::size_t max_bytes) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return {};
    std::string text;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
    if (text.size() > max_bytes) text.erase(0, text.size() - max_bytes);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    for (char& c : text) {
        if (c == '\n') c = ' ';
    }
    return text;
}

}  // namespace

bool executable_exists(const std::string& argv0) {
    if (argv0.find('/') != std::string::npos) return access(argv0.c_str(), X_OK) == 0;
    const char* env = std::getenv("PATH");
    std::string_view dirs = env != nullptr ? env : "/usr/bin:/bin";
    while (true) {
        const auto colon = dirs.find(':');
        const auto dir = dirs.substr(0, colon);
        const auto candidate = fmt::format("{}/{}", dir.empty() ? "." : dir, argv0);
        if (access(candidate.c_str(), X_OK) == 0) return true;
        if (colon == std::string_view::npos) return false;
        dirs.remove_prefix(colon + 1);
    }
}

Child spawn(const std::vector<std::string>& argv, const ChildOutput& out, const ChildOutput& err) {
    Child child;
    if (!executable_exists(argv.at(0))) {
        child.error = fmt::format("{} not found", argv[0]);
        return child;
    }
    int out_pipe[2] = {-1, -1};
    int err_pipe[2] = {-1, -1};
    int exec_pipe[2] = {-1, -1};  // carries errno from a failed exec, closes on success
    if ((out.pipe && pipe2(out_pipe, O_CLOEXEC) != 0) ||
        (err.pipe && pipe2(err_pipe, O_CLOEXEC) != 0) || pipe2(exec_pipe, O_CLOEXEC) != 0) {
        child.error = fmt::format("pipe: {}", std::strerror(errno));
        return child;
    }
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) {
        child.error = fmt::format("fork: {}", std::strerror(errno));
        return child;
    }
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);  // hvboot already gone
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        const int in = open("/dev/null", O_RDONLY);
        const int o = out.pipe ? out_pipe[1] : open_target(out);
        const int e = err.pipe ? err_pipe[1] : open_target(err);
        if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0) {
            const int code = errno;
            (void)!write(exec_pipe[1], &code, sizeof code);
            _exit(127);
        }
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        const int code = errno;
        (void)!write(exec_pipe[1], &code, sizeof code);
        _exit(127);
    }
    setpgid(pid, pid);  // also here, so the group exists before either side goes on
    close(exec_pipe[1]);
    if (out.pipe) close(out_pipe[1]);
    if (err.pipe) close(err_pipe[1]);
    int code = 0;
    ssize_t n;
    do {
        n = read(exec_pipe[0], &code, sizeof code);
    } while (n < 0 && errno == EINTR);
    close(exec_pipe[0]);
    if (n == static_cast<ssize_t>(sizeof code)) {
        waitpid(pid, nullptr, 0);
        if (out.pipe) close(out_pipe[0]);
        if (err.pipe) close(err_pipe[0]);
        child.error = fmt::format("cannot run {}: {}", argv[0], std::strerror(code));
        return child;
    }
    child.pid = pid;
    child.stdout_fd = out.pipe ? out_pipe[0] : -1;
    child.stderr_fd = err.pipe ? err_pipe[0] : -1;
    return child;
}

std::optional<ExitStatus> try_wait(pid_t pid) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return decode(status);
    if (r < 0 && errno == ECHILD) return ExitStatus{};
    return std::nullopt;
}

ExitStatus kill_group(pid_t pid, std::chrono::milliseconds grace) {
    kill(-pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
        if (auto s = try_wait(pid)) {
            kill(-pid, SIGKILL);  // stragglers in the group
            return *s;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(-pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    return decode(status);
}

std::string run_helper(const std::vector<std::string>& argv, const std::string& log_file,
                       std::chrono::seconds timeout) {
    Child c = spawn(argv, {false, log_file}, {false, log_file + ".err"});
    if (!c.error.empty()) return c.error;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (auto s = try_wait(c.pid)) {
            if (s->code == 0) return {};
            return fmt::format("{} failed with status {}: {}", argv[0], s->code,
                               tail_of_file(log_file + ".err", 400));
        }
        if (std::chrono::steady_clock::now() > deadline) {
            kill_group(c.pid, std::chrono::milliseconds(500));
            return fmt::format("{} timed out after {}s", argv[0], timeout.count());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace hvboot
