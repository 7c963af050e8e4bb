#include "drivers/acpi/platform.hpp"

#include "arch/x86/cpu/io.hpp"
#include "drivers/acpi/sdt.hpp"
#include "kernel/console.hpp"
#include "kernel/time.hpp"

namespace hv::acpi {
namespace {

Platform g_platform;

// Where a BIOS keeps the RSDP (ACPI 6.5 sec 5.2.5.1): the first KiB of the EBDA, whose segment is
// stored at 0x40E, and the read-only BIOS area 0xE0000-0xFFFFF.
constexpr std::uint64_t kEbdaSegmentPointer = 0x40E;
constexpr std::uint64_t kEbdaScanLength = 1024;
constexpr std::uint64_t kBiosAreaBase = 0xE0000;
constexpr std::uint64_t kBiosAreaLength = 0x20000;

// PM1 control SCI_EN (ACPI 6.5 table 4.13): set once the OS owns ACPI (after ACPI_ENABLE).
constexpr std::uint16_t kPm1SciEnable = 1u << 0;
constexpr int kAcpiEnablePolls = 300;  // x 1 ms, as ACPICA waits up to ~3 s; 300 ms suffices

Result<std::uint64_t> find_rsdp_in_bios(const PhysReader& mem) {
    const Bytes ptr = mem.read(kEbdaSegmentPointer, 2);
    if (ptr.size() == 2) {
        const std::uint64_t ebda =
            static_cast<std::uint64_t>(load_le_unchecked<std::uint16_t>(ptr, 0)) << 4;
        const Bytes area = mem.read(ebda, kEbdaScanLength);
        if (ebda != 0 && !area.empty()) {
            auto found = scan_for_rsdp(area, ebda);
            if (found) return found.value();
        }
    }
    const Bytes bios = mem.read(kBiosAreaBase, kBiosAreaLength);
    if (bios.empty()) return make_error(Errc::kNotFound, "BIOS area unreadable");
    return scan_for_rsdp(bios, kBiosAreaBase);
}

Result<Rsdp> locate_rsdp(const boot::BootInfo& boot, const PhysReader& mem) {
    if (boot.rsdp_size != 0) return parse_rsdp(boot.rsdp_bytes());
    if (boot.efi)
        return make_error(Errc::kNotFound, "EFI boot without an ACPI tag from the loader");
    const std::uint64_t phys = TRY(find_rsdp_in_bios(mem));
    const Bytes bytes = mem.read(phys, kRsdpV2Size);
    return parse_rsdp(bytes.empty() ? mem.read(phys, kRsdpV1Size) : bytes);
}

template <typename T, typename Parse>
bool parse_optional(const PhysReader& mem, const RootTables& roots, Signature sig, T& out,
                    Parse parse) {
    auto table = find_table(mem, roots, sig);
    if (!table) return false;  // absent: not worth a line
    auto parsed = parse(table.value());
    if (!parsed) {
        log("acpi: ignoring ", sig, ": ", parsed.error().what);
        return false;
    }
    out = parsed.value();
    return true;
}

void write_pm1(const Gas& reg, std::uint16_t value) {
    if (auto port = io_port(reg)) x86::outw(*port, value);
}

std::uint16_t read_pm1(const Gas& reg) {
    if (auto port = io_port(reg)) return x86::inw(*port);
    return 0;
}

}  // namespace

Result<const Platform*> discover(const boot::BootInfo& boot, const PhysReader& mem) {
    Platform& p = g_platform;
    auto rsdp = locate_rsdp(boot, mem);
    if (!rsdp) return make_error(Errc::kNotFound, rsdp.error().what);
    p.rsdp = rsdp.value();
    auto roots = walk_root_tables(mem, p.rsdp);
    if (!roots) return roots.error();
    p.roots = roots.value();
    for (const SkippedTable& s : p.roots.skipped) {
        log("acpi: skipped table ", s.signature, " at 0x", Hex{s.phys}, ": ", s.reason);
    }

    auto madt_table = find_table(mem, p.roots, Signature("APIC"));
    if (!madt_table) return make_error(Errc::kNotFound, "no MADT (APIC table): CPUs unknown");
    auto madt = parse_madt(madt_table.value());
    if (!madt) return madt.error();
    p.madt = madt.value();

    p.have_fadt = parse_optional(mem, p.roots, Signature("FACP"), p.fadt, parse_fadt);
    if (p.have_fadt && p.fadt.dsdt != 0) {
        auto dsdt = read_table(mem, p.fadt.dsdt);
        if (dsdt) {
            auto s5 = find_s5(dsdt.value());
            if (s5) {
                p.s5 = s5.value();
                p.have_s5 = true;
            } else {
                log("acpi: no usable \\_S5 in DSDT (", s5.error().what, "): power-off unavailable");
            }
        } else {
            log("acpi: DSDT unreadable: ", dsdt.error().what);
        }
    }
    p.have_mcfg = parse_optional(mem, p.roots, Signature("MCFG"), p.mcfg, parse_mcfg);
    p.have_dmar = parse_optional(mem, p.roots, Signature("DMAR"), p.dmar, parse_dmar);
    p.have_ivrs = parse_optional(mem, p.roots, Signature("IVRS"), p.ivrs, parse_ivrs);
    return &g_platform;
}

void power_off(const Platform& p) {
    if (!p.have_fadt || !p.have_s5) {
        log("acpi: cannot power off: ", !p.have_fadt ? "no FADT" : "no \\_S5 sleep type");
        return;
    }
    const Fadt& f = p.fadt;
    // Hand ACPI to the OS first if firmware still owns it (ACPI 6.5 sec 4.8.2.1.1 / 5.2.9 SMI_CMD).
    if (f.smi_command != 0 && f.acpi_enable != 0 &&
        (read_pm1(f.pm1a_control) & kPm1SciEnable) == 0) {
        x86::outb(static_cast<std::uint16_t>(f.smi_command), f.acpi_enable);
        for (int i = 0; i < kAcpiEnablePolls && (read_pm1(f.pm1a_control) & kPm1SciEnable) == 0;
             ++i) {
            time::delay_us(1000);
        }
    }
    const Pm1SleepWrites a = pm1_sleep_writes(read_pm1(f.pm1a_control), p.s5.slp_typ_a);
    const Pm1SleepWrites b = pm1_sleep_writes(read_pm1(f.pm1b_control), p.s5.slp_typ_b);
    write_pm1(f.pm1a_control, a.prepare);
    write_pm1(f.pm1b_control, b.prepare);
    write_pm1(f.pm1a_control, a.enter);
    write_pm1(f.pm1b_control, b.enter);
    // Real chipsets act within microseconds; an emulator's main loop may take a while under load.
    time::delay_us(5'000'000);
    log("acpi: S5 power-off did not take effect");
}

}  // namespace hv::acpi
