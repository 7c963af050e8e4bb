#pragma once
// TomlReader: a pull lexer for the strict TOML subset that manifests are written in.
//
// It knows nothing about the manifest schema; it turns the text into a sequence of items:
//
//   [host]              -> Item{kTable, "host"}
//   [[vm]]              -> Item{kArrayTable, "vm"}
//   vcpus = 2           -> Item{kKeyValue, "vcpus", integer 2}
//   (end of text)       -> Item{kEnd}
//
// Accepted: `#` comments, blank lines, LF or CRLF line ends, spaces and tabs, one leading UTF-8
// byte order mark, bare keys ([A-Za-z0-9_-]+), basic strings "..." with the escapes \" \\ \n \t,
// integers (decimal with an optional sign, or 0x hex; `_` only between digits; no leading zeros),
// true/false, and arrays of those values, which may span lines and end in a trailing comma.
// Everything else in TOML (dotted or quoted keys, literal and multi-line strings, floats, dates,
// inline tables, nested arrays, other escapes) is an error naming the line and column, as are
// control characters (NUL included), a lone CR and malformed UTF-8 anywhere in the text.
//
// Pure: no allocation, no globals. Items hold views into the text, which must outlive them.
#include <array>
#include <cstddef>
#include <cstdint>

#include "kernel/lib/result.hpp"
#include "kernel/lib/str.hpp"
#include "vmm/manifest/manifest_error.hpp"

namespace hv::manifest {

// Enough for `cpus` of the largest VM; longer arrays are refused by the lexer.
inline constexpr std::size_t kMaxArrayItems = 64;

struct TextPos {
    std::uint32_t line = 0;
    std::uint32_t column = 0;
};

enum class ValueKind : std::uint8_t { kString, kInteger, kBoolean, kArray };

// "a string", "an integer", ...: for reasons such as "expected a string for 'kernel', got an
// integer".
[[nodiscard]] const char* kind_phrase(ValueKind kind);

struct Scalar {
    ValueKind kind = ValueKind::kInteger;
    TextPos pos;
    StrView raw;                   // kString: the text between the quotes, escapes not decoded
    std::size_t decoded_size = 0;  // kString: length after decode_string()
    std::int64_t integer = 0;
    bool boolean = false;
};

struct Value {
    ValueKind kind = ValueKind::kInteger;
    TextPos pos;
    Scalar scalar;  // when kind != kArray
    std::array<Scalar, kMaxArrayItems> items;
    std::size_t count = 0;  // when kind == kArray
};

enum class ItemKind : std::uint8_t { kTable, kArrayTable, kKeyValue, kEnd };

struct Item {
    ItemKind kind = ItemKind::kEnd;
    TextPos pos;   // of the key or of the opening '['
    StrView name;  // table name or key
    Value value;   // kKeyValue only
};

class TomlReader {
  public:
    explicit TomlReader(StrView text) : text_(text) {}

    // Reads the next item into `out`. After kEnd or an error, further calls are not allowed.
    [[nodiscard]] Result<void, ManifestError> next(Item& out);

  private:
    [[nodiscard]] Result<void, ManifestError> check_bytes() const;
    [[nodiscard]] Result<void, ManifestError> read_table(Item& out);
    [[nodiscard]] Result<void, ManifestError> read_key_value(Item& out);
    [[nodiscard]] Result<void, ManifestError> read_array(StrView key, Value& out);
    [[nodiscard]] Result<void, ManifestError> read_scalar(StrView key, Scalar& out);
    [[nodiscard]] Result<void, ManifestError> read_string(Scalar& out);
    [[nodiscard]] Result<void, ManifestError> read_number(StrView key, Scalar& out);
    [[nodiscard]] Result<void, ManifestError> end_line(const char* after);
    [[nodiscard]] Result<void, ManifestError> skip_array_gap(StrView key);
    [[nodiscard]] ManifestError error_here(const char* what) const;
    void skip_blanks();
    void skip_comment();
    bool take_newline();
    [[nodiscard]] StrView take_bare_word();
    [[nodiscard]] bool at_end() const { return pos_ >= text_.size(); }
    [[nodiscard]] char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
    }
    [[nodiscard]] TextPos here() const {
        return TextPos{line_, static_cast<std::uint32_t>(pos_ - line_start_ + 1)};
    }

    StrView text_;
    std::size_t pos_ = 0;
    std::size_t line_start_ = 0;
    std::uint32_t line_ = 1;
    bool started_ = false;
};

// Writes the decoded form of a string scalar's `raw` text (already checked by the reader) into
// `out`, at most `capacity` bytes, and returns the decoded length (which may exceed `capacity`).
std::size_t decode_string(StrView raw, char* out, std::size_t capacity);

}  // namespace hv::manifest
