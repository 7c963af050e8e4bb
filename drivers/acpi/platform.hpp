#pragma once
// The machine as ACPI describes it, discovered once at boot: CPUs (MADT), power management
// (FADT + the DSDT's \_S5), PCIe ECAM windows (MCFG) and IOMMUs (DMAR for VT-d, IVRS for AMD-Vi).
// Kernel only: it owns the static storage the pure parsers fill.
#include "boot/multiboot_info.hpp"
#include "drivers/acpi/dmar.hpp"
#include "drivers/acpi/fadt.hpp"
#include "drivers/acpi/ivrs.hpp"
#include "drivers/acpi/madt.hpp"
#include "drivers/acpi/mcfg.hpp"
#include "drivers/acpi/root_tables.hpp"
#include "drivers/acpi/rsdp.hpp"
#include "drivers/acpi/s5.hpp"
#include "kernel/lib/phys_reader.hpp"

namespace hv::acpi {

struct Platform {
    Rsdp rsdp;
    RootTables roots;
    Madt madt;
    bool have_fadt = false;
    Fadt fadt;
    bool have_s5 = false;
    SleepType s5;
    bool have_mcfg = false;
    Mcfg mcfg;
    bool have_dmar = false;
    Dmar dmar;
    bool have_ivrs = false;
    Ivrs ivrs;
};

// Finds the RSDP (from the loader, else by scanning the BIOS areas), walks the root table and
// parses what the hypervisor uses. Problems with optional tables are logged and the table is left
// out; a missing RSDP or MADT is an error (nothing can be run without knowing the CPUs).
[[nodiscard]] Result<const Platform*> discover(const boot::BootInfo& boot, const PhysReader& mem);

// ACPI S5 through the FADT's PM1 control registers. Returns only if the machine did not turn off.
void power_off(const Platform& p);

}  // namespace hv::acpi
