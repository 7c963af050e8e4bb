#include "kernel/cmdline.hpp"

namespace hv {
namespace {

// Tabs and newlines count as separators too: hand-edited grub.cfg lines sometimes carry them.
constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Calls `visit(token)` for each non-empty token until it returns true; returns whether it did.
template <typename Visit>
bool for_each_token(StrView line, Visit visit) {
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_space(line[i])) ++i;
        const std::size_t start = i;
        while (i < line.size() && !is_space(line[i]) && line[i] != '\0') ++i;
        if (i > start && visit(line.substr(start, i - start))) return true;
        // A NUL ends the line: some loaders hand us a buffer longer than the string.
        if (i < line.size() && line[i] == '\0') break;
    }
    return false;
}

}  // namespace

Optional<StrView> cmdline_value(StrView cmdline, StrView key) {
    Optional<StrView> found;
    for_each_token(cmdline, [&](StrView token) {
        const std::size_t eq = token.find('=');
        if (eq == StrView::npos || !(token.substr(0, eq) == key)) return false;
        found = token.substr(eq + 1);
        return true;
    });
    return found;
}

bool cmdline_flag(StrView cmdline, StrView flag) {
    return for_each_token(cmdline, [&](StrView token) {
        if (token == flag) return true;
        const std::size_t eq = token.find('=');
        if (eq == StrView::npos || !(token.substr(0, eq) == flag)) return false;
        const StrView v = token.substr(eq + 1);
        return !(v == "0" || v == "off" || v == "no" || v == "false");
    });
}

Optional<std::uint64_t> parse_cmdline_number(StrView text) {
    const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    const std::uint64_t base = hex ? 16 : 10;
    if (text.empty()) return kNone;
    std::uint64_t v = 0;
    for (std::size_t i = hex ? 2 : 0; i < text.size(); ++i) {
        const char c = text[i];
        std::uint64_t d;
        if (c >= '0' && c <= '9')
            d = static_cast<std::uint64_t>(c - '0');
        else if (hex && c >= 'a' && c <= 'f')
            d = static_cast<std::uint64_t>(c - 'a' + 10);
        else if (hex && c >= 'A' && c <= 'F')
            d = static_cast<std::uint64_t>(c - 'A' + 10);
        else
            return kNone;
        if (v > (~std::uint64_t{0} - d) / base) return kNone;
        v = v * base + d;
    }
    return v;
}

StrView module_name(StrView module_cmdline) {
    return cmdline_value(module_cmdline, "name").value_or(StrView());
}

}  // namespace hv
