// The guest-physical layout of docs/guest_abi.md as the Multiboot information reports it, plus the
// command line and module hand-over. Options:
//   expect_mib=N            required: the VM's memory size in MiB
//   expect_module=NAME      module 0 must exist and its string be NAME
//   expect_module_prefix=T  module 0 must start with the bytes T
// Checks: usable [0, 0x9FC00); a usable region at 1 MiB whose end, plus the usable RAM at and
// above 4 GiB, is expect_mib MiB; the last 4 KiB page below the top of the low region (and of the
// high region, through PAE paging) reads as zero and keeps a written pattern; the command line is
// printable and terminated. Under plain QEMU the firmware reserves some memory below the top, so
// the size check allows 1 MiB of slack and the zero check is only reported.
#include "runtime.hpp"

const char rt::kGuestName[] = "memory_layout";

extern "C" char __image_end[];

namespace {

constexpr uint64_t kLowRamEnd = 0x9FC00;
constexpr uint64_t kHighRamStart = 4 * rt::kGiB;
constexpr uint64_t kHoleStart = 3 * rt::kGiB;
constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kMaxCmdline = 4096;

bool g_hv;

// Zero check, then pattern write and read back, on the 4 KiB page at phys.
void check_page(const char* zero_name, const char* rw_name, uint64_t phys) {
    volatile uint8_t* bytes = rt::map_physical(phys);
    if (bytes == nullptr) {
        rt::fail(rw_name, "page 0x%llx is beyond what the guest can map", phys);
        return;
    }
    auto* words = reinterpret_cast<volatile uint32_t*>(bytes);
    constexpr uint32_t kWords = kPageSize / 4;
    uint32_t nonzero = 0;
    for (uint32_t i = 0; i < kWords; ++i) nonzero += words[i] != 0 ? 1 : 0;
    if (g_hv) {
        rt::check(nonzero == 0, zero_name, "page 0x%llx has %u nonzero words", phys, nonzero);
    } else {
        rt::note("page 0x%llx has %u nonzero words (not checked outside AIHypervisor)", phys,
                 nonzero);
    }
    for (uint32_t i = 0; i < kWords; ++i) words[i] = (static_cast<uint32_t>(phys) + i) ^ 0xA5C3E1F0;
    uint32_t mismatches = 0;
    for (uint32_t i = 0; i < kWords; ++i) {
        mismatches += words[i] != ((static_cast<uint32_t>(phys) + i) ^ 0xA5C3E1F0) ? 1 : 0;
    }
    rt::check(mismatches == 0, rw_name, "page 0x%llx: %u of %u words read back wrong", phys,
              mismatches, kWords);
}

void check_cmdline() {
    const char* text = rt::cmdline();
    rt::note("cmdline=\"%s\"", text);
    uint32_t length = 0;
    bool printable = true;
    while (length < kMaxCmdline && text[length] != '\0') {
        printable = printable && text[length] >= 0x20 && text[length] < 0x7F;
        ++length;
    }
    rt::StringView v;
    rt::check((rt::multiboot_info()->flags & rt::kMultibootInfoCmdline) != 0 &&
                  length < kMaxCmdline && printable && rt::cmdline_value("expect_mib", &v),
              "memory_layout.cmdline_intact",
              "flags=0x%x length %u printable %d: expected a printable, terminated command line "
              "with expect_mib=",
              rt::multiboot_info()->flags, length, printable ? 1 : 0);
}

void check_module() {
    uint32_t count = rt::module_count();
    rt::StringView expected;
    if (!rt::cmdline_value("expect_module", &expected)) {
        if (count > 0) rt::note("%u module(s), no expect_module= given", count);
        return;
    }
    const rt::MultibootModule* mod = rt::module(0);
    if (mod == nullptr) {
        rt::fail("memory_layout.module", "expect_module= given but no module was loaded");
        return;
    }
    const char* string = reinterpret_cast<const char*>(mod->string);
    rt::note("module 0 [0x%x, 0x%x) string=\"%s\"", mod->mod_start, mod->mod_end,
             string != nullptr ? string : "");
    rt::StringView actual{string != nullptr ? string : "",
                          string != nullptr ? rt::string_length(string) : 0};
    // QEMU's loader passes the module's path and arguments as its string.
    char name[64] = {};
    memcpy(name, expected.data, expected.length < sizeof(name) - 1 ? expected.length : 63);
    bool name_ok = g_hv ? actual.equals(name) : actual.ends_with(name);
    rt::check(name_ok, "memory_layout.module_name", "string \"%s\", expected \"%s\"", actual.data,
              name);

    uint32_t size = mod->mod_end - mod->mod_start;
    rt::StringView prefix;
    bool have_prefix = rt::cmdline_value("expect_module_prefix", &prefix);
    if (mod->mod_end <= mod->mod_start || (have_prefix && size < prefix.length)) {
        rt::fail("memory_layout.module_contents", "module is %u bytes", size);
        return;
    }
    const auto* bytes = reinterpret_cast<const volatile uint8_t*>(mod->mod_start);
    rt::puts("NOTE module 0 starts with");
    for (uint32_t i = 0; i < 16 && i < size; ++i) rt::print(" %x", bytes[i]);
    rt::putc('\n');
    bool same = true;
    for (uint32_t i = 0; have_prefix && i < prefix.length; ++i) {
        same = same && bytes[i] == static_cast<uint8_t>(prefix.data[i]);
    }
    rt::check(same, "memory_layout.module_contents",
              "module 0 does not start with the "
              "expect_module_prefix= bytes");
}

bool overlaps(uint64_t page, uint32_t start, uint32_t length) {
    return length != 0 && start < page + kPageSize && page < uint64_t{start} + length;
}

// Whether the page holds anything the loader handed over: the image, the Multiboot information,
// its memory map, the command line, the module list, modules and their strings. The loader may
// put them anywhere, the top of RAM included.
bool holds_boot_data(uint64_t page) {
    const rt::MultibootInfo* mbi = rt::multiboot_info();
    const char* cmdline = rt::cmdline();
    if (page < reinterpret_cast<uint32_t>(__image_end) ||
        overlaps(page, reinterpret_cast<uint32_t>(mbi), sizeof(*mbi)) ||
        overlaps(page, mbi->mmap_addr, mbi->mmap_length) ||
        overlaps(page, reinterpret_cast<uint32_t>(cmdline), rt::string_length(cmdline) + 1) ||
        overlaps(page, mbi->mods_addr, rt::module_count() * sizeof(rt::MultibootModule))) {
        return true;
    }
    for (uint32_t i = 0; i < rt::module_count(); ++i) {
        const rt::MultibootModule* mod = rt::module(i);
        const char* string = reinterpret_cast<const char*>(mod->string);
        if (overlaps(page, mod->mod_start, mod->mod_end - mod->mod_start) ||
            (string != nullptr && overlaps(page, mod->string, rt::string_length(string) + 1))) {
            return true;
        }
    }
    return false;
}

// The highest 4 KiB page below `end` free of boot data; 0 if none.
uint64_t free_page_below(uint64_t end) {
    uint64_t page = (end & ~uint64_t{kPageSize - 1});
    while (page >= rt::kMiB + kPageSize) {
        page -= kPageSize;
        if (!holds_boot_data(page)) {
            if (page + kPageSize != (end & ~uint64_t{kPageSize - 1})) {
                rt::note("top page holds boot data; testing page 0x%llx instead", page);
            }
            return page;
        }
    }
    return 0;
}

}  // namespace

void guest_main(uint32_t, const rt::MultibootInfo* mbi) {
    g_hv = rt::under_aihypervisor();
    uint64_t expect_mib = rt::cmdline_u64("expect_mib", 0);
    check_cmdline();
    if (expect_mib == 0) {
        rt::fail("memory_layout", "the command line needs expect_mib=N");
        return;
    }
    if ((mbi->flags & rt::kMultibootInfoMmap) == 0) {
        rt::fail("memory_layout.mmap", "no memory map (flags=0x%x)", mbi->flags);
        return;
    }

    bool low_found = false;
    uint64_t low_length = 0;
    bool main_found = false;
    uint64_t main_end = 0, high_bytes = 0, high_end = 0;
    rt::MemoryRegion r;
    for (uint32_t i = 0; rt::memory_region(i, &r); ++i) {
        rt::note("mmap [0x%llx, 0x%llx) type %u", r.base, r.end(), r.type);
        if (r.type != rt::kMemoryAvailable) continue;
        if (r.base == 0) {
            low_found = true;
            low_length = r.length;
        } else if (r.base == rt::kMiB) {
            main_found = true;
            main_end = r.end();
        } else if (r.base >= kHighRamStart) {
            high_bytes += r.length;
            if (r.end() > high_end) high_end = r.end();
        }
    }
    rt::check(low_found && low_length == kLowRamEnd, "memory_layout.low_region",
              "usable region at 0: found %d length 0x%llx, expected 0x%llx", low_found ? 1 : 0,
              low_length, kLowRamEnd);
    if (!rt::check(main_found, "memory_layout.main_region", "no usable region starts at 1 MiB")) {
        return;
    }

    uint64_t expected = expect_mib * rt::kMiB;
    uint64_t total = main_end + high_bytes;
    uint64_t slack = g_hv ? 0 : rt::kMiB;
    if (!g_hv) rt::note("not under AIHypervisor: allowing 1 MiB of firmware-reserved memory");
    rt::check(total <= expected && total + slack >= expected, "memory_layout.size",
              "end of the 1 MiB region 0x%llx + 0x%llx above 4 GiB = 0x%llx, expected 0x%llx",
              main_end, high_bytes, total, expected);
    if (g_hv) {
        rt::check(main_end <= kHoleStart && (high_bytes == 0 || main_end == kHoleStart),
                  "memory_layout.hole",
                  "low RAM ends at 0x%llx with 0x%llx above 4 GiB: expected it to reach 3 GiB "
                  "exactly when RAM continues above 4 GiB",
                  main_end, high_bytes);
    }

    check_module();
    uint64_t top_page = free_page_below(main_end);
    if (top_page == 0) {
        rt::skip("memory_layout.top_page_rw", "no free page below 0x%llx", main_end);
    } else {
        check_page("memory_layout.top_page_zero", "memory_layout.top_page_rw", top_page);
    }
    if (high_bytes > 0) {
        check_page("memory_layout.high_page_zero", "memory_layout.high_page_rw",
                   (high_end - kPageSize) & ~uint64_t{kPageSize - 1});
    }
}
