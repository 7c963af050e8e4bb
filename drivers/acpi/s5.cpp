#include "drivers/acpi/s5.hpp"

#include "drivers/acpi/field.hpp"

namespace hv::acpi {
namespace {

// ACPI 6.5 sec 20.2.5.1 / 20.2.5.4 / 20.2.3 opcodes and prefixes.
constexpr std::uint8_t kNameOp = 0x08;
constexpr std::uint8_t kPackageOp = 0x12;
constexpr std::uint8_t kRootChar = 0x5C;    // '\'
constexpr std::uint8_t kParentChar = 0x5E;  // '^'
constexpr std::uint8_t kZeroOp = 0x00;
constexpr std::uint8_t kOneOp = 0x01;
constexpr std::uint8_t kBytePrefix = 0x0A;
constexpr std::uint8_t kWordPrefix = 0x0B;
constexpr std::uint8_t kDWordPrefix = 0x0C;
constexpr std::uint8_t kQWordPrefix = 0x0E;
constexpr std::uint8_t kOnesOp = 0xFF;

constexpr std::uint8_t kSlpTypMax = 0x7;  // 3-bit field, ACPI 6.5 table 4.13

std::uint8_t byte_at(Bytes b, std::size_t i) { return field<std::uint8_t>(b, i); }

// True if the "_S5_" at `at` is the name of a NameOp: the byte before it, after any root or
// parent prefix characters, is NameOp.
bool preceded_by_name_op(Bytes aml, std::size_t at) {
    std::size_t i = at;
    if (i > 0 && byte_at(aml, i - 1) == kRootChar) {
        --i;
    } else {
        while (i > 0 && byte_at(aml, i - 1) == kParentChar) --i;
    }
    return i > 0 && byte_at(aml, i - 1) == kNameOp;
}

// ACPI 6.5 sec 20.2.4, PkgLength: bits 7:6 of the lead byte count the bytes that follow (0-3).
// With none, bits 5:0 are the length; otherwise bits 3:0 are its low nibble and each following
// byte adds 8 more bits. The length counts from the lead byte itself.
struct PkgLength {
    std::size_t value;
    std::size_t encoded_size;
};

Result<PkgLength> decode_pkg_length(Bytes aml, std::size_t at) {
    if (at >= aml.size()) return make_error(Errc::kInvalid, "_S5_ package length past AML end");
    std::uint8_t lead = byte_at(aml, at);
    std::size_t follow = lead >> 6;
    if (aml.size() - at < 1 + follow) {
        return make_error(Errc::kInvalid, "_S5_ package length past AML end");
    }
    if (follow == 0) return PkgLength{lead & 0x3Fu, 1};
    std::size_t value = lead & 0x0Fu;
    for (std::size_t k = 0; k < follow; ++k) {
        value |= static_cast<std::size_t>(byte_at(aml, at + 1 + k)) << (4 + 8 * k);
    }
    return PkgLength{value, 1 + follow};
}

// Decodes one integer element at `at` inside `pkg` (which ends at the package end) and advances.
Result<std::uint64_t> decode_integer(Bytes pkg, std::size_t& at) {
    if (at >= pkg.size()) return make_error(Errc::kInvalid, "_S5_ package element past its end");
    std::uint8_t op = byte_at(pkg, at++);
    std::size_t width = 0;
    switch (op) {
        case kZeroOp:
            return std::uint64_t{0};
        case kOneOp:
            return std::uint64_t{1};
        case kOnesOp:
            return ~std::uint64_t{0};
        case kBytePrefix:
            width = 1;
            break;
        case kWordPrefix:
            width = 2;
            break;
        case kDWordPrefix:
            width = 4;
            break;
        case kQWordPrefix:
            width = 8;
            break;
        default:
            return make_error(Errc::kUnsupported,
                              "_S5_ package element is not an integer constant");
    }
    if (pkg.size() - at < width) {
        return make_error(Errc::kInvalid, "_S5_ package element past its end");
    }
    std::uint64_t value = 0;
    for (std::size_t k = 0; k < width; ++k) {
        value |= static_cast<std::uint64_t>(byte_at(pkg, at + k)) << (8 * k);
    }
    at += width;
    return value;
}

Result<SleepType> decode_package(Bytes aml, std::size_t at) {
    if (at >= aml.size() || byte_at(aml, at) != kPackageOp) {
        return make_error(Errc::kUnsupported, "_S5_ is not a package");
    }
    ++at;
    PkgLength len = TRY(decode_pkg_length(aml, at));
    if (len.value < len.encoded_size + 1 || len.value > aml.size() - at) {
        return make_error(Errc::kInvalid, "_S5_ package length past AML end");
    }
    Bytes pkg = aml.subspan(at, len.value);
    std::size_t cursor = len.encoded_size;
    std::uint8_t elements = byte_at(pkg, cursor++);
    if (elements == 0) return make_error(Errc::kInvalid, "_S5_ package is empty");

    std::uint64_t a = TRY(decode_integer(pkg, cursor));
    std::uint64_t b = 0;
    if (elements == 1) {
        b = (a >> 8) & 0xFF;
        a &= 0xFF;
    } else {
        b = TRY(decode_integer(pkg, cursor));
    }
    if (a > kSlpTypMax || b > kSlpTypMax) {
        return make_error(Errc::kInvalid, "_S5_ SLP_TYP value wider than 3 bits");
    }
    return SleepType{static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b)};
}

}  // namespace

Result<SleepType> find_s5(Bytes aml) {
    constexpr const char kName[] = "_S5_";
    constexpr std::size_t kNameLength = 4;
    for (std::size_t i = 0; i + kNameLength <= aml.size(); ++i) {
        // References to _S5_ (rare) are not preceded by NameOp; keep looking past them.
        if (!bytes_equal(aml, i, kName, kNameLength) || !preceded_by_name_op(aml, i)) continue;
        return decode_package(aml, i + kNameLength);
    }
    return make_error(Errc::kNotFound, "_S5_ not found in AML");
}

}  // namespace hv::acpi
