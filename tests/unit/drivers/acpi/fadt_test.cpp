#include "drivers/acpi/fadt.hpp"

#include <gtest/gtest.h>

#include "tests/unit/drivers/acpi/acpi_builder.hpp"

namespace hv::acpi {
namespace {

using test::as_bytes;
using test::Builder;

constexpr std::uint8_t kIo = 1;
constexpr std::uint8_t kMemory = 0;

// The values a FADT fixture varies; defaults are QEMU q35 (ICH9 PM base 0x600).
struct FadtFields {
    std::uint8_t revision = 3;
    std::size_t length = kFadtV3Size;
    std::uint32_t facs = 0x7ffe0000;
    std::uint32_t dsdt = 0x7ffe0040;
    std::uint64_t x_dsdt = 0x7ffe0040;
    std::uint16_t sci = 9;
    std::uint32_t smi = 0xb2;
    std::uint8_t acpi_enable = 0x02;
    std::uint8_t acpi_disable = 0x03;
    std::uint32_t pm_base = 0x600;
    bool x_blocks = true;
    std::uint16_t boot_arch = 0x0002;  // 8042 present
    // WBINVD, PROC_C1, SLP_BUTTON, RTC_S4, RESET_REG_SUP, USE_PLATFORM_CLOCK.
    std::uint32_t flags = 0x84a5;
    std::uint64_t reset_port = 0xcf9;
    std::uint8_t reset_value = 0x0f;
    std::uint64_t sleep_control = 0;
    std::uint64_t sleep_status = 0;
};

// ACPI 6.5 table 5.9, field by field; the full revision 6 layout cut to `length`.
std::vector<std::byte> fadt(const FadtFields& f) {
    const std::uint32_t pm1a_evt = f.pm_base, pm1a_cnt = f.pm_base + 4, tmr = f.pm_base + 8;
    const std::uint32_t gpe0 = f.pm_base + 0x20;
    Builder b;
    b.chars("FACP").u32(0).u8(f.revision).u8(0).chars("BOCHS ").chars("BXPC    ").u32(1);
    b.chars("BXPC").u32(1);
    b.u32(f.facs).u32(f.dsdt).u8(0).u8(0).u16(f.sci).u32(f.smi).u8(f.acpi_enable);
    b.u8(f.acpi_disable).u8(0).u8(0);
    b.u32(pm1a_evt).u32(0).u32(pm1a_cnt).u32(0).u32(0).u32(tmr).u32(gpe0).u32(0);
    b.u8(4).u8(2).u8(0).u8(4).u8(0x10).u8(0).u8(0).u8(0);  // *_LEN, GPE1_BASE, CST_CNT
    b.u16(0x0fff).u16(0x0fff).u16(0).u16(0);               // C2/C3 latency: unsupported
    b.u8(0).u8(0).u8(0x0d).u8(0).u8(0x32);                 // duty, RTC alarms, century
    b.u16(f.boot_arch).u8(0).u32(f.flags);
    EXPECT_EQ(b.size(), kFadtV1Size);
    b.gas(kIo, 8, 0, 0, f.reset_port).u8(f.reset_value).u16(0).u8(1);
    b.u64(f.facs).u64(f.x_dsdt);
    if (f.x_blocks) {
        b.gas(kIo, 32, 0, 0, pm1a_evt).gas(0, 0, 0, 0, 0).gas(kIo, 16, 0, 0, pm1a_cnt);
        b.gas(0, 0, 0, 0, 0).gas(0, 0, 0, 0, 0).gas(kIo, 32, 0, 0, tmr);
        b.gas(kIo, 128, 0, 0, gpe0).gas(0, 0, 0, 0, 0);
    } else {
        b.zeros(8 * kGasSize);
    }
    EXPECT_EQ(b.size(), kFadtV3Size);
    b.gas(kMemory, 8, 0, 1, f.sleep_control).gas(kMemory, 8, 0, 1, f.sleep_status);
    b.chars("QEMUKVM ");
    std::vector<std::byte> out = b.bytes();
    out.resize(f.length);
    b.bytes() = out;
    b.patch(4, f.length, 4);
    out = b.bytes();
    test::fix_table_checksum(out);
    return out;
}

// QEMU "pc" (PIIX4 PM base 0xb000) with the ACPI 1.0 FADT old machine types use.
FadtFields qemu_pc_rev1() {
    FadtFields f;
    f.revision = 1;
    f.length = kFadtV1Size;
    f.pm_base = 0xb000;
    f.acpi_enable = 0xf1;
    f.acpi_disable = 0xf0;
    f.flags = 0x80a5;
    return f;
}

Fadt parse_ok(const FadtFields& f) {
    auto r = parse_fadt(as_bytes(fadt(f)));
    EXPECT_TRUE(r.ok()) << r.error().what;
    return r.ok() ? r.value() : Fadt{};
}

TEST(Fadt, ReadsQemuQ35PmRegisters) {
    Fadt f = parse_ok(FadtFields{});
    EXPECT_EQ(f.revision, 3);
    EXPECT_EQ(io_port(f.pm1a_control).value_or(0), 0x604);
    EXPECT_EQ(f.pm1a_control.bit_width, 16);
    EXPECT_EQ(io_port(f.pm1a_event).value_or(0), 0x600);
    EXPECT_EQ(io_port(f.pm_timer).value_or(0), 0x608);
    EXPECT_FALSE(f.pm1b_control.present());
    EXPECT_FALSE(f.pm1b_event.present());
    EXPECT_EQ(f.pm_timer_length, 4);
    EXPECT_EQ(f.pm1_control_length, 2);
    EXPECT_EQ(f.pm1_event_length, 4);
}

TEST(Fadt, ReadsQemuQ35AcpiModeSwitch) {
    Fadt f = parse_ok(FadtFields{});
    EXPECT_EQ(f.sci_interrupt, 9);
    EXPECT_EQ(f.smi_command, 0xb2u);
    EXPECT_EQ(f.acpi_enable, 0x02);
    EXPECT_EQ(f.acpi_disable, 0x03);
}

TEST(Fadt, ReadsQemuPcRevision1Table) {
    Fadt f = parse_ok(qemu_pc_rev1());
    EXPECT_EQ(f.length, 116u);
    EXPECT_EQ(io_port(f.pm1a_control).value_or(0), 0xb004);
    EXPECT_EQ(f.pm1a_control.space, AddressSpace::kSystemIo);
    EXPECT_EQ(f.pm1a_control.bit_width, 16);
    EXPECT_EQ(io_port(f.pm_timer).value_or(0), 0xb008);
    EXPECT_EQ(f.acpi_enable, 0xf1);
    EXPECT_EQ(f.dsdt, 0x7ffe0040u);
    EXPECT_EQ(f.minor_version, 0);
}

TEST(Fadt, HasNoResetRegisterInRevision1Table) {
    Fadt f = parse_ok(qemu_pc_rev1());
    EXPECT_FALSE(f.reset_register.present());
    EXPECT_FALSE(f.can_reset());
}

TEST(Fadt, ClearsBootArchInAcpi1SizedTable) {
    FadtFields spec = qemu_pc_rev1();
    spec.boot_arch = 0x0003;
    EXPECT_EQ(parse_ok(spec).boot_arch.raw, 0);
}

TEST(Fadt, PrefersXDsdtWhenNonZero) {
    FadtFields spec;
    spec.dsdt = 0x7ffe0040;
    spec.x_dsdt = 0x1'0000'0040;
    EXPECT_EQ(parse_ok(spec).dsdt, 0x1'0000'0040u);
}

TEST(Fadt, FallsBackToDsdtWhenXDsdtIsZero) {
    FadtFields spec;
    spec.x_dsdt = 0;
    EXPECT_EQ(parse_ok(spec).dsdt, 0x7ffe0040u);
}

TEST(Fadt, ReadsFacsAddress) { EXPECT_EQ(parse_ok(FadtFields{}).firmware_ctrl, 0x7ffe0000u); }

TEST(Fadt, PrefersXPmBlockGas) {
    FadtFields spec;
    auto raw = fadt(spec);
    // X_PM1a_CNT_BLK at offset 172 moved to memory space: the X_ field wins over the port.
    Builder gas;
    gas.gas(kMemory, 16, 0, 2, 0xfed80804);
    std::copy(gas.bytes().begin(), gas.bytes().end(), raw.begin() + 172);
    test::fix_table_checksum(raw);
    auto r = parse_fadt(as_bytes(raw));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().pm1a_control.space, AddressSpace::kSystemMemory);
    EXPECT_EQ(r.value().pm1a_control.address, 0xfed80804u);
    EXPECT_EQ(r.value().pm1a_control.access_size, AccessSize::kWord);
    EXPECT_FALSE(io_port(r.value().pm1a_control).has_value());
}

TEST(Fadt, UsesPortsWhenXBlocksAreZero) {
    FadtFields spec;
    spec.x_blocks = false;
    Fadt f = parse_ok(spec);
    EXPECT_EQ(io_port(f.pm1a_control).value_or(0), 0x604);
    EXPECT_EQ(f.pm1a_control.bit_width, 16);
    EXPECT_EQ(f.pm1a_event.bit_width, 32);
}

TEST(Fadt, DecodesResetAndTimerFlags) {
    FadtFields spec;
    spec.flags = kFadtTmrValExt | kFadtResetRegSup;
    Fadt f = parse_ok(spec);
    EXPECT_TRUE(f.timer_32bit());
    EXPECT_TRUE(f.reset_reg_supported());
    EXPECT_FALSE(f.hw_reduced());
}

TEST(Fadt, ReadsQemuQ35ResetRegister) {
    Fadt f = parse_ok(FadtFields{});
    EXPECT_TRUE(f.can_reset());
    EXPECT_EQ(io_port(f.reset_register).value_or(0), 0xcf9);
    EXPECT_EQ(f.reset_value, 0x0f);
}

TEST(Fadt, CannotResetWithoutTheFlag) {
    FadtFields spec;
    spec.flags = 0x80a5;
    EXPECT_FALSE(parse_ok(spec).can_reset());
}

TEST(Fadt, DecodesBootArchitectureFlags) {
    FadtFields spec;
    spec.boot_arch = 0x003d;  // all but the 8042 bit
    IapcBootArch arch = parse_ok(spec).boot_arch;
    EXPECT_TRUE(arch.legacy_devices());
    EXPECT_FALSE(arch.has_8042());
    EXPECT_TRUE(arch.vga_not_present());
    EXPECT_TRUE(arch.msi_not_supported());
    EXPECT_TRUE(arch.pcie_aspm_controls());
    EXPECT_TRUE(arch.cmos_rtc_not_present());
}

TEST(Fadt, QemuQ35ReportsAn8042) { EXPECT_TRUE(parse_ok(FadtFields{}).boot_arch.has_8042()); }

TEST(Fadt, ReadsSleepRegistersOfRevision5) {
    FadtFields spec;
    spec.revision = 5;
    spec.length = kFadtV5Size;
    spec.flags = kFadtHwReducedAcpi;
    spec.sleep_control = 0xfedc0000;
    spec.sleep_status = 0xfedc0001;
    Fadt f = parse_ok(spec);
    EXPECT_TRUE(f.hw_reduced());
    EXPECT_EQ(f.sleep_control.address, 0xfedc0000u);
    EXPECT_EQ(f.sleep_status.address, 0xfedc0001u);
    EXPECT_EQ(f.sleep_control.space, AddressSpace::kSystemMemory);
}

TEST(Fadt, HasNoSleepRegistersBeforeRevision5) {
    FadtFields spec;
    spec.sleep_control = 0xfedc0000;  // beyond the 244-byte table: must not be read
    EXPECT_FALSE(parse_ok(spec).sleep_control.present());
}

TEST(Fadt, ParsesRevision6Table) {
    FadtFields spec;
    spec.revision = 6;
    spec.length = 276;
    Fadt f = parse_ok(spec);
    EXPECT_EQ(f.length, 276u);
    EXPECT_EQ(f.minor_version, 1);
    EXPECT_EQ(io_port(f.pm1a_control).value_or(0), 0x604);
}

TEST(Fadt, TrustsLengthOverRevision) {
    FadtFields spec = qemu_pc_rev1();
    spec.revision = 3;  // claims ACPI 2.0+, but only 116 bytes long
    Fadt f = parse_ok(spec);
    EXPECT_EQ(io_port(f.pm1a_control).value_or(0), 0xb004);
    EXPECT_FALSE(f.reset_register.present());
}

TEST(Fadt, RejectsTableShorterThanAcpi1Layout) {
    FadtFields spec;
    spec.length = 112;
    EXPECT_STREQ(parse_fadt(as_bytes(fadt(spec))).error().what,
                 "FADT shorter than the ACPI 1.0 layout (116 bytes)");
}

TEST(Fadt, RejectsBadChecksum) {
    auto raw = fadt(FadtFields{});
    raw[64] = std::byte{0x05};
    EXPECT_STREQ(parse_fadt(as_bytes(raw)).error().what, "FADT checksum mismatch");
}

TEST(Fadt, RejectsOtherTables) {
    auto raw = fadt(FadtFields{});
    raw[0] = std::byte{'X'};
    test::fix_table_checksum(raw);
    EXPECT_STREQ(parse_fadt(as_bytes(raw)).error().what, "FADT signature is not FACP");
}

TEST(Gas, DecodesTheTwelveBytes) {
    Builder b;
    b.u8(0xAA).gas(kIo, 16, 4, 2, 0x604);
    auto g = parse_gas(as_bytes(b.bytes()), 1);
    ASSERT_TRUE(g.has_value());
    EXPECT_EQ(g->space, AddressSpace::kSystemIo);
    EXPECT_EQ(g->bit_width, 16);
    EXPECT_EQ(g->bit_offset, 4);
    EXPECT_EQ(g->access_size, AccessSize::kWord);
    EXPECT_EQ(g->address, 0x604u);
}

TEST(Gas, ParseRefusesBytesShorterThanTheStructure) {
    Builder b;
    b.gas(kIo, 16, 0, 2, 0x604);
    EXPECT_FALSE(parse_gas(as_bytes(b.bytes()), 1).has_value());
}

TEST(Gas, IoPortNeedsSystemIoSpace) {
    EXPECT_FALSE(io_port(Gas{AddressSpace::kSystemMemory, 16, 0, AccessSize::kWord, 0x604}));
}

TEST(Gas, IoPortRejectsAddressesPastThePortRange) {
    EXPECT_FALSE(io_port(Gas{AddressSpace::kSystemIo, 16, 0, AccessSize::kWord, 0x10000}));
}

TEST(Gas, LegacyPortOfZeroIsAbsent) { EXPECT_FALSE(io_port_gas(0, 2).present()); }

}  // namespace
}  // namespace hv::acpi
