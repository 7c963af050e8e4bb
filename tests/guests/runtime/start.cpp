#include "runtime.hpp"

extern "C" [[noreturn]] void rt_start(uint32_t magic, uint32_t mbi_address);

void rt_start(uint32_t magic, uint32_t mbi_address) {
    rt::serial_init();
    rt::idt_init();
    rt::mask_legacy_pic();
    rt::print("START %s\n", rt::kGuestName);
    if (magic != rt::kMultibootMagic) {
        rt::fail("boot.magic", "eax=0x%x, expected 0x%x", magic, rt::kMultibootMagic);
        rt::finish();
    }
    rt::multiboot_init(mbi_address);
    guest_main(magic, rt::multiboot_info());
    rt::finish();
}
