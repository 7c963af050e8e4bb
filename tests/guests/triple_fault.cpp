// A triple fault: with an empty IDT (limit 0) any exception escalates to #DF and then to shutdown
// (SDM vol. 3 sec. 6.15, "Interrupt 8"), which the hypervisor reports as
// `reason=triple-fault`. Options:
//   method=ud2|int3   the first exception (default ud2)
// Reaching the line after the instruction is a failure. Under plain QEMU use -no-reboot, so the
// shutdown ends the emulator instead of restarting the guest.
#include "runtime.hpp"

const char rt::kGuestName[] = "triple_fault";

namespace {

struct __attribute__((packed)) DescriptorPointer {
    uint16_t limit;
    uint32_t base;
};

}  // namespace

void guest_main(uint32_t, const rt::MultibootInfo*) {
    rt::StringView method{"ud2", 3};
    rt::cmdline_value("method", &method);
    bool int3 = method.equals("int3");
    if (!int3 && !method.equals("ud2")) {
        rt::fail("triple_fault", "method= must be ud2 or int3");
        return;
    }
    rt::note("loading an empty IDT, then %s: the VM should stop with a triple fault",
             int3 ? "int3" : "ud2");
    static const DescriptorPointer empty{0, 0};
    if (int3) {
        asm volatile("lidt %0\n\tint3" : : "m"(empty) : "memory");
    } else {
        asm volatile("lidt %0\n\tud2" : : "m"(empty) : "memory");
    }
    rt::fail("triple_fault", "execution continued after the triple fault");
}
