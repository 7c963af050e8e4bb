#include "drivers/pci/bdf.hpp"

namespace hv::pci {
namespace {

[[nodiscard]] constexpr int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Reads 1..max_digits hex digits from `text` at `pos`, advancing `pos`.
[[nodiscard]] Result<std::uint32_t> take_hex(StrView text, std::size_t& pos,
                                             std::size_t max_digits) {
    std::uint32_t value = 0;
    std::size_t digits = 0;
    while (pos < text.size() && hex_value(text[pos]) >= 0) {
        if (digits == max_digits) return make_error(Errc::kInvalid, "pci: bdf field too long");
        value = value << 4 | static_cast<std::uint32_t>(hex_value(text[pos]));
        ++digits;
        ++pos;
    }
    if (digits == 0) return make_error(Errc::kInvalid, "pci: bdf field is not hex");
    return value;
}

[[nodiscard]] Result<Ok> expect(StrView text, std::size_t& pos, char c) {
    if (pos >= text.size() || text[pos] != c) {
        return make_error(Errc::kInvalid, "pci: bdf separator missing");
    }
    ++pos;
    return Ok{};
}

}  // namespace

Result<Bdf> parse_bdf(StrView text) {
    if (text.empty()) return make_error(Errc::kInvalid, "pci: bdf is empty");
    // Two colons mean the segment is present ("0000:00:04.0"); one means it is not ("00:04.0").
    std::size_t colons = 0;
    for (std::size_t i = 0; i < text.size(); ++i) colons += text[i] == ':' ? 1 : 0;
    if (colons != 1 && colons != 2) return make_error(Errc::kInvalid, "pci: bdf separator missing");

    std::size_t pos = 0;
    std::uint32_t segment = 0;
    if (colons == 2) {
        segment = TRY(take_hex(text, pos, 4));
        TRY(expect(text, pos, ':'));
    }
    const std::uint32_t bus = TRY(take_hex(text, pos, 2));
    TRY(expect(text, pos, ':'));
    const std::uint32_t device = TRY(take_hex(text, pos, 2));
    TRY(expect(text, pos, '.'));
    const std::uint32_t function = TRY(take_hex(text, pos, 1));
    if (pos != text.size()) return make_error(Errc::kInvalid, "pci: bdf has trailing characters");
    if (device > kMaxDevice) return make_error(Errc::kInvalid, "pci: bdf device above 0x1f");
    if (function > kMaxFunction) return make_error(Errc::kInvalid, "pci: bdf function above 7");
    return Bdf(static_cast<std::uint16_t>(segment), static_cast<std::uint8_t>(bus),
               static_cast<std::uint8_t>(device), static_cast<std::uint8_t>(function));
}

void format_to(Sink& sink, Bdf bdf) {
    print(sink, Hex{bdf.segment(), 4}, ':', Hex{bdf.bus(), 2}, ':', Hex{bdf.device(), 2}, '.',
          Hex{bdf.function(), 1});
}

}  // namespace hv::pci
