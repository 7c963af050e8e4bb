#include "console.hpp"

namespace hvboot {

std::string clean_line(std::string_view raw) {
    constexpr char kEsc = '\x1b';
    constexpr char kBel = '\x07';
    std::string out;
    out.reserve(raw.size());
    std::size_t i = 0;
    while (i < raw.size()) {
        const char c = raw[i];
        if (c != kEsc) {
            const auto u = static_cast<unsigned char>(c);
            if (u >= 0x20 && u != 0x7f) out += c;
            if (c == '\t') out += c;
            ++i;
            continue;
        }
        // ECMA-48: ESC '[' params (0x30-0x3f) intermediates (0x20-0x2f) final (0x40-0x7e);
        // ESC ']' text ended by BEL or ESC '\'; otherwise ESC plus one character.
        ++i;
        if (i >= raw.size()) break;
        if (raw[i] == '[') {
            ++i;
            while (i < raw.size() && raw[i] >= 0x20 && raw[i] <= 0x3f) ++i;
            if (i < raw.size() && raw[i] >= 0x40 && raw[i] <= 0x7e) ++i;
        } else if (raw[i] == ']') {
            ++i;
            while (i < raw.size() && raw[i] != kBel && raw[i] != kEsc) ++i;
            if (i < raw.size() && raw[i] == kBel) {
                ++i;
            } else if (i + 1 < raw.size() && raw[i + 1] == '\\') {
                i += 2;
            }
        } else {
            ++i;
        }
    }
    return out;
}

void LineSplitter::feed(std::string_view bytes, std::vector<std::string>& lines) {
    while (!bytes.empty()) {
        const auto nl = bytes.find('\n');
        if (nl == std::string_view::npos) {
            partial_.append(bytes);
            return;
        }
        partial_.append(bytes.substr(0, nl));
        lines.push_back(std::move(partial_));
        partial_.clear();
        bytes.remove_prefix(nl + 1);
    }
}

std::optional<std::string> LineSplitter::flush() {
    if (partial_.empty()) return std::nullopt;
    std::string line = std::move(partial_);
    partial_.clear();
    return line;
}

}  // namespace hvboot
