#include "drivers/acpi/fadt.hpp"

#include "drivers/acpi/field.hpp"
#include "drivers/acpi/sdt.hpp"

namespace hv::acpi {
namespace {

constexpr SdtErrors kFadtErrors{
    "FADT shorter than its header",
    "FADT length past end of bytes",
    "FADT checksum mismatch",
    "FADT signature is not FACP",
};

// ACPI 6.5 table 5.9, FADT field offsets.
enum FadtOffset : std::size_t {
    kFirmwareCtrl = 36,
    kDsdt = 40,
    kSciInt = 46,
    kSmiCmd = 48,
    kAcpiEnable = 52,
    kAcpiDisable = 53,
    kPm1aEvtBlk = 56,
    kPm1bEvtBlk = 60,
    kPm1aCntBlk = 64,
    kPm1bCntBlk = 68,
    kPmTmrBlk = 76,
    kPm1EvtLen = 88,
    kPm1CntLen = 89,
    kPmTmrLen = 91,
    kIapcBootArch = 109,
    kFlags = 112,
    kResetReg = 116,
    kResetValue = 128,
    kMinorVersion = 131,
    kXFirmwareCtrl = 132,
    kXDsdt = 140,
    kXPm1aEvtBlk = 148,
    kXPm1bEvtBlk = 160,
    kXPm1aCntBlk = 172,
    kXPm1bCntBlk = 184,
    kXPmTmrBlk = 208,
    kSleepControlReg = 244,
    kSleepStatusReg = 256,
};
static_assert(kFlags + 4 == kFadtV1Size);
static_assert(kXPmTmrBlk + 3 * kGasSize == kFadtV3Size);  // then X_GPE0_BLK, X_GPE1_BLK
static_assert(kSleepStatusReg + kGasSize == kFadtV5Size);

// ACPICA's ACPI_FADT_V2_SIZE: tables up to here follow the ACPI 1.0 reading of offset 109.
constexpr std::size_t kFadtV2Size = kMinorVersion + 1;

// The 64-bit X_ address if the table reaches it and it is non-zero, else the 32-bit field.
std::uint64_t prefer_x(Bytes t, std::size_t x_off, std::size_t legacy_off) {
    std::uint64_t x = t.size() >= x_off + 8 ? field<std::uint64_t>(t, x_off) : 0;
    return x != 0 ? x : field<std::uint32_t>(t, legacy_off);
}

// Likewise for a register block: the X_ Gas, else the 32-bit port as an I/O-space Gas.
Gas prefer_x_gas(Bytes t, std::size_t x_off, std::size_t legacy_off, std::uint8_t length) {
    Optional<Gas> x = parse_gas(t, x_off);
    if (x && x->present()) return *x;
    return io_port_gas(field<std::uint32_t>(t, legacy_off), length);
}

}  // namespace

Result<Fadt> parse_fadt(Bytes table) {
    Sdt sdt = TRY(parse_sdt(table, "FACP", kFadtErrors));
    Bytes t = sdt.table;
    if (t.size() < kFadtV1Size) {
        return make_error(Errc::kInvalid, "FADT shorter than the ACPI 1.0 layout (116 bytes)");
    }
    Fadt f{};
    f.revision = sdt.header.revision;
    f.length = sdt.header.length;
    f.minor_version = t.size() > kMinorVersion ? field<std::uint8_t>(t, kMinorVersion) : 0;
    f.firmware_ctrl = prefer_x(t, kXFirmwareCtrl, kFirmwareCtrl);
    f.dsdt = prefer_x(t, kXDsdt, kDsdt);
    f.sci_interrupt = field<std::uint16_t>(t, kSciInt);
    f.smi_command = field<std::uint32_t>(t, kSmiCmd);
    f.acpi_enable = field<std::uint8_t>(t, kAcpiEnable);
    f.acpi_disable = field<std::uint8_t>(t, kAcpiDisable);
    f.pm1_event_length = field<std::uint8_t>(t, kPm1EvtLen);
    f.pm1_control_length = field<std::uint8_t>(t, kPm1CntLen);
    f.pm_timer_length = field<std::uint8_t>(t, kPmTmrLen);
    f.pm1a_event = prefer_x_gas(t, kXPm1aEvtBlk, kPm1aEvtBlk, f.pm1_event_length);
    f.pm1b_event = prefer_x_gas(t, kXPm1bEvtBlk, kPm1bEvtBlk, f.pm1_event_length);
    f.pm1a_control = prefer_x_gas(t, kXPm1aCntBlk, kPm1aCntBlk, f.pm1_control_length);
    f.pm1b_control = prefer_x_gas(t, kXPm1bCntBlk, kPm1bCntBlk, f.pm1_control_length);
    f.pm_timer = prefer_x_gas(t, kXPmTmrBlk, kPmTmrBlk, f.pm_timer_length);
    f.flags = field<std::uint32_t>(t, kFlags);
    if (t.size() > kFadtV2Size) f.boot_arch = {field<std::uint16_t>(t, kIapcBootArch)};
    if (Optional<Gas> reset = parse_gas(t, kResetReg); reset && t.size() > kResetValue) {
        f.reset_register = *reset;
        f.reset_value = field<std::uint8_t>(t, kResetValue);
    }
    f.sleep_control = parse_gas(t, kSleepControlReg).value_or(Gas{});
    f.sleep_status = parse_gas(t, kSleepStatusReg).value_or(Gas{});
    return f;
}

}  // namespace hv::acpi
