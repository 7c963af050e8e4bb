#include "boot/multiboot_info.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace hv::boot {
namespace {

// Builds a Multiboot2 information block byte by byte (Multiboot2 spec 3.6).
class Mb2Builder {
  public:
    Mb2Builder() { u32(0), u32(0); }

    Mb2Builder& string_tag(std::uint32_t type, const std::string& s) {
        const std::size_t at = begin(type);
        bytes(s.data(), s.size() + 1);
        return end(at);
    }
    Mb2Builder& cmdline(const std::string& s) { return string_tag(1, s); }
    Mb2Builder& loader(const std::string& s) { return string_tag(2, s); }
    Mb2Builder& module(std::uint32_t start, std::uint32_t end_, const std::string& s) {
        const std::size_t at = begin(3);
        u32(start), u32(end_);
        bytes(s.data(), s.size() + 1);
        return end(at);
    }
    struct E820 {
        std::uint64_t base, length;
        std::uint32_t type;
    };
    Mb2Builder& mmap(const std::vector<E820>& entries, std::uint32_t entry_size = 24) {
        const std::size_t at = begin(6);
        u32(entry_size), u32(0);
        for (const E820& e : entries) {
            u64(e.base), u64(e.length), u32(e.type), u32(0);
            for (std::uint32_t i = 24; i < entry_size; ++i) buf_.push_back(std::byte{0});
        }
        return end(at);
    }
    struct EfiDesc {
        std::uint32_t type;
        std::uint64_t phys, pages;
    };
    Mb2Builder& efi_mmap(const std::vector<EfiDesc>& descs) {
        const std::size_t at = begin(17);
        u32(48), u32(1);  // OVMF reports 48-byte descriptors, version 1
        for (const EfiDesc& d : descs) {
            u32(d.type), u32(0), u64(d.phys), u64(0), u64(d.pages), u64(0xf), u64(0);
        }
        return end(at);
    }
    Mb2Builder& efi64(std::uint64_t st) {
        const std::size_t at = begin(12);
        u64(st);
        return end(at);
    }
    Mb2Builder& acpi(std::uint32_t type, std::size_t len) {
        const std::size_t at = begin(type);
        bytes("RSD PTR ", 8);
        for (std::size_t i = 8; i < len; ++i) buf_.push_back(std::byte(i));
        return end(at);
    }
    Mb2Builder& empty_tag(std::uint32_t type, std::size_t payload = 0) {
        const std::size_t at = begin(type);
        for (std::size_t i = 0; i < payload; ++i) buf_.push_back(std::byte{0xaa});
        return end(at);
    }
    Mb2Builder& finish() {
        u32(0), u32(8);
        set32(0, static_cast<std::uint32_t>(buf_.size()));
        return *this;
    }
    void set32(std::size_t at, std::uint32_t v) { std::memcpy(&buf_[at], &v, 4); }
    std::vector<std::byte>& data() { return buf_; }
    Bytes span() const { return Bytes(buf_.data(), buf_.size()); }

  private:
    std::size_t begin(std::uint32_t type) {
        const std::size_t at = buf_.size();
        u32(type), u32(0);
        return at;
    }
    Mb2Builder& end(std::size_t at) {
        set32(at + 4, static_cast<std::uint32_t>(buf_.size() - at));
        while (buf_.size() % 8) buf_.push_back(std::byte{0});
        return *this;
    }
    void u32(std::uint32_t v) { bytes(&v, 4); }
    void u64(std::uint64_t v) { bytes(&v, 8); }
    void bytes(const void* p, std::size_t n) {
        const auto* b = static_cast<const std::byte*>(p);
        buf_.insert(buf_.end(), b, b + n);
    }
    std::vector<std::byte> buf_;
};

// What GRUB 2 produces under SeaBIOS on a QEMU q35 machine with 6 GiB.
Mb2Builder grub_seabios() {
    Mb2Builder b;
    b.cmdline("/boot/hypervisor.elf console=com1")
        .loader("GRUB 2.06")
        .module(0x200000, 0x201234, "/boot/vms.toml name=manifest")
        .module(0x202000, 0x9a0000, "/boot/bzImage name=linux")
        .empty_tag(4, 8)   // basic meminfo
        .empty_tag(5, 12)  // BIOS boot device
        .mmap({{0x0, 0x9fc00, 1},
               {0x9fc00, 0x400, 2},
               {0xf0000, 0x10000, 2},
               {0x100000, 0x7fee0000, 1},
               {0x7ffe0000, 0x20000, 2},
               {0xfeffc000, 0x4000, 2},
               {0xfffc0000, 0x40000, 2},
               {0x100000000, 0x80000000, 1}})
        .empty_tag(8, 24)  // framebuffer
        .acpi(14, 20)
        .finish();
    return b;
}

// What GRUB 2 produces under OVMF: EFI system table, both maps, the 2.0 RSDP.
Mb2Builder grub_ovmf() {
    Mb2Builder b;
    b.cmdline("/boot/hypervisor.elf")
        .loader("GRUB 2.12")
        .efi64(0x7f9ee018)
        .mmap({{0x0, 0xa0000, 1},
               {0x100000, 0x700000, 1},
               {0x800000, 0x8000, 4},
               {0x808000, 0x7f7f8000, 1},
               {0xffc00000, 0x400000, 2}})
        .acpi(15, 36)
        .efi_mmap({{7, 0x0, 0xa0},
                   {7, 0x100000, 0x700},
                   {10, 0x800000, 8},
                   {4, 0x808000, 0x100},
                   {7, 0x908000, 0x7f6f8}})
        .finish();
    return b;
}

constexpr std::uint64_t kInfoPhys = 0x10000;

BootInfo parse_ok(Mb2Builder& b) {
    BootInfo info;
    auto r = parse_multiboot2(kMultiboot2Magic, b.span(), kInfoPhys, info);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what);
    return info;
}

const char* parse_error(Mb2Builder& b) {
    BootInfo info;
    auto r = parse_multiboot2(kMultiboot2Magic, b.span(), kInfoPhys, info);
    return r.ok() ? "ok" : r.error().what;
}

TEST(Multiboot2, ParsesCommandLineAndLoaderName) {
    auto b = grub_seabios();
    BootInfo info = parse_ok(b);
    EXPECT_EQ(info.cmdline, StrView("/boot/hypervisor.elf console=com1"));
    EXPECT_EQ(info.loader_name, StrView("GRUB 2.06"));
}

TEST(Multiboot2, ParsesSeaBiosE820Map) {
    auto b = grub_seabios();
    BootInfo info = parse_ok(b);
    ASSERT_EQ(info.memory_map().size(), 8u);
    EXPECT_EQ(info.memory[0].base, 0u);
    EXPECT_EQ(info.memory[0].length, 0x9fc00u);
    EXPECT_EQ(info.memory[0].type, MemoryType::kUsable);
    EXPECT_EQ(info.memory[2].type, MemoryType::kReserved);
    EXPECT_EQ(info.memory[6].base, 0xfffc0000u);
    EXPECT_EQ(info.memory[7].base, 0x100000000u);
    EXPECT_EQ(info.memory[7].type, MemoryType::kUsable);
}

TEST(Multiboot2, ParsesModules) {
    auto b = grub_seabios();
    BootInfo info = parse_ok(b);
    ASSERT_EQ(info.modules().size(), 2u);
    EXPECT_EQ(info.modules()[0].start, 0x200000u);
    EXPECT_EQ(info.modules()[0].end, 0x201234u);
    EXPECT_EQ(info.modules()[1].cmdline, StrView("/boot/bzImage name=linux"));
}

TEST(Multiboot2, FindsModuleByName) {
    auto b = grub_seabios();
    BootInfo info = parse_ok(b);
    const Module* m = info.find_module("manifest");
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->start, 0x200000u);
    EXPECT_EQ(info.find_module("initrd"), nullptr);
}

TEST(Multiboot2, CopiesAcpiOldRsdp) {
    auto b = grub_seabios();
    BootInfo info = parse_ok(b);
    EXPECT_EQ(info.rsdp_source, RsdpSource::kAcpiOld);
    ASSERT_EQ(info.rsdp_bytes().size(), 20u);
    EXPECT_EQ(std::memcmp(info.rsdp.data(), "RSD PTR ", 8), 0);
}

TEST(Multiboot2, ReportsInfoExtent) {
    auto b = grub_seabios();
    BootInfo info = parse_ok(b);
    EXPECT_EQ(info.info_base, kInfoPhys);
    EXPECT_EQ(info.info_size, b.data().size());
}

TEST(Multiboot2, BiosBootIsNotEfi) {
    auto b = grub_seabios();
    BootInfo info = parse_ok(b);
    EXPECT_FALSE(info.efi);
    EXPECT_EQ(info.efi_system_table, 0u);
}

TEST(Multiboot2, DetectsEfiSystemTable) {
    auto b = grub_ovmf();
    BootInfo info = parse_ok(b);
    EXPECT_TRUE(info.efi);
    EXPECT_EQ(info.efi_system_table, 0x7f9ee018u);
    EXPECT_FALSE(info.efi_boot_services_active);
}

TEST(Multiboot2, CopiesAcpiNewRsdp) {
    auto b = grub_ovmf();
    BootInfo info = parse_ok(b);
    EXPECT_EQ(info.rsdp_source, RsdpSource::kAcpiNew);
    EXPECT_EQ(info.rsdp_bytes().size(), 36u);
}

TEST(Multiboot2, PrefersAcpiNewOverOld) {
    Mb2Builder b;
    b.acpi(15, 36).acpi(14, 20).mmap({{0x100000, 0x100000, 1}}).finish();
    BootInfo info = parse_ok(b);
    EXPECT_EQ(info.rsdp_source, RsdpSource::kAcpiNew);
}

TEST(Multiboot2, TruncatesOversizedRsdpTag) {
    Mb2Builder b;
    b.acpi(15, 60).mmap({{0x100000, 0x100000, 1}}).finish();
    BootInfo info = parse_ok(b);
    EXPECT_EQ(info.rsdp_size, kRsdpMaxSize);
}

TEST(Multiboot2, PrefersMmapTagOverEfiMap) {
    auto b = grub_ovmf();
    BootInfo info = parse_ok(b);
    ASSERT_EQ(info.memory_map().size(), 5u);
    EXPECT_EQ(info.memory[2].type, MemoryType::kAcpiNvs);
    EXPECT_EQ(info.memory[4].base, 0xffc00000u);
}

TEST(Multiboot2, FallsBackToEfiMemoryMapAndMergesNeighbours) {
    Mb2Builder b;
    b.efi64(0x1000)
        .efi_mmap({{7, 0x0, 0xa0},
                   {10, 0x800000, 8},
                   {4, 0x808000, 0x100},
                   {7, 0x908000, 0x100},
                   {9, 0xa08000, 1}})
        .finish();
    BootInfo info = parse_ok(b);
    ASSERT_EQ(info.memory_map().size(), 4u);
    EXPECT_EQ(info.memory[0].length, 0xa0000u);
    EXPECT_EQ(info.memory[1].type, MemoryType::kAcpiNvs);
    EXPECT_EQ(info.memory[2].base, 0x808000u);
    EXPECT_EQ(info.memory[2].length, 0x200000u);  // boot services data + conventional
    EXPECT_EQ(info.memory[3].type, MemoryType::kAcpiReclaimable);
}

TEST(Multiboot2, BootServicesMemoryIsReservedWhileActive) {
    Mb2Builder b;
    b.efi_mmap({{7, 0x100000, 0x100}, {4, 0x200000, 0x10}}).empty_tag(18).finish();
    BootInfo info = parse_ok(b);
    EXPECT_TRUE(info.efi_boot_services_active);
    ASSERT_EQ(info.memory_map().size(), 2u);
    EXPECT_EQ(info.memory[1].type, MemoryType::kReserved);
}

TEST(Multiboot2, UnknownMemoryTypeIsReserved) {
    Mb2Builder b;
    b.mmap({{0x100000, 0x100000, 1}, {0x200000, 0x1000, 12}}).finish();
    BootInfo info = parse_ok(b);
    EXPECT_EQ(info.memory[1].type, MemoryType::kReserved);
}

TEST(Multiboot2, HonoursLargerEntrySize) {
    Mb2Builder b;
    b.mmap({{0x100000, 0x100000, 1}, {0x200000, 0x1000, 2}}, 32).finish();
    BootInfo info = parse_ok(b);
    ASSERT_EQ(info.memory_map().size(), 2u);
    EXPECT_EQ(info.memory[1].base, 0x200000u);
}

TEST(Multiboot2, RejectsWrongMagic) {
    auto b = grub_seabios();
    BootInfo info;
    auto r = parse_multiboot2(kMultiboot1Magic, b.span(), kInfoPhys, info);
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "multiboot2: bad magic");
}

TEST(Multiboot2, RejectsTotalSizeTooSmall) {
    auto b = grub_seabios();
    b.set32(0, 8);
    EXPECT_STREQ(parse_error(b), "multiboot2: total_size too small");
}

TEST(Multiboot2, RejectsTotalSizeLargerThanSpan) {
    auto b = grub_seabios();
    b.set32(0, static_cast<std::uint32_t>(b.data().size() + 8));
    EXPECT_STREQ(parse_error(b), "multiboot2: total_size too large");
}

TEST(Multiboot2, RejectsTagOverrunningTheBlock) {
    auto b = grub_seabios();
    b.set32(8 + 4, 0x10000);  // the first tag claims 64 KiB
    EXPECT_STREQ(parse_error(b), "multiboot2: tag overruns info");
}

TEST(Multiboot2, RejectsTagShorterThanItsHeader) {
    auto b = grub_seabios();
    b.set32(8 + 4, 4);
    EXPECT_STREQ(parse_error(b), "multiboot2: tag overruns info");
}

TEST(Multiboot2, RejectsMissingEndTag) {
    Mb2Builder b;
    b.mmap({{0x100000, 0x100000, 1}}).finish();
    b.data().resize(b.data().size() - 8);  // drop the end tag
    b.set32(0, static_cast<std::uint32_t>(b.data().size()));
    EXPECT_STREQ(parse_error(b), "multiboot2: missing end tag");
}

TEST(Multiboot2, RejectsMissingMemoryMap) {
    Mb2Builder b;
    b.cmdline("x").finish();
    EXPECT_STREQ(parse_error(b), "no usable memory map");
}

TEST(Multiboot2, RejectsMemoryMapWithoutUsableRegion) {
    Mb2Builder b;
    b.mmap({{0x0, 0x1000, 2}}).finish();
    EXPECT_STREQ(parse_error(b), "no usable memory map");
}

TEST(Multiboot2, RejectsBadEntrySize) {
    Mb2Builder b;
    b.mmap({}, 16).finish();
    EXPECT_STREQ(parse_error(b), "multiboot2: bad memory map entry size");
}

TEST(Multiboot2, RejectsTooManyModules) {
    Mb2Builder b;
    for (int i = 0; i <= static_cast<int>(kMaxModules); ++i) b.module(0x100000, 0x101000, "m");
    b.mmap({{0x100000, 0x100000, 1}}).finish();
    EXPECT_STREQ(parse_error(b), "boot: too many modules");
}

TEST(Multiboot2, RejectsTooManyMemoryRegions) {
    std::vector<Mb2Builder::E820> entries;
    for (std::uint64_t i = 0; i <= kMaxMemoryRegions; ++i)
        entries.push_back({i * 0x2000, 0x1000, 1});  // gaps keep them from merging
    Mb2Builder b;
    b.mmap(entries).finish();
    EXPECT_STREQ(parse_error(b), "boot: too many memory map entries");
}

TEST(Multiboot2, RejectsModuleEndingBeforeStart) {
    Mb2Builder b;
    b.module(0x200000, 0x100000, "m").mmap({{0x100000, 0x100000, 1}}).finish();
    EXPECT_STREQ(parse_error(b), "boot: module ends before it starts");
}

TEST(Multiboot2, UnterminatedStringStopsAtTagEnd) {
    Mb2Builder b;
    b.cmdline("abc").mmap({{0x100000, 0x100000, 1}}).finish();
    b.data()[8 + 8 + 3] = std::byte{'d'};  // overwrite the NUL; padding follows
    b.set32(8 + 4, 12);                    // tag ends right after "abcd"
    BootInfo info = parse_ok(b);
    EXPECT_EQ(info.cmdline, StrView("abcd"));
}

// A fake physical memory: a few regions, reads must fall inside one.
class FakePhys final : public PhysReader {
  public:
    void put(std::uint64_t base, std::vector<std::byte> bytes) {
        regions_.push_back({base, std::move(bytes)});
    }
    void put_string(std::uint64_t base, const std::string& s) {
        std::vector<std::byte> v(s.size() + 1);
        std::memcpy(v.data(), s.c_str(), s.size() + 1);
        put(base, std::move(v));
    }
    Bytes read(std::uint64_t phys, std::uint64_t len) const override {
        for (const auto& r : regions_) {
            if (phys >= r.base && phys - r.base <= r.bytes.size() &&
                len <= r.bytes.size() - (phys - r.base))
                return Bytes(r.bytes.data() + (phys - r.base), len);
        }
        return {};
    }

  private:
    struct Region {
        std::uint64_t base;
        std::vector<std::byte> bytes;
    };
    std::vector<Region> regions_;
};

template <typename T>
void store(std::vector<std::byte>& v, std::size_t off, T value) {
    if (v.size() < off + sizeof(T)) v.resize(off + sizeof(T));
    std::memcpy(&v[off], &value, sizeof(T));
}

// GRUB legacy-style Multiboot1 info: struct at 0x9000, everything it points to just above.
FakePhys mb1_fixture(std::uint32_t flags = (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) |
                                           (1u << 9)) {
    FakePhys mem;
    std::vector<std::byte> info(88);
    store<std::uint32_t>(info, 0, flags);
    store<std::uint32_t>(info, 4, 639);
    store<std::uint32_t>(info, 8, 130048);
    store<std::uint32_t>(info, 16, 0x9100);  // cmdline
    store<std::uint32_t>(info, 20, 2);       // mods_count
    store<std::uint32_t>(info, 24, 0x9200);  // mods_addr
    store<std::uint32_t>(info, 44, 3 * 24);  // mmap_length
    store<std::uint32_t>(info, 48, 0x9300);  // mmap_addr
    store<std::uint32_t>(info, 64, 0x9400);  // boot_loader_name
    mem.put(0x9000, info);
    mem.put_string(0x9100, "/boot/hypervisor.elf console=com1");
    std::vector<std::byte> mods;
    store<std::uint32_t>(mods, 0, 0x200000);
    store<std::uint32_t>(mods, 4, 0x201000);
    store<std::uint32_t>(mods, 8, 0x9500);
    store<std::uint32_t>(mods, 16, 0x300000);
    store<std::uint32_t>(mods, 20, 0x380000);
    store<std::uint32_t>(mods, 24, 0);  // no string
    store<std::uint32_t>(mods, 28, 0);
    mem.put(0x9200, mods);
    std::vector<std::byte> mmap;
    const std::uint64_t e[3][3] = {
        {0, 0x9fc00, 1}, {0xf0000, 0x10000, 2}, {0x100000, 0x7ee0000, 1}};
    for (int i = 0; i < 3; ++i) {
        store<std::uint32_t>(mmap, i * 24, 20);
        store<std::uint64_t>(mmap, i * 24 + 4, e[i][0]);
        store<std::uint64_t>(mmap, i * 24 + 12, e[i][1]);
        store<std::uint32_t>(mmap, i * 24 + 20, static_cast<std::uint32_t>(e[i][2]));
    }
    mem.put(0x9300, mmap);
    mem.put_string(0x9400, "GRUB 0.97");
    mem.put_string(0x9500, "/boot/vms.toml name=manifest");
    return mem;
}

TEST(Multiboot1, ParsesCommandLineAndLoaderName) {
    FakePhys mem = mb1_fixture();
    BootInfo info;
    ASSERT_TRUE(parse_multiboot1(kMultiboot1Magic, 0x9000, mem, info).ok());
    EXPECT_EQ(info.cmdline, StrView("/boot/hypervisor.elf console=com1"));
    EXPECT_EQ(info.loader_name, StrView("GRUB 0.97"));
}

TEST(Multiboot1, ParsesSizePrefixedMemoryMap) {
    FakePhys mem = mb1_fixture();
    BootInfo info;
    ASSERT_TRUE(parse_multiboot1(kMultiboot1Magic, 0x9000, mem, info).ok());
    ASSERT_EQ(info.memory_map().size(), 3u);
    EXPECT_EQ(info.memory[1].base, 0xf0000u);
    EXPECT_EQ(info.memory[1].type, MemoryType::kReserved);
    EXPECT_EQ(info.memory[2].length, 0x7ee0000u);
}

TEST(Multiboot1, ParsesModulesWithAndWithoutStrings) {
    FakePhys mem = mb1_fixture();
    BootInfo info;
    ASSERT_TRUE(parse_multiboot1(kMultiboot1Magic, 0x9000, mem, info).ok());
    ASSERT_EQ(info.modules().size(), 2u);
    EXPECT_EQ(info.find_module("manifest"), &info.modules()[0]);
    EXPECT_TRUE(info.modules()[1].cmdline.empty());
    EXPECT_EQ(info.modules()[1].end, 0x380000u);
}

TEST(Multiboot1, ExtentCoversEverythingPointedTo) {
    FakePhys mem = mb1_fixture();
    BootInfo info;
    ASSERT_TRUE(parse_multiboot1(kMultiboot1Magic, 0x9000, mem, info).ok());
    EXPECT_EQ(info.info_base, 0x9000u);
    EXPECT_EQ(info.info_base + info.info_size, 0x9500u + sizeof("/boot/vms.toml name=manifest"));
    EXPECT_FALSE(info.efi);
    EXPECT_EQ(info.rsdp_source, RsdpSource::kNone);
}

TEST(Multiboot1, RejectsMissingMemoryMapFlag) {
    FakePhys mem = mb1_fixture((1u << 0) | (1u << 2));
    BootInfo info;
    auto r = parse_multiboot1(kMultiboot1Magic, 0x9000, mem, info);
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "no usable memory map");
}

TEST(Multiboot1, RejectsUnreadableInfo) {
    FakePhys mem = mb1_fixture();
    BootInfo info;
    auto r = parse_multiboot1(kMultiboot1Magic, 0x5000, mem, info);
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "multiboot1: info not readable");
}

TEST(Multiboot1, RejectsMmapEntryOverrun) {
    FakePhys mem;
    std::vector<std::byte> info(88);
    store<std::uint32_t>(info, 0, 1u << 6);
    store<std::uint32_t>(info, 44, 24);
    store<std::uint32_t>(info, 48, 0x9300);
    mem.put(0x9000, info);
    std::vector<std::byte> mmap(24);
    store<std::uint32_t>(mmap, 0, 40);  // claims more than mmap_length
    mem.put(0x9300, mmap);
    BootInfo out;
    auto r = parse_multiboot1(kMultiboot1Magic, 0x9000, mem, out);
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "multiboot1: mmap entry overruns");
}

TEST(Multiboot1, RejectsWrongMagic) {
    FakePhys mem = mb1_fixture();
    BootInfo info;
    EXPECT_FALSE(parse_multiboot1(kMultiboot2Magic, 0x9000, mem, info).ok());
}

TEST(BootInfo, DispatchesMultiboot1ByMagic) {
    FakePhys mem = mb1_fixture();
    BootInfo info;
    ASSERT_TRUE(parse_boot_info(kMultiboot1Magic, 0x9000, mem, info).ok());
    EXPECT_EQ(info.loader_name, StrView("GRUB 0.97"));
}

TEST(BootInfo, ReadsMultiboot2BlockThroughReader) {
    FakePhys mem;
    auto b = grub_ovmf();
    mem.put(0x40000, b.data());
    BootInfo info;
    ASSERT_TRUE(parse_boot_info(kMultiboot2Magic, 0x40000, mem, info).ok());
    EXPECT_EQ(info.info_base, 0x40000u);
    EXPECT_TRUE(info.efi);
}

TEST(BootInfo, RejectsUnknownMagic) {
    FakePhys mem = mb1_fixture();
    BootInfo info;
    auto r = parse_boot_info(0x12345678, 0x9000, mem, info);
    ASSERT_FALSE(r.ok());
    EXPECT_STREQ(r.error().what, "boot: not loaded by a multiboot loader");
}

}  // namespace
}  // namespace hv::boot
