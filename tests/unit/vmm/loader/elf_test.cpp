#include "vmm/loader/elf.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/vmm/loader/image_builders.hpp"

namespace hv::vmm::loader {
namespace {

using test::bytes_of;
using test::ElfBuilder;
using test::Image;
using test::pattern;
using test::put;

std::string reason(const LoadResult<ElfImage>& r) { return r.ok() ? "(ok)" : r.error().c_str(); }

ElfBuilder two_segment_elf32() {
    ElfBuilder b(ElfClass::kElf32);
    b.entry(0xc0100020)
        .segment({0x100000, 0xc0100000, pattern(0x200), 0x200, kPfRead | kPfExecute})
        .segment({0x101000, 0xc0101000, pattern(0x80), 0x1000, kPfRead | kPfWrite});
    return b;
}

TEST(Elf, ParsesElf32HeaderAndLoadSegments) {
    const ElfBuilder b = two_segment_elf32();
    const Image img = b.build();
    const auto r = parse_elf(bytes_of(img));
    ASSERT_TRUE(r.ok()) << reason(r);
    const ElfImage& elf = r.value();
    EXPECT_EQ(elf.elf_class, ElfClass::kElf32);
    EXPECT_EQ(elf.machine, kEmI386);
    EXPECT_EQ(elf.entry, 0xc0100020u);
    ASSERT_EQ(elf.segments().size(), 2u);
    const ElfSegment& data = elf.segments()[1];
    EXPECT_EQ(data.paddr, 0x101000u);
    EXPECT_EQ(data.vaddr, 0xc0101000u);
    EXPECT_EQ(data.filesz, 0x80u);
    EXPECT_EQ(data.memsz, 0x1000u);
    EXPECT_EQ(data.flags, kPfRead | kPfWrite);
    EXPECT_EQ(img[data.offset], pattern(1)[0]);
}

TEST(Elf, ParsesElf64HeaderAndLoadSegments) {
    ElfBuilder b(ElfClass::kElf64);
    b.entry(0xffffffff81000000)
        .segment({0x1000000, 0xffffffff81000000, pattern(0x100), 0x2000, kPfRead | kPfExecute});
    const auto r = parse_elf(bytes_of(b.build()));
    ASSERT_TRUE(r.ok()) << reason(r);
    EXPECT_EQ(r.value().elf_class, ElfClass::kElf64);
    EXPECT_EQ(r.value().machine, kEmX86_64);
    EXPECT_EQ(r.value().entry, 0xffffffff81000000u);
    ASSERT_EQ(r.value().segments().size(), 1u);
    EXPECT_EQ(r.value().segments()[0].vaddr, 0xffffffff81000000u);
    EXPECT_EQ(r.value().segments()[0].memsz, 0x2000u);
}

TEST(Elf, SkipsNonLoadAndEmptySegments) {
    ElfBuilder b(ElfClass::kElf32);
    b.segment({0, 0, pattern(16), 16, kPfRead, test::kPtNote})
        .segment({0x200000, 0x200000, {}, 0})
        .segment({0x100000, 0x100000, pattern(16), 16});
    const auto r = parse_elf(bytes_of(b.build()));
    ASSERT_TRUE(r.ok()) << reason(r);
    ASSERT_EQ(r.value().segments().size(), 1u);
    EXPECT_EQ(r.value().segments()[0].paddr, 0x100000u);
}

TEST(Elf, RejectsMissingMagic) {
    Image img = two_segment_elf32().build();
    img[1] = std::byte{'X'};
    EXPECT_NE(reason(parse_elf(bytes_of(img))).find("no \\x7fELF magic"), std::string::npos);
}

TEST(Elf, RejectsTruncatedIdent) {
    const Image img = two_segment_elf32().build();
    EXPECT_FALSE(parse_elf(bytes_of(img).first(10)).ok());
}

TEST(Elf, RejectsTruncatedHeader) {
    const Image img = two_segment_elf32().build();
    EXPECT_NE(reason(parse_elf(bytes_of(img).first(40))).find("too short for its header"),
              std::string::npos);
}

TEST(Elf, RejectsUnknownClass) {
    Image img = two_segment_elf32().build();
    img[4] = std::byte{3};
    EXPECT_NE(reason(parse_elf(bytes_of(img))).find("ELF class 3"), std::string::npos);
}

TEST(Elf, RejectsBigEndian) {
    Image img = two_segment_elf32().build();
    img[5] = std::byte{2};
    const auto r = parse_elf(bytes_of(img));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kUnsupported);
    EXPECT_NE(reason(r).find("not little-endian"), std::string::npos);
}

TEST(Elf, RejectsBadIdentVersion) {
    Image img = two_segment_elf32().build();
    img[6] = std::byte{0};
    EXPECT_FALSE(parse_elf(bytes_of(img)).ok());
}

TEST(Elf, RejectsX86_64MachineInElf32) {
    Image img = two_segment_elf32().build();
    put<std::uint16_t>(img, test::kElf32Offsets.e_machine, kEmX86_64);
    EXPECT_NE(reason(parse_elf(bytes_of(img))).find("ELF machine 62 is not EM_386"),
              std::string::npos);
}

TEST(Elf, RejectsI386MachineInElf64) {
    ElfBuilder b(ElfClass::kElf64);
    b.segment({0x100000, 0x100000, pattern(16), 16});
    Image img = b.build();
    put<std::uint16_t>(img, test::kElf64Offsets.e_machine, kEmI386);
    EXPECT_NE(reason(parse_elf(bytes_of(img))).find("EM_X86_64"), std::string::npos);
}

TEST(Elf, RejectsSharedObject) {
    Image img = two_segment_elf32().build();
    put<std::uint16_t>(img, test::kElf32Offsets.e_type, 3);  // ET_DYN
    EXPECT_NE(reason(parse_elf(bytes_of(img))).find("ELF type 3 is not an executable"),
              std::string::npos);
}

TEST(Elf, RejectsBadHeaderVersion) {
    Image img = two_segment_elf32().build();
    put<std::uint32_t>(img, test::kElf32Offsets.e_version, 2);
    EXPECT_NE(reason(parse_elf(bytes_of(img))).find("e_version 2"), std::string::npos);
}

TEST(Elf, RejectsWrongProgramHeaderEntrySize) {
    Image img = two_segment_elf32().build();
    put<std::uint16_t>(img, test::kElf32Offsets.e_phentsize, 56);
    EXPECT_NE(reason(parse_elf(bytes_of(img))).find("e_phentsize 56 is not 32"), std::string::npos);
}

TEST(Elf, RejectsProgramHeadersBeyondFile) {
    Image img = two_segment_elf32().build();
    put<std::uint16_t>(img, test::kElf32Offsets.e_phnum, 200);
    EXPECT_NE(reason(parse_elf(bytes_of(img))).find("program headers at 0x34 (200 x 32 bytes)"),
              std::string::npos)
        << reason(parse_elf(bytes_of(img)));
}

TEST(Elf, RejectsProgramHeaderOffsetNearTopOfAddressSpace) {
    ElfBuilder b(ElfClass::kElf64);
    b.segment({0x100000, 0x100000, pattern(16), 16});
    Image img = b.build();
    put<std::uint64_t>(img, test::kElf64Offsets.e_phoff, ~std::uint64_t{0} - 8);
    EXPECT_FALSE(parse_elf(bytes_of(img)).ok());
}

TEST(Elf, RejectsExtendedProgramHeaderNumbering) {
    Image img = two_segment_elf32().build();
    put<std::uint16_t>(img, test::kElf32Offsets.e_phnum, 0xffff);
    EXPECT_NE(reason(parse_elf(bytes_of(img))).find("PN_XNUM"), std::string::npos);
}

TEST(Elf, RejectsSegmentFileRangeOutsideFile) {
    ElfBuilder b = two_segment_elf32();
    Image img = b.build();
    put<std::uint32_t>(img, b.phdr_at(1) + test::kElf32Offsets.p_filesz, 0x800);
    EXPECT_NE(reason(parse_elf(bytes_of(img))).find("ELF segment 1 file range"), std::string::npos)
        << reason(parse_elf(bytes_of(img)));
}

TEST(Elf, RejectsSegmentFileOffsetOverflow) {
    ElfBuilder b(ElfClass::kElf64);
    b.segment({0x100000, 0x100000, pattern(16), 0x100});
    Image img = b.build();
    put<std::uint64_t>(img, b.phdr_at(0) + test::kElf64Offsets.p_offset, ~std::uint64_t{0} - 4);
    EXPECT_NE(reason(parse_elf(bytes_of(img))).find("is outside the file"), std::string::npos);
}

TEST(Elf, RejectsFileszLargerThanMemsz) {
    ElfBuilder b(ElfClass::kElf32);
    b.segment({0x100000, 0x100000, pattern(0x100), 0x80});
    EXPECT_NE(reason(parse_elf(bytes_of(b.build()))).find("filesz 0x100 larger than memsz 0x80"),
              std::string::npos);
}

TEST(Elf, RejectsElf32SegmentPast4GiB) {
    ElfBuilder b(ElfClass::kElf32);
    b.segment({0xfffff000, 0xfffff000, pattern(16), 0x2000});
    EXPECT_NE(reason(parse_elf(bytes_of(b.build()))).find("wraps the address space"),
              std::string::npos);
}

TEST(Elf, AcceptsElf32SegmentEndingExactlyAt4GiB) {
    ElfBuilder b(ElfClass::kElf32);
    b.segment({0xfffff000, 0xfffff000, pattern(16), 0x1000});
    EXPECT_TRUE(parse_elf(bytes_of(b.build())).ok());
}

TEST(Elf, RejectsElf64VirtualAddressWrap) {
    ElfBuilder b(ElfClass::kElf64);
    b.segment({0x100000, 0xfffffffffffff000, pattern(16), 0x2000});
    EXPECT_NE(reason(parse_elf(bytes_of(b.build()))).find("wraps"), std::string::npos);
}

TEST(Elf, RejectsOverlappingPhysicalRanges) {
    ElfBuilder b(ElfClass::kElf32);
    b.segment({0x100000, 0x100000, pattern(16), 0x2000})
        .segment({0x101000, 0x200000, pattern(16), 0x1000});
    EXPECT_NE(reason(parse_elf(bytes_of(b.build())))
                  .find("ELF segment 1 at paddr 0x101000 (memsz 0x1000) overlaps the segment at "
                        "0x100000 (memsz 0x2000)"),
              std::string::npos)
        << reason(parse_elf(bytes_of(b.build())));
}

TEST(Elf, AcceptsAdjacentSegments) {
    ElfBuilder b(ElfClass::kElf32);
    b.segment({0x100000, 0x100000, pattern(16), 0x1000})
        .segment({0x101000, 0x101000, pattern(16), 0x1000});
    EXPECT_TRUE(parse_elf(bytes_of(b.build())).ok());
}

TEST(Elf, RejectsFileWithoutLoadSegments) {
    ElfBuilder b(ElfClass::kElf32);
    b.segment({0, 0, pattern(16), 16, kPfRead, test::kPtNote});
    EXPECT_NE(reason(parse_elf(bytes_of(b.build()))).find("no loadable (PT_LOAD) segment"),
              std::string::npos);
}

TEST(Elf, RejectsMoreSegmentsThanTheLimit) {
    ElfBuilder b(ElfClass::kElf32);
    for (std::uint64_t i = 0; i <= kMaxElfLoadSegments; ++i) {
        b.segment({0x100000 + i * 0x1000, 0x100000 + i * 0x1000, pattern(8), 0x1000});
    }
    const auto r = parse_elf(bytes_of(b.build()));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kTooMany);
}

}  // namespace
}  // namespace hv::vmm::loader
