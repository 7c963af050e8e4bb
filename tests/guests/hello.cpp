// Prints `hello from NAME` and counts to five, one line each: two instances with different
// names running at once must both be heard (`NAME count N` lines). Options:
//   name=NAME    what to call itself (default "guest")
//   spin=N       busy-wait N pause loops between lines (default 0), to interleave with another VM
//   exit=HOW     debug (port 0xF4, default) | pm1 (ACPI S5 via port 0x604) |
//                hypercall (poweroff call, code 0) | reset (port 0xCF9)
#include "runtime.hpp"

const char rt::kGuestName[] = "hello";

namespace {

constexpr uint16_t kPm1aControl = 0x604;
constexpr uint16_t kPm1SleepTypeS5 = 5 << 10;  // SLP_TYP, ACPI 6.4 table 4-13
constexpr uint16_t kPm1SleepEnable = 1 << 13;  // SLP_EN
constexpr uint16_t kResetControl = 0xCF9;
constexpr uint8_t kResetCpu = 0x04;

void spin(uint64_t loops) {
    for (uint64_t i = 0; i < loops; ++i) rt::pause();
}

}  // namespace

void guest_main(uint32_t, const rt::MultibootInfo*) {
    rt::StringView name{"guest", 5};
    rt::cmdline_value("name", &name);
    uint64_t loops = rt::cmdline_u64("spin", 0);

    auto put_name = [&] {
        for (uint32_t i = 0; i < name.length; ++i) rt::putc(name.data[i]);
    };
    rt::puts("hello from ");
    put_name();
    rt::putc('\n');
    for (uint32_t i = 1; i <= 5; ++i) {
        spin(loops);
        put_name();
        rt::print(" count %u\n", i);
    }
    rt::pass("hello");

    rt::StringView how{"debug", 5};
    rt::cmdline_value("exit", &how);
    if (how.equals("debug")) rt::finish();
    if (how.equals("pm1")) {
        rt::note("powering off through PM1a_CNT (port 0x604)");
        rt::outw(kPm1aControl, kPm1SleepTypeS5 | kPm1SleepEnable);
    } else if (how.equals("hypercall")) {
        if (!rt::under_aihypervisor()) {
            rt::skip("hello.exit", "exit=hypercall needs AIHypervisor");
            rt::finish();
        }
        rt::note("powering off through the poweroff hypercall");
        rt::hypercall(rt::Hypercall::kPoweroff, 0);
    } else if (how.equals("reset")) {
        rt::note("resetting through port 0xCF9");
        rt::outb(kResetControl, kResetCpu);
    } else {
        rt::fail("hello.exit", "unknown exit= method");
        rt::finish();
    }
    spin(1000000);
    rt::fail("hello.exit", "the VM kept running after the requested exit");
    rt::finish();
}
