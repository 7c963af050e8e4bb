// The MSR allow-list of docs/guest_abi.md: allowed MSRs behave (EFER, PAT round trip, TSC, APIC
// base, MTRR capabilities) and refused ones inject #GP(0). Without AIHypervisor only EFER, PAT
// and APIC base are checked: QEMU's TCG raises no #GP for any MSR and reads MSR 0x10 as 0, so the
// TSC and #GP checks are skipped there. (Under the hypervisor on TCG, a passed-through MSR 0x10
// would read 0 too: the hypervisor has to emulate it for msr.tsc_matches_rdtsc to pass.)
#include "runtime.hpp"

const char rt::kGuestName[] = "msr";

namespace {

constexpr uint32_t kMsrTsc = 0x10;
constexpr uint32_t kMsrApicBase = 0x1B;
constexpr uint32_t kMsrFeatureControl = 0x3A;
constexpr uint32_t kMsrMtrrCap = 0xFE;
constexpr uint32_t kMsrPat = 0x277;
constexpr uint32_t kMsrEfer = 0xC0000080;
constexpr uint32_t kMsrVmCr = 0xC0010114;  // AMD APM vol. 2 sec. 15.30.1
constexpr uint32_t kMsrInvalid = 0x12345678;

constexpr uint64_t kApicBaseEnable = 1 << 11, kApicBaseBsp = 1 << 8;
constexpr uint64_t kApicBaseAddressMask = 0xFFFFFF000;
// Every byte a valid memory type (SDM vol. 3 table 11-10): WB WT UC- UC, WC WT UC- UC.
constexpr uint64_t kTestPat = 0x0007040100070406;

// Reads (or writes) `msr` expecting #GP(0); the name is the check's.
void expect_gp(const char* name, uint32_t msr, bool write) {
    rt::expect_exception(rt::kVectorGp, rt::kMsrInsnLength);
    if (write) {
        rt::wrmsr(msr, 0);
    } else {
        rt::rdmsr(msr);
    }
    rt::ExceptionRecord e = rt::take_exception();
    if (!e.fired) {
        rt::fail(name, "%s of MSR 0x%x did not raise #GP", write ? "write" : "read", msr);
        return;
    }
    rt::check(e.error == 0, name, "#GP error code 0x%x, expected 0", e.error);
}

}  // namespace

void guest_main(uint32_t, const rt::MultibootInfo*) {
    bool hv = rt::under_aihypervisor();

    uint64_t efer = rt::rdmsr(kMsrEfer);
    rt::note("EFER=0x%llx", efer);
    rt::pass("msr.efer_read");

    uint64_t old_pat = rt::rdmsr(kMsrPat);
    rt::wrmsr(kMsrPat, kTestPat);
    uint64_t new_pat = rt::rdmsr(kMsrPat);
    rt::wrmsr(kMsrPat, old_pat);
    rt::check(new_pat == kTestPat, "msr.pat_round_trip", "wrote 0x%llx, read 0x%llx", kTestPat,
              new_pat);
    uint64_t restored_pat = rt::rdmsr(kMsrPat);
    rt::check(restored_pat == old_pat, "msr.pat_restore", "wrote 0x%llx, read 0x%llx", old_pat,
              restored_pat);

    uint64_t apic_base = rt::rdmsr(kMsrApicBase);
    rt::check((apic_base & kApicBaseAddressMask) == 0xFEE00000 &&
                  (apic_base & kApicBaseEnable) != 0 && (apic_base & kApicBaseBsp) != 0,
              "msr.apic_base", "0x%llx, expected base 0xfee00000 with enable and BSP bits",
              apic_base);

    if (!hv) {
        constexpr const char* kSkipped[] = {"msr.tsc_matches_rdtsc", "msr.mtrr_cap_read",
                                            "msr.invalid_read_gp", "msr.vm_cr_read_gp",
                                            "msr.feature_control_write_gp"};
        for (const char* name : kSkipped) rt::skip(name, "not under AIHypervisor");
        return;
    }

    uint64_t before = rt::rdtsc();
    uint64_t tsc = rt::rdmsr(kMsrTsc);
    uint64_t after = rt::rdtsc();
    rt::check(before <= tsc && tsc <= after, "msr.tsc_matches_rdtsc",
              "rdtsc 0x%llx, MSR 0x10 0x%llx, rdtsc 0x%llx", before, tsc, after);

    uint64_t mtrr_cap = rt::rdmsr(kMsrMtrrCap);
    rt::note("MTRRcap=0x%llx", mtrr_cap);
    rt::pass("msr.mtrr_cap_read");

    expect_gp("msr.invalid_read_gp", kMsrInvalid, false);
    expect_gp("msr.vm_cr_read_gp", kMsrVmCr, false);
    expect_gp("msr.feature_control_write_gp", kMsrFeatureControl, true);
}
