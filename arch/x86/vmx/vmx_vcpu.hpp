#pragma once
// The VMX implementation of vmm::Vcpu: one VMCS per vCPU (Intel SDM vol. 3C ch. 25-29).
// Kernel only. Created through arch/x86/virt_backend.hpp, never by generic code.
//
// Threading and placement: a VMCS is read and written only through the CPU on which it is
// current (VMPTRLD, SDM 25.11), and a vCPU is created and given its initial state on the BSP
// but runs on its own pinned CPU. So the vCPU keeps what generic code sets before the first
// run in software and builds the VMCS at that first run; from then on every method is called on
// that CPU and goes to the VMCS. A vCPU never migrates.
//
// Host state while a guest is pinned to a CPU: the SYSCALL MSRs (STAR, LSTAR, CSTAR, SFMASK)
// and KernelGSbase, which VMX does not switch, are the guest's: the hypervisor uses neither
// SYSCALL nor SWAPGS. They are reset when a vCPU sets up on the CPU, so no VM sees another's.
#include <cstdint>

#include "arch/x86/vmx/vmx_controls.hpp"
#include "kernel/lib/addr.hpp"
#include "kernel/lib/result.hpp"
#include "vmm/vcpu.hpp"

namespace hv::vmx {

// Once per host (on the BSP): capability checks, control values, the MSR and I/O bitmaps.
// Once per physical CPU that runs guests: IA32_FEATURE_CONTROL, CR0/CR4 fixed bits, VMXON.
[[nodiscard]] Result<void> init_global();
[[nodiscard]] Result<void> init_this_cpu();
// IA32_VMX_EPT_VPID_CAP[17], valid after init_global().
[[nodiscard]] bool ept_gigabyte_pages();

class VmxVcpu final : public vmm::Vcpu {
  public:
    // `eptp`: the VM's EPT pointer (ept.hpp). `vpid`: nonzero, the VM's tag; vCPUs sharing it
    // never share a CPU.
    [[nodiscard]] Result<void> init(std::uint64_t eptp, std::uint16_t vpid);
    // Frees the VMCS. Called on the vCPU's CPU after its last run, or before its first.
    void release();

    void load_state(const vmm::InitialState& state) override;
    const vmm::Exit& run() override;
    vmm::GuestRegisters& regs() override { return regs_; }
    vmm::ControlState control_state() const override;
    void skip_instruction(const vmm::Exit& exit) override;
    void inject_exception(std::uint8_t vector, bool has_error, std::uint32_t error) override;
    bool interrupt_window_open() const override;
    void inject_interrupt(std::uint8_t vector) override;
    void request_interrupt_window(bool on) override;
    std::uint64_t efer() const override { return efer_; }
    void set_efer(std::uint64_t v) override;
    std::uint64_t pat() const override { return pat_; }
    void set_pat(std::uint64_t v) override;
    std::uint64_t tsc_offset() const override { return tsc_offset_; }
    void set_tsc_offset(std::uint64_t v) override;
    void flush_translations() override { flush_ept_ = true; }

  private:
    static constexpr int kNoCpu = -1;

    [[nodiscard]] bool active() const;
    // First run on this CPU: VMCLEAR, VMPTRLD, controls, host state, guest state, flushes.
    [[nodiscard]] bool set_up_on_this_cpu();
    [[nodiscard]] bool write_controls();
    [[nodiscard]] bool write_host_state();
    [[nodiscard]] bool write_guest_state();
    void sync_entry_controls();
    const vmm::Exit& enter_once();
    // Exits the backend completes itself (a write to a host-owned CR bit); true to re-enter.
    bool handle_internally(const vmm::Exit& exit, std::uint64_t qualification);
    const vmm::Exit& entry_failed(const char* name, std::uint32_t number);

    HostPhys vmcs_pa_{};
    std::uint64_t eptp_ = 0;
    std::uint16_t vpid_ = 0;
    int cpu_ = kNoCpu;
    bool launched_ = false;
    bool state_pending_ = false;  // initial_ still to be written to the VMCS
    bool flush_ept_ = false;      // flush_translations() asked for an INVEPT before the next entry
    vmm::InitialState initial_{};
    vmm::GuestRegisters regs_{};
    vmm::Exit exit_{};
    std::uint32_t proc_ = 0;   // primary processor-based controls as last written
    std::uint32_t entry_ = 0;  // VM-entry controls as last written
    std::uint64_t efer_ = 0;
    std::uint64_t pat_ = 0;
    std::uint64_t tsc_offset_ = 0;
    std::uint32_t interruptibility_ = 0;
    ShadowedCr cr0_{};  // `actual` is refreshed from the VMCS when needed
    ShadowedCr cr4_{};
    // The event for the next entry (VM-entry interruption information), 0 for none.
    std::uint32_t pending_event_ = 0;
    std::uint32_t pending_error_ = 0;
    std::uint32_t pending_length_ = 0;
};

}  // namespace hv::vmx
