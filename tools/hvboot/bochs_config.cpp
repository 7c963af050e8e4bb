#include "bochs_config.hpp"

#include <fmt/format.h>

namespace hvboot {

std::string bochsrc(const Options& o, const BochsFiles& f) {
    return fmt::format(
        "megs: {mem}\n"
        "cpu: model={cpu}, count={smp}, ips=50000000, reset_on_triple_fault=0\n"
        "romimage: file={bios}\n"
        "vgaromimage: file={vgabios}\n"
        "ata0-master: type=cdrom, path={iso}, status=inserted\n"
        "boot: cdrom\n"
        "com1: enabled=1, mode=file, dev={serial}\n"
        "display_library: rfb, options=\"timeout=0\"\n"
        "clock: sync=none, time0=local\n"
        "log: {log}\n"
        "panic: action=fatal\n"
        "error: action=report\n"
        "info: action=ignore\n",
        fmt::arg("mem", o.memory_mib), fmt::arg("cpu", o.bochs_cpu), fmt::arg("smp", o.smp),
        fmt::arg("bios", o.bochs_bios), fmt::arg("vgabios", o.bochs_vgabios),
        fmt::arg("iso", f.iso), fmt::arg("serial", f.serial), fmt::arg("log", f.log));
}

std::string bochs_rc() { return "c\nquit\n"; }

std::vector<std::string> bochs_argv(const Options& o, const std::string& rc_path,
                                    const std::string& bochsrc_path) {
    return {o.bochs, "-q", "-f", bochsrc_path, "-rc", rc_path};
}

int bochs_exit_status(int raw_status, std::string_view bochs_output) {
    if (bochs_output.find("ACPI control: soft power off") != std::string_view::npos) return 0;
    return raw_status;
}

}  // namespace hvboot
