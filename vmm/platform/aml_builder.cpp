#include "vmm/platform/aml_builder.hpp"

namespace hv::vmm::platform {
namespace {

// ACPI 6.5 sec 20.2.2, Name Objects Encoding.
constexpr std::uint8_t kNullName = 0x00;
constexpr std::uint8_t kDualNamePrefix = 0x2E;
constexpr std::uint8_t kMultiNamePrefix = 0x2F;
constexpr char kRootChar = '\\';
constexpr char kParentPrefixChar = '^';
constexpr char kNamePad = '_';
constexpr std::size_t kNameSegSize = 4;
constexpr std::size_t kMaxNameSegs = 255;  // MultiNamePrefix's SegCount is one byte

// ACPI 6.5 sec 20.2.3, Data Objects Encoding.
constexpr std::uint8_t kZeroOp = 0x00;
constexpr std::uint8_t kOneOp = 0x01;
constexpr std::uint8_t kBytePrefix = 0x0A;
constexpr std::uint8_t kWordPrefix = 0x0B;
constexpr std::uint8_t kDWordPrefix = 0x0C;
constexpr std::uint8_t kStringPrefix = 0x0D;
constexpr std::uint8_t kQWordPrefix = 0x0E;
constexpr std::uint8_t kNullChar = 0x00;
constexpr std::uint8_t kMaxAsciiChar = 0x7F;

// ACPI 6.5 sec 20.2.5.1 (Name, Scope), 20.2.5.2 (Device), 20.2.5.4 (Buffer, Package).
constexpr std::uint8_t kNameOp = 0x08;
constexpr std::uint8_t kScopeOp = 0x10;
constexpr std::uint8_t kBufferOp = 0x11;
constexpr std::uint8_t kPackageOp = 0x12;
constexpr std::uint8_t kExtOpPrefix = 0x5B;
constexpr std::uint8_t kDeviceOp = 0x82;  // follows kExtOpPrefix

// ACPI 6.5 sec 20.2.4: the largest value a PkgLength of 1, 2, 3 and 4 bytes holds.
constexpr std::array<std::uint32_t, kMaxPkgLengthBytes> kPkgLengthLimit = {0x3F, 0xFFF, 0xF'FFFF,
                                                                           kMaxPkgLength};
constexpr std::uint8_t kPkgLengthOneByteMask = 0x3F;  // bits 5:0 when no byte follows
constexpr std::uint8_t kPkgLengthLowNibble = 0x0F;    // bits 3:0 when bytes follow
constexpr unsigned kPkgLengthCountShift = 6;          // bits 7:6: how many bytes follow

// A resource template's BufferSize is written as at most a DWordConst (prefix + 4 bytes):
// templates are a few hundred bytes.
constexpr std::size_t kMaxBufferSizeBytes = 5;

// ACPI 6.5 sec 6.4.2 (small) and 6.4.3 (large) resource descriptor tags. A small tag is
// 0 | item name (4 bits) | length (3 bits); a large one is 1 | item name (7 bits).
constexpr std::uint8_t kIrqNoFlagsTag = 0x22;  // sec 6.4.2.1: name 0x04, 2 bytes (no flags)
constexpr std::uint8_t kIoPortTag = 0x47;      // sec 6.4.2.5: name 0x08, 7 bytes
constexpr std::uint8_t kEndTag = 0x79;         // sec 6.4.2.9: name 0x0F, 1 byte
constexpr std::uint8_t kEndTagChecksum = 0x00;
constexpr std::uint8_t kMemory32FixedTag = 0x86;  // sec 6.4.3.4
constexpr std::uint8_t kDWordAddressTag = 0x87;   // sec 6.4.3.5.2
constexpr std::uint8_t kWordAddressTag = 0x88;    // sec 6.4.3.5.3
constexpr std::uint8_t kQWordAddressTag = 0x8A;   // sec 6.4.3.5.1
constexpr std::uint16_t kMemory32FixedLength = 9;
constexpr std::uint8_t kIoDecode16 = 1u << 0;        // sec 6.4.2.5, information byte
constexpr std::uint8_t kMemory32Writable = 1u << 0;  // sec 6.4.3.4, information byte
constexpr std::uint8_t kMaxIsaIrq = 15;              // sec 6.4.2.1: a 16-bit IRQ mask
// sec 6.4.3.5.1-3, general flags: bit 0 clear is "producer", bit 1 clear "positive decode".
constexpr std::uint8_t kMinFixed = 1u << 2;
constexpr std::uint8_t kMaxFixed = 1u << 3;
// After the tag and the 16-bit length: resource type, general flags, type specific flags, then
// five fields of the descriptor's width (_GRA, _MIN, _MAX, _TRA, _LEN).
constexpr std::size_t kAddressFixedBytes = 3;
constexpr std::size_t kAddressFields = 5;

struct IntegerBytes {
    std::array<std::byte, 9> bytes{};
    std::size_t size = 0;
};

// The shortest of ZeroOp, OneOp, ByteConst, WordConst, DWordConst, QWordConst for `value`.
IntegerBytes encode_integer(std::uint64_t value) {
    IntegerBytes out;
    std::size_t width = 0;
    if (value == 0 || value == 1) {
        out.bytes[0] = static_cast<std::byte>(value == 0 ? kZeroOp : kOneOp);
        out.size = 1;
        return out;
    }
    if (value <= 0xFF) {
        out.bytes[0] = static_cast<std::byte>(kBytePrefix);
        width = 1;
    } else if (value <= 0xFFFF) {
        out.bytes[0] = static_cast<std::byte>(kWordPrefix);
        width = 2;
    } else if (value <= 0xFFFF'FFFF) {
        out.bytes[0] = static_cast<std::byte>(kDWordPrefix);
        width = 4;
    } else {
        out.bytes[0] = static_cast<std::byte>(kQWordPrefix);
        width = 8;
    }
    for (std::size_t i = 0; i < width; ++i) {
        out.bytes[1 + i] = static_cast<std::byte>((value >> (8 * i)) & 0xFF);
    }
    out.size = 1 + width;
    return out;
}

constexpr bool is_lead_name_char(char c) { return (c >= 'A' && c <= 'Z') || c == kNamePad; }
constexpr bool is_name_char(char c) { return is_lead_name_char(c) || (c >= '0' && c <= '9'); }

// The number of dot-separated segments of `p` (the path after any prefix); kNone if one is
// malformed or there are more than a NameString holds. An empty `p` has none (NullName).
Optional<std::size_t> count_name_segs(const char* p) {
    if (*p == '\0') return std::size_t{0};
    std::size_t segs = 0;
    while (true) {
        std::size_t len = 0;
        for (; p[len] != '\0' && p[len] != '.'; ++len) {
            bool ok = len == 0 ? is_lead_name_char(p[len]) : is_name_char(p[len]);
            if (len >= kNameSegSize || !ok) return kNone;
        }
        if (len == 0 || ++segs > kMaxNameSegs) return kNone;
        if (p[len] == '\0') return segs;
        p += len + 1;
    }
}

constexpr std::uint8_t hex_value(char c) {
    return c <= '9' ? static_cast<std::uint8_t>(c - '0') : static_cast<std::uint8_t>(c - 'A' + 10);
}
constexpr bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

}  // namespace

Optional<PkgLengthBytes> encode_pkg_length(std::uint32_t length) {
    PkgLengthBytes out;
    if (length <= kPkgLengthLimit[0]) {
        out.bytes[0] = static_cast<std::byte>(length & kPkgLengthOneByteMask);
        out.size = 1;
        return out;
    }
    std::size_t follow = 1;
    while (follow < kMaxPkgLengthBytes && length > kPkgLengthLimit[follow]) ++follow;
    if (follow == kMaxPkgLengthBytes) return kNone;
    out.bytes[0] =
        static_cast<std::byte>((follow << kPkgLengthCountShift) | (length & kPkgLengthLowNibble));
    for (std::size_t k = 0; k < follow; ++k) {
        out.bytes[1 + k] = static_cast<std::byte>((length >> (4 + 8 * k)) & 0xFF);
    }
    out.size = 1 + follow;
    return out;
}

Optional<PkgLengthBytes> pkg_length_for_body(std::size_t body_size) {
    for (std::size_t n = 1; n <= kMaxPkgLengthBytes; ++n) {
        if (body_size <= kPkgLengthLimit[n - 1] - n) {
            return encode_pkg_length(static_cast<std::uint32_t>(body_size + n));
        }
    }
    return kNone;
}

Optional<std::uint32_t> eisa_id(const char* id) {
    if (id == nullptr) return kNone;
    for (std::size_t i = 0; i < 7; ++i) {
        bool ok = i < 3 ? (id[i] >= 'A' && id[i] <= 'Z') : is_upper_hex(id[i]);
        if (!ok) return kNone;  // also stops at a NUL before the seventh character
    }
    if (id[7] != '\0') return kNone;
    // Each letter is 5 bits ('A' = 1), big-endian in the first two bytes; the four hex digits
    // fill the next two bytes in reading order.
    auto letter = [&](std::size_t i) { return static_cast<std::uint32_t>(id[i] - '@'); };
    std::uint32_t vendor = (letter(0) << 10) | (letter(1) << 5) | letter(2);
    std::uint32_t product_hi = (hex_value(id[3]) << 4) | hex_value(id[4]);
    std::uint32_t product_lo = (hex_value(id[5]) << 4) | hex_value(id[6]);
    return (vendor >> 8) | ((vendor & 0xFF) << 8) | (product_hi << 16) | (product_lo << 24);
}

void AmlBuilder::fail(Errc code, const char* what) {
    if (failed_) return;
    failed_ = true;
    error_ = make_error(code, what);
}

void AmlBuilder::put(std::uint8_t value) {
    if (failed_) return;
    if (pos_ >= out_.size()) return fail(Errc::kTooMany, "AML output buffer full");
    out_[pos_++] = static_cast<std::byte>(value);
}

void AmlBuilder::put_le(std::uint64_t value, std::size_t width) {
    for (std::size_t i = 0; i < width; ++i) put(static_cast<std::uint8_t>(value >> (8 * i)));
}

void AmlBuilder::put_bytes(const std::byte* bytes, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) put(static_cast<std::uint8_t>(bytes[i]));
}

void AmlBuilder::integer(std::uint64_t value) {
    IntegerBytes enc = encode_integer(value);
    put_bytes(enc.bytes.data(), enc.size);
}

void AmlBuilder::string(const char* text) {
    if (text == nullptr) return fail(Errc::kInvalid, "AML string is null");
    for (const char* c = text; *c != '\0'; ++c) {
        if (static_cast<std::uint8_t>(*c) > kMaxAsciiChar) {
            return fail(Errc::kInvalid, "AML string is not ASCII");
        }
    }
    put(kStringPrefix);
    for (const char* c = text; *c != '\0'; ++c) put(static_cast<std::uint8_t>(*c));
    put(kNullChar);
}

void AmlBuilder::eisa_id(const char* id) {
    Optional<std::uint32_t> value = platform::eisa_id(id);
    if (!value) return fail(Errc::kInvalid, "malformed EISA ID");
    put(kDWordPrefix);
    put_le(*value, 4);
}

void AmlBuilder::name_string(const char* path) {
    if (path == nullptr) return fail(Errc::kInvalid, "AML name is null");
    const char* p = path;
    std::size_t prefix = 0;
    if (*p == kRootChar) {
        prefix = 1;
    } else {
        while (p[prefix] == kParentPrefixChar) ++prefix;
    }
    Optional<std::size_t> count = count_name_segs(p + prefix);
    if (!count) return fail(Errc::kInvalid, "malformed AML name");
    const std::size_t segs = *count;

    for (std::size_t i = 0; i < prefix; ++i) put(static_cast<std::uint8_t>(p[i]));
    p += prefix;
    if (segs == 0) return put(kNullName);
    if (segs == 2) put(kDualNamePrefix);
    if (segs > 2) {
        put(kMultiNamePrefix);
        put(static_cast<std::uint8_t>(segs));
    }
    for (std::size_t s = 0; s < segs; ++s) {
        std::size_t len = 0;
        for (; p[len] != '\0' && p[len] != '.'; ++len) put(static_cast<std::uint8_t>(p[len]));
        for (std::size_t pad = len; pad < kNameSegSize; ++pad) put(kNamePad);
        p += len + (p[len] == '.' ? 1 : 0);
    }
}

void AmlBuilder::name(const char* path) {
    put(kNameOp);
    name_string(path);
}

AmlBuilder::Open AmlBuilder::begin(Open::Kind kind, std::size_t reserved) {
    if (depth_ == kMaxNesting) fail(Errc::kTooMany, "AML objects nested too deeply");
    Open open(pos_, kind);
    if (failed_) return open;
    open_[depth_++] = Frame{pos_, kind};
    for (std::size_t i = 0; i < reserved; ++i) put(0);
    return open;
}

AmlBuilder::Open AmlBuilder::begin_scope(const char* path) {
    put(kScopeOp);
    Open open = begin(Open::Kind::kPkgLength, kMaxPkgLengthBytes);
    name_string(path);
    return open;
}

AmlBuilder::Open AmlBuilder::begin_device(const char* path) {
    put(kExtOpPrefix);
    put(kDeviceOp);
    Open open = begin(Open::Kind::kPkgLength, kMaxPkgLengthBytes);
    name_string(path);
    return open;
}

AmlBuilder::Open AmlBuilder::begin_package(std::uint8_t num_elements) {
    put(kPackageOp);
    Open open = begin(Open::Kind::kPkgLength, kMaxPkgLengthBytes);
    put(num_elements);
    return open;
}

AmlBuilder::Open AmlBuilder::begin_resource_template() {
    put(kBufferOp);
    return begin(Open::Kind::kResourceTemplate, kMaxPkgLengthBytes + kMaxBufferSizeBytes);
}

void AmlBuilder::end(Open open) {
    if (failed_) return;
    if (depth_ == 0 || open_[depth_ - 1].start != open.start_) {
        return fail(Errc::kInvalid, "AML objects ended out of order");
    }
    const bool buffer = open.kind_ == Open::Kind::kResourceTemplate;
    if (buffer) {
        put(kEndTag);
        put(kEndTagChecksum);
        if (failed_) return;
    }
    --depth_;
    const std::size_t reserved = kMaxPkgLengthBytes + (buffer ? kMaxBufferSizeBytes : 0);
    const std::size_t body_start = open.start_ + reserved;
    const std::size_t body_size = pos_ - body_start;

    // The header: PkgLength, then for a Buffer its BufferSize (ACPI 6.5 sec 20.2.5.4), which
    // the PkgLength counts.
    IntegerBytes buffer_size;
    if (buffer) buffer_size = encode_integer(body_size);
    if (buffer_size.size > kMaxBufferSizeBytes) return fail(Errc::kInvalid, "AML buffer too large");
    Optional<PkgLengthBytes> pkg = pkg_length_for_body(buffer_size.size + body_size);
    if (!pkg) return fail(Errc::kInvalid, "AML object longer than a PkgLength can hold");

    std::byte* header = out_.data() + open.start_;
    const std::size_t header_size = pkg->size + buffer_size.size;
    // Overlapping move to lower addresses: the header never needs more than the reservation.
    __builtin_memmove(header + header_size, out_.data() + body_start, body_size);
    __builtin_memcpy(header, pkg->bytes.data(), pkg->size);
    __builtin_memcpy(header + pkg->size, buffer_size.bytes.data(), buffer_size.size);
    pos_ = open.start_ + header_size + body_size;
}

bool AmlBuilder::in_resource_template() {
    if (depth_ == 0 || open_[depth_ - 1].kind != Open::Kind::kResourceTemplate) {
        fail(Errc::kInvalid, "resource descriptor outside a resource template");
        return false;
    }
    return true;
}

void AmlBuilder::io(std::uint16_t min, std::uint16_t max, std::uint8_t alignment,
                    std::uint8_t length) {
    if (!in_resource_template()) return;
    put(kIoPortTag);
    put(kIoDecode16);
    put_le(min, 2);
    put_le(max, 2);
    put(alignment);
    put(length);
}

void AmlBuilder::irq_no_flags(std::uint8_t irq) {
    if (!in_resource_template()) return;
    if (irq > kMaxIsaIrq) return fail(Errc::kInvalid, "IRQ descriptor holds IRQs 0-15 only");
    put(kIrqNoFlagsTag);
    put_le(1u << irq, 2);
}

void AmlBuilder::memory32_fixed(bool writable, std::uint32_t base, std::uint32_t length) {
    if (!in_resource_template()) return;
    put(kMemory32FixedTag);
    put_le(kMemory32FixedLength, 2);
    put(writable ? kMemory32Writable : 0);
    put_le(base, 4);
    put_le(length, 4);
}

void AmlBuilder::address_window(AddressWidth width, const AddressWindow& window) {
    if (!in_resource_template()) return;
    std::size_t field = 8;
    std::uint8_t tag = kQWordAddressTag;
    if (width == AddressWidth::kWord) {
        field = 2;
        tag = kWordAddressTag;
    } else if (width == AddressWidth::kDWord) {
        field = 4;
        tag = kDWordAddressTag;
    }
    const std::uint64_t limit =
        field == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * field)) - 1;
    if (window.min > window.max || window.max > limit) {
        return fail(Errc::kInvalid, "address window does not fit its descriptor");
    }
    const std::uint64_t length = window.max - window.min + 1;
    if (length == 0 || length > limit) {  // 0: the whole 64-bit space wrapped
        return fail(Errc::kInvalid, "address window length does not fit its descriptor");
    }
    put(tag);
    put_le(kAddressFixedBytes + kAddressFields * field, 2);
    put(static_cast<std::uint8_t>(window.resource));
    put(kMinFixed | kMaxFixed);
    put(window.type_flags);
    put_le(0, field);  // _GRA: must be 0 for a fixed range with a length
    put_le(window.min, field);
    put_le(window.max, field);
    put_le(0, field);  // _TRA: guest addresses are bus addresses
    put_le(length, field);
}

Result<std::size_t> AmlBuilder::finish() const {
    if (failed_) return error_;
    if (depth_ != 0) return make_error(Errc::kInvalid, "AML object begun but not ended");
    return pos_;
}

}  // namespace hv::vmm::platform
