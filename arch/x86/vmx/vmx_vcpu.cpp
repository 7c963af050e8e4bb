#include "arch/x86/vmx/vmx_vcpu.hpp"

#include "arch/x86/cpu/control_regs.hpp"
#include "arch/x86/cpu/cpuid.hpp"
#include "arch/x86/cpu/io.hpp"
#include "arch/x86/cpu/msr.hpp"
#include "arch/x86/vmx/msr_bitmap.hpp"
#include "arch/x86/vmx/vmcs_fields.hpp"
#include "arch/x86/vmx/vmx_exit.hpp"
#include "arch/x86/vmx/vmx_instructions.hpp"
#include "kernel/console.hpp"
#include "kernel/direct_map.hpp"
#include "kernel/kernel_memory.hpp"
#include "kernel/percpu.hpp"

extern "C" int vmx_run(hv::vmm::GuestRegisters* regs, std::uint64_t launched);
extern "C" char vmx_exit_point[];

namespace hv::vmx {
namespace {

using F16 = VmcsField16;
using F32 = VmcsField32;
using F64 = VmcsField64;
using FN = VmcsFieldNatural;

constexpr std::uint64_t kFeatureControlLock = 1ull << 0;  // SDM vol. 3C 25.7
constexpr std::uint64_t kFeatureControlVmxOutsideSmx = 1ull << 2;
constexpr std::uint64_t kDefaultPat = 0x0007'0406'0007'0406;  // power-up PAT (SDM vol. 3A 13.12.4)
constexpr std::uint64_t kDr7Init = 0x400;                     // SDM vol. 3A table 10-1
constexpr std::uint32_t kInterceptVectorDb = 1u << 1;         // CVE-2015-8104: #DB loop
constexpr std::uint32_t kInterceptVectorAc = 1u << 17;        // CVE-2015-5307: #AC loop
constexpr std::uint8_t kVectorNmi = 2;
constexpr std::uint8_t kVectorGp = 13;
constexpr std::uint32_t kArLongMode = 1u << 13;   // VMX access rights: L
constexpr std::uint32_t kArDefault32 = 1u << 14;  // VMX access rights: D/B
constexpr std::uint32_t kEferLma = 1u << 10;
constexpr std::uint32_t kBlockingStiOrMovSs =
    interruptibility::kBlockingBySti | interruptibility::kBlockingByMovSs;

// MSRs the guest reads and writes directly: FS/GS base and SYSENTER are switched through the
// VMCS guest/host state; the SYSCALL MSRs and KernelGSbase stay the guest's while it is pinned
// here (see vmx_vcpu.hpp). The same list as the SVM backend, so guests see one ABI.
constexpr std::uint32_t kPassthroughMsrs[] = {
    0xC000'0100,                // FS.base
    0xC000'0101,                // GS.base
    0xC000'0102,                // KernelGSbase
    0xC000'0081,                // STAR
    0xC000'0082,                // LSTAR
    0xC000'0083,                // CSTAR
    0xC000'0084,                // SFMASK
    0x174,       0x175, 0x176,  // SYSENTER_CS/ESP/EIP
};
constexpr std::uint32_t kGuestOwnedMsrs[] = {0xC000'0081, 0xC000'0082, 0xC000'0083, 0xC000'0084,
                                             0xC000'0102};
constexpr std::uint32_t kMsrSysenterCs = 0x174;
constexpr std::uint32_t kMsrSysenterEsp = 0x175;
constexpr std::uint32_t kMsrSysenterEip = 0x176;

// CPUID bits of instructions the guest is told about (CPUID passes them through), which VMX
// turns into #UD unless their secondary control is set (SDM vol. 3C 26.3).
constexpr std::uint32_t kExt1EdxRdtscp = 1u << 27;    // CPUID.8000_0001h:EDX
constexpr std::uint32_t kLeaf7EbxInvpcid = 1u << 10;  // CPUID.(7,0):EBX
constexpr std::uint32_t kLeafDEaxXsaves = 1u << 3;    // CPUID.(0Dh,1):EAX

struct Config {
    std::uint32_t revision;
    std::uint32_t pin, proc, proc2, exit, entry;
    FixedBits cr0_host, cr4_host;
    FixedBits cr0_guest, cr4_guest;
    EptSupport ept;
    bool vpid;
    HostPhys msr_bitmap, io_bitmap_a, io_bitmap_b;
};
Config g_config;

struct CpuState {
    HostPhys vmxon_region;
    bool vmx_on;
    HostPhys current_vmcs;
};
CpuState g_cpu[kMaxCpus];

Result<HostPhys> zeroed_pages(std::uint64_t bytes) {
    const HostPhys p = TRY(memory::allocate(bytes, kPageSize));
    __builtin_memset(phys_to_virt(p), 0, bytes);
    return p;
}

std::uint16_t read_selector_cs() {
    std::uint16_t v;
    asm volatile("mov %%cs, %0" : "=r"(v));
    return v;
}
std::uint16_t read_selector_ss() {
    std::uint16_t v;
    asm volatile("mov %%ss, %0" : "=r"(v));
    return v;
}
std::uint16_t read_selector_ds() {
    std::uint16_t v;
    asm volatile("mov %%ds, %0" : "=r"(v));
    return v;
}
std::uint16_t read_selector_es() {
    std::uint16_t v;
    asm volatile("mov %%es, %0" : "=r"(v));
    return v;
}
std::uint16_t read_selector_fs() {
    std::uint16_t v;
    asm volatile("mov %%fs, %0" : "=r"(v));
    return v;
}
std::uint16_t read_selector_gs() {
    std::uint16_t v;
    asm volatile("mov %%gs, %0" : "=r"(v));
    return v;
}
std::uint16_t read_selector_tr() {
    std::uint16_t v;
    asm volatile("str %0" : "=r"(v));
    return v;
}
struct [[gnu::packed]] DescriptorPointer {
    std::uint16_t limit;
    std::uint64_t base;
};
std::uint64_t gdt_base() {
    DescriptorPointer p;
    asm volatile("sgdt %0" : "=m"(p));
    return p.base;
}
std::uint64_t idt_base() {
    DescriptorPointer p;
    asm volatile("sidt %0" : "=m"(p));
    return p.base;
}

// One control field adjusted to its capability MSR; the bits that could not be had are logged.
Result<std::uint32_t> adjusted(ControlKind kind, std::uint64_t basic_msr, std::uint32_t required,
                               std::uint32_t optional, std::uint32_t forbidden, const char* what) {
    const AdjustedControls a =
        adjust_controls(x86::rdmsr(capability_msr(kind, basic_msr)), required, optional, forbidden);
    if (!a.ok()) {
        log("vmx: ", what, " controls: required bits 0x", Hex{a.missing_required},
            " unavailable, forbidden bits 0x", Hex{a.forced_forbidden}, " forced");
        return make_error(Errc::kUnsupported, "VMX lacks a required control");
    }
    return a.value;
}

std::uint32_t optional_secondary_controls() {
    std::uint32_t optional = 0;
    if (x86::cpuid_max_ext_leaf() >= 0x8000'0001 && (x86::cpuid(0x8000'0001).edx & kExt1EdxRdtscp))
        optional |= proc2::kEnableRdtscp;
    const std::uint32_t max_leaf = x86::cpuid(0).eax;
    if (max_leaf >= 7 && (x86::cpuid(7, 0).ebx & kLeaf7EbxInvpcid))
        optional |= proc2::kEnableInvpcid;
    if (max_leaf >= 0xD && (x86::cpuid(0xD, 1).eax & kLeafDEaxXsaves))
        optional |= proc2::kEnableXsaves;
    return optional;
}

}  // namespace

Result<void> init_global() {
    Config& c = g_config;
    const std::uint64_t basic_msr = x86::rdmsr(msr::kBasic);
    c.revision = static_cast<std::uint32_t>(basic_msr & basic::kRevisionMask);
    if (((basic_msr >> basic::kRegionSizeShift) & basic::kRegionSizeMask) > kPageSize) {
        return make_error(Errc::kUnsupported, "VMCS larger than a page");
    }
    c.pin = TRY(adjusted(ControlKind::kPinBased, basic_msr,
                         pin::kExternalInterruptExiting | pin::kNmiExiting, 0, 0, "pin-based"));
    // CR8 accesses exit: without a TPR shadow they would reach the host's own TPR. CR3 accesses
    // and INVLPG run natively under EPT.
    c.proc = TRY(adjusted(
        ControlKind::kProcBased, basic_msr,
        proc::kHltExiting | proc::kUseTscOffsetting | proc::kMwaitExiting | proc::kMonitorExiting |
            proc::kCr8LoadExiting | proc::kCr8StoreExiting | proc::kUseIoBitmaps |
            proc::kUseMsrBitmaps | proc::kActivateSecondary | proc::kInterruptWindowExiting,
        0, proc::kCr3LoadExiting | proc::kCr3StoreExiting | proc::kInvlpgExiting, "primary"));
    c.proc &= ~proc::kInterruptWindowExiting;  // checked above, turned on on demand
    const std::uint32_t optional2 = optional_secondary_controls() | proc2::kEnableVpid;
    c.proc2 =
        TRY(adjusted(ControlKind::kProcBased2, basic_msr,
                     proc2::kEnableEpt | proc2::kUnrestrictedGuest, optional2, 0, "secondary"));
    c.vpid = (c.proc2 & proc2::kEnableVpid) != 0;
    // The host takes its own interrupts with STI after the exit: no acknowledge on exit.
    c.exit = TRY(adjusted(ControlKind::kExit, basic_msr,
                          exit_ctl::kHostAddressSpaceSize | exit_ctl::kSaveEfer |
                              exit_ctl::kLoadEfer | exit_ctl::kSavePat | exit_ctl::kLoadPat,
                          0, exit_ctl::kAckInterruptOnExit, "VM-exit"));
    c.entry =
        TRY(adjusted(ControlKind::kEntry, basic_msr, entry_ctl::kLoadEfer | entry_ctl::kLoadPat, 0,
                     entry_ctl::kEntryToSmm | entry_ctl::kIa32eModeGuest, "VM-entry"));

    c.ept = check_ept_support(x86::rdmsr(msr::kEptVpidCap));
    if (!c.ept.usable) return make_error(Errc::kUnsupported, c.ept.missing);
    c.cr0_host = {x86::rdmsr(msr::kCr0Fixed0), x86::rdmsr(msr::kCr0Fixed1)};
    c.cr4_host = {x86::rdmsr(msr::kCr4Fixed0), x86::rdmsr(msr::kCr4Fixed1)};
    c.cr0_guest = guest_cr0_fixed(c.cr0_host, true);
    c.cr4_guest = c.cr4_host;

    c.msr_bitmap = TRY(zeroed_pages(kMsrBitmapSize));
    c.io_bitmap_a = TRY(zeroed_pages(kIoBitmapSize));
    c.io_bitmap_b = TRY(zeroed_pages(kIoBitmapSize));
    MsrBitmap bitmap({static_cast<std::uint8_t*>(phys_to_virt(c.msr_bitmap)), kMsrBitmapSize});
    for (std::uint32_t m : kPassthroughMsrs) bitmap.allow(m, true, true);
    exit_on_all_ports({static_cast<std::uint8_t*>(phys_to_virt(c.io_bitmap_a)), kIoBitmapSize});
    exit_on_all_ports({static_cast<std::uint8_t*>(phys_to_virt(c.io_bitmap_b)), kIoBitmapSize});
    return {};
}

bool ept_gigabyte_pages() { return g_config.ept.pages_1g; }

Result<void> init_this_cpu() {
    CpuState& cpu = g_cpu[this_cpu().index];
    if (cpu.vmx_on) return {};
    // Firmware that leaves the MSR unlocked lets us choose; locked without VMX outside SMX is
    // refused by classify_virt_support() already, but the BIOS of this CPU may differ.
    const std::uint64_t fc = x86::rdmsr(x86::Msr::kFeatureControl);
    if ((fc & kFeatureControlLock) == 0) {
        x86::wrmsr(x86::Msr::kFeatureControl,
                   fc | kFeatureControlVmxOutsideSmx | kFeatureControlLock);
    } else if ((fc & kFeatureControlVmxOutsideSmx) == 0) {
        return make_error(Errc::kUnsupported, "VMX disabled by firmware on this CPU");
    }
    const std::uint64_t cr0 = x86::read_cr0();
    if (!g_config.cr0_host.satisfied_by(cr0)) x86::write_cr0(g_config.cr0_host.apply(cr0));
    // CR4.OSXSAVE lets the exit handler execute a guest's XSETBV on this CPU (SDM vol. 2B
    // XSETBV: #UD without it); the hypervisor itself never uses extended state.
    constexpr std::uint32_t kCpuid1EcxXsave = 1u << 26;
    const std::uint64_t osxsave = (x86::cpuid(1).ecx & kCpuid1EcxXsave) ? x86::kCr4Osxsave : 0;
    x86::write_cr4(g_config.cr4_host.apply(x86::read_cr4() | kCr4Vmxe | osxsave));
    if (cpu.vmxon_region.raw() == 0) {
        cpu.vmxon_region = TRY(zeroed_pages(kPageSize));
        *static_cast<std::uint32_t*>(phys_to_virt(cpu.vmxon_region)) = g_config.revision;
    }
    if (!vmxon(cpu.vmxon_region.raw())) return make_error(Errc::kUnsupported, "VMXON failed");
    cpu.vmx_on = true;
    cpu.current_vmcs = HostPhys{};
    return {};
}

Result<void> VmxVcpu::init(std::uint64_t eptp, std::uint16_t vpid) {
    vmcs_pa_ = TRY(zeroed_pages(kPageSize));
    *static_cast<std::uint32_t*>(phys_to_virt(vmcs_pa_)) = g_config.revision;  // SDM 25.2
    eptp_ = eptp;
    vpid_ = vpid;
    proc_ = g_config.proc;
    entry_ = g_config.entry;
    pat_ = kDefaultPat;
    return {};
}

void VmxVcpu::release() {
    if (vmcs_pa_.raw() == 0) return;
    if (cpu_ == kNoCpu) {
        memory::free(vmcs_pa_, kPageSize);
    } else if (cpu_ == static_cast<int>(this_cpu().index)) {
        vmclear(vmcs_pa_.raw());
        g_cpu[cpu_].current_vmcs = HostPhys{};
        memory::free(vmcs_pa_, kPageSize);
    }
    // Otherwise the VMCS is still active on its CPU, which may write it back at any time
    // (SDM 25.11.3): without a VMCLEAR there, the page is left allocated.
    vmcs_pa_ = HostPhys{};
}

bool VmxVcpu::active() const { return cpu_ != kNoCpu; }

void VmxVcpu::load_state(const vmm::InitialState& s) {
    initial_ = s;
    regs_ = s.regs;
    efer_ = s.efer;
    pat_ = kDefaultPat;
    pending_event_ = 0;
    interruptibility_ = 0;
    cr0_ = shadow_cr(s.cr0, g_config.cr0_guest);
    cr4_ = shadow_cr(s.cr4, g_config.cr4_guest);
    state_pending_ = true;
    if (active() && cpu_ == static_cast<int>(this_cpu().index)) {
        if (write_guest_state()) state_pending_ = false;
    }
}

bool VmxVcpu::write_controls() {
    const Config& c = g_config;
    bool ok = vmwrite(F32::kPinBasedControls, c.pin);
    ok &= vmwrite(F32::kPrimaryProcControls, proc_);
    std::uint32_t proc2 = c.proc2;
    if (vpid_ == 0) proc2 &= ~proc2::kEnableVpid;
    ok &= vmwrite(F32::kSecondaryProcControls, proc2);
    ok &= vmwrite(F32::kExitControls, c.exit);
    ok &= vmwrite(F32::kEntryControls, entry_);
    ok &= vmwrite(F32::kExceptionBitmap, kInterceptVectorDb | kInterceptVectorAc);
    ok &= vmwrite(F32::kPageFaultErrorMask, 0);
    ok &= vmwrite(F32::kPageFaultErrorMatch, 0);
    ok &= vmwrite(F32::kCr3TargetCount, 0);
    ok &= vmwrite(F32::kExitMsrStoreCount, 0);
    ok &= vmwrite(F32::kExitMsrLoadCount, 0);
    ok &= vmwrite(F32::kEntryMsrLoadCount, 0);
    ok &= vmwrite(F32::kEntryInterruptionInfo, 0);
    ok &= vmwrite(F64::kIoBitmapA, c.io_bitmap_a.raw());
    ok &= vmwrite(F64::kIoBitmapB, c.io_bitmap_b.raw());
    ok &= vmwrite(F64::kMsrBitmap, c.msr_bitmap.raw());
    ok &= vmwrite(F64::kTscOffset, tsc_offset_);
    ok &= vmwrite(F64::kEptPointer, eptp_);
    if (proc2 & proc2::kEnableXsaves) ok &= vmwrite(F64::kXssExitingBitmap, 0);
    if (proc2 & proc2::kEnableVpid) ok &= vmwrite(F16::kVpid, vpid_);
    return ok;
}

bool VmxVcpu::write_host_state() {
    bool ok = vmwrite(FN::kHostCr0, x86::read_cr0());
    ok &= vmwrite(FN::kHostCr3, x86::read_cr3());
    ok &= vmwrite(FN::kHostCr4, x86::read_cr4());
    // Selector fields need RPL = TI = 0 (SDM 27.2.3); the hypervisor's GDT selectors have both.
    ok &= vmwrite(F16::kHostCsSelector, read_selector_cs());
    ok &= vmwrite(F16::kHostSsSelector, read_selector_ss());
    ok &= vmwrite(F16::kHostDsSelector, read_selector_ds());
    ok &= vmwrite(F16::kHostEsSelector, read_selector_es());
    ok &= vmwrite(F16::kHostFsSelector, read_selector_fs());
    ok &= vmwrite(F16::kHostGsSelector, read_selector_gs());
    ok &= vmwrite(F16::kHostTrSelector, read_selector_tr());
    ok &= vmwrite(FN::kHostFsBase, x86::rdmsr(x86::Msr::kFsBase));
    ok &= vmwrite(FN::kHostGsBase, x86::rdmsr(x86::Msr::kGsBase));
    ok &= vmwrite(FN::kHostTrBase, reinterpret_cast<std::uint64_t>(&this_cpu().descriptors.tss));
    ok &= vmwrite(FN::kHostGdtrBase, gdt_base());
    ok &= vmwrite(FN::kHostIdtrBase, idt_base());
    ok &= vmwrite(F32::kHostSysenterCs, static_cast<std::uint32_t>(x86::rdmsr(kMsrSysenterCs)));
    ok &= vmwrite(FN::kHostSysenterEsp, x86::rdmsr(kMsrSysenterEsp));
    ok &= vmwrite(FN::kHostSysenterEip, x86::rdmsr(kMsrSysenterEip));
    ok &= vmwrite(F64::kHostEfer, x86::rdmsr(x86::Msr::kEfer));
    ok &= vmwrite(F64::kHostPat, x86::rdmsr(x86::Msr::kPat));
    ok &= vmwrite(FN::kHostRip, reinterpret_cast<std::uint64_t>(vmx_exit_point));
    return ok;
}

bool VmxVcpu::write_guest_state() {
    const vmm::InitialState& s = initial_;
    const bool protected_mode = (s.cr0 & kCr0Pe) != 0;
    bool ok = true;
    auto segment = [&](const vmm::Segment& seg, F16 selector, FN base, F32 limit, F32 rights,
                       bool cs_or_tr) {
        const bool unusable = segment_unusable(seg.selector, seg.attrib, protected_mode, cs_or_tr);
        ok &= vmwrite(selector, seg.selector);
        ok &= vmwrite(base, seg.base);
        ok &= vmwrite(limit, seg.limit);
        ok &= vmwrite(rights, to_access_rights(seg.attrib, unusable));
    };
    segment(s.es, F16::kGuestEsSelector, FN::kGuestEsBase, F32::kGuestEsLimit,
            F32::kGuestEsAccessRights, false);
    segment(s.cs, F16::kGuestCsSelector, FN::kGuestCsBase, F32::kGuestCsLimit,
            F32::kGuestCsAccessRights, true);
    segment(s.ss, F16::kGuestSsSelector, FN::kGuestSsBase, F32::kGuestSsLimit,
            F32::kGuestSsAccessRights, false);
    segment(s.ds, F16::kGuestDsSelector, FN::kGuestDsBase, F32::kGuestDsLimit,
            F32::kGuestDsAccessRights, false);
    segment(s.fs, F16::kGuestFsSelector, FN::kGuestFsBase, F32::kGuestFsLimit,
            F32::kGuestFsAccessRights, false);
    segment(s.gs, F16::kGuestGsSelector, FN::kGuestGsBase, F32::kGuestGsLimit,
            F32::kGuestGsAccessRights, false);
    segment(s.ldtr, F16::kGuestLdtrSelector, FN::kGuestLdtrBase, F32::kGuestLdtrLimit,
            F32::kGuestLdtrAccessRights, false);
    segment(s.tr, F16::kGuestTrSelector, FN::kGuestTrBase, F32::kGuestTrLimit,
            F32::kGuestTrAccessRights, true);
    ok &= vmwrite(FN::kGuestGdtrBase, s.gdtr_base);
    ok &= vmwrite(F32::kGuestGdtrLimit, s.gdtr_limit);
    ok &= vmwrite(FN::kGuestIdtrBase, s.idtr_base);
    ok &= vmwrite(F32::kGuestIdtrLimit, s.idtr_limit);

    ok &= vmwrite(FN::kGuestCr0, cr0_.actual);
    ok &= vmwrite(FN::kCr0GuestHostMask, cr0_.mask);
    ok &= vmwrite(FN::kCr0ReadShadow, cr0_.shadow);
    ok &= vmwrite(FN::kGuestCr3, s.cr3);
    ok &= vmwrite(FN::kGuestCr4, cr4_.actual);
    ok &= vmwrite(FN::kCr4GuestHostMask, cr4_.mask);
    ok &= vmwrite(FN::kCr4ReadShadow, cr4_.shadow);
    ok &= vmwrite(FN::kGuestDr7, kDr7Init);
    ok &= vmwrite(F64::kGuestDebugCtl, 0);
    ok &= vmwrite(F64::kGuestEfer, efer_);
    ok &= vmwrite(F64::kGuestPat, pat_);
    ok &= vmwrite(F32::kGuestSysenterCs, 0);
    ok &= vmwrite(FN::kGuestSysenterEsp, 0);
    ok &= vmwrite(FN::kGuestSysenterEip, 0);
    // A loader that starts a guest with PAE paging on would have to supply the PDPTEs (SDM
    // 27.3.2.4); multiboot and Linux entry states have paging off or in long mode.
    ok &= vmwrite(F64::kGuestPdpte0, 0);
    ok &= vmwrite(F64::kGuestPdpte1, 0);
    ok &= vmwrite(F64::kGuestPdpte2, 0);
    ok &= vmwrite(F64::kGuestPdpte3, 0);
    ok &= vmwrite(F32::kGuestInterruptibility, 0);
    ok &= vmwrite(F32::kGuestActivityState, static_cast<std::uint32_t>(ActivityState::kActive));
    ok &= vmwrite(FN::kGuestPendingDebugExceptions, 0);
    ok &= vmwrite(F64::kVmcsLinkPointer, ~0ull);  // no shadow VMCS (SDM 27.3.1.5)
    sync_entry_controls();
    return ok;
}

bool VmxVcpu::set_up_on_this_cpu() {
    const std::uint32_t me = this_cpu().index;
    CpuState& cpu = g_cpu[me];
    if (!vmclear(vmcs_pa_.raw()) || !vmptrld(vmcs_pa_.raw())) return false;
    cpu.current_vmcs = vmcs_pa_;
    cpu_ = static_cast<int>(me);
    launched_ = false;
    bool ok = write_controls();
    ok &= write_host_state();
    if (state_pending_) {
        ok &= write_guest_state();
        state_pending_ = false;
    }
    // Translations this CPU may hold for a VM that used the same EPT root or VPID before.
    const EptSupport& ept = g_config.ept;
    invept(ept.invept_single_context ? InveptType::kSingleContext : InveptType::kAllContexts,
           eptp_);
    if (g_config.vpid && g_config.ept.invvpid) {
        invvpid(
            ept.invvpid_single_context ? InvvpidType::kSingleContext : InvvpidType::kAllContexts,
            vpid_);
    }
    for (std::uint32_t m : kGuestOwnedMsrs) x86::wrmsr(m, 0);
    return ok;
}

void VmxVcpu::sync_entry_controls() {
    const std::uint32_t want = (efer_ & kEferLma) ? entry_ | entry_ctl::kIa32eModeGuest
                                                  : entry_ & ~entry_ctl::kIa32eModeGuest;
    if (want != entry_) {
        entry_ = want;
        vmwrite(F32::kEntryControls, entry_);
    }
}

const vmm::Exit& VmxVcpu::entry_failed(const char* name, std::uint32_t number) {
    log("vmx: entry failed: ", name, " (", number, ")");
    exit_ = vmm::Exit{};
    exit_.kind = vmm::ExitKind::kInvalidEntry;
    exit_.raw_reason = number;
    exit_.raw_name = name;
    return exit_;
}

const vmm::Exit& VmxVcpu::run() {
    const auto me = static_cast<int>(this_cpu().index);
    if (cpu_ == kNoCpu) {
        if (!set_up_on_this_cpu())
            return entry_failed("VMCS set-up failed (VMCLEAR, VMPTRLD or VMWRITE)", 0);
    } else if (cpu_ != me) {
        return entry_failed("vCPU moved to another CPU", 0);
    } else if (g_cpu[me].current_vmcs != vmcs_pa_) {
        if (!vmptrld(vmcs_pa_.raw())) return entry_failed("VMPTRLD failed", 0);
        g_cpu[me].current_vmcs = vmcs_pa_;
    }
    if (state_pending_) {
        if (!write_guest_state()) return entry_failed("guest state VMWRITE failed", 0);
        state_pending_ = false;
    }
    if (flush_ept_) [[unlikely]] {
        const EptSupport& ept = g_config.ept;
        invept(ept.invept_single_context ? InveptType::kSingleContext : InveptType::kAllContexts,
               eptp_);
        flush_ept_ = false;
    }
    for (;;) {
        const vmm::Exit& e = enter_once();
        if (e.kind != vmm::ExitKind::kUnhandled ||
            !handle_internally(e, vmread(FN::kExitQualification))) {
            return e;
        }
    }
}

const vmm::Exit& VmxVcpu::enter_once() {
    vmwrite(FN::kGuestRsp, regs_[vmm::Gpr::kRsp]);
    vmwrite(FN::kGuestRip, regs_.rip);
    vmwrite(FN::kGuestRflags, regs_.rflags);
    if (pending_event_ & event::kValid) {
        vmwrite(F32::kEntryInterruptionInfo, pending_event_);
        vmwrite(F32::kEntryExceptionErrorCode, pending_error_);
        vmwrite(F32::kEntryInstructionLength, pending_length_);
    }
    sync_entry_controls();

    const int status = vmx_run(&regs_, launched_ ? 1 : 0);
    if (status == 1) return entry_failed("VMfailInvalid: no current VMCS", 0);
    if (status == 2) {
        const std::uint32_t n = vmread(F32::kVmInstructionError);
        return entry_failed(vm_instruction_error_name(n), n);
    }
    launched_ = true;
    pending_event_ = 0;  // a VM exit clears the valid bit of the injection field (SDM 28.2)

    regs_[vmm::Gpr::kRsp] = vmread(FN::kGuestRsp);
    regs_.rip = vmread(FN::kGuestRip);
    regs_.rflags = vmread(FN::kGuestRflags);
    interruptibility_ = vmread(F32::kGuestInterruptibility);
    efer_ = vmread(F64::kGuestEfer);

    ExitInfo info{};
    info.reason = vmread(F32::kExitReason);
    info.instruction_length = vmread(F32::kExitInstructionLength);
    const auto basic = static_cast<ExitReason>(info.reason & 0xFFFF);
    if (basic == ExitReason::kIoInstruction || basic == ExitReason::kEptViolation) {
        info.qualification = vmread(FN::kExitQualification);
    }
    if (basic == ExitReason::kEptViolation)
        info.guest_physical = vmread(F64::kGuestPhysicalAddress);
    if (basic == ExitReason::kExceptionOrNmi) {
        info.interruption_info = vmread(F32::kExitInterruptionInfo);
        info.interruption_error = vmread(F32::kExitInterruptionErrorCode);
    }

    // An event whose delivery the exit cut short is delivered again (SDM 28.2.4).
    const std::uint32_t vectoring = vmread(F32::kIdtVectoringInfo);
    if (vectoring & event::kValid) {
        pending_event_ = reinjection_of(vectoring);
        pending_error_ = (vectoring & event::kErrorValid) ? vmread(F32::kIdtVectoringErrorCode) : 0;
        pending_length_ = event_needs_length(vectoring) ? info.instruction_length : 0;
    }

    exit_ = decode_exit(info);
    if (exit_.kind == vmm::ExitKind::kNmi) {
        // The NMI ended in the exit instead of the host's handler (SDM 28.2.2): give it there, as
        // SVM does when STGI reopens the window.
        asm volatile("int $2" ::: "memory");
    }
    return exit_;
}

bool VmxVcpu::handle_internally(const vmm::Exit& exit, std::uint64_t qualification) {
    if ((exit.raw_reason & 0xFFFF) != static_cast<std::uint32_t>(ExitReason::kCrAccess))
        return false;
    const CrAccess a = decode_cr_access(qualification);
    if (a.type != CrAccessType::kMovToCr || (a.cr != 0 && a.cr != 4)) return false;
    ShadowedCr& cr = a.cr == 0 ? cr0_ : cr4_;
    cr.actual = vmread(a.cr == 0 ? FN::kGuestCr0 : FN::kGuestCr4);
    const CrWriteOutcome o = decide_cr_write(a.cr, regs_.gpr[a.gpr], cr,
                                             a.cr == 0 ? g_config.cr0_guest : g_config.cr4_guest);
    switch (o.action) {
        case CrWriteAction::kUnsupported:
            return false;
        case CrWriteAction::kInjectGp:
            inject_exception(kVectorGp, true, 0);
            return true;
        case CrWriteAction::kApply:
            cr = o.next;
            vmwrite(a.cr == 0 ? FN::kGuestCr0 : FN::kGuestCr4, cr.actual);
            vmwrite(a.cr == 0 ? FN::kCr0ReadShadow : FN::kCr4ReadShadow, cr.shadow);
            skip_instruction(exit);
            return true;
    }
    return false;
}

vmm::ControlState VmxVcpu::control_state() const {
    if (!active() || state_pending_) {
        const vmm::InitialState& s = initial_;
        return {s.cr0,
                s.cr3,
                s.cr4,
                efer_,
                (s.cs.attrib & (1u << 9)) != 0,
                (s.cs.attrib & (1u << 10)) != 0};
    }
    ShadowedCr cr0 = cr0_;
    ShadowedCr cr4 = cr4_;
    cr0.actual = vmread(FN::kGuestCr0);
    cr4.actual = vmread(FN::kGuestCr4);
    const std::uint32_t cs = vmread(F32::kGuestCsAccessRights);
    return {cr0.guest_view(),        vmread(FN::kGuestCr3),   cr4.guest_view(), efer_,
            (cs & kArLongMode) != 0, (cs & kArDefault32) != 0};
}

void VmxVcpu::skip_instruction(const vmm::Exit& exit) {
    regs_.rip += exit.insn_len;
    // The skipped instruction ends any STI or MOV SS shadow (SDM vol. 3A 7.8.3 / 26.3).
    if (interruptibility_ & kBlockingStiOrMovSs) {
        interruptibility_ &= ~kBlockingStiOrMovSs;
        vmwrite(F32::kGuestInterruptibility, interruptibility_);
    }
}

void VmxVcpu::inject_exception(std::uint8_t vector, bool has_error, std::uint32_t error) {
    // Entry refuses an error code for a real-mode guest (SDM 27.2.1.3); unrestricted guests can
    // be in real mode.
    if (active() && !state_pending_ && (vmread(FN::kGuestCr0) & kCr0Pe) == 0) has_error = false;
    const EventType type = vector == kVectorNmi ? EventType::kNmi : EventType::kHardwareException;
    pending_event_ = make_event(vector, type, has_error);
    pending_error_ = has_error ? error : 0;
    pending_length_ = 0;
}

bool VmxVcpu::interrupt_window_open() const {
    return (regs_.rflags & vmm::kRflagsIf) != 0 && (interruptibility_ & kBlockingStiOrMovSs) == 0 &&
           (pending_event_ & event::kValid) == 0;
}

void VmxVcpu::inject_interrupt(std::uint8_t vector) {
    pending_event_ = make_event(vector, EventType::kExternalInterrupt, false);
    pending_error_ = 0;
    pending_length_ = 0;
}

void VmxVcpu::request_interrupt_window(bool on) {
    const std::uint32_t want =
        on ? proc_ | proc::kInterruptWindowExiting : proc_ & ~proc::kInterruptWindowExiting;
    if (want == proc_) return;
    proc_ = want;
    if (active()) vmwrite(F32::kPrimaryProcControls, proc_);
}

void VmxVcpu::set_efer(std::uint64_t v) {
    efer_ = v;
    if (active() && !state_pending_) {
        vmwrite(F64::kGuestEfer, efer_);
        sync_entry_controls();
    }
}

void VmxVcpu::set_pat(std::uint64_t v) {
    pat_ = v;
    if (active() && !state_pending_) vmwrite(F64::kGuestPat, pat_);
}

void VmxVcpu::set_tsc_offset(std::uint64_t v) {
    tsc_offset_ = v;
    if (active()) vmwrite(F64::kTscOffset, tsc_offset_);
}

}  // namespace hv::vmx
