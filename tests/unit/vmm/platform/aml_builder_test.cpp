#include "vmm/platform/aml_builder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <vector>

namespace hv::vmm::platform {
namespace {

std::vector<std::byte> bytes(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int v : values) out.push_back(static_cast<std::byte>(v));
    return out;
}

std::vector<std::byte> pkg_bytes(const PkgLengthBytes& p) {
    return std::vector<std::byte>(p.bytes.begin(), p.bytes.begin() + p.size);
}

// Runs `emit` on a builder over a 64 KiB buffer and returns what it wrote; fails the test on
// a builder error.
template <typename Emit>
std::vector<std::byte> emitted(Emit emit) {
    std::vector<std::byte> out(0x10000);
    AmlBuilder aml(out);
    emit(aml);
    auto size = aml.finish();
    EXPECT_TRUE(size.ok()) << (size.ok() ? "" : size.error().what);
    out.resize(size.ok() ? size.value() : 0);
    return out;
}

// The error `emit` leaves in a builder over `capacity` bytes.
template <typename Emit>
Errc error_of(Emit emit, std::size_t capacity = 256) {
    std::vector<std::byte> out(capacity);
    AmlBuilder aml(out);
    emit(aml);
    auto size = aml.finish();
    EXPECT_FALSE(size.ok());
    return size.ok() ? Errc::kTimeout : size.error().code;
}

// ACPI 6.5 sec 20.2.4: lengths up to 63 fit the lead byte; beyond, bits 7:6 count the bytes
// that follow, the lead byte keeps the low nibble, and each following byte 8 more bits.
TEST(AmlPkgLength, EncodesSixtyThreeInOneByte) {
    auto p = encode_pkg_length(63);
    ASSERT_TRUE(p);
    EXPECT_EQ(pkg_bytes(*p), bytes({0x3F}));
}

TEST(AmlPkgLength, EncodesSixtyFourInTwoBytes) {
    auto p = encode_pkg_length(64);
    ASSERT_TRUE(p);
    EXPECT_EQ(pkg_bytes(*p), bytes({0x40, 0x04}));
}

TEST(AmlPkgLength, Encodes4095InTwoBytes) {
    auto p = encode_pkg_length(4095);
    ASSERT_TRUE(p);
    EXPECT_EQ(pkg_bytes(*p), bytes({0x4F, 0xFF}));
}

TEST(AmlPkgLength, Encodes4096InThreeBytes) {
    auto p = encode_pkg_length(4096);
    ASSERT_TRUE(p);
    EXPECT_EQ(pkg_bytes(*p), bytes({0x80, 0x00, 0x01}));
}

TEST(AmlPkgLength, UsesFourBytesAboveTwentyBits) {
    auto p = encode_pkg_length(0xF'FFFF);
    ASSERT_TRUE(p);
    EXPECT_EQ(pkg_bytes(*p), bytes({0x8F, 0xFF, 0xFF}));
    p = encode_pkg_length(0x10'0000);
    ASSERT_TRUE(p);
    EXPECT_EQ(pkg_bytes(*p), bytes({0xC0, 0x00, 0x00, 0x01}));
    p = encode_pkg_length(kMaxPkgLength);
    ASSERT_TRUE(p);
    EXPECT_EQ(pkg_bytes(*p), bytes({0xCF, 0xFF, 0xFF, 0xFF}));
}

TEST(AmlPkgLength, RejectsMoreThanTwentyEightBits) {
    EXPECT_FALSE(encode_pkg_length(kMaxPkgLength + 1));
}

// The length counts the encoding itself: a 62-byte body makes 63 (one byte), a 63-byte body
// needs a second byte and so makes 65.
TEST(AmlPkgLength, ForBodyCountsItsOwnBytes) {
    EXPECT_EQ(pkg_bytes(*pkg_length_for_body(62)), bytes({0x3F}));
    EXPECT_EQ(pkg_bytes(*pkg_length_for_body(63)), bytes({0x41, 0x04}));
    EXPECT_EQ(pkg_bytes(*pkg_length_for_body(4093)), bytes({0x4F, 0xFF}));
    EXPECT_EQ(pkg_bytes(*pkg_length_for_body(4094)), bytes({0x81, 0x00, 0x01}));
    EXPECT_FALSE(pkg_length_for_body(kMaxPkgLength));
}

// ACPI 6.5 sec 19.6 EISAID: PNP = 10000 01110 10000 -> 0x41D0 big-endian, then 0x0A, 0x08.
TEST(AmlEisaId, CompressesPciExpressRootBridgeId) {
    auto id = eisa_id("PNP0A08");
    ASSERT_TRUE(id);
    EXPECT_EQ(*id, 0x080AD041u);
}

TEST(AmlEisaId, CompressesOtherPnpIds) {
    EXPECT_EQ(*eisa_id("PNP0A03"), 0x030AD041u);
    EXPECT_EQ(*eisa_id("PNP0C02"), 0x020CD041u);
    EXPECT_EQ(*eisa_id("PNP0501"), 0x0105D041u);
}

TEST(AmlEisaId, RejectsMalformedIds) {
    EXPECT_FALSE(eisa_id("pnp0A08"));
    EXPECT_FALSE(eisa_id("PNP0A0"));
    EXPECT_FALSE(eisa_id("PNP0A081"));
    EXPECT_FALSE(eisa_id("PNPOA08"));  // letter O, not a hex digit
    EXPECT_FALSE(eisa_id("PNP0a08"));
    EXPECT_FALSE(eisa_id(nullptr));
}

TEST(AmlBuilder, EmitsEisaIdAsDWordConst) {
    EXPECT_EQ(emitted([](AmlBuilder& a) { a.eisa_id("PNP0A08"); }),
              bytes({0x0C, 0x41, 0xD0, 0x0A, 0x08}));
}

// ACPI 6.5 sec 20.2.3: ZeroOp, OneOp, then the shortest prefixed constant.
TEST(AmlBuilder, EncodesIntegersInTheirShortestForm) {
    EXPECT_EQ(emitted([](AmlBuilder& a) { a.integer(0); }), bytes({0x00}));
    EXPECT_EQ(emitted([](AmlBuilder& a) { a.integer(1); }), bytes({0x01}));
    EXPECT_EQ(emitted([](AmlBuilder& a) { a.integer(2); }), bytes({0x0A, 0x02}));
    EXPECT_EQ(emitted([](AmlBuilder& a) { a.integer(0xFF); }), bytes({0x0A, 0xFF}));
    EXPECT_EQ(emitted([](AmlBuilder& a) { a.integer(0x100); }), bytes({0x0B, 0x00, 0x01}));
    EXPECT_EQ(emitted([](AmlBuilder& a) { a.integer(0x1'0000); }),
              bytes({0x0C, 0x00, 0x00, 0x01, 0x00}));
    EXPECT_EQ(emitted([](AmlBuilder& a) { a.integer(0x1'0000'0000); }),
              bytes({0x0E, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00}));
}

TEST(AmlBuilder, EncodesStringWithPrefixAndTerminator) {
    EXPECT_EQ(emitted([](AmlBuilder& a) { a.string("ACPI0007"); }),
              bytes({0x0D, 'A', 'C', 'P', 'I', '0', '0', '0', '7', 0x00}));
}

TEST(AmlBuilder, RejectsNonAsciiString) {
    EXPECT_EQ(error_of([](AmlBuilder& a) { a.string("caf\xc3\xa9"); }), Errc::kInvalid);
}

// ACPI 6.5 sec 20.2.2: segments padded with '_', DualNamePrefix for two, MultiNamePrefix and a
// count for more, NullName after a bare prefix.
TEST(AmlBuilder, PadsShortNameSegments) {
    EXPECT_EQ(emitted([](AmlBuilder& a) { a.name_string("_SB"); }), bytes({'_', 'S', 'B', '_'}));
    EXPECT_EQ(emitted([](AmlBuilder& a) { a.name_string("A"); }), bytes({'A', '_', '_', '_'}));
}

TEST(AmlBuilder, EncodesRootedDualName) {
    EXPECT_EQ(emitted([](AmlBuilder& a) { a.name_string("\\_SB.PCI0"); }),
              bytes({0x5C, 0x2E, '_', 'S', 'B', '_', 'P', 'C', 'I', '0'}));
}

TEST(AmlBuilder, EncodesParentPrefixedMultiName) {
    EXPECT_EQ(emitted([](AmlBuilder& a) { a.name_string("^^A.B.C"); }),
              bytes({0x5E, 0x5E, 0x2F, 0x03, 'A', '_', '_', '_', 'B', '_', '_', '_', 'C', '_', '_',
                     '_'}));
}

TEST(AmlBuilder, EncodesBareRootAsNullName) {
    EXPECT_EQ(emitted([](AmlBuilder& a) { a.name_string("\\"); }), bytes({0x5C, 0x00}));
}

TEST(AmlBuilder, RejectsMalformedNames) {
    for (const char* bad : {"1ABC", "ABCDE", "a", "A..B", "A.", ".A", "\\^A", "PC-0"}) {
        EXPECT_EQ(error_of([&](AmlBuilder& a) { a.name_string(bad); }), Errc::kInvalid) << bad;
    }
}

TEST(AmlBuilder, EncodesNameOfEisaId) {
    EXPECT_EQ(emitted([](AmlBuilder& a) {
                  a.name("_HID");
                  a.eisa_id("PNP0A08");
              }),
              bytes({0x08, '_', 'H', 'I', 'D', 0x0C, 0x41, 0xD0, 0x0A, 0x08}));
}

// Name(_S5, Package(){5, 5, 0, 0}), as iasl compiles it.
TEST(AmlBuilder, EncodesSleepPackage) {
    EXPECT_EQ(
        emitted([](AmlBuilder& a) {
            a.name("_S5");
            auto pkg = a.begin_package(4);
            for (int v : {5, 5, 0, 0}) a.integer(v);
            a.end(pkg);
        }),
        bytes({0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A, 0x05, 0x0A, 0x05, 0x00, 0x00}));
}

// Scope(_SB) { Device(PCI0) { Name(_UID, Zero) } }: the device's PkgLength covers 10 bytes and
// itself (0x0B), the scope's the name, the 13-byte device and itself (0x12).
TEST(AmlBuilder, NestsDeviceInScope) {
    EXPECT_EQ(emitted([](AmlBuilder& a) {
                  auto scope = a.begin_scope("_SB");
                  auto dev = a.begin_device("PCI0");
                  a.name("_UID");
                  a.integer(0);
                  a.end(dev);
                  a.end(scope);
              }),
              bytes({0x10, 0x12, '_', 'S', 'B', '_', 0x5B, 0x82, 0x0B, 'P', 'C', 'I', '0', 0x08,
                     '_', 'U', 'I', 'D', 0x00}));
}

// A package of `n` ZeroOps: its body is NumElements plus n bytes.
std::vector<std::byte> zeros_package(std::size_t n) {
    return emitted([n](AmlBuilder& a) {
        auto pkg = a.begin_package(static_cast<std::uint8_t>(n));
        for (std::size_t i = 0; i < n; ++i) a.integer(0);
        a.end(pkg);
    });
}

TEST(AmlBuilder, KeepsOneBytePkgLengthUpToSixtyThree) {
    std::vector<std::byte> out = zeros_package(61);  // body 62, PkgLength 63
    ASSERT_EQ(out.size(), 1u + 1u + 62u);
    EXPECT_EQ(out[0], std::byte{0x12});
    EXPECT_EQ(out[1], std::byte{0x3F});
    EXPECT_EQ(out[2], std::byte{61});
    for (std::size_t i = 3; i < out.size(); ++i) EXPECT_EQ(out[i], std::byte{0}) << i;
}

TEST(AmlBuilder, GrowsPkgLengthToTwoBytesPastSixtyThree) {
    std::vector<std::byte> out = zeros_package(62);  // body 63, PkgLength 65
    ASSERT_EQ(out.size(), 1u + 2u + 63u);
    EXPECT_EQ(out[1], std::byte{0x41});
    EXPECT_EQ(out[2], std::byte{0x04});
    EXPECT_EQ(out[3], std::byte{62});
    for (std::size_t i = 4; i < out.size(); ++i) EXPECT_EQ(out[i], std::byte{0}) << i;
}

// "N" and three hex digits of `i`: a valid, distinct NameSeg for each i below 4096.
std::array<char, 5> numbered_name(std::size_t i) {
    constexpr char kHex[] = "0123456789ABCDEF";
    return {'N', kHex[(i >> 8) & 0xF], kHex[(i >> 4) & 0xF], kHex[i & 0xF], '\0'};
}

// Scope(_SB) holding `names` objects Name(Nxxx, One), 6 bytes each: body 4 + 6 * names.
std::vector<std::byte> scope_of_names(std::size_t names) {
    return emitted([names](AmlBuilder& a) {
        auto scope = a.begin_scope("_SB");
        for (std::size_t i = 0; i < names; ++i) {
            a.name(numbered_name(i).data());
            a.integer(1);
        }
        a.end(scope);
    });
}

void expect_names_follow(const std::vector<std::byte>& out, std::size_t header, std::size_t names) {
    ASSERT_EQ(out.size(), 1 + header + 4 + 6 * names);
    const std::vector<std::byte> first = bytes({0x08, 'N', '0', '0', '0', 0x01});
    EXPECT_TRUE(std::equal(first.begin(), first.end(), out.begin() + 1 + header + 4));
    std::array<char, 5> last = numbered_name(names - 1);
    const std::vector<std::byte> tail = bytes({0x08, last[0], last[1], last[2], last[3], 0x01});
    EXPECT_TRUE(std::equal(tail.begin(), tail.end(), out.end() - 6));
}

TEST(AmlBuilder, KeepsTwoBytePkgLengthUpTo4095) {
    std::vector<std::byte> out = scope_of_names(681);  // body 4090, PkgLength 4092 = 0xFFC
    ASSERT_GE(out.size(), 3u);
    EXPECT_EQ(out[1], std::byte{0x4C});
    EXPECT_EQ(out[2], std::byte{0xFF});
    expect_names_follow(out, 2, 681);
}

TEST(AmlBuilder, GrowsPkgLengthToThreeBytesPast4095) {
    std::vector<std::byte> out = scope_of_names(682);  // body 4096, PkgLength 4099 = 0x1003
    ASSERT_GE(out.size(), 4u);
    EXPECT_EQ(out[1], std::byte{0x83});
    EXPECT_EQ(out[2], std::byte{0x00});
    EXPECT_EQ(out[3], std::byte{0x01});
    expect_names_follow(out, 3, 682);
}

// COM1's _CRS: ACPI 6.5 sec 6.4.2.5 IO (47, decode16, min, max, alignment, length), sec 6.4.2.1
// IRQNoFlags (22, mask 0x0010), sec 6.4.2.9 End Tag (79 00), in a Buffer of 0x0D bytes whose
// PkgLength covers BufferSize (0A 0D), the 13 bytes and itself.
TEST(AmlBuilder, EncodesSerialPortResourceTemplate) {
    EXPECT_EQ(emitted([](AmlBuilder& a) {
                  a.name("_CRS");
                  auto crs = a.begin_resource_template();
                  a.io(0x3F8, 0x3F8, 1, 8);
                  a.irq_no_flags(4);
                  a.end(crs);
              }),
              bytes({0x08, '_',  'C',  'R',  'S',  0x11, 0x10, 0x0A, 0x0D, 0x47, 0x01,
                     0xF8, 0x03, 0xF8, 0x03, 0x01, 0x08, 0x22, 0x10, 0x00, 0x79, 0x00}));
}

TEST(AmlBuilder, EncodesMemory32Fixed) {
    EXPECT_EQ(emitted([](AmlBuilder& a) {
                  auto crs = a.begin_resource_template();
                  a.memory32_fixed(true, 0xE000'0000, 0x10'0000);
                  a.end(crs);
              }),
              bytes({0x11, 0x11, 0x0A, 0x0E, 0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0xE0, 0x00,
                     0x00, 0x10, 0x00, 0x79, 0x00}));
}

// WordBusNumber(ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, 0, 0xFF, 0, 0x100):
// ACPI 6.5 sec 6.4.3.5.3, length 0x0D, type 2, general flags 0x0C.
TEST(AmlBuilder, EncodesWordBusNumberWindow) {
    std::vector<std::byte> out = emitted([](AmlBuilder& a) {
        auto crs = a.begin_resource_template();
        a.address_window(AddressWidth::kWord, {AddressResource::kBusNumber, 0, 0, 0xFF});
        a.end(crs);
    });
    EXPECT_EQ(out, bytes({0x11, 0x15, 0x0A, 0x12, 0x88, 0x0D, 0x00, 0x02, 0x0C, 0x00, 0x00,
                          0x00, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x01, 0x79, 0x00}));
}

// DWordMemory(ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite, 0,
// 0xC0000000, 0xDFFFFFFF, 0, 0x20000000): sec 6.4.3.5.2, length 0x17, type-specific flags 0x01.
TEST(AmlBuilder, EncodesDWordMemoryWindow) {
    std::vector<std::byte> out = emitted([](AmlBuilder& a) {
        auto crs = a.begin_resource_template();
        a.address_window(
            AddressWidth::kDWord,
            {AddressResource::kMemory, kMemReadWrite | kMemNonCacheable, 0xC000'0000, 0xDFFF'FFFF});
        a.end(crs);
    });
    EXPECT_EQ(out, bytes({0x11, 0x1F, 0x0A, 0x1C, 0x87, 0x17, 0x00, 0x00, 0x0C, 0x01, 0x00,
                          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0xFF, 0xFF, 0xFF, 0xDF,
                          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x79, 0x00}));
}

// QWordMemory(..., Cacheable, ReadWrite, 0, 1 TiB, 1 TiB + 256 GiB - 1, 0, 256 GiB): sec
// 6.4.3.5.1, length 0x2B, type-specific flags 0x03. 46 + 2 bytes make BufferSize 0x30.
TEST(AmlBuilder, EncodesQWordMemoryWindow) {
    std::vector<std::byte> out = emitted([](AmlBuilder& a) {
        auto crs = a.begin_resource_template();
        a.address_window(AddressWidth::kQWord,
                         {AddressResource::kMemory, kMemReadWrite | kMemCacheable, 0x100'0000'0000,
                          0x13F'FFFF'FFFF});
        a.end(crs);
    });
    EXPECT_EQ(out, bytes({0x11, 0x33, 0x0A, 0x30, 0x8A, 0x2B, 0x00, 0x00, 0x0C,
                          0x03, 0,    0,    0,    0,    0,    0,    0,    0,  // _GRA
                          0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0,    0,        // _MIN
                          0xFF, 0xFF, 0xFF, 0xFF, 0x3F, 0x01, 0,    0,        // _MAX
                          0,    0,    0,    0,    0,    0,    0,    0,        // _TRA
                          0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0,    0,        // _LEN
                          0x79, 0x00}));
}

TEST(AmlBuilder, RejectsWindowWiderThanItsDescriptor) {
    EXPECT_EQ(error_of([](AmlBuilder& a) {
                  auto crs = a.begin_resource_template();
                  a.address_window(AddressWidth::kWord, {AddressResource::kIo, 0, 0, 0x1'0000});
                  a.end(crs);
              }),
              Errc::kInvalid);
    // 0..0xFFFF is 0x10000 ports: the length does not fit 16 bits.
    EXPECT_EQ(error_of([](AmlBuilder& a) {
                  auto crs = a.begin_resource_template();
                  a.address_window(AddressWidth::kWord, {AddressResource::kIo, 0, 0, 0xFFFF});
                  a.end(crs);
              }),
              Errc::kInvalid);
    EXPECT_EQ(error_of([](AmlBuilder& a) {
                  auto crs = a.begin_resource_template();
                  a.address_window(AddressWidth::kQWord, {AddressResource::kMemory, 0, 2, 1});
                  a.end(crs);
              }),
              Errc::kInvalid);
}

TEST(AmlBuilder, RejectsIrqAboveFifteen) {
    EXPECT_EQ(error_of([](AmlBuilder& a) {
                  auto crs = a.begin_resource_template();
                  a.irq_no_flags(16);
                  a.end(crs);
              }),
              Errc::kInvalid);
}

TEST(AmlBuilder, RejectsDescriptorOutsideResourceTemplate) {
    EXPECT_EQ(error_of([](AmlBuilder& a) { a.io(0x3F8, 0x3F8, 1, 8); }), Errc::kInvalid);
    EXPECT_EQ(error_of([](AmlBuilder& a) {
                  auto dev = a.begin_device("COM1");
                  a.irq_no_flags(4);
                  a.end(dev);
              }),
              Errc::kInvalid);
}

TEST(AmlBuilder, RejectsObjectsEndedOutOfOrder) {
    EXPECT_EQ(error_of([](AmlBuilder& a) {
                  auto scope = a.begin_scope("_SB");
                  auto dev = a.begin_device("PCI0");
                  a.end(scope);
                  a.end(dev);
              }),
              Errc::kInvalid);
}

TEST(AmlBuilder, RejectsObjectNeverEnded) {
    EXPECT_EQ(error_of([](AmlBuilder& a) { (void)a.begin_scope("_SB"); }), Errc::kInvalid);
}

TEST(AmlBuilder, ReportsFullOutputAndWritesNothingPastIt) {
    std::vector<std::byte> out(8, std::byte{0xAA});
    AmlBuilder aml(std::span<std::byte>(out).first(4));
    aml.string("ACPI0007");
    auto size = aml.finish();
    ASSERT_FALSE(size.ok());
    EXPECT_EQ(size.error().code, Errc::kTooMany);
    for (std::size_t i = 4; i < out.size(); ++i) EXPECT_EQ(out[i], std::byte{0xAA}) << i;
}

TEST(AmlBuilder, KeepsTheFirstError) {
    std::vector<std::byte> out(64);
    AmlBuilder aml(out);
    aml.name_string("bad");
    aml.irq_no_flags(4);  // would be a different error
    auto size = aml.finish();
    ASSERT_FALSE(size.ok());
    EXPECT_STREQ(size.error().what, "malformed AML name");
}

}  // namespace
}  // namespace hv::vmm::platform
