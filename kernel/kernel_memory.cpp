#include "kernel/kernel_memory.hpp"

#include "arch/x86/cpu/control_regs.hpp"
#include "arch/x86/cpu/cpuid.hpp"
#include "arch/x86/paging/hpt_format.hpp"
#include "arch/x86/paging/page_table.hpp"
#include "kernel/console.hpp"
#include "kernel/direct_map.hpp"
#include "kernel/frame_allocator.hpp"
#include "kernel/frame_table_memory.hpp"
#include "kernel/memory_map.hpp"
#include "kernel/mmio.hpp"
#include "kernel/spinlock.hpp"

extern "C" char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern "C" char __data_start[], __bss_end[];
extern "C" char __load_start[];

namespace hv::memory {
namespace {

FrameAllocator g_frames;
SpinLock g_frames_lock;

using KernelPageTable = paging::PageTable<paging::HptFormat, FrameTableMemory>;
FrameTableMemory g_table_memory;
// Lives for the hypervisor's lifetime: constructed in place at init, never destroyed (the kernel
// has no atexit for static destructors).
alignas(KernelPageTable) std::byte g_kernel_pt_storage[sizeof(KernelPageTable)];
KernelPageTable* g_kernel_pt = nullptr;
SpinLock g_map_lock;
std::uint64_t g_mmio_next = kMmioBase;

// The first 1 MiB holds the real-mode IVT, BIOS data and firmware areas; the hypervisor takes
// nothing there except the AP trampoline page, which it picks explicitly.
constexpr std::uint64_t kLowMemoryEnd = kMiB;
constexpr std::uint64_t kBootWindowEnd = 4 * kGiB;  // identity-mapped by the boot page tables

constexpr paging::Attributes kRx{.read = true, .write = false, .execute = true};
constexpr paging::Attributes kRo{.read = true, .write = false, .execute = false};
constexpr paging::Attributes kRw{.read = true, .write = true, .execute = false};
constexpr paging::Attributes kMmio{
    .read = true, .write = true, .execute = false, .cache = paging::CacheType::kUncached};

bool overlaps(std::uint64_t a, std::uint64_t a_end, std::uint64_t b, std::uint64_t b_end) {
    return a < b_end && b < a_end;
}

// A usable page below 1 MiB that holds neither the boot information nor a module.
Result<std::uint64_t> pick_trampoline_page(const boot::BootInfo& boot) {
    constexpr std::uint64_t kFirst = 0x1000;  // page 0 holds the real-mode IVT
    for (const boot::MemoryRegion& r : boot.memory_map()) {
        if (r.type != boot::MemoryType::kUsable) continue;
        for (std::uint64_t p = align_up(r.base > kFirst ? r.base : kFirst, kPageSize);
             p + kPageSize <= r.base + r.length && p + kPageSize <= kLowMemoryEnd; p += kPageSize) {
            bool busy = overlaps(p, p + kPageSize, boot.info_base, boot.info_base + boot.info_size);
            for (const boot::Module& m : boot.modules())
                busy = busy || overlaps(p, p + kPageSize, m.start, m.end);
            if (!busy) return p;
        }
    }
    return make_error(Errc::kNotFound, "no free page below 1 MiB for AP start-up");
}

Result<void> map_kernel_section(const char* start, const char* end, paging::Attributes attrs) {
    const auto va = reinterpret_cast<std::uint64_t>(start);
    const std::uint64_t size = align_up(reinterpret_cast<std::uint64_t>(end) - va, kPageSize);
    return g_kernel_pt->map(va, HostPhys(kernel_virt_to_phys(start)), size, attrs);
}

}  // namespace

Result<HostPhys> allocate(std::uint64_t size, std::uint64_t align) {
    SpinGuard g(g_frames_lock);
    return g_frames.allocate(size, align);
}

Result<void> take(HostPhys base, std::uint64_t size) {
    SpinGuard g(g_frames_lock);
    return g_frames.take(base, size);
}

void free(HostPhys base, std::uint64_t size) {
    SpinGuard g(g_frames_lock);
    if (auto r = g_frames.free(base, size); !r)
        log("memory: bad free of 0x", Hex{base.raw()}, ": ", r.error().what);
}

std::uint64_t free_bytes() {
    SpinGuard g(g_frames_lock);
    return g_frames.free_bytes();
}

Result<BootMemory> init(const boot::BootInfo& boot) {
    // Everything the running kernel still needs stays out of the allocator.
    PhysRange reserved[2 + boot::kMaxModules];
    std::size_t n = 0;
    reserved[n++] = {0, kLowMemoryEnd};
    reserved[n++] = {align_down(reinterpret_cast<std::uint64_t>(__load_start), kPageSize),
                     align_up(kernel_virt_to_phys(__bss_end), kPageSize)};
    PhysRange info_and_modules[1 + boot::kMaxModules];
    std::size_t m = 0;
    info_and_modules[m++] = {align_down(boot.info_base, kPageSize),
                             align_up(boot.info_base + boot.info_size, kPageSize)};
    for (const boot::Module& mod : boot.modules()) {
        info_and_modules[m++] = {align_down(mod.start, kPageSize), align_up(mod.end, kPageSize)};
    }
    static MemoryLayout layout;  // large: keep it off the stack
    PhysRange all_reserved[2 + 1 + boot::kMaxModules];
    for (std::size_t i = 0; i < n; ++i) all_reserved[i] = reserved[i];
    for (std::size_t i = 0; i < m; ++i) all_reserved[n + i] = info_and_modules[i];
    TRY(normalize_memory_map(boot.memory_map(), std::span<const PhysRange>(all_reserved, n + m),
                             layout));

    // Page tables are built while only the boot window [0, 4 GiB) is mapped, so the allocator
    // first gets the free memory below 4 GiB; the rest joins after the switch.
    for (const PhysRange& r : layout.free()) {
        const std::uint64_t end = r.end < kBootWindowEnd ? r.end : kBootWindowEnd;
        if (r.base < end) TRY(g_frames.add_range(HostPhys(r.base), end - r.base));
    }

    const bool gigabyte_pages =
        (x86::cpuid(0x8000'0001).edx & x86::cpuid_bits::kExt1EdxPage1Gb) != 0;
    g_kernel_pt = new (g_kernel_pt_storage) KernelPageTable(g_table_memory, gigabyte_pages);
    TRY(g_kernel_pt->init());
    TRY(map_kernel_section(__text_start, __text_end, kRx));
    TRY(map_kernel_section(__rodata_start, __rodata_end, kRo));
    TRY(map_kernel_section(__data_start, __bss_end, kRw));

    // Direct map: the whole boot window (firmware tables and BIOS areas live there, wherever the
    // map says) plus every range the firmware lists above it.
    const std::uint64_t top = align_up(
        layout.highest_address > kBootWindowEnd ? layout.highest_address : kBootWindowEnd, kGiB);
    TRY(g_kernel_pt->map(kDirectMapBase, HostPhys(0), kBootWindowEnd, kRw));
    for (const boot::MemoryRegion& r : boot.memory_map()) {
        const std::uint64_t base = align_down(r.base, kPageSize);
        const std::uint64_t end = align_up(r.base + r.length, kPageSize);
        if (end <= kBootWindowEnd) continue;
        const std::uint64_t from = base < kBootWindowEnd ? kBootWindowEnd : base;
        TRY(g_kernel_pt->map(kDirectMapBase + from, HostPhys(from), end - from, kRw));
    }

    const std::uint64_t cr3 = g_kernel_pt->root().raw();
    x86::write_cr3(cr3);
    g_direct_map_offset = kDirectMapBase;
    g_direct_map_limit = top;

    for (const PhysRange& r : layout.free()) {
        const std::uint64_t base = r.base > kBootWindowEnd ? r.base : kBootWindowEnd;
        if (base < r.end) TRY(g_frames.add_range(HostPhys(base), r.end - base));
    }

    const std::uint64_t trampoline = TRY(pick_trampoline_page(boot));
    return BootMemory{layout.usable_bytes, g_frames.free_bytes(), trampoline, cr3};
}

Result<void> map_kernel_range(std::uint64_t va, HostPhys pa, std::uint64_t size) {
    SpinGuard g(g_map_lock);
    return g_kernel_pt->map(va, pa, size, kRw);
}

Result<void> unmap_kernel_range(std::uint64_t va, std::uint64_t size) {
    SpinGuard g(g_map_lock);
    TRY(g_kernel_pt->unmap(va, size));
    // Other CPUs may have cached the translation; the window is only used by the CPU that
    // creates and tears down VMs, under this lock, so a local flush of the range suffices.
    for (std::uint64_t off = 0; off < size; off += kPageSize)
        asm volatile("invlpg (%0)" ::"r"(va + off) : "memory");
    return {};
}

}  // namespace hv::memory

namespace hv {

Result<volatile void*> mmio_map(HostPhys phys, std::uint64_t size) {
    const HostPhys base = phys.align_down(kPageSize);
    const std::uint64_t length = align_up(phys.raw() + size, kPageSize) - base.raw();
    SpinGuard g(memory::g_map_lock);
    // Keep large mappings aligned like their physical address so the engine can use 2 MiB pages.
    std::uint64_t va = memory::g_mmio_next;
    if (length >= kLargePageSize && base.aligned(kLargePageSize)) va = align_up(va, kLargePageSize);
    TRY(memory::g_kernel_pt->map(va, base, length, memory::kMmio));
    memory::g_mmio_next = va + length;
    return reinterpret_cast<volatile void*>(va + (phys.raw() - base.raw()));
}

}  // namespace hv
