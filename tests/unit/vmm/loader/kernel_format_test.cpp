#include "vmm/loader/kernel_format.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/vmm/loader/image_builders.hpp"

namespace hv::vmm::loader {
namespace {

using test::bytes_of;
using test::Image;
using test::put;

std::string reason(const LoadResult<KernelFormat>& r) { return r.error().c_str(); }

// A non-ELF blob with a valid Multiboot header at `offset`.
Image blob_with_multiboot_header(std::size_t offset, std::size_t size = 0x3000) {
    Image img(size, std::byte{0});
    put<std::uint32_t>(img, offset, kMultibootHeaderMagic);
    put<std::uint32_t>(img, offset + 4, 3);
    put<std::uint32_t>(img, offset + 8, 0u - kMultibootHeaderMagic - 3);
    return img;
}

TEST(KernelFormat, DetectsBzImageFromHdrSSignature) {
    const Image img = test::make_bzimage();
    const auto r = detect_kernel_format(bytes_of(img));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), KernelFormat::kLinuxBzImage);
}

TEST(KernelFormat, DetectsMultibootElf32) {
    const Image img = test::multiboot_kernel32().build();
    const auto r = detect_kernel_format(bytes_of(img));
    ASSERT_TRUE(r.ok()) << reason(r);
    EXPECT_EQ(r.value(), KernelFormat::kMultibootElf32);
}

TEST(KernelFormat, DetectsMultibootElf64) {
    test::ElfBuilder b(ElfClass::kElf64);
    b.multiboot().segment({0x100000, 0x100000, test::pattern(64), 64});
    const Image img = b.build();
    EXPECT_EQ(classify_kernel(bytes_of(img)), KernelFormat::kMultibootElf64);
}

TEST(KernelFormat, FindsMultibootHeaderAtLastAlignedSlotOfFirst8KiB) {
    const Image img = blob_with_multiboot_header(kMultibootSearchLimit - kMultibootHeaderMinSize);
    const Optional<MultibootHeader> h = find_multiboot_header(bytes_of(img));
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->offset, kMultibootSearchLimit - kMultibootHeaderMinSize);
    EXPECT_EQ(h->flags, 3u);
}

TEST(KernelFormat, IgnoresMultibootHeaderCrossingThe8KiBLimit) {
    const Image img = blob_with_multiboot_header(kMultibootSearchLimit - 8);
    EXPECT_FALSE(find_multiboot_header(bytes_of(img)).has_value());
}

TEST(KernelFormat, IgnoresUnalignedMultibootHeader) {
    const Image img = blob_with_multiboot_header(0x102);
    EXPECT_FALSE(find_multiboot_header(bytes_of(img)).has_value());
}

TEST(KernelFormat, IgnoresMultibootHeaderWithBadChecksum) {
    Image img = blob_with_multiboot_header(0x100);
    put<std::uint32_t>(img, 0x108, 0);
    EXPECT_FALSE(find_multiboot_header(bytes_of(img)).has_value());
}

TEST(KernelFormat, FindsMultibootHeaderInImageShorterThan8KiB) {
    const Image img = blob_with_multiboot_header(0x40, 0x4c);
    EXPECT_TRUE(find_multiboot_header(bytes_of(img)).has_value());
}

TEST(KernelFormat, RejectsUnknownBytesNamingBothMissingSignatures) {
    const Image img(0x1000, std::byte{0x90});
    const auto r = detect_kernel_format(bytes_of(img));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kUnsupported);
    EXPECT_NE(reason(r).find("not a bzImage or Multiboot ELF: no 'HdrS' signature and no "
                             "Multiboot header"),
              std::string::npos)
        << reason(r);
}

TEST(KernelFormat, RejectsElfWithoutMultibootHeaderSayingSo) {
    test::ElfBuilder b(ElfClass::kElf32);
    b.segment({0x100000, 0x100000, test::pattern(64), 64});
    const Image img = b.build();
    const auto r = detect_kernel_format(bytes_of(img));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(reason(r).find("ELF file without a Multiboot header"), std::string::npos)
        << reason(r);
}

TEST(KernelFormat, RejectsMultibootHeaderInNonElfFileSayingSo) {
    const Image img = blob_with_multiboot_header(0x20);
    const auto r = detect_kernel_format(bytes_of(img));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(reason(r).find("Multiboot header at 0x20 in a file that is not ELF"),
              std::string::npos)
        << reason(r);
}

TEST(KernelFormat, RejectsBootSectorWithoutHdrSSayingSo) {
    Image img(0x400, std::byte{0});
    put<std::uint16_t>(img, 0x1fe, 0xaa55);
    const auto r = detect_kernel_format(bytes_of(img));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(reason(r).find("boot sector signature 0xAA55 but no 'HdrS'"), std::string::npos)
        << reason(r);
}

TEST(KernelFormat, ClassifiesEmptyInputAsUnknown) {
    EXPECT_EQ(classify_kernel(Bytes()), KernelFormat::kUnknown);
    EXPECT_FALSE(detect_kernel_format(Bytes()).ok());
}

TEST(KernelFormat, ClassifiesMultibootElfOfBadClassAsUnknown) {
    Image img = test::multiboot_kernel32().build();
    img[4] = std::byte{9};
    EXPECT_EQ(classify_kernel(bytes_of(img)), KernelFormat::kUnknown);
}

TEST(KernelFormat, NamesEachFormat) {
    EXPECT_STREQ(name(KernelFormat::kMultibootElf32), "multiboot-elf32");
    EXPECT_STREQ(name(KernelFormat::kMultibootElf64), "multiboot-elf64");
    EXPECT_STREQ(name(KernelFormat::kLinuxBzImage), "linux-bzimage");
    EXPECT_STREQ(name(KernelFormat::kUnknown), "unknown");
}

}  // namespace
}  // namespace hv::vmm::loader
