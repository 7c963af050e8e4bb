#include "run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "bochs_config.hpp"
#include "console.hpp"
#include "expectations.hpp"
#include "process.hpp"

namespace hvboot {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// One console (or stderr) source: a pipe, or a file that grows while Bochs writes it.
struct Stream {
    int fd = -1;
    bool is_file = false;
    bool eof = false;
    LineSplitter splitter;

    // Reads what is there now without blocking. Returns false once the source has ended.
    bool pump(std::vector<std::string>& lines) {
        if (fd < 0 || eof) return false;
        char buf[4096];
        while (true) {
            const ssize_t n = read(fd, buf, sizeof buf);
            if (n > 0) {
                splitter.feed(std::string_view(buf, static_cast<std::size_t>(n)), lines);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            // A file at its current end is not finished; a pipe at EOF is.
            if (n == 0 && !is_file) eof = true;
            return !eof;
        }
    }
    void finish(std::vector<std::string>& lines) {
        pump(lines);
        if (auto tail = splitter.flush()) lines.push_back(std::move(*tail));
    }
};

class Watcher {
  public:
    Watcher(const Options& o, const RunSources& s, std::FILE* log,
            std::chrono::steady_clock::time_point start)
        : o_(o), s_(s), log_(log), start_(start), expectations_(o) {
        if (s.console_fd >= 0) {
            fcntl(s.console_fd, F_SETFL, O_NONBLOCK);
            console_.fd = s.console_fd;
        }
        if (s.stderr_fd >= 0) {
            fcntl(s.stderr_fd, F_SETFL, O_NONBLOCK);
            stderr_.fd = s.stderr_fd;
        }
    }

    Verdict run();

  private:
    double elapsed() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }
    void emit(const std::string& text, bool is_stderr);
    // Handles new console lines; returns a verdict when one of them ends the run.
    std::optional<Verdict> take(std::vector<std::string>& lines);
    void open_console_file();
    void pump_all(bool finish);
    Verdict stop_emulator(Verdict v);
    Verdict judge_exit(const ExitStatus& status);

    const Options& o_;
    const RunSources& s_;
    std::FILE* log_;
    std::chrono::steady_clock::time_point start_;
    Expectations expectations_;
    Stream console_;
    Stream stderr_;
    std::vector<std::string> console_lines_;
    std::vector<std::string> stderr_lines_;
};

void Watcher::emit(const std::string& text, bool is_stderr) {
    const auto stamp = fmt::format("[{:8.3f}] ", elapsed());
    const auto prefix = is_stderr
                            ? fmt::format("{}: ", o_.emulator == Emulator::kQemu ? "qemu" : "bochs")
                            : std::string{};
    if (is_stderr) {
        fmt::print(stderr, "{}{}{}\n", stamp, prefix, text);
    } else if (!o_.quiet) {
        fmt::print("{}{}\n", stamp, text);
        std::fflush(stdout);
    }
    if (log_ != nullptr) {
        fmt::print(log_, "{}{}{}\n", stamp, prefix, text);
        std::fflush(log_);
    }
}

std::optional<Verdict> Watcher::take(std::vector<std::string>& lines) {
    for (auto& line : stderr_lines_) emit(clean_line(line), true);
    stderr_lines_.clear();
    std::optional<Verdict> verdict;
    for (auto& raw : lines) {
        const auto line = clean_line(raw);
        emit(line, false);
        if (verdict) continue;  // still echo what already arrived
        const auto step = expectations_.feed(line);
        switch (step.outcome) {
            case Expectations::Outcome::kContinue:
                break;
            case Expectations::Outcome::kRejected:
                verdict = Verdict{
                    false, fmt::format("rejected line matched /{}/: {}", step.pattern, line)};
                break;
            case Expectations::Outcome::kStopped:
                verdict = Verdict{true, {}, "stop-on"};
                break;
            case Expectations::Outcome::kStoppedEarly:
                verdict = Verdict{
                    false, fmt::format("stop line /{}/ came before /{}/ matched", step.pattern,
                                       expectations_.first_missing().value_or(""))};
                break;
        }
    }
    lines.clear();
    return verdict;
}

void Watcher::open_console_file() {
    if (s_.console_file.empty() || console_.fd >= 0) return;
    const int fd = open(s_.console_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        console_.fd = fd;
        console_.is_file = true;
    }
}

void Watcher::pump_all(bool finish) {
    open_console_file();
    if (finish) {
        console_.finish(console_lines_);
        stderr_.finish(stderr_lines_);
    } else {
        console_.pump(console_lines_);
        stderr_.pump(stderr_lines_);
    }
}

Verdict Watcher::stop_emulator(Verdict v) {
    kill_group(s_.pid, std::chrono::milliseconds(1000));
    pump_all(true);
    if (auto late = take(console_lines_); late && v.pass) v = *late;
    return v;
}

Verdict Watcher::judge_exit(const ExitStatus& status) {
    int code = status.code;
    if (o_.emulator == Emulator::kBochs && !status.signaled) {
        code = bochs_exit_status(code, read_file(s_.bochs_output) + read_file(s_.bochs_log));
    }
    Verdict v{false, {}, std::to_string(code)};
    if (status.signaled) {
        v.exit_text = fmt::format("signal {}", status.signal);
        v.reason = fmt::format("emulator killed by signal {}", status.signal);
    } else if (auto missing = expectations_.first_missing()) {
        v.reason = fmt::format("emulator exited (status {}) before /{}/ matched", code, *missing);
    } else if (code != o_.expect_exit) {
        v.reason = fmt::format("exit status {} expected {}", code, o_.expect_exit);
    } else {
        v.pass = true;
    }
    return v;
}

Verdict Watcher::run() {
    const auto deadline = start_ + std::chrono::seconds(o_.timeout_s);
    while (true) {
        std::vector<pollfd> fds;
        for (const Stream* st : {&console_, &stderr_}) {
            if (st->fd >= 0 && !st->is_file && !st->eof) fds.push_back({st->fd, POLLIN, 0});
        }
        // Files cannot be polled for growth: tail them every 50 ms.
        const int wait_ms = s_.console_file.empty() ? 200 : 50;
        if (poll(fds.data(), fds.size(), wait_ms) < 0 && errno != EINTR) {
            return stop_emulator({false, fmt::format("poll: {}", std::strerror(errno))});
        }
        pump_all(false);
        if (auto v = take(console_lines_)) return stop_emulator(*v);

        if (auto status = try_wait(s_.pid)) {
            // The emulator is gone; collect what it wrote last, including an unterminated line.
            const auto drain_until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
            while ((!console_.eof && !console_.is_file && console_.fd >= 0) ||
                   (!stderr_.eof && stderr_.fd >= 0)) {
                if (std::chrono::steady_clock::now() > drain_until) break;
                std::vector<pollfd> rest;
                for (const Stream* st : {&console_, &stderr_}) {
                    if (st->fd >= 0 && !st->is_file && !st->eof)
                        rest.push_back({st->fd, POLLIN, 0});
                }
                poll(rest.data(), rest.size(), 50);
                pump_all(false);
            }
            pump_all(true);
            if (auto v = take(console_lines_); v && !v->pass) return *v;
            return judge_exit(*status);
        }
        if (g_interrupted) return stop_emulator({false, "interrupted"});
        if (std::chrono::steady_clock::now() >= deadline) {
            const auto missing = expectations_.first_missing();
            Verdict v{
                false,
                missing ? fmt::format("timeout after {}s waiting for /{}/", o_.timeout_s, *missing)
                        : fmt::format("timeout after {}s waiting for the emulator to exit",
                                      o_.timeout_s),
                "killed"};
            kill_group(s_.pid, std::chrono::milliseconds(1000));
            pump_all(true);
            if (auto late = take(console_lines_); late && !late->pass) {
                late->exit_text = "killed";
                return *late;
            }
            return v;
        }
    }
}

}  // namespace

void request_interrupt() { g_interrupted = 1; }

Verdict watch(const Options& options, const RunSources& sources, std::FILE* log,
              std::chrono::steady_clock::time_point start) {
    Watcher w(options, sources, log, start);
    return w.run();
}

}  // namespace hvboot
