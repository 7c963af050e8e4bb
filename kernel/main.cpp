#include <cstdint>

#include "arch/x86/cpu/descriptors.hpp"
#include "kernel/console.hpp"
#include "kernel/panic.hpp"

namespace hv {
void run_global_constructors();
}

extern "C" [[noreturn]] void kernel_main(std::uint32_t magic, std::uint32_t info_phys) {
    using namespace hv;
    run_global_constructors();
    console::init();
    log("boot magic=0x", Hex{magic}, " info=0x", Hex{info_phys});
    panic("not yet");
}
