// hvboot: boots the hypervisor under QEMU or Bochs and checks its serial console.
// See usage() in options.cpp and docs/hvboot.md.

#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "bochs_config.hpp"
#include "boot_plan.hpp"
#include "iso_builder.hpp"
#include "options.hpp"
#include "process.hpp"
#include "qemu_command.hpp"
#include "run.hpp"

namespace fs = std::filesystem;

namespace hvboot {
namespace {

constexpr auto kHelperTimeout = std::chrono::seconds(120);

// The run's scratch directory; removed on every way out unless --keep.
class TempDir {
  public:
    TempDir() {
        const char* base = std::getenv("TMPDIR");
        std::string templ = fmt::format("{}/hvboot.XXXXXX", base && *base ? base : "/tmp");
        if (mkdtemp(templ.data()) != nullptr) path_ = templ;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        if (path_.empty()) return;
        if (keep_) {
            spdlog::info("kept {}", path_.string());
            return;
        }
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    void keep() { keep_ = true; }
    [[nodiscard]] bool ok() const { return !path_.empty(); }
    [[nodiscard]] std::string operator/(std::string_view name) const {
        return (path_ / name).string();
    }

  private:
    fs::path path_;
    bool keep_ = false;
};

struct Failure {
    std::string reason;
};

int finish(const Verdict& v, std::chrono::steady_clock::time_point start, std::FILE* log) {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto line = v.pass ? fmt::format("hvboot: PASS ({:.1f}s, exit={})", secs, v.exit_text)
                             : fmt::format("hvboot: FAIL: {}", v.reason);
    fmt::print("{}\n", line);
    std::fflush(stdout);
    if (log != nullptr) fmt::print(log, "{}\n", line);
    return v.pass ? 0 : 1;
}

int fail(std::string reason) {
    fmt::print("hvboot: FAIL: {}\n", reason);
    return 1;
}

std::string read_head(const std::string& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = fmt::format("cannot read image {}", path);
        return {};
    }
    std::string head(kImageHeadBytes, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    return head;
}

bool write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    return static_cast<bool>(out);
}

void show_file(const std::string& path, const std::string& text) {
    fmt::print("--- {}\n{}", path, text);
    if (!text.empty() && text.back() != '\n') fmt::print("\n");
}

// Builds the run's ISO; returns an error text, empty on success.
std::string build_iso(const Options& o, BootMedium medium, const TempDir& tmp,
                      const std::string& iso) {
    const auto tree = tmp / "iso";
    const auto elf = tree + "/boot/hypervisor.elf";
    const auto cfg = grub_cfg(o.cmdline.value_or(""), o.modules);
    const auto files = iso_module_files(o.modules);
    const auto extract = xorriso_extract_argv(o.image, elf);
    const auto mkrescue = grub_mkrescue_argv(tree, iso);
    if (o.dry_run) {
        if (medium == BootMedium::kIsoFromIsoElf) {
            fmt::print("{}\n", shell_join(extract));
        } else {
            fmt::print("cp {} {}\n", o.image, elf);
        }
        for (std::size_t i = 0; i < o.modules.size(); ++i) {
            fmt::print("cp {} {}\n", o.modules[i].path, tree + "/boot/modules/" + files[i]);
        }
        show_file(tree + "/boot/grub/grub.cfg", cfg);
        fmt::print("{}\n", shell_join(mkrescue));
        return {};
    }
    std::error_code ec;
    fs::create_directories(tree + "/boot/grub", ec);
    fs::create_directories(tree + "/boot/modules", ec);
    if (ec) return fmt::format("cannot create {}: {}", tree, ec.message());
    if (medium == BootMedium::kIsoFromIsoElf) {
        spdlog::info("extracting /boot/hypervisor.elf from {}", o.image);
        if (auto err = run_helper(extract, tmp / "xorriso.log", kHelperTimeout); !err.empty()) {
            return err;
        }
    } else if (!fs::copy_file(o.image, elf, ec)) {
        return fmt::format("cannot copy {}: {}", o.image, ec.message());
    }
    for (std::size_t i = 0; i < o.modules.size(); ++i) {
        if (!fs::copy_file(o.modules[i].path, tree + "/boot/modules/" + files[i], ec)) {
            return fmt::format("cannot copy module {}: {}", o.modules[i].path, ec.message());
        }
    }
    if (!write_file(tree + "/boot/grub/grub.cfg", cfg)) return "cannot write grub.cfg";
    spdlog::info("building {}", iso);
    return run_helper(mkrescue, tmp / "grub-mkrescue.log", kHelperTimeout);
}

void on_signal(int) { request_interrupt(); }

int run(const Options& o) {
    std::string error;
    const auto head = read_head(o.image, error);
    if (!error.empty()) return fail(error);
    const auto plan =
        make_boot_plan(o, image_kind(std::as_bytes(std::span(head.data(), head.size())), o.image));
    if (!plan.error.empty()) return fail(plan.error);

    TempDir tmp;
    if (!tmp.ok()) return fail("cannot create a temporary directory");
    if (o.keep) tmp.keep();

    const auto iso = plan.medium == BootMedium::kGivenIso ? o.image : tmp / "hvboot.iso";
    if (builds_iso(plan.medium)) {
        if (auto err = build_iso(o, plan.medium, tmp, iso); !err.empty()) return fail(err);
    }

    std::vector<std::string> argv;
    RunSources sources;
    if (o.emulator == Emulator::kQemu) {
        QemuInputs in{iso, tmp / "OVMF_VARS.fd"};
        if (o.firmware == Firmware::kUefi) {
            if (!fs::exists(o.ovmf_code))
                return fail(fmt::format("firmware not found: {}", o.ovmf_code));
            std::error_code ec;
            if (!o.dry_run && !fs::copy_file(o.ovmf_vars, in.ovmf_vars, ec)) {
                return fail(fmt::format("cannot copy {}: {}", o.ovmf_vars, ec.message()));
            }
        }
        argv = qemu_argv(o, plan.medium, in);
    } else {
        const BochsFiles files{iso, tmp / "serial.txt", tmp / "bochs.log"};
        const auto rc_text = bochs_rc();
        const auto rc_text_path = tmp / "bochs.rc";
        const auto rc_path = tmp / "bochsrc";
        const auto config = bochsrc(o, files);
        argv = bochs_argv(o, rc_text_path, rc_path);
        sources.console_file = files.serial;
        sources.bochs_output = tmp / "bochs.out";
        sources.bochs_log = files.log;
        if (o.dry_run) {
            show_file(rc_path, config);
            show_file(rc_text_path, rc_text);
        } else if (!write_file(rc_path, config) || !write_file(rc_text_path, rc_text)) {
            return fail("cannot write the Bochs configuration");
        }
    }
    if (o.dry_run) {
        fmt::print("{}\n", shell_join(argv));
        return 0;
    }
    if (!executable_exists(argv[0])) return fail(fmt::format("emulator not found: {}", argv[0]));

    std::FILE* log = nullptr;
    if (!o.log_path.empty()) {
        log = std::fopen(o.log_path.c_str(), "w");
        if (log == nullptr) return fail(fmt::format("cannot write log {}", o.log_path));
        fmt::print(log, "# {}\n", shell_join(argv));
    }
    spdlog::info("{}", shell_join(argv));

    const auto start = std::chrono::steady_clock::now();
    Child child = o.emulator == Emulator::kQemu ? spawn(argv, {true, {}}, {true, {}})
                                                : spawn(argv, {false, sources.bochs_output},
                                                        {false, sources.bochs_output + ".err"});
    if (!child.error.empty()) return fail(child.error);
    sources.pid = child.pid;
    sources.console_fd = child.stdout_fd;
    sources.stderr_fd = child.stderr_fd;
    const auto verdict = watch(o, sources, log, start);
    const int status = finish(verdict, start, log);
    if (log != nullptr) std::fclose(log);
    return status;
}

}  // namespace
}  // namespace hvboot

int main(int argc, char** argv) {
    // stdout carries the console and the verdict; the tool's own notes go to stderr.
    spdlog::set_default_logger(spdlog::stderr_color_mt("hvboot"));
    spdlog::set_pattern("hvboot: %v");
    std::vector<std::string> args(argv + 1, argv + argc);
    const auto parsed = hvboot::parse_options(args);
    if (parsed.help) {
        fmt::print("{}", hvboot::usage());
        return 0;
    }
    if (!parsed.error.empty()) return hvboot::fail(parsed.error);
    if (parsed.options.quiet) spdlog::set_level(spdlog::level::warn);

    struct sigaction sa {};
    sa.sa_handler = hvboot::on_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);
    return hvboot::run(parsed.options);
}
