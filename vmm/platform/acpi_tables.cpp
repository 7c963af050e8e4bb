#include "vmm/platform/acpi_tables.hpp"

#include <array>

#include "drivers/acpi/fadt.hpp"
#include "drivers/acpi/gas.hpp"
#include "drivers/acpi/madt.hpp"
#include "drivers/acpi/rsdp.hpp"
#include "drivers/acpi/sdt.hpp"
#include "vmm/platform/dsdt.hpp"
#include "vmm/platform/guest_platform.hpp"

namespace hv::vmm::platform {
namespace {

using acpi::AccessSize;
using acpi::AddressSpace;
using acpi::kGasSize;
using acpi::kSdtHeaderSize;

// ACPI 6.5 sec 5.2.6, table 5.4: the header's OEM fields, the same in every table.
constexpr char kOemId[] = "AIHV  ";         // 6 characters
constexpr char kOemTableId[] = "AIHVGST ";  // 8 characters
constexpr std::uint32_t kOemRevision = 1;
constexpr char kCreatorId[] = "AIHV";  // 4 characters
constexpr std::uint32_t kCreatorRevision = 1;
constexpr std::size_t kChecksumOffset = 9;

// Revisions ACPI 6.5 gives for each table (MCFG: PCI Firmware spec 3.2 sec 4.1.2).
constexpr std::uint8_t kRsdpRevision = 2;
constexpr std::uint8_t kRootTableRevision = 1;  // RSDT and XSDT
constexpr std::uint8_t kFadtRevision = 6;
constexpr std::uint8_t kFadtMinorVersion = 5;
constexpr std::uint8_t kMadtRevision = 6;
constexpr std::uint8_t kMcfgRevision = 1;
// ACPI 6.5 sec 5.2.11.1: revision 2 or more makes AML integers 64 bits wide (QWordMemory).
constexpr std::uint8_t kDsdtRevision = 2;
constexpr std::uint8_t kFacsVersion = 2;

// Sizes. RSDP: ACPI 6.5 table 5.3. FACS: table 5.14. FADT: table 5.9, the revision 6 layout adds
// the 8-byte hypervisor vendor identity to the revision 5 one.
constexpr std::size_t kFacsSize = 64;
constexpr std::size_t kFadtSize = acpi::kFadtV5Size + 8;
static_assert(kFadtSize == 276);
constexpr std::size_t kListedTables = 3;  // FADT, MADT, MCFG; the DSDT hangs off the FADT
constexpr std::size_t kXsdtSize = kSdtHeaderSize + 8 * kListedTables;
constexpr std::size_t kRsdtSize = kSdtHeaderSize + 4 * kListedTables;
// ACPI 6.5 sec 5.2.12: header, local APIC address, flags; then entries, whose lengths are in
// sec 5.2.12.2 (local APIC), 5.2.12.3 (I/O APIC), 5.2.12.5 (override), 5.2.12.7 (LAPIC NMI).
constexpr std::size_t kMadtFixedSize = kSdtHeaderSize + 8;
constexpr std::size_t kMadtLocalApicSize = 8;
constexpr std::size_t kMadtIoApicSize = 12;
constexpr std::size_t kMadtOverrideSize = 10;
constexpr std::size_t kMadtLocalApicNmiSize = 6;
constexpr std::size_t kMadtOverrides = 2;  // IRQ 0 -> GSI 2, IRQ 9 (SCI) level
// PCI Firmware spec 3.2 sec 4.1.2: 8 reserved bytes, then 16 per allocation.
constexpr std::size_t kMcfgSize = kSdtHeaderSize + 8 + 16;

constexpr std::size_t kTableAlign = 16;  // where the RSDP scan looks; tidy for the rest
constexpr std::size_t kFacsAlign = 64;   // ACPI 6.5 sec 5.2.10

// ACPI 6.5 table 5.10 (fixed feature flags) and table 5.11 (IA-PC boot architecture flags).
constexpr std::uint32_t kFadtWbinvd = 1u << 0;     // WBINVD flushes caches: no FLUSH_SIZE needed
constexpr std::uint32_t kFadtProcC1 = 1u << 2;     // HLT works on every vCPU
constexpr std::uint32_t kFadtPwrButton = 1u << 4;  // set: no fixed-feature power button
constexpr std::uint32_t kFadtSlpButton = 1u << 5;  // set: no fixed-feature sleep button
constexpr std::uint16_t kBootLegacyDevices = 1u << 0;  // ISA devices (PIT, PIC, RTC, COM1)
constexpr std::uint16_t kBootVgaNotPresent = 1u << 2;
// Deliberately clear: 8042 (bit 1, so Linux does not probe an i8042), MSI not supported (bit 3),
// CMOS RTC not present (bit 5).

// ACPI 6.5 table 5.9: P_LVL2_LAT above 100 and P_LVL3_LAT above 1000 (microseconds) say the
// C2 and C3 states do not exist; vCPUs only HLT.
constexpr std::uint16_t kNoC2Latency = 101;
constexpr std::uint16_t kNoC3Latency = 1001;

// Lengths of the fixed-hardware blocks (ACPI 6.5 sec 4.8.3): PM1 event is status + enable,
// 16 bits each; PM1 control is 16 bits; the PM timer 32 bits (of which 24 count).
constexpr std::uint8_t kPm1EventLength = 4;
constexpr std::uint8_t kPm1ControlLength = 2;
constexpr std::uint8_t kPmTimerLength = 4;

// ACPI 6.5 table 5.27: MPS INTI flags, polarity in bits 1:0, trigger mode in bits 3:2.
constexpr std::uint16_t mps_inti(acpi::Polarity polarity, acpi::TriggerMode trigger) {
    return static_cast<std::uint16_t>(static_cast<unsigned>(polarity) |
                                      (static_cast<unsigned>(trigger) << 2));
}
constexpr std::uint8_t kIsaBus = 0;
constexpr std::uint8_t kLint1 = 1;  // the LINT pin wired to NMI on every PC

// Writes fields in order into one table's bytes. A table's size is fixed before it is written,
// so a write past the end is a bug in this file: it is dropped and done() reports it.
class TableWriter {
  public:
    explicit TableWriter(std::span<std::byte> table) : t_(table) {}

    TableWriter& u8(std::uint64_t v) { return put(v, 1); }
    TableWriter& u16(std::uint64_t v) { return put(v, 2); }
    TableWriter& u32(std::uint64_t v) { return put(v, 4); }
    TableWriter& u64(std::uint64_t v) { return put(v, 8); }
    TableWriter& zeros(std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) u8(0);
        return *this;
    }
    // The first `n` characters of `text`, without a terminator.
    TableWriter& chars(const char* text, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) u8(static_cast<std::uint8_t>(text[i]));
        return *this;
    }
    // ACPI 6.5 sec 5.2.3.2, Generic Address Structure.
    TableWriter& gas(AddressSpace space, std::uint8_t bit_width, AccessSize access,
                     std::uint64_t address) {
        std::size_t start = pos_;
        u8(static_cast<std::uint8_t>(space))
            .u8(bit_width)
            .u8(0)
            .u8(static_cast<std::uint8_t>(access));
        u64(address);
        overflow_ |= pos_ - start != kGasSize;
        return *this;
    }
    TableWriter& no_gas() { return zeros(kGasSize); }

    // ACPI 6.5 table 5.4: the common header of a table of `length` bytes. The checksum stays
    // zero until set_checksum() runs over the finished table.
    TableWriter& header(const char* signature, std::uint8_t revision, std::size_t length) {
        return chars(signature, 4)
            .u32(length)
            .u8(revision)
            .u8(0)
            .chars(kOemId, 6)
            .chars(kOemTableId, 8)
            .u32(kOemRevision)
            .chars(kCreatorId, 4)
            .u32(kCreatorRevision);
    }

    // True when exactly the planned bytes were written.
    [[nodiscard]] bool done() const { return !overflow_ && pos_ == t_.size(); }

  private:
    TableWriter& put(std::uint64_t v, std::size_t width) {
        for (std::size_t i = 0; i < width; ++i) {
            if (pos_ >= t_.size()) {
                overflow_ = true;
                return *this;
            }
            t_[pos_++] = static_cast<std::byte>((v >> (8 * i)) & 0xFF);
        }
        return *this;
    }

    std::span<std::byte> t_;
    std::size_t pos_ = 0;
    bool overflow_ = false;
};

// Sets the byte at `at` so that `bytes` sum to zero (ACPI 6.5 sec 5.2.5.3, 5.2.6).
void set_checksum(std::span<std::byte> bytes, std::size_t at) {
    bytes[at] = std::byte{0};
    std::uint8_t sum = byte_sum(bytes);
    bytes[at] = static_cast<std::byte>(static_cast<std::uint8_t>(0x100 - sum));
}

// Offsets of the tables in the area; the DSDT takes what is left at the end.
struct Layout {
    std::size_t rsdp, facs, xsdt, rsdt, fadt, madt, madt_size, mcfg, dsdt;
};

Layout plan_layout(std::uint32_t vcpus) {
    Layout l{};
    l.rsdp = 0;
    l.facs = align_up(l.rsdp + acpi::kRsdpV2Size, kFacsAlign);
    l.xsdt = align_up(l.facs + kFacsSize, kTableAlign);
    l.rsdt = align_up(l.xsdt + kXsdtSize, kTableAlign);
    l.fadt = align_up(l.rsdt + kRsdtSize, kTableAlign);
    l.madt = align_up(l.fadt + kFadtSize, kTableAlign);
    l.madt_size = kMadtFixedSize + vcpus * kMadtLocalApicSize + kMadtIoApicSize +
                  kMadtOverrides * kMadtOverrideSize + kMadtLocalApicNmiSize;
    l.mcfg = align_up(l.madt + l.madt_size, kTableAlign);
    l.dsdt = align_up(l.mcfg + kMcfgSize, kTableAlign);
    return l;
}

// Guest-physical address of an offset in the area. The area is below 1 MiB, so every address
// also fits the 32-bit fields.
constexpr std::uint32_t gpa(std::size_t offset) {
    return static_cast<std::uint32_t>(kAcpiTablesBase + offset);
}

// ACPI 6.5 sec 5.2.5.3, table 5.3.
bool write_rsdp(std::span<std::byte> t, const Layout& l) {
    TableWriter w(t);
    w.chars("RSD PTR ", 8).u8(0).chars(kOemId, 6).u8(kRsdpRevision).u32(gpa(l.rsdt));
    w.u32(acpi::kRsdpV2Size).u64(gpa(l.xsdt)).u8(0).zeros(3);
    set_checksum(t.first(acpi::kRsdpV1Size), 8);  // the ACPI 1.0 part
    set_checksum(t, 32);                          // extended checksum: all 36 bytes
    return w.done();
}

// ACPI 6.5 sec 5.2.10, table 5.14. No checksum; zero waking vector (no S3) and global lock.
bool write_facs(std::span<std::byte> t) {
    TableWriter w(t);
    w.chars("FACS", 4).u32(kFacsSize).u32(0).u32(0).u32(0).u32(0).u64(0);
    w.u8(kFacsVersion).zeros(3).u32(0).zeros(24);
    return w.done();
}

bool write_root_tables(std::span<std::byte> xsdt, std::span<std::byte> rsdt, const Layout& l) {
    const std::size_t listed[kListedTables] = {l.fadt, l.madt, l.mcfg};
    TableWriter x(xsdt);  // ACPI 6.5 sec 5.2.8: 64-bit entries
    TableWriter r(rsdt);  // ACPI 6.5 sec 5.2.7: 32-bit entries, for ACPI 1.0 readers
    x.header("XSDT", kRootTableRevision, xsdt.size());
    r.header("RSDT", kRootTableRevision, rsdt.size());
    for (std::size_t offset : listed) {
        x.u64(gpa(offset));
        r.u32(gpa(offset));
    }
    return x.done() && r.done();
}

// ACPI 6.5 sec 5.2.9, table 5.9, field by field.
bool write_fadt(std::span<std::byte> t, const Layout& l) {
    TableWriter w(t);
    w.header("FACP", kFadtRevision, t.size());
    // FIRMWARE_CTRL, DSDT. Only one of FIRMWARE_CTRL and X_FIRMWARE_CTRL may be non-zero; the
    // FACS is below 4 GiB, so the 32-bit one. The DSDT gets both, as the spec allows.
    w.u32(gpa(l.facs)).u32(gpa(l.dsdt));
    w.u8(0).u8(0);  // reserved, Preferred_PM_Profile: unspecified
    w.u16(kIrqSci);
    // SMI_CMD 0: no SMM, the guest is in ACPI mode from the start (SCI_EN reads 1);
    // ACPI_ENABLE, ACPI_DISABLE, S4BIOS_REQ, PSTATE_CNT then mean nothing.
    w.u32(0).u8(0).u8(0).u8(0).u8(0);
    w.u32(kPm1aEventPort).u32(0);    // PM1a_EVT_BLK, PM1b_EVT_BLK
    w.u32(kPm1aControlPort).u32(0);  // PM1a_CNT_BLK, PM1b_CNT_BLK
    w.u32(0);                        // PM2_CNT_BLK
    w.u32(kPmTimerPort);             // PM_TMR_BLK
    w.u32(0).u32(0);                 // GPE0_BLK, GPE1_BLK: no general-purpose events
    w.u8(kPm1EventLength).u8(kPm1ControlLength).u8(0).u8(kPmTimerLength);
    w.u8(0).u8(0).u8(0).u8(0);  // GPE0_BLK_LEN, GPE1_BLK_LEN, GPE1_BASE, CST_CNT
    w.u16(kNoC2Latency).u16(kNoC3Latency);
    w.u16(0).u16(0);  // FLUSH_SIZE, FLUSH_STRIDE: WBINVD works
    w.u8(0).u8(0);    // DUTY_OFFSET, DUTY_WIDTH: no throttling
    w.u8(0).u8(0);    // DAY_ALRM, MON_ALRM: an MC146818A alarm has no day or month
    w.u8(kCmosCenturyIndex);
    w.u16(kBootLegacyDevices | kBootVgaNotPresent);
    w.u8(0);
    // TMR_VAL_EXT clear: the timer is 24 bits.
    w.u32(kFadtWbinvd | kFadtProcC1 | kFadtPwrButton | kFadtSlpButton | acpi::kFadtResetRegSup);
    w.gas(AddressSpace::kSystemIo, 8, AccessSize::kByte, kResetPort).u8(kResetValue);
    w.u16(0).u8(kFadtMinorVersion);  // ARM_BOOT_ARCH, FADT Minor Version
    w.u64(0).u64(gpa(l.dsdt));       // X_FIRMWARE_CTRL, X_DSDT
    // X_ blocks as wide as the *_LEN fields say; ACPICA distrusts them otherwise. Access size
    // "undefined", as ACPICA itself fills in from the 32-bit fields.
    w.gas(AddressSpace::kSystemIo, kPm1EventLength * 8, AccessSize::kUndefined, kPm1aEventPort);
    w.no_gas();  // X_PM1b_EVT_BLK
    w.gas(AddressSpace::kSystemIo, kPm1ControlLength * 8, AccessSize::kUndefined, kPm1aControlPort);
    w.no_gas().no_gas();  // X_PM1b_CNT_BLK, X_PM2_CNT_BLK
    w.gas(AddressSpace::kSystemIo, kPmTimerLength * 8, AccessSize::kUndefined, kPmTimerPort);
    w.no_gas().no_gas();  // X_GPE0_BLK, X_GPE1_BLK
    w.no_gas().no_gas();  // SLEEP_CONTROL_REG, SLEEP_STATUS_REG: hardware-reduced only
    // Hypervisor Vendor Identity: unused by OSes, which ask CPUID leaf 0x40000000.
    w.u64(0);
    return w.done();
}

// ACPI 6.5 sec 5.2.12 and its subsections for each entry type.
bool write_madt(std::span<std::byte> t, const GuestAcpiConfig& config) {
    using acpi::MadtEntryType;
    TableWriter w(t);
    w.header("APIC", kMadtRevision, t.size()).u32(kLapicBase).u32(acpi::kMadtPcatCompat);
    for (std::uint32_t i = 0; i < config.vcpus; ++i) {  // sec 5.2.12.2: UID, APIC ID, flags
        w.u8(static_cast<std::uint8_t>(MadtEntryType::kLocalApic)).u8(kMadtLocalApicSize);
        w.u8(i).u8(i).u32(acpi::kLapicEnabled);
    }
    // sec 5.2.12.3: ID, reserved, address, first GSI.
    w.u8(static_cast<std::uint8_t>(MadtEntryType::kIoApic)).u8(kMadtIoApicSize);
    w.u8(config.ioapic_id).u8(0).u32(kIoapicBase).u32(0);
    // sec 5.2.12.5: bus, source IRQ, GSI, MPS INTI flags. The PIT's IRQ 0 is on pin 2. Without
    // an override OSPM treats the SCI as level, active low (sec 5.2.9, SCI_INT); ours is active
    // high.
    w.u8(static_cast<std::uint8_t>(MadtEntryType::kInterruptSourceOverride)).u8(kMadtOverrideSize);
    w.u8(kIsaBus).u8(kIrqPit).u32(kGsiPit);
    w.u16(mps_inti(acpi::Polarity::kConforms, acpi::TriggerMode::kConforms));
    w.u8(static_cast<std::uint8_t>(MadtEntryType::kInterruptSourceOverride)).u8(kMadtOverrideSize);
    w.u8(kIsaBus).u8(kIrqSci).u32(kIrqSci);
    w.u16(mps_inti(acpi::Polarity::kActiveHigh, acpi::TriggerMode::kLevel));
    // sec 5.2.12.7: LINT1 of every processor is NMI.
    w.u8(static_cast<std::uint8_t>(MadtEntryType::kLocalApicNmi)).u8(kMadtLocalApicNmiSize);
    w.u8(acpi::kAllProcessorsXapic);
    w.u16(mps_inti(acpi::Polarity::kConforms, acpi::TriggerMode::kConforms)).u8(kLint1);
    return w.done();
}

// PCI Firmware spec 3.2 sec 4.1.2: base, segment, start bus, end bus, 4 reserved bytes.
bool write_mcfg(std::span<std::byte> t) {
    TableWriter w(t);
    w.header("MCFG", kMcfgRevision, t.size()).zeros(8);
    w.u64(kEcamBase).u16(0).u8(kEcamFirstBus).u8(kEcamLastBus).u32(0);
    return w.done();
}

Result<void> check_config(const GuestAcpiConfig& config) {
    if (config.vcpus == 0 || config.vcpus > kMaxAcpiVcpus) {
        return make_error(Errc::kInvalid, "guest ACPI: vCPU count must be 1-16");
    }
    if (config.ioapic_id < config.vcpus) {
        return make_error(Errc::kInvalid, "guest ACPI: I/O APIC ID is also an APIC ID");
    }
    if (config.pci_mmio64_size != 0 &&
        (config.pci_mmio64_base < 4 * kGiB ||
         config.pci_mmio64_size - 1 > ~std::uint64_t{0} - config.pci_mmio64_base)) {
        return make_error(Errc::kInvalid, "guest ACPI: 64-bit PCI window below 4 GiB or wraps");
    }
    return Ok{};
}

}  // namespace

Result<GuestPhys> build_acpi_tables(const GuestAcpiConfig& config, std::span<std::byte> area) {
    TRY(check_config(config));
    if (area.size() > kAcpiTablesSize) {
        return make_error(Errc::kInvalid, "guest ACPI: area larger than the BIOS table window");
    }
    const Layout l = plan_layout(config.vcpus);
    if (area.size() < l.dsdt + kSdtHeaderSize) {
        return make_error(Errc::kTooMany, "guest ACPI: area too small for the tables");
    }
    for (std::byte& b : area) b = std::byte{0};

    std::span<std::byte> dsdt_area = area.subspan(l.dsdt);
    const std::size_t aml_size = TRY(write_dsdt_aml(config, dsdt_area.subspan(kSdtHeaderSize)));
    std::span<std::byte> dsdt = dsdt_area.first(kSdtHeaderSize + aml_size);
    TableWriter dsdt_header(dsdt.first(kSdtHeaderSize));
    dsdt_header.header("DSDT", kDsdtRevision, dsdt.size());

    std::span<std::byte> rsdt = area.subspan(l.rsdt, kRsdtSize);
    std::span<std::byte> xsdt = area.subspan(l.xsdt, kXsdtSize);
    std::span<std::byte> fadt = area.subspan(l.fadt, kFadtSize);
    std::span<std::byte> madt = area.subspan(l.madt, l.madt_size);
    std::span<std::byte> mcfg = area.subspan(l.mcfg, kMcfgSize);
    bool written = dsdt_header.done() && write_rsdp(area.subspan(l.rsdp, acpi::kRsdpV2Size), l) &&
                   write_facs(area.subspan(l.facs, kFacsSize)) &&
                   write_root_tables(xsdt, rsdt, l) && write_fadt(fadt, l) &&
                   write_madt(madt, config) && write_mcfg(mcfg);
    if (!written) return make_error(Errc::kInvalid, "guest ACPI: a table's size was misplanned");
    // ACPI 6.5 sec 5.2.6: each table's checksum covers all its bytes, so it is set last.
    const std::array<std::span<std::byte>, 6> tables = {xsdt, rsdt, fadt, madt, mcfg, dsdt};
    for (std::span<std::byte> table : tables) set_checksum(table, kChecksumOffset);
    return GuestPhys(kAcpiTablesBase + l.rsdp);
}

}  // namespace hv::vmm::platform
