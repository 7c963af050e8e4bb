#include "arch/x86/svm/svm_vcpu.hpp"

#include "arch/x86/cpu/cpuid.hpp"
#include "arch/x86/cpu/msr.hpp"
#include "arch/x86/svm/exit_code.hpp"
#include "arch/x86/svm/permission_maps.hpp"
#include "arch/x86/svm/svm_exit.hpp"
#include "kernel/direct_map.hpp"
#include "kernel/kernel_memory.hpp"
#include "kernel/percpu.hpp"

extern "C" void svm_run(std::uint64_t guest_vmcb_pa, hv::vmm::GuestRegisters* regs,
                        std::uint64_t host_vmcb_pa, std::uint64_t guest_in_shadow);

namespace hv::svm {
namespace {

constexpr std::uint64_t kEferSvme = 1ull << 12;  // APM vol. 2 3.1.7
constexpr std::uint32_t kSvmEdxNrips = 1u << 3;  // CPUID 8000_000Ah EDX: next RIP saved
constexpr std::uint64_t kDefaultPat = 0x0007'0406'0007'0406;  // power-up PAT (SDM vol. 3A 13.12.4)
constexpr std::uint64_t kDr6Init = 0xFFFF'0FF0;               // SDM vol. 3A table 10-1
constexpr std::uint64_t kDr7Init = 0x400;
constexpr std::uint32_t kInterceptVectorDb = 1u << 1;   // CVE-2015-8104: #DB loop
constexpr std::uint32_t kInterceptVectorAc = 1u << 17;  // CVE-2015-5307: #AC loop
constexpr std::uint16_t kAttrLongMode = 1u << 9;        // compressed attrib: L
constexpr std::uint16_t kAttrDefault32 = 1u << 10;      // compressed attrib: D/B

// MSRs the guest reads and writes directly: all of them are switched by VMLOAD/VMSAVE or the
// VMCB state area (APM vol. 2 15.5.2, 15.11), so a guest write never reaches host state.
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

HostPhys g_iopm_pa;
HostPhys g_msrpm_pa;
bool g_nrip = false;

struct CpuState {
    HostPhys hsave;      // VM_HSAVE_PA target: the CPU's own save area for host state
    HostPhys host_vmcb;  // the host's VMSAVE image (FS/GS/TR/LDTR/syscall MSRs)
};
CpuState g_cpu[kMaxCpus];

Result<HostPhys> zeroed_pages(std::uint64_t bytes) {
    const HostPhys p = TRY(memory::allocate(bytes, kPageSize));
    __builtin_memset(phys_to_virt(p), 0, bytes);
    return p;
}

}  // namespace

Result<void> init_global() {
    g_iopm_pa = TRY(zeroed_pages(kIopmSize));
    g_msrpm_pa = TRY(zeroed_pages(kMsrpmSize));
    intercept_all_ports({static_cast<std::uint8_t*>(phys_to_virt(g_iopm_pa)), kIopmSize});
    MsrPermissionMap msrpm({static_cast<std::uint8_t*>(phys_to_virt(g_msrpm_pa)), kMsrpmSize});
    for (std::uint32_t msr : kPassthroughMsrs) msrpm.allow(msr, true, true);
    g_nrip = (x86::cpuid(0x8000'000A).edx & kSvmEdxNrips) != 0;
    return {};
}

Result<void> init_this_cpu() {
    CpuState& cpu = g_cpu[this_cpu().index];
    if (cpu.hsave.raw() == 0) {
        cpu.hsave = TRY(zeroed_pages(kPageSize));
        cpu.host_vmcb = TRY(zeroed_pages(kPageSize));
    }
    x86::wrmsr(x86::Msr::kEfer, x86::rdmsr(x86::Msr::kEfer) | kEferSvme);
    x86::wrmsr(x86::Msr::kVmHsavePa, cpu.hsave.raw());
    asm volatile("vmsave %0" ::"a"(cpu.host_vmcb.raw()) : "memory");
    return {};
}

SvmVcpu::~SvmVcpu() {
    if (vmcb_ != nullptr) memory::free(vmcb_pa_, sizeof(Vmcb));
}

Result<void> SvmVcpu::init(HostPhys npt_root, std::uint32_t asid) {
    vmcb_pa_ = TRY(zeroed_pages(sizeof(Vmcb)));
    vmcb_ = static_cast<Vmcb*>(phys_to_virt(vmcb_pa_));
    VmcbControl& c = vmcb_->control;
    c.intercept_exceptions = kInterceptVectorDb | kInterceptVectorAc;
    c.intercept_misc1 = misc1::kIntr | misc1::kNmi | misc1::kSmi | misc1::kInit | misc1::kCpuid |
                        misc1::kRsm | misc1::kInvd | misc1::kHlt | misc1::kInvlpga |
                        misc1::kIoioProt | misc1::kMsrProt | misc1::kShutdown;
    c.intercept_misc2 = misc2::kVmrun | misc2::kVmmcall | misc2::kVmload | misc2::kVmsave |
                        misc2::kStgi | misc2::kClgi | misc2::kSkinit | misc2::kMonitor |
                        misc2::kMwait;
    c.iopm_base_pa = g_iopm_pa.raw();
    c.msrpm_base_pa = g_msrpm_pa.raw();
    c.guest_asid = asid;
    // Host interrupts always exit; the guest's RFLAGS.IF only gates virtual interrupts (15.21.1).
    c.vintr = kVintrMasking;
    c.np_control = kNpEnable;
    c.n_cr3 = npt_root.raw();
    c.clean_bits = 0;
    flush_tlb_ = true;
    return {};
}

void SvmVcpu::load_state(const vmm::InitialState& s) {
    VmcbState& v = vmcb_->state;
    auto seg = [](const vmm::Segment& in) {
        return VmcbSegment{in.selector, in.attrib, in.limit, in.base};
    };
    v.cs = seg(s.cs);
    v.ds = seg(s.ds);
    v.es = seg(s.es);
    v.fs = seg(s.fs);
    v.gs = seg(s.gs);
    v.ss = seg(s.ss);
    v.tr = seg(s.tr);
    v.ldtr = seg(s.ldtr);
    v.gdtr = VmcbSegment{0, 0, s.gdtr_limit, s.gdtr_base};
    v.idtr = VmcbSegment{0, 0, s.idtr_limit, s.idtr_base};
    v.cpl = 0;
    v.cr0 = s.cr0;
    v.cr3 = s.cr3;
    v.cr4 = s.cr4;
    // VMRUN requires EFER.SVME in the guest image (APM 15.5.1); the guest never sees it.
    v.efer = s.efer | kEferSvme;
    v.dr6 = kDr6Init;
    v.dr7 = kDr7Init;
    v.g_pat = kDefaultPat;
    regs_ = s.regs;
    vmcb_->control.event_inject = 0;
    vmcb_->control.clean_bits = 0;
}

const vmm::Exit& SvmVcpu::run() {
    VmcbControl& c = vmcb_->control;
    VmcbState& v = vmcb_->state;
    v.rax = regs_[vmm::Gpr::kRax];
    v.rsp = regs_[vmm::Gpr::kRsp];
    v.rip = regs_.rip;
    v.rflags = regs_.rflags;
    if (flush_tlb_) [[unlikely]] {
        // First entry (on this CPU), or flush_translations(): drop whatever the TLB holds for
        // the ASID, an earlier user's entries or this VM's stale second-stage ones.
        c.tlb_control = static_cast<std::uint8_t>(TlbControl::kFlushAsid);
        flush_tlb_ = false;
        host_vmcb_pa_ = g_cpu[this_cpu().index].host_vmcb.raw();
    }
    svm_run(vmcb_pa_.raw(), &regs_, host_vmcb_pa_, c.interrupt_shadow & kInterruptShadow);
    c.tlb_control = static_cast<std::uint8_t>(TlbControl::kNothing);
    c.clean_bits = clean::kAll;
    regs_[vmm::Gpr::kRax] = v.rax;
    regs_[vmm::Gpr::kRsp] = v.rsp;
    regs_.rip = v.rip;
    regs_.rflags = v.rflags;
    // An event cut short by the exit (e.g. a nested page fault while delivering it) must be
    // delivered again (APM 15.7.2).
    c.event_inject = event_valid(c.exit_int_info) ? c.exit_int_info : 0;
    decode_exit(c, v.rip, g_nrip, exit_);
    return exit_;
}

vmm::ControlState SvmVcpu::control_state() const {
    const VmcbState& v = vmcb_->state;
    return {v.cr0,
            v.cr3,
            v.cr4,
            v.efer & ~kEferSvme,
            (v.cs.attrib & kAttrLongMode) != 0,
            (v.cs.attrib & kAttrDefault32) != 0};
}

void SvmVcpu::skip_instruction(const vmm::Exit& exit) {
    regs_.rip += exit.insn_len;
    vmcb_->control.interrupt_shadow = 0;  // the skipped instruction ends any STI/MOV SS shadow
}

void SvmVcpu::inject_exception(std::uint8_t vector, bool has_error, std::uint32_t error) {
    vmcb_->control.event_inject = make_event(vector, EventType::kException, has_error, error);
}

bool SvmVcpu::interrupt_window_open() const {
    const VmcbControl& c = vmcb_->control;
    return (regs_.rflags & vmm::kRflagsIf) != 0 && (c.interrupt_shadow & kInterruptShadow) == 0 &&
           !event_valid(c.event_inject);
}

void SvmVcpu::inject_interrupt(std::uint8_t vector) {
    vmcb_->control.event_inject = make_event(vector, EventType::kExternal, false, 0);
}

void SvmVcpu::request_interrupt_window(bool on) {
    // A virtual interrupt request with priority 15 that ignores the TPR: the CPU exits (VINTR
    // intercept) when the guest could take it (APM 15.21.1, 15.21.4).
    constexpr std::uint64_t kPriorityMax = 0xFull << 16;
    VmcbControl& c = vmcb_->control;
    if (on) {
        c.vintr |= kVintrIrq | kVintrIgnoreTpr | kPriorityMax;
        c.intercept_misc1 |= misc1::kVintr;
    } else {
        c.vintr &= ~(kVintrIrq | kVintrIgnoreTpr | kPriorityMax);
        c.intercept_misc1 &= ~misc1::kVintr;
    }
    c.clean_bits &= ~(clean::kIntercepts | clean::kTpr);
}

std::uint64_t SvmVcpu::efer() const { return vmcb_->state.efer & ~kEferSvme; }
void SvmVcpu::set_efer(std::uint64_t v) {
    vmcb_->state.efer = v | kEferSvme;
    vmcb_->control.clean_bits &= ~clean::kCrx;
}
std::uint64_t SvmVcpu::pat() const { return vmcb_->state.g_pat; }
void SvmVcpu::set_pat(std::uint64_t v) {
    vmcb_->state.g_pat = v;
    vmcb_->control.clean_bits &= ~clean::kNp;
}
std::uint64_t SvmVcpu::tsc_offset() const { return vmcb_->control.tsc_offset; }
void SvmVcpu::set_tsc_offset(std::uint64_t v) {
    vmcb_->control.tsc_offset = v;
    vmcb_->control.clean_bits &= ~clean::kIntercepts;
}

}  // namespace hv::svm
