// QEMU's `edu` PCI device (1234:11e8, QEMU docs/specs/edu.rst): MMIO through BAR0, DMA between
// guest memory and the device's 4 KiB buffer, and MSI. Under the hypervisor the device is assigned
// to the guest, so this exercises BAR mapping, DMA through the IOMMU and MSI remapping.
//
// Finds the device on bus 0 (configuration mechanism #1), takes BAR0 as programmed, enables
// memory decode and bus mastering, and maps BAR0 uncached. Checks: the ID register, liveness
// (reads back the complement), factorial of 10 by polling, and a 2 KiB round trip RAM -> edu
// buffer -> RAM compared byte by byte. Then MSI (vector 0x50 to this CPU's APIC ID): a factorial
// with status bit 7 and a DMA with command bit 2 must each raise exactly one interrupt; the
// handler acknowledges the interrupt status. Options:
//   expect_msi=0                 SKIP the MSI checks
//   bench=N                      N round trips (2 KiB each way): BENCH edu_dma bytes=B cycles=C
//   bad_dma=0xADDR[,0xADDR...]   up to 4 guest-physical addresses, after the other checks: a
//                                256-byte DMA edu -> ADDR and one ADDR -> edu each, then
//                                `NOTE bad_dma addr=0x... done`, then edu.dma_after_bad. Under
//                                the hypervisor with on_dma_fault=stop the VM stops here.
// edu starts a DMA from a QEMU timer 100 ms (virtual) after the command, so waits are bounded in
// TSC cycles, generously. QEMU 7.2 stops the whole machine on a DMA that ends exactly at the end
// of the edu buffer, so every transfer here stays in its first half.
#include "runtime.hpp"

const char rt::kGuestName[] = "edu";

namespace {

constexpr uint16_t kEduVendor = 0x1234, kEduDevice = 0x11E8;

// edu.rst "MMIO area spec".
enum class EduReg : uint32_t {
    kId = 0x00,
    kLiveness = 0x04,
    kFactorial = 0x08,
    kStatus = 0x20,
    kIrqStatus = 0x24,
    kIrqRaise = 0x60,
    kIrqAcknowledge = 0x64,
    kDmaSource = 0x80,
    kDmaDestination = 0x88,
    kDmaCount = 0x90,
    kDmaCommand = 0x98,
};
constexpr uint32_t kIdMagic = 0x00ED;
constexpr uint32_t kStatusComputing = 1 << 0, kStatusIrqOnFactorial = 1 << 7;
constexpr uint32_t kDmaRun = 1 << 0, kDmaToRam = 1 << 1, kDmaIrq = 1 << 2;
constexpr uint32_t kIrqFactorial = 0x001, kIrqDma = 0x100;
constexpr uint32_t kEduBuffer = 0x40000;              // the device buffer's DMA address
constexpr uint32_t kDmaAddressMask = (1u << 28) - 1;  // edu's default dma_mask
constexpr uint32_t kTransfer = 2048;
constexpr uint32_t kBadDmaBytes = 256;
constexpr uint32_t kBadDmaEduOffset = 0x800;  // 256 bytes there still end before the buffer's end
constexpr uint32_t kMaxBadDma = 4;

// MSI capability (PCI spec 3.0 sec. 6.8.1).
constexpr uint8_t kMsiControl = 2, kMsiAddress = 4, kMsiAddressHigh = 8, kMsiData32 = 8,
                  kMsiData64 = 12;
constexpr uint16_t kMsiEnable = 1 << 0, kMsiMultipleEnableMask = 7 << 4, kMsi64Bit = 1 << 7;
constexpr uint32_t kMsiAddressBase = 0xFEE00000;  // SDM vol. 3 sec. 11.11.1
constexpr uint8_t kMsiVector = 0x50;
constexpr uint8_t kSpuriousVector = 0xFF;

// Generous: a DMA takes ~100 ms, and the TSC may run at 1-4 GHz. kMaxPolls caps the loop should
// the TSC not advance.
constexpr uint64_t kTimeoutCycles = 10'000'000'000;
constexpr uint32_t kMaxPolls = 50'000'000;
constexpr uint64_t kSettleCycles = 20'000'000;  // extra wait for a second, wrong interrupt

volatile uint8_t* g_edu;
volatile uint32_t g_msi_count;
volatile uint32_t g_msi_status;  // the handler's reads of the interrupt status, ORed

alignas(4096) uint8_t g_source[kTransfer];
alignas(4096) uint8_t g_destination[kTransfer];

uint32_t edu_read(EduReg reg) {
    return *reinterpret_cast<volatile uint32_t*>(g_edu + static_cast<uint32_t>(reg));
}
void edu_write(EduReg reg, uint32_t value) {
    *reinterpret_cast<volatile uint32_t*>(g_edu + static_cast<uint32_t>(reg)) = value;
}

template <typename Done>
bool wait_until(Done done, uint64_t* cycles = nullptr) {
    uint64_t start = rt::rdtsc();
    bool ok = false;
    for (uint32_t polls = 0; polls < kMaxPolls && !ok; ++polls) {
        ok = done();
        if (!ok && rt::rdtsc() - start > kTimeoutCycles) break;
        if (!ok) rt::pause();
    }
    if (cycles != nullptr) *cycles = rt::rdtsc() - start;
    return ok;
}

void on_msi(rt::InterruptFrame&) {
    uint32_t status = edu_read(EduReg::kIrqStatus);
    g_msi_status = g_msi_status | status;
    g_msi_count = g_msi_count + 1;
    edu_write(EduReg::kIrqAcknowledge, status);
    rt::lapic_write(rt::LapicReg::kEoi, 0);
}

// A spurious interrupt takes no EOI (SDM vol. 3 sec. 11.9).
void on_spurious(rt::InterruptFrame&) {}

uint32_t dma_address(const void* p) { return reinterpret_cast<uint32_t>(p); }

// Programs and starts one transfer, then polls for its end. edu ignores register writes while a
// transfer runs, so a still-running one is waited for first. The registers are 64 bits wide; a
// 32-bit write sets the whole register, which is all edu's 28-bit DMA mask needs.
bool edu_dma(uint32_t source, uint32_t destination, uint32_t count, uint32_t command,
             uint64_t* cycles = nullptr) {
    if (!wait_until([] { return (edu_read(EduReg::kDmaCommand) & kDmaRun) == 0; })) return false;
    edu_write(EduReg::kDmaSource, source);
    edu_write(EduReg::kDmaDestination, destination);
    edu_write(EduReg::kDmaCount, count);
    edu_write(EduReg::kDmaCommand, command | kDmaRun);
    return wait_until([] { return (edu_read(EduReg::kDmaCommand) & kDmaRun) == 0; }, cycles);
}

// xorshift32 from a TSC seed, so that data left over from an earlier run cannot pass a compare.
void fill_pattern(uint8_t* bytes, uint32_t n, uint32_t seed) {
    uint32_t x = seed | 1;
    for (uint32_t i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes[i] = static_cast<uint8_t>(x);
    }
}

uint32_t mismatches(const uint8_t* a, const uint8_t* b, uint32_t n) {
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; ++i) count += a[i] != b[i] ? 1 : 0;
    return count;
}

// A fresh pattern in g_source, its complement in g_destination, then RAM -> edu buffer -> RAM.
// The compiler must not keep the buffers in registers across the device's writes.
struct RoundTrip {
    bool to_device, to_ram;
    uint64_t cycles_to_device, cycles_to_ram;
    uint32_t wrong_bytes;
};

RoundTrip round_trip() {
    RoundTrip r{};
    fill_pattern(g_source, kTransfer, static_cast<uint32_t>(rt::rdtsc()));
    for (uint32_t i = 0; i < kTransfer; ++i) g_destination[i] = static_cast<uint8_t>(~g_source[i]);
    asm volatile("" : : : "memory");
    r.to_device = edu_dma(dma_address(g_source), kEduBuffer, kTransfer, 0, &r.cycles_to_device);
    if (r.to_device) {
        r.to_ram =
            edu_dma(kEduBuffer, dma_address(g_destination), kTransfer, kDmaToRam, &r.cycles_to_ram);
    }
    asm volatile("" : : : "memory");
    r.wrong_bytes = mismatches(g_source, g_destination, kTransfer);
    return r;
}

bool check_round_trip(const char* name, const RoundTrip& r) {
    return rt::check(r.to_device && r.to_ram && r.wrong_bytes == 0, name,
                     "RAM->edu %s, edu->RAM %s, %u of %u bytes wrong",
                     r.to_device ? "done" : "timed out", r.to_ram ? "done" : "not done",
                     r.wrong_bytes, kTransfer);
}

void check_registers() {
    uint32_t id = edu_read(EduReg::kId);
    rt::note("edu id=0x%x (version %u.%u)", id, id >> 24, (id >> 16) & 0xFF);
    rt::check((id & 0xFFFF) == kIdMagic, "edu.id", "id register 0x%x, expected 0x....%x", id,
              kIdMagic);

    constexpr uint32_t kLive = 0x12345678;
    edu_write(EduReg::kLiveness, kLive);
    uint32_t live = edu_read(EduReg::kLiveness);
    rt::check(live == ~kLive, "edu.liveness", "wrote 0x%x, read 0x%x, expected 0x%x", kLive, live,
              ~kLive);
}

bool factorial(uint32_t n, uint32_t* result, uint64_t* cycles) {
    if (!wait_until([] { return (edu_read(EduReg::kStatus) & kStatusComputing) == 0; })) {
        return false;
    }
    edu_write(EduReg::kFactorial, n);
    bool done =
        wait_until([] { return (edu_read(EduReg::kStatus) & kStatusComputing) == 0; }, cycles);
    *result = edu_read(EduReg::kFactorial);
    return done;
}

void check_factorial() {
    uint32_t result = 0;
    uint64_t cycles = 0;
    bool done = factorial(10, &result, &cycles);
    rt::note("factorial(10) took %llu TSC cycles", cycles);
    rt::check(done && result == 3628800, "edu.factorial", "%s, result %u, expected 3628800",
              done ? "done" : "status bit 0 never cleared", result);
}

// MSI to this CPU, fixed delivery, edge (SDM vol. 3 sec. 11.11). Returns false without a
// capability.
bool enable_msi(rt::PciFunction f) {
    uint8_t cap = rt::pci_find_capability(f, rt::kPciCapabilityMsi);
    if (cap == 0) return false;
    uint16_t control = rt::pci_read16(f, cap + kMsiControl);
    uint32_t apic_id = rt::lapic_read(rt::LapicReg::kId) >> 24;
    uint32_t address = kMsiAddressBase | (apic_id << 12);
    bool is_64bit = (control & kMsi64Bit) != 0;
    rt::pci_write32(f, cap + kMsiAddress, address);
    if (is_64bit) rt::pci_write32(f, cap + kMsiAddressHigh, 0);
    uint8_t data_offset = cap + (is_64bit ? kMsiData64 : kMsiData32);
    rt::pci_write16(f, data_offset, kMsiVector);
    control = static_cast<uint16_t>((control & ~kMsiMultipleEnableMask) | kMsiEnable);
    rt::pci_write16(f, cap + kMsiControl, control);
    rt::note("msi cap=0x%x %s control=0x%x address=0x%x data=0x%x", cap,
             is_64bit ? "64-bit" : "32-bit", rt::pci_read16(f, cap + kMsiControl),
             rt::pci_read32(f, cap + kMsiAddress), rt::pci_read16(f, data_offset));
    return true;
}

// Waits with IF=1 for the operation to end and an interrupt to arrive, then kSettleCycles more
// so that a second interrupt would be counted too. Returns whether the operation ended.
template <typename Idle>
bool wait_for_interrupt(Idle idle) {
    rt::sti();
    wait_until([&] { return g_msi_count != 0 && idle(); });
    uint64_t start = rt::rdtsc();
    while (rt::rdtsc() - start < kSettleCycles) rt::pause();
    rt::cli();
    return idle();
}

void check_msi(rt::PciFunction f) {
    const char* kNames[] = {"edu.msi_factorial", "edu.msi_dma"};
    if (rt::cmdline_u64("expect_msi", 1) == 0) {
        for (const char* name : kNames) rt::skip(name, "expect_msi=0");
        return;
    }
    uint32_t pending = edu_read(EduReg::kIrqStatus);
    if (pending != 0) {
        rt::note("irq status 0x%x before MSI was enabled; acknowledging", pending);
        edu_write(EduReg::kIrqAcknowledge, pending);
    }
    rt::set_interrupt_handler(kMsiVector, on_msi);
    rt::set_interrupt_handler(kSpuriousVector, on_spurious);
    rt::lapic_write(rt::LapicReg::kSpurious, rt::kLapicSoftwareEnable | kSpuriousVector);
    if (!enable_msi(f)) {
        for (const char* name : kNames) rt::fail(name, "no MSI capability");
        return;
    }

    g_msi_count = 0;
    g_msi_status = 0;
    edu_write(EduReg::kStatus, kStatusIrqOnFactorial);
    edu_write(EduReg::kFactorial, 12);
    bool done =
        wait_for_interrupt([] { return (edu_read(EduReg::kStatus) & kStatusComputing) == 0; });
    edu_write(EduReg::kStatus, 0);
    uint32_t result = edu_read(EduReg::kFactorial);
    uint32_t after = edu_read(EduReg::kIrqStatus);
    rt::note("msi factorial: %u interrupt(s), irq status 0x%x in the handler, 0x%x after",
             g_msi_count, g_msi_status, after);
    rt::check(done && g_msi_count == 1 && g_msi_status == kIrqFactorial && result == 479001600 &&
                  after == 0,
              "edu.msi_factorial",
              "%s, %u interrupt(s) (expected 1), irq status 0x%x (expected 0x%x), 0x%x after "
              "acknowledge, factorial(12) = %u",
              done ? "done" : "status bit 0 never cleared", g_msi_count, g_msi_status,
              kIrqFactorial, after, result);

    // The device buffer gets a fresh pattern without an interrupt, and only the way back asks
    // for one.
    fill_pattern(g_source, kTransfer, static_cast<uint32_t>(rt::rdtsc()));
    for (uint32_t i = 0; i < kTransfer; ++i) g_destination[i] = static_cast<uint8_t>(~g_source[i]);
    asm volatile("" : : : "memory");
    bool to_device = edu_dma(dma_address(g_source), kEduBuffer, kTransfer, 0);
    g_msi_count = 0;
    g_msi_status = 0;
    bool to_ram = false;
    if (to_device) {
        edu_write(EduReg::kDmaSource, kEduBuffer);
        edu_write(EduReg::kDmaDestination, dma_address(g_destination));
        edu_write(EduReg::kDmaCount, kTransfer);
        edu_write(EduReg::kDmaCommand, kDmaRun | kDmaToRam | kDmaIrq);
        to_ram = wait_for_interrupt([] { return (edu_read(EduReg::kDmaCommand) & kDmaRun) == 0; });
    }
    asm volatile("" : : : "memory");
    uint32_t wrong = mismatches(g_source, g_destination, kTransfer);
    after = edu_read(EduReg::kIrqStatus);
    rt::note("msi dma: %u interrupt(s), irq status 0x%x in the handler, 0x%x after", g_msi_count,
             g_msi_status, after);
    rt::check(to_device && to_ram && g_msi_count == 1 && g_msi_status == kIrqDma && after == 0 &&
                  wrong == 0,
              "edu.msi_dma",
              "RAM->edu %s, edu->RAM %s, %u interrupt(s) (expected 1), irq status 0x%x (expected "
              "0x%x), 0x%x after acknowledge, %u of %u bytes wrong",
              to_device ? "done" : "timed out", to_ram ? "done" : "not done", g_msi_count,
              g_msi_status, kIrqDma, after, wrong, kTransfer);
}

void bench(uint32_t n) {
    uint64_t start = rt::rdtsc();
    RoundTrip r{};
    uint32_t done = 0;
    for (; done < n; ++done) {
        r = round_trip();
        if (!r.to_device || !r.to_ram) break;
    }
    uint64_t cycles = rt::rdtsc() - start;
    rt::print("BENCH edu_dma bytes=%llu cycles=%llu\n", uint64_t{done} * 2 * kTransfer, cycles);
    check_round_trip("edu.bench_data", r);
}

// Splits `bad_dma=` at commas. False (after a FAIL) on a malformed list.
bool parse_bad_dma(uint64_t* addrs, uint32_t* count) {
    *count = 0;
    rt::StringView list;
    if (!rt::cmdline_value("bad_dma", &list)) return true;
    uint32_t start = 0;
    while (start <= list.length) {
        uint32_t end = start;
        while (end < list.length && list.data[end] != ',') ++end;
        rt::StringView item{list.data + start, end - start};
        if (*count == kMaxBadDma || !rt::parse_u64(item, &addrs[*count])) {
            rt::fail("edu.bad_dma", "bad_dma= takes up to %u comma-separated addresses",
                     kMaxBadDma);
            return false;
        }
        ++*count;
        start = end + 1;
    }
    return true;
}

void bad_dma() {
    uint64_t addrs[kMaxBadDma];
    uint32_t count = 0;
    if (!parse_bad_dma(addrs, &count) || count == 0) return;
    for (uint32_t i = 0; i < count; ++i) {
        uint64_t addr = addrs[i];
        auto target = static_cast<uint32_t>(addr);
        if (addr != (target & kDmaAddressMask)) {
            rt::note("bad_dma addr=0x%llx: edu masks DMA addresses to 28 bits, so it reaches 0x%x",
                     addr, target & kDmaAddressMask);
        }
        rt::note("bad_dma addr=0x%llx: %u bytes edu->RAM, then RAM->edu", addr, kBadDmaBytes);
        bool out = edu_dma(kEduBuffer, target, kBadDmaBytes, kDmaToRam);
        bool in = edu_dma(target, kEduBuffer + kBadDmaEduOffset, kBadDmaBytes, 0);
        rt::note("bad_dma addr=0x%llx done", addr);
        rt::check(out && in, "edu.bad_dma", "addr 0x%llx: edu->RAM %s, RAM->edu %s", addr,
                  out ? "done" : "timed out", in ? "done" : "timed out");
    }
    check_round_trip("edu.dma_after_bad", round_trip());
}

}  // namespace

void guest_main(uint32_t, const rt::MultibootInfo*) {
    rt::PciFunction f;
    if (!rt::pci_find(0, kEduVendor, kEduDevice, &f)) {
        rt::fail("edu.found", "no %x:%x on bus 0", kEduVendor, kEduDevice);
        return;
    }
    rt::PciBar bar;
    bool have_bar = rt::pci_read_bar(f, 0, &bar);
    uint16_t command = rt::pci_read16(f, rt::kPciCommand);
    rt::note("edu at %x:%x.%x command=0x%x bar0=0x%llx (%s%s)", f.bus, f.device, f.function,
             command, bar.base, bar.is_64bit ? "64-bit " : "", bar.memory ? "memory" : "I/O");
    if (!have_bar || !bar.memory || bar.base == 0) {
        rt::fail("edu.bar0", "BAR0 is not an assigned memory BAR");
        return;
    }
    rt::pci_write16(f, rt::kPciCommand, command | rt::kPciCommandMemory | rt::kPciCommandBusMaster);
    g_edu = rt::map_physical(bar.base, /*uncached=*/true);
    if (g_edu == nullptr) {
        rt::fail("edu.bar0", "BAR0 0x%llx is beyond what the guest can map", bar.base);
        return;
    }
    if (dma_address(g_source) > kDmaAddressMask || dma_address(g_destination) > kDmaAddressMask) {
        rt::fail("edu.dma", "buffers at 0x%x/0x%x are beyond edu's 28-bit DMA mask",
                 dma_address(g_source), dma_address(g_destination));
        return;
    }

    check_registers();
    check_factorial();
    RoundTrip r = round_trip();
    rt::note("dma %u bytes: RAM->edu %llu TSC cycles, edu->RAM %llu", kTransfer, r.cycles_to_device,
             r.cycles_to_ram);
    check_round_trip("edu.dma", r);
    check_msi(f);

    auto n = static_cast<uint32_t>(rt::cmdline_u64("bench", 0));
    if (n != 0) bench(n);
    bad_dma();
}
