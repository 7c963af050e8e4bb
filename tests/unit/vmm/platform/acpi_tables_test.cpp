#include "vmm/platform/acpi_tables.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "drivers/acpi/fadt.hpp"
#include "drivers/acpi/madt.hpp"
#include "drivers/acpi/mcfg.hpp"
#include "drivers/acpi/root_tables.hpp"
#include "drivers/acpi/rsdp.hpp"
#include "drivers/acpi/s5.hpp"
#include "drivers/acpi/sdt.hpp"
#include "tests/unit/drivers/acpi/acpi_builder.hpp"
#include "vmm/platform/guest_platform.hpp"

namespace hv::vmm::platform {
namespace {

using acpi::test::FakeMemory;

constexpr std::uint64_t k1TiB = 1ull << 40;
constexpr std::uint64_t k256GiB = 256 * kGiB;

GuestAcpiConfig config(std::uint32_t vcpus, std::uint64_t mmio64_size = 0) {
    return GuestAcpiConfig{vcpus, static_cast<std::uint8_t>(vcpus), k1TiB, mmio64_size};
}

// The BIOS area of a guest after build_acpi_tables(), seen through the project's own parsers
// as the hypervisor would see a real machine's tables.
class GuestTables {
  public:
    explicit GuestTables(const GuestAcpiConfig& c) : area_(kAcpiTablesSize) {
        auto r = build_acpi_tables(c, area_);
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what);
        if (r.ok()) rsdp_phys_ = r.value().raw();
        mem_.place(kAcpiTablesBase, area_);
    }

    [[nodiscard]] const std::vector<std::byte>& area() const { return area_; }
    [[nodiscard]] std::uint64_t rsdp_phys() const { return rsdp_phys_; }
    [[nodiscard]] const FakeMemory& mem() const { return mem_; }

    [[nodiscard]] acpi::Rsdp rsdp() const {
        auto r = acpi::parse_rsdp(mem_.read(rsdp_phys_, acpi::kRsdpV2Size));
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what);
        return r.ok() ? r.value() : acpi::Rsdp{};
    }
    [[nodiscard]] acpi::RootTables roots() const {
        auto r = acpi::walk_root_tables(mem_, rsdp());
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what);
        return r.ok() ? r.value() : acpi::RootTables{};
    }
    [[nodiscard]] Bytes table(acpi::Signature sig) const {
        auto r = acpi::find_table(mem_, roots(), sig);
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what);
        return r.ok() ? r.value() : Bytes{};
    }
    [[nodiscard]] acpi::Fadt fadt() const {
        auto r = acpi::parse_fadt(table("FACP"));
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what);
        return r.ok() ? r.value() : acpi::Fadt{};
    }
    [[nodiscard]] acpi::Madt madt() const {
        auto r = acpi::parse_madt(table("APIC"));
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what);
        return r.ok() ? r.value() : acpi::Madt{};
    }
    // The whole DSDT, found through the FADT and validated (length, checksum).
    [[nodiscard]] Bytes dsdt() const {
        auto r = acpi::read_table(mem_, fadt().dsdt);
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what);
        if (!r.ok()) return {};
        EXPECT_TRUE(bytes_equal(r.value(), 0, "DSDT", 4));
        return r.value();
    }
    [[nodiscard]] Bytes aml() const { return dsdt().subspan(acpi::kSdtHeaderSize); }

  private:
    std::vector<std::byte> area_;
    std::uint64_t rsdp_phys_ = 0;
    FakeMemory mem_;
};

std::size_t count(Bytes haystack, const std::vector<std::byte>& needle) {
    std::size_t n = 0;
    for (auto it = haystack.begin();; ++it) {
        it = std::search(it, haystack.end(), needle.begin(), needle.end());
        if (it == haystack.end()) return n;
        ++n;
    }
}

std::vector<std::byte> chars(const char* text, std::size_t n) {
    std::vector<std::byte> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<std::byte>(text[i]));
    return out;
}

TEST(GuestAcpiTables, RsdpIsFoundByScanningTheBiosArea) {
    GuestTables t(config(2));
    EXPECT_EQ(t.rsdp_phys(), kAcpiTablesBase);
    auto scan = acpi::scan_for_rsdp(Bytes(t.area().data(), t.area().size()), kAcpiTablesBase);
    ASSERT_TRUE(scan.ok()) << scan.error().what;
    EXPECT_EQ(scan.value(), t.rsdp_phys());
    acpi::Rsdp rsdp = t.rsdp();
    EXPECT_EQ(rsdp.revision, 2);
    EXPECT_EQ(rsdp.length, acpi::kRsdpV2Size);
}

TEST(GuestAcpiTables, XsdtListsFadtMadtAndMcfg) {
    GuestTables t(config(2));
    acpi::RootTables roots = t.roots();
    EXPECT_EQ(roots.root_signature, acpi::Signature("XSDT"));
    EXPECT_EQ(roots.skipped.size(), 0u);
    ASSERT_EQ(roots.tables.size(), 3u);
    EXPECT_EQ(roots.tables[0].signature, acpi::Signature("FACP"));
    EXPECT_EQ(roots.tables[1].signature, acpi::Signature("APIC"));
    EXPECT_EQ(roots.tables[2].signature, acpi::Signature("MCFG"));
}

TEST(GuestAcpiTables, RsdtListsTheSameTablesForAcpi1Readers) {
    GuestTables t(config(2));
    acpi::Rsdp v1 = t.rsdp();
    v1.revision = 0;
    auto rsdt = acpi::walk_root_tables(t.mem(), v1);
    ASSERT_TRUE(rsdt.ok()) << rsdt.error().what;
    EXPECT_EQ(rsdt.value().root_signature, acpi::Signature("RSDT"));
    acpi::RootTables xsdt = t.roots();
    ASSERT_EQ(rsdt.value().tables.size(), xsdt.tables.size());
    for (std::size_t i = 0; i < xsdt.tables.size(); ++i) {
        EXPECT_EQ(rsdt.value().tables[i].phys, xsdt.tables[i].phys);
    }
}

// walk_root_tables() and read_table() check each length and checksum; this adds that the tables
// sit inside the BIOS area, on 16-byte boundaries, without overlapping.
TEST(GuestAcpiTables, TablesAreAlignedInsideTheAreaWithoutOverlap) {
    GuestTables t(config(kMaxAcpiVcpus, k256GiB));
    acpi::RootTables roots = t.roots();
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges = {
        {t.rsdp_phys(), acpi::kRsdpV2Size}, {roots.root_phys, 36 + 8 * roots.tables.size()}};
    for (const acpi::TableRef& ref : roots.tables) ranges.push_back({ref.phys, ref.length});
    ranges.push_back({t.fadt().dsdt, t.dsdt().size()});
    ranges.push_back({t.fadt().firmware_ctrl, 64});
    std::sort(ranges.begin(), ranges.end());
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        EXPECT_EQ(ranges[i].first % 16, 0u) << std::hex << ranges[i].first;
        EXPECT_GE(ranges[i].first, kAcpiTablesBase);
        EXPECT_LE(ranges[i].first + ranges[i].second, kAcpiTablesBase + kAcpiTablesSize);
        if (i > 0) {
            EXPECT_LE(ranges[i - 1].first + ranges[i - 1].second, ranges[i].first);
        }
    }
}

TEST(GuestAcpiTables, FadtIsRevisionSixWithPmBlocks) {
    GuestTables t(config(2));
    acpi::Fadt f = t.fadt();
    EXPECT_EQ(f.revision, 6);
    EXPECT_EQ(f.length, 276u);
    EXPECT_EQ(f.minor_version, 5);
    EXPECT_FALSE(f.hw_reduced());
    const acpi::Gas pm1a_event{acpi::AddressSpace::kSystemIo, 32, 0, acpi::AccessSize::kUndefined,
                               kPm1aEventPort};
    const acpi::Gas pm1a_control{acpi::AddressSpace::kSystemIo, 16, 0, acpi::AccessSize::kUndefined,
                                 kPm1aControlPort};
    const acpi::Gas pm_timer{acpi::AddressSpace::kSystemIo, 32, 0, acpi::AccessSize::kUndefined,
                             kPmTimerPort};
    EXPECT_EQ(f.pm1a_event, pm1a_event);
    EXPECT_EQ(f.pm1a_control, pm1a_control);
    EXPECT_EQ(f.pm_timer, pm_timer);
    EXPECT_FALSE(f.pm1b_event.present());
    EXPECT_FALSE(f.pm1b_control.present());
    EXPECT_EQ(f.pm1_event_length, 4);
    EXPECT_EQ(f.pm1_control_length, 2);
    EXPECT_EQ(f.pm_timer_length, 4);
    EXPECT_FALSE(f.timer_32bit());
}

// The 32-bit fields agree with the X_ ones the parser prefers, for readers that use only them.
TEST(GuestAcpiTables, FadtLegacyPortFieldsMatchTheExtendedOnes) {
    GuestTables t(config(2));
    Bytes fadt = t.table("FACP");
    EXPECT_EQ(load_le_unchecked<std::uint32_t>(fadt, 56), kPm1aEventPort);
    EXPECT_EQ(load_le_unchecked<std::uint32_t>(fadt, 64), kPm1aControlPort);
    EXPECT_EQ(load_le_unchecked<std::uint32_t>(fadt, 76), kPmTimerPort);
    EXPECT_EQ(load_le_unchecked<std::uint32_t>(fadt, 40), t.fadt().dsdt);   // DSDT
    EXPECT_EQ(load_le_unchecked<std::uint64_t>(fadt, 140), t.fadt().dsdt);  // X_DSDT
}

TEST(GuestAcpiTables, FadtNamesTheCmosCenturyRegister) {
    GuestTables t(config(2));
    EXPECT_EQ(static_cast<std::uint8_t>(t.table("FACP")[108]), kCmosCenturyIndex);  // CENTURY
}

TEST(GuestAcpiTables, FadtRoutesSciToIrqNineWithoutSmiCommand) {
    GuestTables t(config(2));
    acpi::Fadt f = t.fadt();
    EXPECT_EQ(f.sci_interrupt, kIrqSci);
    EXPECT_EQ(f.smi_command, 0u);
    EXPECT_EQ(f.acpi_enable, 0);
    EXPECT_EQ(f.acpi_disable, 0);
}

TEST(GuestAcpiTables, FadtResetsThroughPortCf9) {
    GuestTables t(config(2));
    acpi::Fadt f = t.fadt();
    EXPECT_TRUE(f.can_reset());
    const acpi::Gas reset{acpi::AddressSpace::kSystemIo, 8, 0, acpi::AccessSize::kByte, kResetPort};
    EXPECT_EQ(f.reset_register, reset);
    EXPECT_EQ(f.reset_value, kResetValue);
}

TEST(GuestAcpiTables, FadtBootArchHasLegacyDevicesButNo8042OrVga) {
    GuestTables t(config(2));
    acpi::IapcBootArch arch = t.fadt().boot_arch;
    EXPECT_TRUE(arch.legacy_devices());
    EXPECT_FALSE(arch.has_8042());
    EXPECT_TRUE(arch.vga_not_present());
    EXPECT_FALSE(arch.msi_not_supported());
    EXPECT_FALSE(arch.cmos_rtc_not_present());
}

// ACPI 6.5 sec 5.2.10: the FACS has no checksum but a signature, a length of 64 and a 64-byte
// alignment.
TEST(GuestAcpiTables, FadtPointsAtAnAlignedFacs) {
    GuestTables t(config(2));
    std::uint64_t facs = t.fadt().firmware_ctrl;
    EXPECT_EQ(facs % 64, 0u);
    Bytes b = t.mem().read(facs, 64);
    ASSERT_EQ(b.size(), 64u);
    EXPECT_TRUE(bytes_equal(b, 0, "FACS", 4));
    EXPECT_EQ(load_le_unchecked<std::uint32_t>(b, 4), 64u);
    EXPECT_EQ(static_cast<std::uint8_t>(b[32]), 2);  // version
}

TEST(GuestAcpiTables, MadtListsOneEnabledLocalApicPerVcpu) {
    for (std::uint32_t vcpus : {1u, 4u, kMaxAcpiVcpus}) {
        GuestTables t(config(vcpus));
        acpi::Madt m = t.madt();
        EXPECT_EQ(m.local_apic_base, kLapicBase);
        EXPECT_TRUE(m.pcat_compat());
        ASSERT_EQ(m.cpus.size(), vcpus);
        for (std::uint32_t i = 0; i < vcpus; ++i) {
            EXPECT_EQ(m.cpus[i].acpi_uid, i);
            EXPECT_EQ(m.cpus[i].apic_id, i);
            EXPECT_TRUE(m.cpus[i].enabled());
            EXPECT_FALSE(m.cpus[i].x2apic);
        }
        EXPECT_EQ(acpi::usable_cpus(m).apic_ids.size(), vcpus);
        EXPECT_EQ(m.unknown_entries, 0u);
    }
}

TEST(GuestAcpiTables, MadtHasOneIoApicAtGsiZero) {
    GuestTables t(config(4));
    acpi::Madt m = t.madt();
    ASSERT_EQ(m.io_apics.size(), 1u);
    EXPECT_EQ(m.io_apics[0].id, 4);
    EXPECT_EQ(m.io_apics[0].address, kIoapicBase);
    EXPECT_EQ(m.io_apics[0].gsi_base, 0u);
}

TEST(GuestAcpiTables, MadtOverridesPitToPinTwoAndSciToLevelHigh) {
    GuestTables t(config(2));
    acpi::Madt m = t.madt();
    ASSERT_EQ(m.overrides.size(), 2u);
    EXPECT_EQ(m.overrides[0].bus, 0);
    EXPECT_EQ(m.overrides[0].source, kIrqPit);
    EXPECT_EQ(m.overrides[0].gsi, kGsiPit);
    EXPECT_EQ(m.overrides[0].flags.polarity(), acpi::Polarity::kConforms);
    EXPECT_EQ(m.overrides[0].flags.trigger(), acpi::TriggerMode::kConforms);
    EXPECT_EQ(m.overrides[1].source, kIrqSci);
    EXPECT_EQ(m.overrides[1].gsi, kIrqSci);
    EXPECT_EQ(m.overrides[1].flags.polarity(), acpi::Polarity::kActiveHigh);
    EXPECT_EQ(m.overrides[1].flags.trigger(), acpi::TriggerMode::kLevel);
}

TEST(GuestAcpiTables, MadtWiresLint1ToNmiOnEveryProcessor) {
    GuestTables t(config(2));
    acpi::Madt m = t.madt();
    ASSERT_EQ(m.local_apic_nmis.size(), 1u);
    EXPECT_TRUE(m.local_apic_nmis[0].all_processors());
    EXPECT_EQ(m.local_apic_nmis[0].lint, 1);
    EXPECT_EQ(m.nmi_sources.size(), 0u);
}

TEST(GuestAcpiTables, McfgDescribesTheEcamWindow) {
    GuestTables t(config(2));
    auto r = acpi::parse_mcfg(t.table("MCFG"));
    ASSERT_TRUE(r.ok()) << r.error().what;
    ASSERT_EQ(r.value().windows.size(), 1u);
    const acpi::EcamWindow& w = r.value().windows[0];
    EXPECT_EQ(w.base, kEcamBase);
    EXPECT_EQ(w.segment, 0);
    EXPECT_EQ(w.start_bus, kEcamFirstBus);
    EXPECT_EQ(w.end_bus, kEcamLastBus);
}

TEST(GuestAcpiTables, DsdtGivesSoftOffSleepType) {
    GuestTables t(config(2));
    auto s5 = acpi::find_s5(t.dsdt());
    ASSERT_TRUE(s5.ok()) << s5.error().what;
    EXPECT_EQ(s5.value().slp_typ_a, kS5SleepType);
    EXPECT_EQ(s5.value().slp_typ_b, kS5SleepType);
}

// iasl 20200925 compiled from the disassembly of this DSDT (2 vCPUs, a 256 GiB window at
// 1 TiB); vmm/platform/dsdt.hpp shows its ASL. The compiler's and our encodings agree byte
// for byte.
constexpr std::uint8_t kIaslDsdtTwoCpus[] = {
    0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00, 0x10, 0x4d,
    0x14, 0x5f, 0x53, 0x42, 0x5f, 0x5b, 0x82, 0x48, 0x0b, 0x50, 0x43, 0x49, 0x30, 0x08, 0x5f, 0x48,
    0x49, 0x44, 0x0c, 0x41, 0xd0, 0x0a, 0x08, 0x08, 0x5f, 0x43, 0x49, 0x44, 0x0c, 0x41, 0xd0, 0x0a,
    0x03, 0x08, 0x5f, 0x55, 0x49, 0x44, 0x00, 0x08, 0x5f, 0x53, 0x45, 0x47, 0x00, 0x08, 0x5f, 0x42,
    0x42, 0x4e, 0x00, 0x08, 0x5f, 0x43, 0x52, 0x53, 0x11, 0x46, 0x08, 0x0a, 0x82, 0x88, 0x0d, 0x00,
    0x02, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x47, 0x01, 0xf8,
    0x0c, 0xf8, 0x0c, 0x01, 0x08, 0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0x00, 0x00, 0x00, 0x00, 0xf7,
    0x0c, 0x00, 0x00, 0xf8, 0x0c, 0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0x00, 0x00, 0x00, 0x0d, 0xff,
    0xff, 0x00, 0x00, 0x00, 0xf3, 0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0xc0, 0xff, 0xff, 0xff, 0xdf, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x8a,
    0x2b, 0x00, 0x00, 0x0c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x3f, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x79, 0x00, 0x5b,
    0x82, 0x26, 0x4d, 0x52, 0x45, 0x53, 0x08, 0x5f, 0x48, 0x49, 0x44, 0x0c, 0x41, 0xd0, 0x0c, 0x02,
    0x08, 0x5f, 0x43, 0x52, 0x53, 0x11, 0x11, 0x0a, 0x0e, 0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00,
    0xe0, 0x00, 0x00, 0x10, 0x00, 0x79, 0x00, 0x5b, 0x82, 0x2b, 0x43, 0x4f, 0x4d, 0x31, 0x08, 0x5f,
    0x48, 0x49, 0x44, 0x0c, 0x41, 0xd0, 0x05, 0x01, 0x08, 0x5f, 0x55, 0x49, 0x44, 0x01, 0x08, 0x5f,
    0x43, 0x52, 0x53, 0x11, 0x10, 0x0a, 0x0d, 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, 0x22,
    0x10, 0x00, 0x79, 0x00, 0x5b, 0x82, 0x1a, 0x43, 0x50, 0x55, 0x30, 0x08, 0x5f, 0x48, 0x49, 0x44,
    0x0d, 0x41, 0x43, 0x50, 0x49, 0x30, 0x30, 0x30, 0x37, 0x00, 0x08, 0x5f, 0x55, 0x49, 0x44, 0x00,
    0x5b, 0x82, 0x1a, 0x43, 0x50, 0x55, 0x31, 0x08, 0x5f, 0x48, 0x49, 0x44, 0x0d, 0x41, 0x43, 0x50,
    0x49, 0x30, 0x30, 0x30, 0x37, 0x00, 0x08, 0x5f, 0x55, 0x49, 0x44, 0x01,
};

TEST(GuestAcpiTables, DsdtMatchesIaslOutput) {
    GuestTables t(config(2, k256GiB));
    Bytes aml = t.aml();
    ASSERT_EQ(aml.size(), sizeof kIaslDsdtTwoCpus);
    for (std::size_t i = 0; i < aml.size(); ++i) {
        EXPECT_EQ(static_cast<std::uint8_t>(aml[i]), kIaslDsdtTwoCpus[i]) << "at " << i;
    }
}

// A QWordMemory descriptor: tag 0x8A, length 0x002B, memory, producer/MinFixed/MaxFixed.
const std::vector<std::byte> kQWordMemoryHeader = {
    std::byte{0x8A}, std::byte{0x2B}, std::byte{0x00}, std::byte{0x00}, std::byte{0x0C}};

TEST(GuestAcpiTables, DsdtDescribesA64BitWindowOnlyWhenThereIsOne) {
    GuestTables with(config(2, k256GiB));
    GuestTables without(config(2));
    EXPECT_EQ(count(with.aml(), kQWordMemoryHeader), 1u);
    EXPECT_EQ(count(without.aml(), kQWordMemoryHeader), 0u);
    EXPECT_EQ(with.aml().size() - without.aml().size(), 46u);  // ACPI 6.5 sec 6.4.3.5.1
}

TEST(GuestAcpiTables, DsdtNamesOneProcessorDevicePerVcpu) {
    for (std::uint32_t vcpus : {1u, kMaxAcpiVcpus}) {
        GuestTables t(config(vcpus));
        EXPECT_EQ(count(t.aml(), chars("ACPI0007", 9)), vcpus);
        EXPECT_EQ(count(t.aml(), chars("CPU0", 4)), 1u);
        EXPECT_EQ(count(t.aml(), chars("CPUF", 4)), vcpus == kMaxAcpiVcpus ? 1u : 0u);
    }
}

// Linux accepts the MCFG only if a PNP0C02 device reserves the ECAM range: EISAID("PNP0C02")
// (0x020CD041) and, in its _CRS, Memory32Fixed(ReadWrite, kEcamBase, kEcamSize).
TEST(GuestAcpiTables, DsdtReservesEcamAsMotherboardResource) {
    GuestTables t(config(2));
    const std::vector<std::byte> pnp0c02 = {std::byte{0x0C}, std::byte{0x41}, std::byte{0xD0},
                                            std::byte{0x0C}, std::byte{0x02}};
    std::vector<std::byte> ecam = {std::byte{0x86}, std::byte{0x09}, std::byte{0x00},
                                   std::byte{0x01}};
    for (std::uint64_t v : {kEcamBase, kEcamSize}) {
        for (int i = 0; i < 4; ++i) ecam.push_back(static_cast<std::byte>(v >> (8 * i)));
    }
    EXPECT_EQ(count(t.aml(), pnp0c02), 1u);
    EXPECT_EQ(count(t.aml(), ecam), 1u);
}

TEST(GuestAcpiTables, RejectsVcpuCountOutsideOneToSixteen) {
    std::vector<std::byte> area(kAcpiTablesSize);
    for (std::uint32_t vcpus : {0u, kMaxAcpiVcpus + 1}) {
        auto r = build_acpi_tables(GuestAcpiConfig{vcpus, 0xFE, 0, 0}, area);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, Errc::kInvalid);
    }
}

TEST(GuestAcpiTables, RejectsIoApicIdThatIsAlsoAnApicId) {
    std::vector<std::byte> area(kAcpiTablesSize);
    auto r = build_acpi_tables(GuestAcpiConfig{4, 3, 0, 0}, area);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kInvalid);
}

TEST(GuestAcpiTables, Rejects64BitWindowBelow4GiBOrWrapping) {
    std::vector<std::byte> area(kAcpiTablesSize);
    auto low = build_acpi_tables(GuestAcpiConfig{1, 1, 3 * kGiB, kGiB}, area);
    ASSERT_FALSE(low.ok());
    EXPECT_EQ(low.error().code, Errc::kInvalid);
    auto wraps = build_acpi_tables(GuestAcpiConfig{1, 1, ~std::uint64_t{0} - kGiB, 2 * kGiB}, area);
    ASSERT_FALSE(wraps.ok());
    EXPECT_EQ(wraps.error().code, Errc::kInvalid);
}

// An area that ends inside the DSDT fails cleanly, without writing past the span.
TEST(GuestAcpiTables, FailsCleanlyWhenTheAreaEndsInsideTheDsdt) {
    GuestTables t(config(4, k256GiB));
    const std::size_t needed = t.fadt().dsdt - kAcpiTablesBase + t.dsdt().size();
    std::vector<std::byte> area(needed + 16, std::byte{0xAA});
    auto r = build_acpi_tables(config(4, k256GiB), std::span<std::byte>(area).first(needed - 1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kTooMany);
    for (std::size_t i = needed - 1; i < area.size(); ++i) EXPECT_EQ(area[i], std::byte{0xAA}) << i;
}

TEST(GuestAcpiTables, FailsCleanlyOnATinyArea) {
    std::vector<std::byte> area(64);
    auto r = build_acpi_tables(config(1), area);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kTooMany);
}

TEST(GuestAcpiTables, RejectsAreaLargerThanTheBiosWindow) {
    std::vector<std::byte> area(kAcpiTablesSize + 1);
    auto r = build_acpi_tables(config(1), area);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kInvalid);
}

// Stale bytes from an earlier boot must not leave a second "RSD PTR " or table behind.
TEST(GuestAcpiTables, ZeroesTheRestOfTheArea) {
    std::vector<std::byte> area(kAcpiTablesSize, std::byte{0xAA});
    auto r = build_acpi_tables(config(2), area);
    ASSERT_TRUE(r.ok()) << r.error().what;
    EXPECT_EQ(area.back(), std::byte{0});
    EXPECT_EQ(count(Bytes(area.data(), area.size()), chars("RSD PTR ", 8)), 1u);
}

}  // namespace
}  // namespace hv::vmm::platform
