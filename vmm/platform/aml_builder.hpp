#pragma once
// AmlBuilder: writes AML (ACPI 6.5 sec 20.2) and resource templates (ACPI 6.5 sec 6.4) into a
// caller's buffer, for the DSDT every guest gets. Pure: no allocation, no globals, no hardware;
// the same code runs in the kernel and in host tests.
//
// Objects that carry a PkgLength (Scope, Device, Package, Buffer) are written open-ended, because
// the length counts bytes that are not written yet. begin_*() reserves room for the longest
// header, the body follows, and end() writes the real header and slides the body down over the
// room it did not need:
//
//   after begin:  Op [ reserved: 4 bytes (9 for a Buffer) ] body ...........
//   after end:    Op [PkgLength 1..4 (+ BufferSize)] body ...........
//                                                    (body moved left; output shrinks)
//
// Nested objects compose: an inner end() moves only bytes after its own header, so an enclosing
// object's reservation stays where it was. Objects must be ended innermost first. While objects
// are open the output needs their unused reservations too: up to 3 bytes per open object (6 for
// a resource template) beyond the final size.
//
// Errors are sticky. The first one (output full, malformed name, value wider than its field,
// objects ended out of order) is recorded, every later call does nothing, and finish() reports
// it; a caller emits a whole table and checks once.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "kernel/lib/optional.hpp"
#include "kernel/lib/result.hpp"

namespace hv::vmm::platform {

// ACPI 6.5 sec 20.2.4: a PkgLength takes one to four bytes and counts itself; four bytes hold
// at most 28 bits.
inline constexpr std::size_t kMaxPkgLengthBytes = 4;
inline constexpr std::uint32_t kMaxPkgLength = 0x0FFF'FFFF;

struct PkgLengthBytes {
    std::array<std::byte, kMaxPkgLengthBytes> bytes{};
    std::size_t size = 0;
};

// The encoding of the PkgLength value `length` (which includes the encoding's own bytes).
// kNone above kMaxPkgLength.
[[nodiscard]] Optional<PkgLengthBytes> encode_pkg_length(std::uint32_t length);

// The PkgLength in front of `body_size` bytes: the shortest encoding whose value, body plus
// itself, still fits it. kNone when even four bytes cannot hold it.
[[nodiscard]] Optional<PkgLengthBytes> pkg_length_for_body(std::size_t body_size);

// ACPI 6.5 sec 19.6 EISAID, sec 6.1.5 _HID: "UUUXXXX" (three capitals, four hex digits) packed
// into 32 bits, e.g. "PNP0A08" -> 0x080AD041. kNone for anything else.
[[nodiscard]] Optional<std::uint32_t> eisa_id(const char* id);

// ACPI 6.5 sec 6.4.3.5.5, _RT: what an address space descriptor describes.
enum class AddressResource : std::uint8_t { kMemory = 0, kIo = 1, kBusNumber = 2 };

// ACPI 6.5 sec 6.4.3.5.5, resource type specific flags (_RNG for I/O, _RW and _MEM for memory).
inline constexpr std::uint8_t kIoRangeEntire = 0x03;  // ISA and non-ISA ports
inline constexpr std::uint8_t kMemReadWrite = 1u << 0;
inline constexpr std::uint8_t kMemNonCacheable = 0u << 1;
inline constexpr std::uint8_t kMemCacheable = 1u << 1;

// The field width of an address space descriptor: WordSpace, DWordSpace or QWordSpace
// (ACPI 6.5 sec 6.4.3.5.3, 6.4.3.5.2, 6.4.3.5.1).
enum class AddressWidth : std::uint8_t { kWord, kDWord, kQWord };

// A range a bridge decodes and passes on to its children: ResourceProducer, MinFixed, MaxFixed,
// PosDecode, granularity 0, no translation, length max - min + 1 (for a fixed range with a length,
// the only combination ACPI 6.5 sec 6.4.3.5, "valid combination of address space descriptor
// fields", allows).
struct AddressWindow {
    AddressResource resource;
    std::uint8_t type_flags;  // kIoRangeEntire, kMemReadWrite | kMemCacheable, ...
    std::uint64_t min;
    std::uint64_t max;
};

class AmlBuilder {
  public:
    explicit AmlBuilder(std::span<std::byte> out) : out_(out) {}

    // An object begun but not ended: pass it to end().
    class Open {
      private:
        friend class AmlBuilder;
        // kPkgLength: Scope, Device or Package, headed by a PkgLength alone.
        enum class Kind : std::uint8_t { kPkgLength, kResourceTemplate };
        constexpr Open(std::size_t start, Kind kind) : start_(start), kind_(kind) {}
        std::size_t start_;  // offset of the reserved header bytes
        Kind kind_;
    };

    // Data objects (ACPI 6.5 sec 20.2.3). integer() uses the shortest encoding: ZeroOp, OneOp,
    // then Byte/Word/DWord/QWord prefixes. string() takes ASCII 0x01-0x7F, NUL-terminated.
    void integer(std::uint64_t value);
    void string(const char* text);
    void eisa_id(const char* id);  // as a DWordConst, like ASL's EISAID()

    // A NameString (ACPI 6.5 sec 20.2.2) from ASL spelling: an optional "\" or run of "^", then
    // dot-separated segments of 1-4 characters ("\_SB.PCI0", "_S5"), each padded with '_'.
    void name_string(const char* path);

    // Name(path, <the data object written next>) (ACPI 6.5 sec 20.2.5.1).
    void name(const char* path);

    Open begin_scope(const char* path);             // Scope(path) { ... }, sec 20.2.5.1
    Open begin_device(const char* path);            // Device(path) { ... }, sec 20.2.5.2
    Open begin_package(std::uint8_t num_elements);  // Package(n) { ... }, sec 20.2.5.4
    Open begin_resource_template();                 // ResourceTemplate() { ... }, sec 6.4
    // Closes `open`. A resource template gets its End Tag (checksum 0: "treat as correct",
    // ACPI 6.5 sec 6.4.2.9) and becomes a Buffer (sec 20.2.5.4).
    void end(Open open);

    // Resource descriptors, written between begin_resource_template() and end().
    // IO(Decode16, min, max, alignment, length), ACPI 6.5 sec 6.4.2.5.
    void io(std::uint16_t min, std::uint16_t max, std::uint8_t alignment, std::uint8_t length);
    // IRQNoFlags() { irq }: edge, active high, exclusive; ACPI 6.5 sec 6.4.2.1.
    void irq_no_flags(std::uint8_t irq);
    // Memory32Fixed(ReadWrite or ReadOnly, base, length), ACPI 6.5 sec 6.4.3.4.
    void memory32_fixed(bool writable, std::uint32_t base, std::uint32_t length);
    // Word/DWord/QWord address space descriptor for a bridge window (see AddressWindow).
    void address_window(AddressWidth width, const AddressWindow& window);

    // Bytes written so far, or the first error.
    [[nodiscard]] Result<std::size_t> finish() const;

  private:
    // Scopes, devices, packages and templates open at once; the DSDT needs three.
    static constexpr std::size_t kMaxNesting = 8;
    struct Frame {
        std::size_t start;
        Open::Kind kind;
    };

    Open begin(Open::Kind kind, std::size_t reserved);
    bool in_resource_template();
    void put(std::uint8_t value);
    void put_le(std::uint64_t value, std::size_t width);
    void put_bytes(const std::byte* bytes, std::size_t size);
    void fail(Errc code, const char* what);

    std::span<std::byte> out_;
    std::size_t pos_ = 0;
    std::array<Frame, kMaxNesting> open_{};
    std::size_t depth_ = 0;
    bool failed_ = false;
    Error error_{};
};

}  // namespace hv::vmm::platform
