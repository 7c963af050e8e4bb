// An access outside the guest's RAM and devices: a correct hypervisor stops the VM
// (`reason=memory-violation`) before the access completes, so every line after the access is a
// failure. Options:
//   addr=0x...        guest-physical address (default: the first byte past RAM, per the mmap);
//                     at and above 4 GiB through PAE paging, up to the CPU's MAXPHYADDR
//   access=read|write|both   (default both: a read, then a write)
// Under plain QEMU nothing stops the access, so it ends with FAIL and code 1.
#include "runtime.hpp"

const char rt::kGuestName[] = "out_of_bounds";

void guest_main(uint32_t, const rt::MultibootInfo*) {
    uint64_t addr = rt::cmdline_u64("addr", rt::ram_top());
    rt::StringView access{"both", 4};
    rt::cmdline_value("access", &access);
    bool do_read = access.equals("read") || access.equals("both");
    bool do_write = access.equals("write") || access.equals("both");
    if (!do_read && !do_write) {
        rt::fail("out_of_bounds", "access= must be read, write or both");
        return;
    }
    if (addr == 0) {
        rt::fail("out_of_bounds", "no addr= and no memory map to find the end of RAM");
        return;
    }
    // The window covers one aligned 2 MiB frame; keep a 4-byte access inside it.
    addr &= ~uint64_t{3};
    volatile uint8_t* p = rt::map_physical(addr);
    if (p == nullptr) {
        rt::fail("out_of_bounds", "address 0x%llx is beyond what the guest can map", addr);
        return;
    }
    auto* word = reinterpret_cast<volatile uint32_t*>(p);
    rt::note("accessing guest-physical 0x%llx (%s%s%s, paging %s); the VM should stop here", addr,
             do_read ? "read" : "", do_read && do_write ? " then " : "", do_write ? "write" : "",
             rt::paging_enabled() ? "on" : "off");
    uint32_t value = 0;
    if (do_read) value = *word;
    if (do_write) *word = 0xDEADBEEF;
    rt::fail("out_of_bounds", "access was not stopped (read 0x%x)", value);
}
