#pragma once
// System Description Table header (ACPI 6.5 sec 5.2.6): the 36 bytes every table except the FACS
// starts with, and the checks (length, checksum, signature) that make the rest of a table safe to
// parse. Everything here is a view into the caller's bytes; nothing is copied but the header.
#include <array>
#include <cstddef>
#include <cstdint>

#include "drivers/acpi/field.hpp"
#include "kernel/lib/bytes.hpp"
#include "kernel/lib/format.hpp"
#include "kernel/lib/result.hpp"

namespace hv::acpi {

// A four-character table signature ("APIC", "FACP"). Not terminated.
struct Signature {
    std::array<char, 4> chars{};

    constexpr Signature() = default;
    constexpr explicit Signature(std::array<char, 4> c) : chars(c) {}
    // From a literal: Signature("APIC").
    constexpr Signature(const char (&text)[5])  // NOLINT: implicit from literals by design
        : chars{text[0], text[1], text[2], text[3]} {}
    friend constexpr bool operator==(const Signature&, const Signature&) = default;
};

// Prints the four characters as they are (the kernel's "hv: acpi ... XXXX" lines).
inline void format_to(Sink& s, const Signature& sig) {
    s.write(sig.chars.data(), sig.chars.size());
}

// ACPI 6.5 table 5.4: the header is 36 bytes.
inline constexpr std::size_t kSdtHeaderSize = 36;

struct SdtHeader {
    Signature signature;
    std::uint32_t length;  // of the whole table, header included
    std::uint8_t revision;
    std::uint8_t checksum;
    std::array<char, 6> oem_id;
    std::array<char, 8> oem_table_id;
    std::uint32_t oem_revision;
    std::array<char, 4> creator_id;
    std::uint32_t creator_revision;
};

// A validated table: `table` is exactly `header.length` bytes of the input, `body` is what follows
// the 36-byte header. Both point into the caller's buffer.
struct Sdt {
    SdtHeader header;
    Bytes table;
    Bytes body;
};

// The messages a table-specific parser reports, so that an error names its table
// ("MADT checksum mismatch" rather than "ACPI table checksum mismatch").
struct SdtErrors {
    const char* too_short;        // fewer than 36 bytes, or a length field below 36
    const char* past_end;         // length field larger than the bytes given
    const char* bad_checksum;     // bytes of the table do not sum to zero
    const char* wrong_signature;  // not the table the parser was asked to read
};

// Decodes the header alone: needs 36 bytes and a length field of at least 36, checks no
// checksum. For learning a table's length before reading all of it.
[[nodiscard]] Result<SdtHeader> parse_sdt_header(Bytes bytes);

// Validates a whole table: header, length <= bytes.size(), checksum over `length` bytes zero.
// Trailing bytes beyond `length` are ignored.
[[nodiscard]] Result<Sdt> parse_sdt(Bytes bytes);

// As above, and the signature must be `expected`; errors use the caller's messages.
[[nodiscard]] Result<Sdt> parse_sdt(Bytes bytes, Signature expected, const SdtErrors& errors);

}  // namespace hv::acpi
