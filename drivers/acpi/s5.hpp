#pragma once
// The S5 (soft-off) sleep type, found without an AML interpreter, and the PM1 control value that
// enters it (ACPI 6.5 sec 7.4.2 \_Sx states, sec 4.8.3.2.1 PM1 control registers).
//
// Firmware declares `Name (_S5_, Package () { SLP_TYPa, SLP_TYPb, ... })` in the DSDT or an SSDT.
// Its AML encoding (ACPI 6.5 sec 20.2) is
//
//   08 [5C | 5E..] 5F 53 35 5F   12 PkgLength NumElements  <int> <int> ...
//   NameOp [\ | ^..] "_S5_"      PackageOp
//
// where each <int> is ZeroOp 00, OneOp 01, or BytePrefix 0A/WordPrefix 0B/DWordPrefix 0C/
// QWordPrefix 0E followed by that many bytes. Declaring _S5_ as a Method, or computing it, is
// legal AML that this scan does not understand; it then reports kNotFound/kUnsupported.
#include <cstdint>

#include "kernel/lib/bytes.hpp"
#include "kernel/lib/result.hpp"

namespace hv::acpi {

struct SleepType {
    std::uint8_t slp_typ_a;  // for PM1a_CNT
    std::uint8_t slp_typ_b;  // for PM1b_CNT
};

// Scans AML bytes (a DSDT or SSDT body; the header may be included, it cannot match) for the
// first `_S5_` name object and decodes its first two integers. A one-element package carries both
// values in one integer, SLP_TYPa in bits 7:0 and SLP_TYPb in bits 15:8 (as ACPICA reads it).
// Each value must fit the 3-bit SLP_TYP field.
[[nodiscard]] Result<SleepType> find_s5(Bytes aml);

// ACPI 6.5 table 4.13, PM1 Control Registers Fixed Hardware Feature Control Bits.
inline constexpr std::uint16_t kPm1SlpTypShift = 10;
inline constexpr std::uint16_t kPm1SlpTypMask = 0x7u << kPm1SlpTypShift;
inline constexpr std::uint16_t kPm1SlpEn = 1u << 13;

// The two writes that enter a sleep state through one PM1 control register: first `prepare`
// (SLP_TYP set, SLP_EN clear), then `enter` (SLP_EN set). ACPICA writes them separately because
// some chipsets latch SLP_TYP only when SLP_EN goes from 0 to 1. `current` is the value read from
// the register; its other bits (SCI_EN, ...) are preserved.
struct Pm1SleepWrites {
    std::uint16_t prepare;
    std::uint16_t enter;
};

[[nodiscard]] constexpr Pm1SleepWrites pm1_sleep_writes(std::uint16_t current,
                                                        std::uint8_t slp_typ) {
    auto prepare = static_cast<std::uint16_t>(
        (current & ~(kPm1SlpTypMask | kPm1SlpEn)) |
        ((static_cast<std::uint16_t>(slp_typ) << kPm1SlpTypShift) & kPm1SlpTypMask));
    return {prepare, static_cast<std::uint16_t>(prepare | kPm1SlpEn)};
}

}  // namespace hv::acpi
