#include "vmm/manifest/toml_reader.hpp"

namespace hv::manifest {
namespace {

constexpr std::uint64_t kMaxInteger = INT64_MAX;

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_hex_digit(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_bare_key_char(char c) {
    return is_alpha(c) || is_digit(c) || c == '_' || c == '-';
}
// What a number, date or stray word is made of: scanned as one token so that "1.5" or
// "2024-01-01" is reported as a float or a date rather than as junk after "1".
constexpr bool is_word_char(char c) {
    return is_bare_key_char(c) || c == '+' || c == '.' || c == ':';
}
constexpr unsigned hex_value(char c) {
    if (is_digit(c)) return static_cast<unsigned>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
    return static_cast<unsigned>(c - 'A' + 10);
}

// One character of the text, as a reason shows it: 'x', or the byte's value when unprintable.
struct CharDesc {
    char c;
    bool at_end;
};

void format_to(Sink& s, CharDesc d) {
    const auto byte = static_cast<unsigned char>(d.c);
    if (d.at_end) {
        s.write("the end of the text");
    } else if (d.c == '\n' || d.c == '\r') {
        s.write("the end of the line");
    } else if (byte >= 0x20 && byte < 0x7f) {
        print(s, '\'', d.c, '\'');
    } else {
        print(s, "byte 0x", Hex{byte, 2});
    }
}

// Length of the UTF-8 sequence starting at text[i], or 0 if it is malformed (Unicode 15.0,
// table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_length(StrView text, std::size_t i) {
    const auto at = [&](std::size_t k) {
        return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0u;
    };
    const unsigned lead = at(0);
    unsigned lo = 0x80, hi = 0xbf;
    std::size_t len = 0;
    if (lead >= 0xc2 && lead <= 0xdf) {
        len = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        len = 3;
        if (lead == 0xe0) lo = 0xa0;
        if (lead == 0xed) hi = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        len = 4;
        if (lead == 0xf0) lo = 0x90;
        if (lead == 0xf4) hi = 0x8f;
    } else {
        return 0;
    }
    if (at(1) < lo || at(1) > hi) return 0;
    for (std::size_t k = 2; k < len; ++k) {
        if (at(k) < 0x80 || at(k) > 0xbf) return 0;
    }
    return len;
}

template <typename... Args>
ManifestError fail(TextPos pos, const Args&... args) {
    return make_manifest_error(pos.line, pos.column, args...);
}

}  // namespace

const char* kind_phrase(ValueKind kind) {
    switch (kind) {
        case ValueKind::kString:
            return "a string";
        case ValueKind::kInteger:
            return "an integer";
        case ValueKind::kBoolean:
            return "a boolean";
        case ValueKind::kArray:
            return "an array";
    }
    return "a value";
}

std::size_t decode_string(StrView raw, char* out, std::size_t capacity) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '\\' && i + 1 < raw.size()) {
            const char e = raw[++i];
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e;  // \" and \\ stand for themselves
        }
        if (n < capacity) out[n] = c;
        ++n;
    }
    return n;
}

// The whole text is checked once up front, so the lexer below only ever meets printable ASCII,
// tabs, line ends and well-formed UTF-8.
Result<void, ManifestError> TomlReader::check_bytes() const {
    std::uint32_t line = line_;
    std::size_t line_start = line_start_;
    for (std::size_t i = pos_; i < text_.size();) {
        const auto byte = static_cast<unsigned char>(text_[i]);
        const TextPos pos{line, static_cast<std::uint32_t>(i - line_start + 1)};
        if (byte == '\n') {
            ++line;
            line_start = ++i;
        } else if (byte == '\r') {
            if (i + 1 >= text_.size() || text_[i + 1] != '\n') {
                return fail(pos, "carriage return without a line feed (use LF or CRLF line ends)");
            }
            ++i;
        } else if (byte == 0) {
            return fail(pos, "NUL byte in the manifest");
        } else if ((byte < 0x20 && byte != '\t') || byte == 0x7f) {
            return fail(pos, "control character 0x", Hex{byte, 2}, " in the manifest");
        } else if (byte >= 0x80) {
            const std::size_t len = utf8_length(text_, i);
            if (len == 0) return fail(pos, "malformed UTF-8 (byte 0x", Hex{byte, 2}, ")");
            i += len;
        } else {
            ++i;
        }
    }
    return Ok{};
}

ManifestError TomlReader::error_here(const char* what) const { return fail(here(), what); }

void TomlReader::skip_blanks() {
    while (peek() == ' ' || peek() == '\t') ++pos_;
}

void TomlReader::skip_comment() {
    while (!at_end() && peek() != '\n' && peek() != '\r') ++pos_;
}

bool TomlReader::take_newline() {
    if (peek() == '\r' && peek(1) == '\n') ++pos_;  // check_bytes() allows no other CR
    if (at_end() || peek() != '\n') return false;
    ++pos_;
    ++line_;
    line_start_ = pos_;
    return true;
}

StrView TomlReader::take_bare_word() {
    const std::size_t start = pos_;
    while (!at_end() && is_bare_key_char(peek())) ++pos_;
    return text_.substr(start, pos_ - start);
}

Result<void, ManifestError> TomlReader::next(Item& out) {
    if (!started_) {
        started_ = true;
        // A UTF-8 byte order mark, as some Windows editors write, is skipped (TOML 1.0 allows it).
        if (text_.starts_with("\xef\xbb\xbf")) pos_ = line_start_ = 3;
        TRY(check_bytes());
    }
    for (;;) {
        skip_blanks();
        if (at_end()) {
            out.kind = ItemKind::kEnd;
            out.pos = here();
            return Ok{};
        }
        if (peek() == '#') skip_comment();
        if (at_end() || take_newline()) continue;
        if (peek() == '[') return read_table(out);
        return read_key_value(out);
    }
}

Result<void, ManifestError> TomlReader::end_line(const char* after) {
    skip_blanks();
    if (peek() == '#') skip_comment();
    if (at_end() || take_newline()) return Ok{};
    return fail(here(), "unexpected ", CharDesc{peek(), false}, " after ", after,
                "; expected a comment or the end of the line");
}

Result<void, ManifestError> TomlReader::read_table(Item& out) {
    out.pos = here();
    const bool array = peek(1) == '[';
    pos_ += array ? 2 : 1;
    skip_blanks();
    if (peek() == '"' || peek() == '\'') return error_here("quoted table names are not supported");
    out.name = take_bare_word();
    if (out.name.empty()) {
        return fail(here(), "expected a table name, got ", CharDesc{peek(), at_end()});
    }
    skip_blanks();
    if (peek() == '.') return error_here("dotted table names are not supported");
    if (array && peek() == ']' && peek(1) != ']') ++pos_;  // point at what follows "]"
    if (peek() != ']' || (array && peek(1) != ']')) {
        return fail(here(), "expected '", array ? "]]" : "]", "' to close the table header, got ",
                    CharDesc{peek(), at_end()});
    }
    pos_ += array ? 2 : 1;
    out.kind = array ? ItemKind::kArrayTable : ItemKind::kTable;
    return end_line("the table header");
}

Result<void, ManifestError> TomlReader::read_key_value(Item& out) {
    out.pos = here();
    if (peek() == '"' || peek() == '\'') {
        return error_here("quoted keys are not supported; write the key without quotes");
    }
    out.name = take_bare_word();
    if (out.name.empty()) {
        return fail(here(), "expected a key, a table header or a comment, got ",
                    CharDesc{peek(), false});
    }
    skip_blanks();
    if (peek() == '.') {
        return fail(here(), "dotted keys are not supported ('", Clipped{out.name},
                    ".'); write each key under its [table]");
    }
    if (peek() != '=') {
        return fail(here(), "expected '=' after key '", Clipped{out.name}, "', got ",
                    CharDesc{peek(), at_end()});
    }
    ++pos_;
    skip_blanks();
    Value& value = out.value;
    value.pos = here();
    value.count = 0;
    if (peek() == '[') {
        value.kind = ValueKind::kArray;
        TRY(read_array(out.name, value));
    } else {
        TRY(read_scalar(out.name, value.scalar));
        value.kind = value.scalar.kind;
    }
    out.kind = ItemKind::kKeyValue;
    return end_line("the value");
}

// Between array items: blanks, line ends and comments.
Result<void, ManifestError> TomlReader::skip_array_gap(StrView key) {
    for (;;) {
        skip_blanks();
        if (peek() == '#') skip_comment();
        if (at_end()) {
            return fail(here(), "unterminated array for '", Clipped{key}, "' (missing ']')");
        }
        if (!take_newline()) return Ok{};
    }
}

Result<void, ManifestError> TomlReader::read_array(StrView key, Value& out) {
    ++pos_;  // '['
    for (;;) {
        TRY(skip_array_gap(key));
        if (peek() == ']') break;
        if (out.count == kMaxArrayItems) {
            return fail(here(), "array for '", Clipped{key}, "' has more than ", kMaxArrayItems,
                        " items");
        }
        if (peek() == '[') return error_here("nested arrays are not supported");
        TRY(read_scalar(key, out.items[out.count]));
        ++out.count;
        TRY(skip_array_gap(key));
        if (peek() == ']') break;
        if (peek() != ',') {
            return fail(here(), "expected ',' or ']' in the array for '", Clipped{key}, "', got ",
                        CharDesc{peek(), false});
        }
        ++pos_;
    }
    ++pos_;  // ']'
    return Ok{};
}

Result<void, ManifestError> TomlReader::read_scalar(StrView key, Scalar& out) {
    out = Scalar{};
    out.pos = here();
    const char c = peek();
    if (c == '"') {
        if (peek(1) == '"' && peek(2) == '"') {
            return error_here("multi-line strings (\"\"\"...\"\"\") are not supported");
        }
        return read_string(out);
    }
    if (c == '\'') return error_here("literal strings ('...') are not supported; use \"...\"");
    if (c == '{') return error_here("inline tables ({...}) are not supported");
    if (c == '+' || c == '-' || is_digit(c)) return read_number(key, out);
    if (at_end() || c == '\n' || c == '\r' || c == '#') {
        return fail(here(), "missing value for '", Clipped{key}, "'");
    }
    const std::size_t start = pos_;
    while (!at_end() && is_word_char(peek())) ++pos_;
    const StrView word = text_.substr(start, pos_ - start);
    if (word == "true" || word == "false") {
        out.kind = ValueKind::kBoolean;
        out.boolean = word == "true";
        return Ok{};
    }
    if (word == "inf" || word == "nan") return fail(out.pos, "floats are not supported");
    if (word.empty()) {
        return fail(out.pos, "expected a value for '", Clipped{key}, "', got ", CharDesc{c, false});
    }
    return fail(out.pos, "expected a value for '", Clipped{key}, "', got '", Clipped{word},
                "' (strings need double quotes)");
}

Result<void, ManifestError> TomlReader::read_string(Scalar& out) {
    ++pos_;  // opening quote
    const std::size_t start = pos_;
    std::size_t decoded = 0;
    for (;;) {
        const char c = peek();
        if (at_end() || c == '\n' || c == '\r') {
            return fail(out.pos, "unterminated string (missing closing '\"')");
        }
        if (c == '"') break;
        if (c == '\\') {
            const char e = peek(1);
            if (pos_ + 1 >= text_.size()) {
                return fail(out.pos, "unterminated string (missing closing '\"')");
            }
            if (e != '"' && e != '\\' && e != 'n' && e != 't') {
                const char* only = " (only \\\" \\\\ \\n \\t)";
                if (e > ' ' && e < 0x7f)
                    return fail(here(), "unsupported escape '\\", e, "'", only);
                return fail(here(), "unsupported escape: backslash before ", CharDesc{e, false},
                            only);
            }
            ++pos_;
        }
        ++pos_;
        ++decoded;
    }
    out.kind = ValueKind::kString;
    out.raw = text_.substr(start, pos_ - start);
    out.decoded_size = decoded;
    ++pos_;  // closing quote
    return Ok{};
}

Result<void, ManifestError> TomlReader::read_number(StrView key, Scalar& out) {
    const std::size_t start = pos_;
    while (!at_end() && is_word_char(peek())) ++pos_;
    const StrView token = text_.substr(start, pos_ - start);
    const bool has_sign = token[0] == '+' || token[0] == '-';
    const StrView body = token.substr(has_sign ? 1 : 0);
    const auto malformed = [&] {
        return fail(out.pos, "malformed integer '", Clipped{token}, "' for '", Clipped{key}, "'");
    };
    if (body == "inf" || body == "nan") return fail(out.pos, "floats are not supported");
    if (body.empty()) return malformed();

    std::uint64_t value = 0;
    if (body.starts_with("0x")) {
        if (has_sign) return fail(out.pos, "hex integers take no sign");
        bool after_digit = false;
        for (std::size_t i = 2; i < body.size(); ++i) {
            const char c = body[i];
            if (c == '_' && after_digit && i + 1 < body.size()) {
                after_digit = false;
                continue;
            }
            if (!is_hex_digit(c)) return malformed();
            if (value > (kMaxInteger >> 4)) {
                return fail(out.pos, "integer '", Clipped{token}, "' is out of range");
            }
            value = value << 4 | hex_value(c);
            after_digit = true;
        }
        if (!after_digit) return malformed();
    } else {
        if (body.starts_with("0o") || body.starts_with("0b")) {
            return fail(out.pos, "octal and binary integers are not supported");
        }
        for (std::size_t i = 0; i < body.size(); ++i) {
            const char c = body[i];
            if (c == '.' || c == 'e' || c == 'E') return fail(out.pos, "floats are not supported");
            if (c == ':' || c == '-') {
                return fail(out.pos, "dates and times are not supported");
            }
        }
        if (body.size() > 1 && body[0] == '0' && (is_digit(body[1]) || body[1] == '_')) {
            return fail(out.pos, "leading zeros are not allowed in '", Clipped{token}, "'");
        }
        bool after_digit = false;
        for (std::size_t i = 0; i < body.size(); ++i) {
            const char c = body[i];
            if (c == '_' && after_digit && i + 1 < body.size()) {
                after_digit = false;
                continue;
            }
            if (!is_digit(c)) return malformed();
            const auto digit = static_cast<std::uint64_t>(c - '0');
            if (value > (kMaxInteger - digit) / 10) {
                return fail(out.pos, "integer '", Clipped{token}, "' is out of range");
            }
            value = value * 10 + digit;
            after_digit = true;
        }
        if (!after_digit) return malformed();
    }
    out.kind = ValueKind::kInteger;
    const auto magnitude = static_cast<std::int64_t>(value);
    out.integer = token[0] == '-' ? -magnitude : magnitude;
    return Ok{};
}

}  // namespace hv::manifest
