#include "vmm/loader/multiboot_guest.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/vmm/loader/fake_guest_ram.hpp"
#include "tests/unit/vmm/loader/image_builders.hpp"

namespace hv::vmm::loader {
namespace {

using test::bytes_of;
using test::ElfBuilder;
using test::Image;
using test::pattern;

constexpr std::uint64_t kRam = 32 * kMiB;

std::string reason(const LoadResult<MultibootLoad>& r) {
    return r.ok() ? "(ok)" : r.error().c_str();
}

LoadResult<MultibootLoad> load(FakeGuestRam& ram, const Image& kernel, StrView cmdline = "",
                               Optional<BootModule> module = kNone) {
    MultibootLoadRequest req;
    req.kernel = bytes_of(kernel);
    req.cmdline = cmdline;
    req.module = module;
    return load_multiboot(ram, req);
}

std::uint64_t info(FakeGuestRam& ram, std::uint64_t offset) {
    return ram.peek<std::uint32_t>(kMultibootInfoGpa + offset);
}

TEST(MultibootGuest, CopiesSegmentsToTheirPhysicalAddresses) {
    FakeGuestRam ram(kRam);
    const auto r = load(ram, test::multiboot_kernel32().build());
    ASSERT_TRUE(r.ok()) << reason(r);
    EXPECT_EQ(ram.peek_bytes(0x100000, 0x3000), pattern(0x3000));
}

TEST(MultibootGuest, ZeroesTheTailBeyondFilesz) {
    FakeGuestRam ram(kRam, 0, std::byte{0xcc});
    ASSERT_TRUE(load(ram, test::multiboot_kernel32().build()).ok());
    EXPECT_EQ(ram.peek_bytes(0x103000, 0x2000), std::vector<std::byte>(0x2000, std::byte{0}));
    EXPECT_EQ(ram.peek<std::uint8_t>(0x105000), 0xcc);
}

TEST(MultibootGuest, TranslatesEntryPointThroughTheSegmentsVirtualAddress) {
    ElfBuilder b(ElfClass::kElf32);
    b.multiboot().entry(0xc0100040).segment({0x100000, 0xc0100000, pattern(0x100), 0x100});
    FakeGuestRam ram(kRam);
    const auto r = load(ram, b.build());
    ASSERT_TRUE(r.ok()) << reason(r);
    EXPECT_EQ(r.value().entry, 0x100040u);
}

TEST(MultibootGuest, ReturnsInfoAddressForEbx) {
    FakeGuestRam ram(kRam);
    const auto r = load(ram, test::multiboot_kernel32().build());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().info_gpa, 0x9000u);
}

TEST(MultibootGuest, SetsFlagsMemCmdlineModsMmap) {
    FakeGuestRam ram(kRam);
    ASSERT_TRUE(load(ram, test::multiboot_kernel32().build()).ok());
    EXPECT_EQ(info(ram, 0), (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6));
}

TEST(MultibootGuest, ReportsMemLowerAndMemUpperInKiB) {
    FakeGuestRam ram(kRam);
    ASSERT_TRUE(load(ram, test::multiboot_kernel32().build()).ok());
    EXPECT_EQ(info(ram, 4), 639u);
    EXPECT_EQ(info(ram, 8), (kRam - kMiB) / 1024);
}

TEST(MultibootGuest, WritesTheCommandLine) {
    FakeGuestRam ram(kRam);
    ASSERT_TRUE(load(ram, test::multiboot_kernel32().build(), "console=com1 test=7").ok());
    EXPECT_EQ(ram.peek_string(info(ram, 16)), "console=com1 test=7");
}

TEST(MultibootGuest, WritesEmptyCommandLineAsEmptyString) {
    FakeGuestRam ram(kRam, 0, std::byte{'x'});
    ASSERT_TRUE(load(ram, test::multiboot_kernel32().build()).ok());
    EXPECT_EQ(ram.peek_string(info(ram, 16)), "");
}

TEST(MultibootGuest, PlacesModulePageAlignedAfterTheKernel) {
    FakeGuestRam ram(kRam);
    const auto blob = pattern(0x1234, 5);
    const auto r = load(ram, test::multiboot_kernel32().build(), "",
                        BootModule{Bytes(blob.data(), blob.size()), "initrd"});
    ASSERT_TRUE(r.ok()) << reason(r);
    ASSERT_EQ(info(ram, 20), 1u);
    const std::uint64_t mods = info(ram, 24);
    const auto start = ram.peek<std::uint32_t>(mods);
    const auto end = ram.peek<std::uint32_t>(mods + 4);
    EXPECT_EQ(start, 0x105000u);  // kernel memsz ends at 0x105000, already page-aligned
    EXPECT_EQ(end, 0x105000u + 0x1234);
    EXPECT_EQ(ram.peek_bytes(start, 0x1234), blob);
}

TEST(MultibootGuest, RoundsModuleStartUpToAPage) {
    ElfBuilder b(ElfClass::kElf32);
    b.multiboot().segment({0x100000, 0x100000, pattern(0x10), 0x1001});
    FakeGuestRam ram(kRam);
    const auto blob = pattern(16);
    ASSERT_TRUE(load(ram, b.build(), "", BootModule{Bytes(blob.data(), blob.size()), "m"}).ok());
    EXPECT_EQ(ram.peek<std::uint32_t>(info(ram, 24)), 0x102000u);
}

TEST(MultibootGuest, GivesTheModuleItsNameAsString) {
    FakeGuestRam ram(kRam);
    const auto blob = pattern(16);
    ASSERT_TRUE(load(ram, test::multiboot_kernel32().build(), "",
                     BootModule{Bytes(blob.data(), blob.size()), "linux-initrd"})
                    .ok());
    EXPECT_EQ(ram.peek_string(ram.peek<std::uint32_t>(info(ram, 24) + 8)), "linux-initrd");
}

TEST(MultibootGuest, ReportsZeroModulesWithoutAModule) {
    FakeGuestRam ram(kRam);
    ASSERT_TRUE(load(ram, test::multiboot_kernel32().build()).ok());
    EXPECT_EQ(info(ram, 20), 0u);
}

TEST(MultibootGuest, MemoryMapFollowsTheGuestAbi) {
    FakeGuestRam ram(kRam);
    ASSERT_TRUE(load(ram, test::multiboot_kernel32().build()).ok());
    ASSERT_EQ(info(ram, 44), 3u * 24);
    const std::uint64_t map = info(ram, 48);
    struct Entry {
        std::uint64_t base, length;
        std::uint32_t type;
    };
    const Entry want[] = {{0, 0x9fc00, 1}, {0x9fc00, 0x60400, 2}, {0x100000, kRam - kMiB, 1}};
    for (std::size_t i = 0; i < 3; ++i) {
        const std::uint64_t e = map + i * 24;
        EXPECT_EQ(ram.peek<std::uint32_t>(e), 20u) << i;
        EXPECT_EQ(ram.peek<std::uint64_t>(e + 4), want[i].base) << i;
        EXPECT_EQ(ram.peek<std::uint64_t>(e + 12), want[i].length) << i;
        EXPECT_EQ(ram.peek<std::uint32_t>(e + 20), want[i].type) << i;
    }
}

TEST(MultibootGuest, MemoryMapIncludesRamAbove4GiB) {
    FakeGuestRam ram(kRam, 2 * kMiB);
    ASSERT_TRUE(load(ram, test::multiboot_kernel32().build()).ok());
    ASSERT_EQ(info(ram, 44), 4u * 24);
    const std::uint64_t e = info(ram, 48) + 3 * 24;
    EXPECT_EQ(ram.peek<std::uint64_t>(e + 4), k4GiB);
    EXPECT_EQ(ram.peek<std::uint64_t>(e + 12), 2 * kMiB);
    EXPECT_EQ(ram.peek<std::uint32_t>(e + 20), 1u);
}

TEST(MultibootGuest, ListsLoadedRanges) {
    FakeGuestRam ram(kRam);
    const auto blob = pattern(0x100);
    const auto r = load(ram, test::multiboot_kernel32().build(), "",
                        BootModule{Bytes(blob.data(), blob.size()), "m"});
    ASSERT_TRUE(r.ok());
    const auto ranges = r.value().ranges.view();
    ASSERT_EQ(ranges.size(), 3u);
    EXPECT_EQ(ranges[0].gpa, 0x100000u);
    EXPECT_EQ(ranges[0].size, 0x5000u);
    EXPECT_STREQ(ranges[0].what, "kernel");
    EXPECT_EQ(ranges[1].gpa, 0x105000u);
    EXPECT_STREQ(ranges[1].what, "module");
    EXPECT_EQ(ranges[2].gpa, kMultibootAreaGpa);
}

TEST(MultibootGuest, DescribesTheLoad) {
    FakeGuestRam ram(kRam);
    const auto r = load(ram, test::multiboot_kernel32().build());
    ASSERT_TRUE(r.ok());
    BufferSink<256> out;
    print(out, r.value());
    EXPECT_STREQ(out.c_str(),
                 "multiboot entry=0x100010 ebx=0x9000 kernel 0x100000-0x105000 multiboot-info "
                 "0x9000-0xb000");
}

TEST(MultibootGuest, LoadsElf64KernelBelow4GiB) {
    ElfBuilder b(ElfClass::kElf64);
    b.multiboot().segment({0x200000, 0x200000, pattern(0x40), 0x40});
    FakeGuestRam ram(kRam);
    const auto r = load(ram, b.build());
    ASSERT_TRUE(r.ok()) << reason(r);
    EXPECT_EQ(r.value().entry, 0x200000u);
}

TEST(MultibootGuest, IgnoresAoutKludgeFlagForElf) {
    ElfBuilder b = test::multiboot_kernel32();
    b.multiboot(kMultibootPageAlignModules | kMultibootAoutKludge);
    FakeGuestRam ram(kRam);
    EXPECT_TRUE(load(ram, b.build()).ok());
}

TEST(MultibootGuest, NeverAsksForASpanCrossingA2MiBChunk) {
    ElfBuilder b(ElfClass::kElf32);
    b.multiboot().segment({0x100000, 0x100000, pattern(0x300000), 0x400000});
    FakeGuestRam ram(kRam);
    const auto blob = pattern(0x280000);
    ASSERT_TRUE(load(ram, b.build(), "", BootModule{Bytes(blob.data(), blob.size()), "m"}).ok());
    EXPECT_FALSE(ram.crossed_chunk());
    EXPECT_EQ(ram.peek_bytes(0x100000, 0x300000), pattern(0x300000));
}

TEST(MultibootGuest, RejectsSegmentOutsideRamNamingIt) {
    ElfBuilder b(ElfClass::kElf32);
    b.multiboot()
        .segment({0x100000, 0x100000, pattern(16), 0x1000})
        .segment({0x1f00000, 0x1f00000, pattern(16), 0x200000});
    FakeGuestRam ram(kRam);
    const auto r = load(ram, b.build());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(reason(r),
              "segment 1 at 0x1f00000 (size 0x200000) is outside guest RAM (0x2000000 bytes "
              "below 4 GiB)");
}

TEST(MultibootGuest, RejectsSegmentInRamAbove4GiB) {
    ElfBuilder b(ElfClass::kElf64);
    b.multiboot().segment({k4GiB, k4GiB, pattern(16), 0x1000});
    FakeGuestRam ram(kRam, 4 * kMiB);
    const auto r = load(ram, b.build());
    EXPECT_NE(reason(r).find("is outside guest RAM"), std::string::npos) << reason(r);
}

TEST(MultibootGuest, RejectsSegmentOverlappingTheMultibootArea) {
    ElfBuilder b(ElfClass::kElf32);
    b.multiboot().segment({0x8000, 0x8000, pattern(16), 0x2000});
    FakeGuestRam ram(kRam);
    EXPECT_EQ(reason(load(ram, b.build())),
              "segment 0 at 0x8000 (size 0x2000) overlaps the Multiboot information area "
              "0x9000-0xb000");
}

TEST(MultibootGuest, RejectsSegmentOverlappingTheBootScratchArea) {
    ElfBuilder b(ElfClass::kElf32);
    b.multiboot().segment({0x2000, 0x2000, pattern(16), 0x100});
    FakeGuestRam ram(kRam);
    EXPECT_NE(reason(load(ram, b.build())).find("boot scratch area"), std::string::npos);
}

TEST(MultibootGuest, RejectsSegmentInTheReservedHoleBelow1MiB) {
    ElfBuilder b(ElfClass::kElf32);
    b.multiboot().segment({0xa0000, 0xa0000, pattern(16), 0x100});
    FakeGuestRam ram(kRam);
    EXPECT_NE(reason(load(ram, b.build())).find("overlaps the reserved area 0x9fc00-0x100000"),
              std::string::npos);
}

TEST(MultibootGuest, AcceptsSegmentInConventionalMemory) {
    ElfBuilder b(ElfClass::kElf32);
    b.multiboot().segment({0x10000, 0x10000, pattern(16), 0x100});
    FakeGuestRam ram(kRam);
    EXPECT_TRUE(load(ram, b.build()).ok());
}

TEST(MultibootGuest, RejectsEntryPointOutsideEverySegment) {
    ElfBuilder b = test::multiboot_kernel32();
    b.entry(0x300000);
    FakeGuestRam ram(kRam);
    EXPECT_EQ(reason(load(ram, b.build())),
              "entry point 0x300000 is not inside any loadable segment");
}

TEST(MultibootGuest, RejectsVideoModeRequirement) {
    ElfBuilder b = test::multiboot_kernel32();
    b.multiboot(kMultibootPageAlignModules | kMultibootWantVideoMode);
    FakeGuestRam ram(kRam);
    const auto r = load(ram, b.build());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kUnsupported);
    EXPECT_NE(reason(r).find("requires features 0x4 (bit 2: video mode)"), std::string::npos)
        << reason(r);
}

TEST(MultibootGuest, RejectsUnknownRequirementBits) {
    ElfBuilder b = test::multiboot_kernel32();
    b.multiboot(1u << 9);
    FakeGuestRam ram(kRam);
    EXPECT_NE(reason(load(ram, b.build())).find("requires features 0x200"), std::string::npos);
}

TEST(MultibootGuest, RejectsBzImage) {
    FakeGuestRam ram(kRam);
    EXPECT_EQ(reason(load(ram, test::make_bzimage())),
              "image is a Linux bzImage, not a Multiboot ELF");
}

TEST(MultibootGuest, RejectsElfWithoutMultibootHeader) {
    ElfBuilder b(ElfClass::kElf32);
    b.segment({0x100000, 0x100000, pattern(16), 16});
    FakeGuestRam ram(kRam);
    EXPECT_NE(reason(load(ram, b.build())).find("without a Multiboot header"), std::string::npos);
}

TEST(MultibootGuest, RejectsModuleThatDoesNotFit) {
    FakeGuestRam ram(2 * kMiB);
    const auto blob = pattern(0x100000);
    const auto r = load(ram, test::multiboot_kernel32().build(), "",
                        BootModule{Bytes(blob.data(), blob.size()), "big"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kNoMemory);
    EXPECT_EQ(reason(r),
              "module 'big' (0x100000 bytes) does not fit in guest RAM after the kernel "
              "(0x105000-0x200000 is free)");
}

TEST(MultibootGuest, RejectsOverlongCommandLine) {
    FakeGuestRam ram(kRam);
    const std::string cmdline(kMaxMultibootCmdlineLen + 1, 'a');
    EXPECT_NE(reason(load(ram, test::multiboot_kernel32().build(), cmdline.c_str()))
                  .find("command line (4096 bytes) is longer than 4095 bytes"),
              std::string::npos);
}

TEST(MultibootGuest, AcceptsCommandLineOfMaximumLength) {
    FakeGuestRam ram(kRam);
    const std::string cmdline(kMaxMultibootCmdlineLen, 'a');
    ASSERT_TRUE(load(ram, test::multiboot_kernel32().build(), cmdline.c_str()).ok());
    EXPECT_EQ(ram.peek_string(kMultibootCmdlineGpa), cmdline);
}

TEST(MultibootGuest, RejectsOverlongModuleName) {
    FakeGuestRam ram(kRam);
    const std::string name(kMaxMultibootNameLen + 1, 'n');
    const auto blob = pattern(16);
    EXPECT_NE(reason(load(ram, test::multiboot_kernel32().build(), "",
                          BootModule{Bytes(blob.data(), blob.size()), name.c_str()}))
                  .find("module name (1024 bytes)"),
              std::string::npos);
}

TEST(MultibootGuest, RejectsGuestWithRamEndingAt1MiB) {
    FakeGuestRam ram(kMiB);
    EXPECT_NE(reason(load(ram, test::multiboot_kernel32().build())).find("not above 1 MiB"),
              std::string::npos);
}

}  // namespace
}  // namespace hv::vmm::loader
