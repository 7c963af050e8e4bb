#include "vmm/manifest/toml_reader.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <string>

#include "manifest_test_support.hpp"

namespace hv::manifest {
namespace {

using testing::minimal_vm;
using testing::parse_error;
using testing::parse_ok;
using testing::reason;
using testing::view;

// Reads `text` (one key = value line) and returns its item; the test fails if reading fails.
// The item views its text, so the texts are kept for the whole run.
Item read_one(const std::string& text) {
    static std::deque<std::string> texts;
    TomlReader reader(view(texts.emplace_back(text)));
    Item item;
    auto r = reader.next(item);
    EXPECT_TRUE(r.ok()) << reason(r.error());
    return item;
}

ManifestError read_error(const std::string& text) {
    TomlReader reader(view(text));
    Item item;
    for (;;) {
        auto r = reader.next(item);
        if (!r.ok()) return r.error();
        if (item.kind == ItemKind::kEnd) break;
    }
    ADD_FAILURE() << "read without error: " << text;
    return ManifestError{};
}

TEST(TomlReader, ReadsTableHeaders) {
    TomlReader reader(view("[host]\n[[vm]]\n[ host ]\n[[ vm ]]\n"));
    Item item;
    ASSERT_TRUE(reader.next(item).ok());
    EXPECT_EQ(item.kind, ItemKind::kTable);
    EXPECT_TRUE(item.name == "host");
    ASSERT_TRUE(reader.next(item).ok());
    EXPECT_EQ(item.kind, ItemKind::kArrayTable);
    EXPECT_TRUE(item.name == "vm");
    ASSERT_TRUE(reader.next(item).ok());
    EXPECT_EQ(item.kind, ItemKind::kTable);
    ASSERT_TRUE(reader.next(item).ok());
    EXPECT_EQ(item.kind, ItemKind::kArrayTable);
    EXPECT_EQ(item.pos.line, 4u);
    ASSERT_TRUE(reader.next(item).ok());
    EXPECT_EQ(item.kind, ItemKind::kEnd);
}

TEST(TomlReader, ReadsBooleans) {
    Item t = read_one("flag = true");
    EXPECT_EQ(t.value.kind, ValueKind::kBoolean);
    EXPECT_TRUE(t.value.scalar.boolean);
    Item f = read_one("flag = false");
    EXPECT_FALSE(f.value.scalar.boolean);
}

TEST(TomlReader, ReadsDecimalIntegersWithSignsAndUnderscores) {
    EXPECT_EQ(read_one("n = 1_048_576").value.scalar.integer, 1048576);
    EXPECT_EQ(read_one("n = -42").value.scalar.integer, -42);
    EXPECT_EQ(read_one("n = +7").value.scalar.integer, 7);
    EXPECT_EQ(read_one("n = 0").value.scalar.integer, 0);
    EXPECT_EQ(read_one("n = 9223372036854775807").value.scalar.integer, INT64_MAX);
}

TEST(TomlReader, ReadsHexIntegers) {
    EXPECT_EQ(read_one("n = 0x200").value.scalar.integer, 0x200);
    EXPECT_EQ(read_one("n = 0xdead_BEEF").value.scalar.integer, 0xdeadbeef);
}

TEST(TomlReader, RejectsMalformedIntegers) {
    for (const char* bad : {"1__0", "1_", "+_1", "0x", "0x_1", "0xg", "12abc", "+", "0X10"}) {
        const ManifestError e = read_error(std::string("n = ") + bad);
        EXPECT_NE(reason(e).find("malformed integer"), std::string::npos)
            << bad << ": " << reason(e);
    }
}

TEST(TomlReader, RejectsLeadingZeros) {
    EXPECT_EQ(reason(read_error("n = 012")), "leading zeros are not allowed in '012'");
}

TEST(TomlReader, RejectsIntegersBeyondInt64) {
    EXPECT_EQ(reason(read_error("n = 9223372036854775808")),
              "integer '9223372036854775808' is out of range");
    EXPECT_EQ(reason(read_error("n = 0x8000000000000000")),
              "integer '0x8000000000000000' is out of range");
}

TEST(TomlReader, RejectsSignedHexOctalAndBinary) {
    EXPECT_EQ(reason(read_error("n = -0x10")), "hex integers take no sign");
    EXPECT_EQ(reason(read_error("n = 0o17")), "octal and binary integers are not supported");
    EXPECT_EQ(reason(read_error("n = 0b101")), "octal and binary integers are not supported");
}

TEST(TomlReader, RejectsFloats) {
    for (const char* bad : {"1.5", "1e6", "2E3", "inf", "-nan", "+inf"}) {
        EXPECT_EQ(reason(read_error(std::string("n = ") + bad)), "floats are not supported") << bad;
    }
}

TEST(TomlReader, RejectsDatesAndTimes) {
    EXPECT_EQ(reason(read_error("d = 2024-01-01")), "dates and times are not supported");
    EXPECT_EQ(reason(read_error("d = 07:32:00")), "dates and times are not supported");
}

TEST(TomlReader, DecodesTheFourEscapes) {
    const Item item = read_one(R"(s = "a\"b\\c\nd\te")");
    ASSERT_EQ(item.value.kind, ValueKind::kString);
    char buf[32];
    const std::size_t n = decode_string(item.value.scalar.raw, buf, sizeof buf);
    EXPECT_EQ(std::string(buf, n), "a\"b\\c\nd\te");
    EXPECT_EQ(item.value.scalar.decoded_size, n);
}

TEST(TomlReader, RejectsOtherEscapes) {
    EXPECT_EQ(reason(read_error(R"(s = "a\rb")")),
              "unsupported escape '\\r' (only \\\" \\\\ \\n \\t)");
    EXPECT_EQ(read_error(R"(s = "\u00e9")").column, 6u);
}

TEST(TomlReader, RejectsUnterminatedStringAtEndOfLine) {
    const ManifestError e = read_error("s = \"abc\nt = 1\n");
    EXPECT_EQ(reason(e), "unterminated string (missing closing '\"')");
    EXPECT_EQ(e.line, 1u);
    EXPECT_EQ(e.column, 5u);
}

TEST(TomlReader, RejectsUnterminatedStringAtEndOfText) {
    EXPECT_EQ(reason(read_error("s = \"abc")), "unterminated string (missing closing '\"')");
    EXPECT_EQ(reason(read_error("s = \"abc\\")), "unterminated string (missing closing '\"')");
}

TEST(TomlReader, RejectsMultiLineAndLiteralStrings) {
    EXPECT_EQ(reason(read_error("s = \"\"\"abc\"\"\"")),
              "multi-line strings (\"\"\"...\"\"\") are not supported");
    EXPECT_EQ(reason(read_error("s = 'abc'")),
              "literal strings ('...') are not supported; use \"...\"");
}

TEST(TomlReader, AcceptsEmptyString) {
    const Item item = read_one("s = \"\"");
    EXPECT_EQ(item.value.scalar.decoded_size, 0u);
}

TEST(TomlReader, RejectsDottedAndQuotedKeys) {
    EXPECT_EQ(reason(read_error("vm.name = \"a\"")),
              "dotted keys are not supported ('vm.'); write each key under its [table]");
    EXPECT_EQ(reason(read_error("\"name\" = \"a\"")),
              "quoted keys are not supported; write the key without quotes");
}

TEST(TomlReader, RejectsDottedAndQuotedTableNames) {
    EXPECT_EQ(reason(read_error("[host.cpu]")), "dotted table names are not supported");
    EXPECT_EQ(reason(read_error("[\"host\"]")), "quoted table names are not supported");
}

TEST(TomlReader, RejectsUnclosedTableHeaders) {
    EXPECT_EQ(reason(read_error("[host")),
              "expected ']' to close the table header, got the end of the text");
    EXPECT_EQ(reason(read_error("[[vm]\n")),
              "expected ']]' to close the table header, got the end of the line");
    EXPECT_EQ(reason(read_error("[]")), "expected a table name, got ']'");
}

TEST(TomlReader, RejectsInlineTablesAndNestedArrays) {
    EXPECT_EQ(reason(read_error("t = { a = 1 }")), "inline tables ({...}) are not supported");
    EXPECT_EQ(reason(read_error("t = [[1], [2]]")), "nested arrays are not supported");
}

TEST(TomlReader, ReadsMultiLineArrayWithCommentsAndTrailingComma) {
    const std::string text = "a = [\n  1, # one\n  # nothing\n  0x2,\n\n  3,\n]\n";
    const Item item = read_one(text);
    ASSERT_EQ(item.value.kind, ValueKind::kArray);
    ASSERT_EQ(item.value.count, 3u);
    EXPECT_EQ(item.value.items[1].integer, 2);
    EXPECT_EQ(item.value.items[1].pos.line, 4u);
    EXPECT_EQ(item.value.items[2].pos.line, 6u);
}

TEST(TomlReader, ReadsEmptyArray) {
    const Item item = read_one("a = [ ]");
    EXPECT_EQ(item.value.kind, ValueKind::kArray);
    EXPECT_EQ(item.value.count, 0u);
}

TEST(TomlReader, RejectsArrayWithoutCommas) {
    EXPECT_EQ(reason(read_error("a = [1 2]")), "expected ',' or ']' in the array for 'a', got '2'");
}

TEST(TomlReader, RejectsLeadingOrDoubleCommaInArray) {
    EXPECT_EQ(reason(read_error("a = [,1]")), "expected a value for 'a', got ','");
    EXPECT_EQ(reason(read_error("a = [1,,2]")), "expected a value for 'a', got ','");
}

TEST(TomlReader, RejectsUnterminatedArray) {
    const ManifestError e = read_error("a = [1,\n2,\n");
    EXPECT_EQ(reason(e), "unterminated array for 'a' (missing ']')");
    EXPECT_EQ(e.line, 3u);
}

TEST(TomlReader, RejectsArraysLongerThanTheCap) {
    std::string text = "a = [";
    for (std::size_t i = 0; i <= kMaxArrayItems; ++i) text += "1,";
    text += "]";
    EXPECT_EQ(reason(read_error(text)), "array for 'a' has more than 64 items");
}

TEST(TomlReader, RejectsTrailingTextAfterValue) {
    const ManifestError e = read_error("n = 1 2");
    EXPECT_EQ(reason(e),
              "unexpected '2' after the value; expected a comment or the end of the line");
    EXPECT_EQ(e.column, 7u);
}

TEST(TomlReader, RejectsTrailingTextAfterTableHeader) {
    EXPECT_EQ(reason(read_error("[host] x")),
              "unexpected 'x' after the table header; expected a comment or the end of the line");
}

TEST(TomlReader, RejectsMissingEqualsAndMissingValue) {
    EXPECT_EQ(reason(read_error("name \"a\"")), "expected '=' after key 'name', got '\"'");
    EXPECT_EQ(reason(read_error("name =\n")), "missing value for 'name'");
    EXPECT_EQ(reason(read_error("name = # none")), "missing value for 'name'");
    EXPECT_EQ(reason(read_error("name =")), "missing value for 'name'");
}

TEST(TomlReader, RejectsBareWordValues) {
    EXPECT_EQ(reason(read_error("kernel = linux")),
              "expected a value for 'kernel', got 'linux' (strings need double quotes)");
    EXPECT_EQ(reason(read_error("flag = True")),
              "expected a value for 'flag', got 'True' (strings need double quotes)");
}

TEST(TomlReader, RejectsNulByteWithItsPosition) {
    const std::string text = std::string("[host]\non_all_stopped = \"ha") + '\0' + "lt\"\n";
    const ManifestError e = read_error(text);
    EXPECT_EQ(reason(e), "NUL byte in the manifest");
    EXPECT_EQ(e.line, 2u);
    EXPECT_EQ(e.column, 21u);
}

TEST(TomlReader, RejectsControlCharacters) {
    EXPECT_EQ(reason(read_error("# bell \a\n")), "control character 0x07 in the manifest");
    EXPECT_EQ(reason(read_error("n = 1\x7f")), "control character 0x7f in the manifest");
}

TEST(TomlReader, RejectsLoneCarriageReturn) {
    EXPECT_EQ(reason(read_error("n = 1\rm = 2\n")),
              "carriage return without a line feed (use LF or CRLF line ends)");
}

TEST(TomlReader, RejectsMalformedUtf8) {
    EXPECT_EQ(reason(read_error("# caf\xc3\n")), "malformed UTF-8 (byte 0xc3)");
    EXPECT_EQ(reason(read_error("# overlong \xc0\xaf\n")), "malformed UTF-8 (byte 0xc0)");
    EXPECT_EQ(reason(read_error("# surrogate \xed\xa0\x80\n")), "malformed UTF-8 (byte 0xed)");
    EXPECT_EQ(reason(read_error("# too big \xf4\x90\x80\x80\n")), "malformed UTF-8 (byte 0xf4)");
}

TEST(TomlReader, AcceptsUtf8InCommentsAndStrings) {
    const Item item = read_one("# café ✓ 🚀\ns = \"naïve\"\n");
    EXPECT_EQ(item.value.scalar.decoded_size, 6u);
}

TEST(TomlReader, RejectsNonAsciiOutsideStringsAndComments) {
    EXPECT_EQ(reason(read_error("n = 1 \xc3\xa9")),
              "unexpected byte 0xc3 after the value; expected a comment or the end of the line");
}

TEST(TomlReader, SkipsLeadingByteOrderMarkAndCountsColumnsAfterIt) {
    const ManifestError e = read_error("\xef\xbb\xbfn = x");
    EXPECT_EQ(e.line, 1u);
    EXPECT_EQ(e.column, 5u);
}

TEST(TomlReader, RejectsByteOrderMarkAfterTheStart) {
    EXPECT_EQ(reason(read_error("\n\xef\xbb\xbf[host]")),
              "expected a key, a table header or a comment, got byte 0xef");
}

TEST(TomlReader, CountsLinesAcrossCrlf) {
    const ManifestError e = read_error("# one\r\n\r\nn = 1\r\nm = ?\r\n");
    EXPECT_EQ(e.line, 4u);
    EXPECT_EQ(e.column, 5u);
}

TEST(TomlReader, AcceptsTabsAsWhitespace) {
    const Item item = read_one("\tn\t=\t5\t# tab\t\n");
    EXPECT_EQ(item.value.scalar.integer, 5);
}

TEST(TomlReader, KeepsTabsInsideStrings) {
    const Item item = read_one("s = \"a\tb\"");
    EXPECT_EQ(item.value.scalar.decoded_size, 3u);
}

TEST(TomlReader, ClipsVeryLongKeysInReasons) {
    const std::string key(10000, 'k');
    const std::string r = reason(read_error(key + " 1"));
    EXPECT_EQ(r, "expected '=' after key '" + std::string(40, 'k') + "...', got '1'");
}

TEST(TomlReader, EndsReasonsThatOverflowWithEllipsis) {
    const ManifestError e = make_manifest_error(1, 1, std::string(500, 'x').c_str());
    EXPECT_EQ(e.reason().size(), kMaxReasonLen);
    EXPECT_EQ(reason(e).substr(kMaxReasonLen - 4), "x...");
}

TEST(TomlReader, DescribesValueKindsWithArticles) {
    EXPECT_STREQ(kind_phrase(ValueKind::kString), "a string");
    EXPECT_STREQ(kind_phrase(ValueKind::kInteger), "an integer");
    EXPECT_STREQ(kind_phrase(ValueKind::kBoolean), "a boolean");
    EXPECT_STREQ(kind_phrase(ValueKind::kArray), "an array");
}

TEST(TomlReader, AcceptsAVeryLongCommentLine) {
    const std::string text = "# " + std::string(200000, 'c') + "\n" + minimal_vm();
    const Manifest m = parse_ok(text);
    EXPECT_EQ(m.vms[0].lines.table, 2u);
}

TEST(TomlReader, ReportsColumnsOnVeryLongLines) {
    const std::string text = minimal_vm() + "cmdline = \"" + std::string(100000, 'c') + "\" x\n";
    const ManifestError e = parse_error(text);
    EXPECT_EQ(e.line, 5u);
    EXPECT_EQ(e.column, 100014u);
}

}  // namespace
}  // namespace hv::manifest
