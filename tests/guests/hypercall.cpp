// The hypercalls of docs/guest_abi.md: version, nop, an unknown number, console_write (good and
// oversized), vcpu_info and memory_info for RAM and for the LAPIC page. Skipped without
// AIHypervisor (the instructions would raise #UD).
#include "runtime.hpp"

const char rt::kGuestName[] = "hypercall";

namespace {

constexpr uint32_t kUnknownCall = 0x7777;
constexpr uint32_t kMaxConsoleWrite = 256;
constexpr char kConsoleText[] = "hello from console_write\n";
char g_oversized[kMaxConsoleWrite + 1];

bool is_large_page(uint32_t size) { return size == 2 * rt::kMiB || size == rt::kGiB; }

}  // namespace

void guest_main(uint32_t, const rt::MultibootInfo*) {
    if (!rt::under_aihypervisor()) {
        rt::skip("hypercall", "not under AIHypervisor (no signature at CPUID 0x40000000)");
        return;
    }
    rt::note("using %s", rt::cpu_is_amd() ? "VMMCALL" : "VMCALL");

    rt::HypercallResult r = rt::hypercall(rt::Hypercall::kVersion);
    rt::check(r.status == rt::kStatusOk && r.rbx == rt::kAbiVersion, "hypercall.version",
              "status %d rbx %u, expected 0 and %u", r.status, r.rbx, rt::kAbiVersion);

    r = rt::hypercall(rt::Hypercall::kNop);
    rt::check(r.status == rt::kStatusOk, "hypercall.nop", "status %d", r.status);

    r = rt::hypercall(kUnknownCall);
    rt::check(r.status == rt::kStatusNoSys, "hypercall.unknown_enosys",
              "call 0x%x: status %d, expected %d", kUnknownCall, r.status, rt::kStatusNoSys);

    r = rt::hypercall(rt::Hypercall::kConsoleWrite, reinterpret_cast<uint32_t>(kConsoleText),
                      sizeof(kConsoleText) - 1);
    rt::check(r.status == rt::kStatusOk, "hypercall.console_write", "status %d", r.status);

    memset(g_oversized, 'x', sizeof(g_oversized));
    r = rt::hypercall(rt::Hypercall::kConsoleWrite, reinterpret_cast<uint32_t>(g_oversized),
                      sizeof(g_oversized));
    rt::check(r.status == rt::kStatusInval, "hypercall.console_write_too_long",
              "length %u: status %d, expected %d", sizeof(g_oversized), r.status, rt::kStatusInval);

    r = rt::hypercall(rt::Hypercall::kVcpuInfo);
    rt::check(r.status == rt::kStatusOk && r.rbx == 0 && r.rcx >= 1, "hypercall.vcpu_info",
              "status %d index %u count %u, expected 0, 0, >= 1", r.status, r.rbx, r.rcx);

    r = rt::hypercall(rt::Hypercall::kMemoryInfo, 0x100000);
    rt::check(r.status == rt::kStatusOk && r.rcx == 1 && is_large_page(r.rbx),
              "hypercall.memory_info_ram",
              "0x100000: status %d page size 0x%x ram %u, expected 0, 2 MiB or 1 GiB, 1", r.status,
              r.rbx, r.rcx);

    r = rt::hypercall(rt::Hypercall::kMemoryInfo, rt::kLapicBase);
    rt::check(r.status == rt::kStatusOk && r.rcx == 0, "hypercall.memory_info_device",
              "0xfee00000: status %d ram %u, expected 0 and 0", r.status, r.rcx);
}
