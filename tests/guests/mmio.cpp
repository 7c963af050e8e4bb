// MMIO emulation: the LAPIC page at 0xFEE00000, which the hypervisor emulates by trapping nested
// page faults there. Reads the ID and version registers and round-trips the TPR.
#include "runtime.hpp"

const char rt::kGuestName[] = "mmio";

void guest_main(uint32_t, const rt::MultibootInfo*) {
    uint32_t version = rt::lapic_read(rt::LapicReg::kVersion);
    uint32_t max_lvt = (version >> 16) & 0xFF;
    rt::note("LAPIC version register 0x%x", version);
    rt::check((version & 0xFF) != 0 && max_lvt >= 3, "mmio.lapic_version",
              "0x%x: expected a nonzero version and max LVT entry >= 3", version);

    uint32_t id = rt::lapic_read(rt::LapicReg::kId) >> 24;
    rt::check(id == 0, "mmio.lapic_id", "APIC ID %u, expected 0 on the boot vCPU", id);

    uint32_t old_tpr = rt::lapic_read(rt::LapicReg::kTpr);
    bool tpr_ok = true;
    uint32_t bad_value = 0, bad_read = 0;
    constexpr uint32_t kValues[] = {0x20, 0xF0, 0x00};
    for (uint32_t value : kValues) {
        rt::lapic_write(rt::LapicReg::kTpr, value);
        uint32_t read = rt::lapic_read(rt::LapicReg::kTpr) & 0xFF;
        if (read != value && tpr_ok) {
            tpr_ok = false;
            bad_value = value;
            bad_read = read;
        }
    }
    rt::lapic_write(rt::LapicReg::kTpr, old_tpr);
    rt::check(tpr_ok, "mmio.lapic_tpr_round_trip", "wrote 0x%x, read 0x%x", bad_value, bad_read);
}
