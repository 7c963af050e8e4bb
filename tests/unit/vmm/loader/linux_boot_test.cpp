#include "vmm/loader/linux_boot.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/unit/vmm/loader/fake_guest_ram.hpp"
#include "tests/unit/vmm/loader/image_builders.hpp"

namespace hv::vmm::loader {
namespace {

using test::bytes_of;
using test::BzImageSpec;
using test::Image;
using test::make_bzimage;
using test::pattern;
using test::put;
namespace bp = boot_params;

constexpr std::uint64_t kRam = 32 * kMiB;

template <typename T>
std::string reason(const LoadResult<T>& r) {
    return r.ok() ? "(ok)" : r.error().c_str();
}

LoadResult<LinuxLoad> load(FakeGuestRam& ram, const Image& kernel, StrView cmdline = "",
                           Bytes initrd = {}) {
    LinuxLoadRequest req;
    req.kernel = bytes_of(kernel);
    req.cmdline = cmdline;
    req.initrd = initrd;
    return load_linux(ram, req);
}

template <typename T>
T zero_page(FakeGuestRam& ram, std::size_t offset) {
    return ram.peek<T>(kLinuxBootParamsGpa + offset);
}

TEST(LinuxBoot, BootParamsOffsetsMatchBootRst) {
    EXPECT_EQ(bp::kAcpiRsdpAddr, 0x070u);
    EXPECT_EQ(bp::kExtRamdiskImage, 0x0c0u);
    EXPECT_EQ(bp::kExtRamdiskSize, 0x0c4u);
    EXPECT_EQ(bp::kExtCmdLinePtr, 0x0c8u);
    EXPECT_EQ(bp::kE820Entries, 0x1e8u);
    EXPECT_EQ(bp::kHdr, 0x1f1u);
    EXPECT_EQ(bp::kTypeOfLoader, 0x210u);
    EXPECT_EQ(bp::kLoadflags, 0x211u);
    EXPECT_EQ(bp::kCode32Start, 0x214u);
    EXPECT_EQ(bp::kRamdiskImage, 0x218u);
    EXPECT_EQ(bp::kRamdiskSize, 0x21cu);
    EXPECT_EQ(bp::kCmdLinePtr, 0x228u);
    EXPECT_EQ(bp::kInitrdAddrMax, 0x22cu);
    EXPECT_EQ(bp::kXloadflags, 0x236u);
    EXPECT_EQ(bp::kPrefAddress, 0x258u);
    EXPECT_EQ(bp::kInitSize, 0x260u);
    EXPECT_EQ(bp::kE820Table, 0x2d0u);
    EXPECT_EQ(bp::kE820EntrySize * bp::kE820MaxEntries, 2560u);
}

TEST(LinuxBoot, ParsesSetupHeaderFields) {
    const auto r = parse_bzimage_header(bytes_of(make_bzimage()));
    ASSERT_TRUE(r.ok()) << reason(r);
    const LinuxSetupHeader& h = r.value();
    EXPECT_EQ(h.version, 0x020fu);
    EXPECT_EQ(h.setup_sects, 4u);
    EXPECT_EQ(h.setup_size, 5u * 512);
    EXPECT_EQ(h.kernel_size, 0x3000u);
    EXPECT_EQ(h.syssize, 0x300u);
    EXPECT_EQ(h.loadflags, kLoadedHigh);
    EXPECT_EQ(h.xloadflags, kXlfKernel64 | kXlfCanBeLoadedAbove4g);
    EXPECT_EQ(h.kernel_alignment, 0x200000u);
    EXPECT_EQ(h.relocatable_kernel, 1u);
    EXPECT_EQ(h.min_alignment, 21u);
    EXPECT_EQ(h.cmdline_size, 2047u);
    EXPECT_EQ(h.pref_address, 0x1000000u);
    EXPECT_EQ(h.init_size, 0x400000u);
    EXPECT_EQ(h.initrd_addr_max, 0x7fffffffu);
    EXPECT_EQ(h.header_end, 0x26cu);
}

TEST(LinuxBoot, SetupSectsZeroMeansFour) {
    BzImageSpec spec;
    spec.setup_sects = 0;
    const auto r = parse_bzimage_header(bytes_of(make_bzimage(spec)));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().setup_size, 5u * 512);
}

TEST(LinuxBoot, FieldsNewerThanTheProtocolReadAsZero) {
    BzImageSpec spec;
    spec.version = 0x0209;
    const auto r = parse_bzimage_header(bytes_of(make_bzimage(spec)));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().xloadflags, 0u);
    EXPECT_EQ(r.value().pref_address, 0u);
    EXPECT_EQ(r.value().init_size, 0u);
    EXPECT_EQ(r.value().kernel_alignment, 0x200000u);
}

TEST(LinuxBoot, FieldsBeyondTheHeaderLengthReadAsZero) {
    BzImageSpec spec;
    spec.header_length_byte = 0x34;  // header ends at 0x236, before xloadflags
    const auto r = parse_bzimage_header(bytes_of(make_bzimage(spec)));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().relocatable_kernel, 1u);
    EXPECT_EQ(r.value().xloadflags, 0u);
}

TEST(LinuxBoot, OldProtocolGetsTheDefaultCommandLineSize) {
    BzImageSpec spec;
    spec.version = 0x0205;
    const auto r = parse_bzimage_header(bytes_of(make_bzimage(spec)));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().cmdline_size, 255u);
}

TEST(LinuxBoot, RejectsImageWithoutBootFlag) {
    Image img = make_bzimage();
    put<std::uint16_t>(img, bp::kBootFlag, 0);
    EXPECT_NE(reason(parse_bzimage_header(bytes_of(img))).find("not a bzImage: no boot sector"),
              std::string::npos);
}

TEST(LinuxBoot, RejectsImageWithoutHdrS) {
    Image img = make_bzimage();
    img[bp::kHeader] = std::byte{'h'};
    EXPECT_NE(reason(parse_bzimage_header(bytes_of(img))).find("no 'HdrS' at 0x202"),
              std::string::npos);
}

TEST(LinuxBoot, RejectsImageTooShortForTheHeader) {
    const Image img = make_bzimage();
    EXPECT_FALSE(parse_bzimage_header(bytes_of(img).first(0x205)).ok());
    EXPECT_FALSE(parse_bzimage_header(bytes_of(img).first(0x220)).ok());
}

TEST(LinuxBoot, RejectsHeaderLengthEndingBeforeTheVersion) {
    BzImageSpec spec;
    spec.header_length_byte = 2;
    EXPECT_NE(
        reason(parse_bzimage_header(bytes_of(make_bzimage(spec)))).find("before the version field"),
        std::string::npos);
}

TEST(LinuxBoot, RejectsSetupSectsPastTheEndOfTheImage) {
    BzImageSpec spec;
    spec.setup_sects = 4;
    Image img = make_bzimage(spec);
    put<std::uint8_t>(img, bp::kSetupSects, 200);
    EXPECT_NE(reason(parse_bzimage_header(bytes_of(img))).find("setup_sects 200 puts"),
              std::string::npos);
}

TEST(LinuxBoot, LoadsKernelAtPrefAddress) {
    FakeGuestRam ram(kRam);
    const auto r = load(ram, make_bzimage());
    ASSERT_TRUE(r.ok()) << reason(r);
    EXPECT_EQ(r.value().kernel_gpa, 0x1000000u);
    EXPECT_EQ(ram.peek_bytes(0x1000000, 0x3000), pattern(0x3000, 1));
}

TEST(LinuxBoot, EntersAtLoadAddressPlus0x200WithBootParamsInRsi) {
    FakeGuestRam ram(kRam);
    const auto r = load(ram, make_bzimage());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().entry64, 0x1000200u);
    EXPECT_EQ(r.value().boot_params_gpa, 0x7000u);
}

TEST(LinuxBoot, ReservesInitSizeForTheKernel) {
    FakeGuestRam ram(kRam);
    const auto r = load(ram, make_bzimage());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().kernel_reserved, 0x400000u);
}

TEST(LinuxBoot, ReservesTheWholeImageWhenInitSizeIsSmaller) {
    BzImageSpec spec;
    spec.init_size = 0x1000;
    FakeGuestRam ram(kRam);
    const auto r = load(ram, make_bzimage(spec));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().kernel_reserved, 0x3000u);
}

TEST(LinuxBoot, FallsBackToLowestAlignedAddressWhenPrefAddressDoesNotFit) {
    FakeGuestRam ram(8 * kMiB);
    const auto r = load(ram, make_bzimage());
    ASSERT_TRUE(r.ok()) << reason(r);
    EXPECT_EQ(r.value().kernel_gpa, 0x200000u);
    EXPECT_EQ(r.value().entry64, 0x200200u);
}

TEST(LinuxBoot, MovesRelocatableKernelDownToMakeRoomForTheInitrd) {
    FakeGuestRam ram(24 * kMiB);
    const auto initrd = pattern(6 * kMiB);  // 16 + 4 MiB leaves only 4 MiB above the kernel
    const auto r = load(ram, make_bzimage(), "", Bytes(initrd.data(), initrd.size()));
    ASSERT_TRUE(r.ok()) << reason(r);
    EXPECT_EQ(r.value().kernel_gpa, 0x200000u);
    EXPECT_EQ(r.value().initrd_gpa, 18 * kMiB);
}

TEST(LinuxBoot, RejectsNonRelocatableKernelThatDoesNotFitAtPrefAddress) {
    BzImageSpec spec;
    spec.relocatable = 0;
    FakeGuestRam ram(8 * kMiB);
    const auto r = load(ram, make_bzimage(spec));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kNoMemory);
    EXPECT_EQ(reason(r),
              "non-relocatable kernel needs 0x400000 bytes at pref_address 0x1000000, outside "
              "guest RAM below 0x800000");
}

TEST(LinuxBoot, RejectsKernelThatFitsNowhere) {
    BzImageSpec spec;
    spec.init_size = 0x2000000;
    FakeGuestRam ram(16 * kMiB);
    EXPECT_NE(
        reason(load(ram, make_bzimage(spec))).find("does not fit in guest RAM below 0x1000000"),
        std::string::npos);
}

TEST(LinuxBoot, RejectsProtocolOlderThan2_12) {
    BzImageSpec spec;
    spec.version = 0x020b;
    FakeGuestRam ram(kRam);
    const auto r = load(ram, make_bzimage(spec));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kUnsupported);
    EXPECT_EQ(reason(r), "Linux boot protocol 2.11 is too old: 64-bit boot needs 2.12 or later");
}

TEST(LinuxBoot, RejectsKernelWithout64BitEntry) {
    BzImageSpec spec;
    spec.xloadflags = kXlfCanBeLoadedAbove4g;
    FakeGuestRam ram(kRam);
    EXPECT_EQ(reason(load(ram, make_bzimage(spec))),
              "kernel has no 64-bit entry point: xloadflags 0x2 lack XLF_KERNEL_64");
}

TEST(LinuxBoot, RejectsZImageWithoutLoadedHigh) {
    BzImageSpec spec;
    spec.loadflags = 0;
    FakeGuestRam ram(kRam);
    EXPECT_NE(reason(load(ram, make_bzimage(spec))).find("lack LOADED_HIGH"), std::string::npos);
}

TEST(LinuxBoot, RejectsKernelAlignmentThatIsNotAPowerOfTwo) {
    BzImageSpec spec;
    spec.kernel_alignment = 0x300000;
    FakeGuestRam ram(kRam);
    EXPECT_EQ(reason(load(ram, make_bzimage(spec))),
              "kernel_alignment 0x300000 is not a power of two");
}

TEST(LinuxBoot, PlacesInitrdOnTheHighestPageBelowRamTop) {
    FakeGuestRam ram(kRam);
    const auto initrd = pattern(0x1801, 9);
    const auto r = load(ram, make_bzimage(), "", Bytes(initrd.data(), initrd.size()));
    ASSERT_TRUE(r.ok()) << reason(r);
    EXPECT_EQ(r.value().initrd_gpa, kRam - 0x2000);
    EXPECT_EQ(r.value().initrd_size, 0x1801u);
    EXPECT_EQ(ram.peek_bytes(kRam - 0x2000, 0x1801), initrd);
    EXPECT_EQ(zero_page<std::uint32_t>(ram, bp::kRamdiskImage), kRam - 0x2000);
    EXPECT_EQ(zero_page<std::uint32_t>(ram, bp::kRamdiskSize), 0x1801u);
    EXPECT_EQ(zero_page<std::uint32_t>(ram, bp::kExtRamdiskImage), 0u);
}

TEST(LinuxBoot, KeepsInitrdBelowInitrdAddrMax) {
    BzImageSpec spec;
    spec.initrd_addr_max = 0x17fffff;  // 24 MiB - 1
    FakeGuestRam ram(kRam);
    const auto initrd = pattern(0x1000);
    const auto r = load(ram, make_bzimage(spec), "", Bytes(initrd.data(), initrd.size()));
    ASSERT_TRUE(r.ok()) << reason(r);
    EXPECT_EQ(r.value().initrd_gpa, 24 * kMiB - 0x1000);
}

TEST(LinuxBoot, RejectsInitrdThatDoesNotFit) {
    FakeGuestRam ram(8 * kMiB);
    const auto initrd = pattern(3 * kMiB);
    const auto r = load(ram, make_bzimage(), "", Bytes(initrd.data(), initrd.size()));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kNoMemory);
    EXPECT_EQ(reason(r),
              "initrd (0x300000 bytes) does not fit between the kernel end 0x600000 and "
              "0x800000 (initrd_addr_max 0x7fffffff, RAM top 0x800000)");
}

TEST(LinuxBoot, WritesCommandLineAndPointsBootParamsAtIt) {
    FakeGuestRam ram(kRam);
    const auto r = load(ram, make_bzimage(), "console=ttyS0 quiet");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(zero_page<std::uint32_t>(ram, bp::kCmdLinePtr), kLinuxCmdlineGpa);
    EXPECT_EQ(zero_page<std::uint32_t>(ram, bp::kExtCmdLinePtr), 0u);
    EXPECT_EQ(ram.peek_string(kLinuxCmdlineGpa), "console=ttyS0 quiet");
    EXPECT_EQ(r.value().cmdline_size, 19u);
}

TEST(LinuxBoot, RejectsCommandLineLongerThanCmdlineSize) {
    BzImageSpec spec;
    spec.cmdline_size = 16;
    FakeGuestRam ram(kRam);
    const auto r = load(ram, make_bzimage(spec), "console=ttyS0 quiet");
    EXPECT_EQ(reason(r), "command line (19 bytes) is longer than the kernel's cmdline_size (16)");
}

TEST(LinuxBoot, AcceptsCommandLineOfExactlyCmdlineSize) {
    BzImageSpec spec;
    spec.cmdline_size = 19;
    FakeGuestRam ram(kRam);
    EXPECT_TRUE(load(ram, make_bzimage(spec), "console=ttyS0 quiet").ok());
}

TEST(LinuxBoot, RejectsCommandLineLongerThanTheCommandLineArea) {
    BzImageSpec spec;
    spec.cmdline_size = 0x100000;
    FakeGuestRam ram(kRam);
    const std::string cmdline(kLinuxCmdlineAreaSize, 'a');
    EXPECT_NE(reason(load(ram, make_bzimage(spec), cmdline.c_str())).find("command-line area"),
              std::string::npos);
}

TEST(LinuxBoot, BootParamsCarriesTheImagesSetupHeader) {
    const Image img = make_bzimage();
    FakeGuestRam ram(kRam, 0, std::byte{0xee});
    ASSERT_TRUE(load(ram, img).ok());
    EXPECT_EQ(zero_page<std::uint32_t>(ram, bp::kHeader), 0x53726448u);  // "HdrS"
    EXPECT_EQ(zero_page<std::uint16_t>(ram, bp::kVersion), 0x020fu);
    EXPECT_EQ(zero_page<std::uint64_t>(ram, bp::kPrefAddress), 0x1000000u);
    EXPECT_EQ(zero_page<std::uint32_t>(ram, bp::kInitSize), 0x400000u);
    EXPECT_EQ(zero_page<std::uint8_t>(ram, bp::kSetupSects), 4u);
    // Outside the header the zero page is zero.
    EXPECT_EQ(zero_page<std::uint64_t>(ram, 0), 0u);
    EXPECT_EQ(zero_page<std::uint64_t>(ram, 0x26c), 0u);
    EXPECT_EQ(zero_page<std::uint64_t>(ram, 0xff8), 0u);
}

TEST(LinuxBoot, BootParamsNamesAnUndefinedLoaderAndTheLoadAddress) {
    FakeGuestRam ram(kRam);
    ASSERT_TRUE(load(ram, make_bzimage()).ok());
    EXPECT_EQ(zero_page<std::uint8_t>(ram, bp::kTypeOfLoader), 0xffu);
    EXPECT_EQ(zero_page<std::uint8_t>(ram, bp::kLoadflags), kLoadedHigh);
    EXPECT_EQ(zero_page<std::uint32_t>(ram, bp::kCode32Start), 0x1000000u);
    EXPECT_EQ(zero_page<std::uint16_t>(ram, bp::kVidMode), 0xffffu);
}

TEST(LinuxBoot, BootParamsClearsCanUseHeap) {
    BzImageSpec spec;
    spec.loadflags = kLoadedHigh | kCanUseHeap;
    FakeGuestRam ram(kRam);
    ASSERT_TRUE(load(ram, make_bzimage(spec)).ok());
    EXPECT_EQ(zero_page<std::uint8_t>(ram, bp::kLoadflags), kLoadedHigh);
}

TEST(LinuxBoot, BootParamsDropsTheImagesSetupDataPointer) {
    Image img = make_bzimage();
    put<std::uint64_t>(img, bp::kSetupData, 0xdeadbeef000);
    FakeGuestRam ram(kRam);
    ASSERT_TRUE(load(ram, img).ok());
    EXPECT_EQ(zero_page<std::uint64_t>(ram, bp::kSetupData), 0u);
}

TEST(LinuxBoot, BootParamsSentinelStaysZero) {
    FakeGuestRam ram(kRam, 0, std::byte{0xee});
    ASSERT_TRUE(load(ram, make_bzimage()).ok());
    EXPECT_EQ(zero_page<std::uint8_t>(ram, bp::kSentinel), 0u);
}

TEST(LinuxBoot, BootParamsCarriesTheAcpiRsdpAddress) {
    FakeGuestRam ram(kRam);
    const Image img = make_bzimage();
    LinuxLoadRequest req;
    req.kernel = bytes_of(img);
    req.acpi_rsdp_gpa = 0xe0000;
    ASSERT_TRUE(load_linux(ram, req).ok());
    EXPECT_EQ(zero_page<std::uint64_t>(ram, bp::kAcpiRsdpAddr), 0xe0000u);
}

TEST(LinuxBoot, BootParamsE820FollowsTheGuestAbi) {
    FakeGuestRam ram(kRam, 4 * kMiB);
    ASSERT_TRUE(load(ram, make_bzimage()).ok());
    ASSERT_EQ(zero_page<std::uint8_t>(ram, bp::kE820Entries), 4u);
    struct Entry {
        std::uint64_t addr, size;
        std::uint32_t type;
    };
    const Entry want[] = {
        {0, 0x9fc00, 1}, {0x9fc00, 0x60400, 2}, {kMiB, kRam - kMiB, 1}, {k4GiB, 4 * kMiB, 1}};
    for (std::size_t i = 0; i < 4; ++i) {
        const std::size_t e = bp::kE820Table + i * bp::kE820EntrySize;
        EXPECT_EQ(zero_page<std::uint64_t>(ram, e), want[i].addr) << i;
        EXPECT_EQ(zero_page<std::uint64_t>(ram, e + 8), want[i].size) << i;
        EXPECT_EQ(zero_page<std::uint32_t>(ram, e + 16), want[i].type) << i;
    }
}

TEST(LinuxBoot, ListsLoadedRanges) {
    FakeGuestRam ram(kRam);
    const auto initrd = pattern(0x1000);
    const auto r = load(ram, make_bzimage(), "ro", Bytes(initrd.data(), initrd.size()));
    ASSERT_TRUE(r.ok());
    BufferSink<256> out;
    print(out, r.value());
    EXPECT_STREQ(out.c_str(),
                 "linux protocol 2.15 entry64=0x1000200 rsi=0x7000 kernel 0x1000000-0x1400000 "
                 "initrd 0x1fff000-0x2000000 boot_params 0x7000-0x8000 cmdline 0x20000-0x20003");
}

TEST(LinuxBoot, DescribesTheSetupHeader) {
    const auto r = parse_bzimage_header(bytes_of(make_bzimage()));
    ASSERT_TRUE(r.ok());
    BufferSink<512> out;
    print(out, r.value());
    EXPECT_NE(std::string(out.c_str()).find("protocol 2.15 setup_sects 4"), std::string::npos)
        << out.c_str();
}

TEST(LinuxBoot, NeverAsksForASpanCrossingA2MiBChunk) {
    BzImageSpec spec;
    spec.payload_size = 0x500000;
    spec.init_size = 0x800000;
    FakeGuestRam ram(kRam);
    const auto initrd = pattern(0x300000);
    ASSERT_TRUE(load(ram, make_bzimage(spec), "", Bytes(initrd.data(), initrd.size())).ok());
    EXPECT_FALSE(ram.crossed_chunk());
}

// The real Debian cloud kernel, when HV_TEST_BZIMAGE names it (e.g.
// boot/vmlinuz-6.1.0-*-cloud-amd64 extracted with dpkg-deb -x from linux-image-*-cloud-amd64).
TEST(LinuxBootRealKernel, ParsesAndLoadsTheImageNamedByHvTestBzImage) {
    const char* path = std::getenv("HV_TEST_BZIMAGE");
    if (path == nullptr || path[0] == '\0') GTEST_SKIP() << "HV_TEST_BZIMAGE not set";
    std::ifstream in(path, std::ios::binary);
    if (!in) GTEST_SKIP() << "cannot open " << path;
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const Bytes image = bytes_of(text);

    const auto hdr = parse_bzimage_header(image);
    ASSERT_TRUE(hdr.ok()) << reason(hdr);
    BufferSink<512> out;
    print(out, hdr.value());
    std::printf("%s: %s\n", path, out.c_str());
    EXPECT_GE(hdr.value().version, kMinLinuxProtocol);
    EXPECT_NE(hdr.value().xloadflags & kXlfKernel64, 0u);

    FakeGuestRam ram(256 * kMiB);
    const auto initrd = pattern(4 * kMiB);
    LinuxLoadRequest req;
    req.kernel = image;
    req.initrd = Bytes(initrd.data(), initrd.size());
    req.cmdline = "console=ttyS0 earlyprintk=serial";
    const auto r = load_linux(ram, req);
    ASSERT_TRUE(r.ok()) << reason(r);
    BufferSink<512> desc;
    print(desc, r.value());
    std::printf("%s\n", desc.c_str());
    EXPECT_EQ(r.value().kernel_gpa, hdr.value().pref_address);
    EXPECT_EQ(ram.peek_bytes(r.value().kernel_gpa, 4096),
              std::vector<std::byte>(
                  image.begin() + static_cast<std::ptrdiff_t>(hdr.value().setup_size),
                  image.begin() + static_cast<std::ptrdiff_t>(hdr.value().setup_size) + 4096));
}

}  // namespace
}  // namespace hv::vmm::loader
