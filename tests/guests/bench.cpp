// Exit round-trip benchmark. For each exiting operation: 100 warm-up runs, then N timed with
// RDTSC (not serialized: over N iterations the skew of the two reads is noise), minus an empty
// loop of N iterations. Prints `BENCH name cycles_per_op=C` for baseline (the empty loop itself,
// not subtracted), cpuid (leaf 0x40000000), hypercall_nop, port_read (UART LSR 0x3FD) and
// mmio_read (LAPIC version). Options:
//   iterations=N   (default 2000)
// Without AIHypervisor the hypercall is skipped.
#include "runtime.hpp"

const char rt::kGuestName[] = "bench";

namespace {

constexpr uint32_t kWarmup = 100;
constexpr uint32_t kDefaultIterations = 2000;
constexpr uint16_t kUartLsr = 0x3FD;

template <typename Op>
uint64_t time_loop(uint32_t n, Op op) {
    for (uint32_t i = 0; i < kWarmup; ++i) op();
    uint64_t start = rt::rdtsc();
    for (uint32_t i = 0; i < n; ++i) op();
    return rt::rdtsc() - start;
}

void empty_op() { asm volatile("" : : : "memory"); }

void report(const char* name, uint64_t cycles, uint64_t baseline, uint32_t n) {
    uint64_t net = cycles > baseline ? cycles - baseline : 0;
    rt::print("BENCH %s cycles_per_op=%llu\n", name, rt::udiv64(net, n));
}

}  // namespace

void guest_main(uint32_t, const rt::MultibootInfo*) {
    auto n = static_cast<uint32_t>(rt::cmdline_u64("iterations", kDefaultIterations));
    if (n == 0) n = kDefaultIterations;
    rt::note("iterations=%u warmup=%u, cycles are TSC ticks", n, kWarmup);

    uint64_t baseline = time_loop(n, empty_op);
    rt::print("BENCH baseline cycles_per_op=%llu\n", rt::udiv64(baseline, n));

    report("cpuid", time_loop(n, [] { rt::cpuid(rt::kHypervisorLeaf); }), baseline, n);
    if (rt::under_aihypervisor()) {
        report("hypercall_nop", time_loop(n, [] { rt::hypercall(rt::Hypercall::kNop); }), baseline,
               n);
    } else {
        rt::skip("bench.hypercall_nop", "not under AIHypervisor");
    }
    report("port_read", time_loop(n, [] { rt::inb(kUartLsr); }), baseline, n);
    report("mmio_read", time_loop(n, [] { rt::lapic_read(rt::LapicReg::kVersion); }), baseline, n);
    rt::pass("bench");
}
