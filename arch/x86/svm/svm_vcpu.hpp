#pragma once
// The SVM implementation of vmm::Vcpu: one VMCB per vCPU (AMD APM vol. 2 ch. 15).
// Kernel only. Created through arch/x86/virt_backend.hpp, never by generic code.
#include <cstdint>

#include "arch/x86/svm/vmcb.hpp"
#include "kernel/lib/addr.hpp"
#include "kernel/lib/result.hpp"
#include "vmm/vcpu.hpp"

namespace hv::svm {

// Once per host: the shared permission maps. Once per physical CPU that runs guests: EFER.SVME,
// the host save area and the host's VMLOAD/VMSAVE image.
[[nodiscard]] Result<void> init_global();
[[nodiscard]] Result<void> init_this_cpu();

class SvmVcpu final : public vmm::Vcpu {
  public:
    SvmVcpu() = default;
    ~SvmVcpu();
    SvmVcpu(const SvmVcpu&) = delete;
    SvmVcpu& operator=(const SvmVcpu&) = delete;

    // `npt_root`: the VM's nested page table (HPT format, AMD APM 15.25). `asid`: nonzero,
    // unique among the vCPUs that may share a physical CPU's TLB.
    [[nodiscard]] Result<void> init(HostPhys npt_root, std::uint32_t asid);

    void load_state(const vmm::InitialState& state) override;
    const vmm::Exit& run() override;
    vmm::GuestRegisters& regs() override { return regs_; }
    vmm::ControlState control_state() const override;
    void skip_instruction(const vmm::Exit& exit) override;
    void inject_exception(std::uint8_t vector, bool has_error, std::uint32_t error) override;
    bool interrupt_window_open() const override;
    void inject_interrupt(std::uint8_t vector) override;
    void request_interrupt_window(bool on) override;
    std::uint64_t efer() const override;
    void set_efer(std::uint64_t v) override;
    std::uint64_t pat() const override;
    void set_pat(std::uint64_t v) override;
    std::uint64_t tsc_offset() const override;
    void set_tsc_offset(std::uint64_t v) override;
    void flush_translations() override { flush_tlb_ = true; }

  private:
    Vmcb* vmcb_ = nullptr;
    HostPhys vmcb_pa_{};
    std::uint64_t host_vmcb_pa_ = 0;  // of the CPU this vCPU runs on (it never migrates)
    vmm::GuestRegisters regs_{};
    vmm::Exit exit_{};
    bool flush_tlb_ = true;
};

}  // namespace hv::svm
