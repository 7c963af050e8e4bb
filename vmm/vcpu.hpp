#pragma once
// The one vCPU interface. Generic VMM code (exit dispatch, device models, loaders) drives guests
// only through it; the SVM and VMX backends implement it under arch/x86/. Threading: a Vcpu is
// used only by the physical CPU it is pinned to.
#include <cstdint>

#include "vmm/exit.hpp"
#include "vmm/guest_state.hpp"

namespace hv::vmm {

// What the generic code needs to know about the guest's execution mode (for decoding
// instructions and walking guest page tables).
struct ControlState {
    std::uint64_t cr0, cr3, cr4, efer;
    bool cs_long;       // CS.L: 64-bit code
    bool cs_default32;  // CS.D: 32-bit default operand size
};

class Vcpu {
  public:
    virtual void load_state(const InitialState& state) = 0;
    // Enters the guest and returns when it exits; the exit is decoded into neutral form. The
    // registers in regs() are current on return and are loaded again on the next run().
    virtual const Exit& run() = 0;
    virtual GuestRegisters& regs() = 0;
    virtual ControlState control_state() const = 0;
    // Moves RIP past the instruction that caused `exit` (length from the hardware, or decoded).
    virtual void skip_instruction(const Exit& exit) = 0;
    // Queues an exception for delivery at the next entry (Intel SDM vol. 3A 6.15 / APM 15.20).
    virtual void inject_exception(std::uint8_t vector, bool has_error, std::uint32_t error) = 0;
    // External interrupts: deliverable now (RFLAGS.IF set, no interrupt shadow, no event queued)?
    virtual bool interrupt_window_open() const = 0;
    virtual void inject_interrupt(std::uint8_t vector) = 0;
    // Ask for an exit (ExitKind::kInterruptWindow) as soon as the guest can take an interrupt.
    virtual void request_interrupt_window(bool on) = 0;
    // MSR-like state the generic MSR emulation reads and writes.
    virtual std::uint64_t efer() const = 0;
    virtual void set_efer(std::uint64_t v) = 0;
    virtual std::uint64_t pat() const = 0;
    virtual void set_pat(std::uint64_t v) = 0;
    virtual std::uint64_t tsc_offset() const = 0;
    virtual void set_tsc_offset(std::uint64_t v) = 0;
    // Drops this vCPU's cached second-stage translations at its next entry (the VM changed its
    // device mappings): a flush of its ASID (AMD APM vol. 2 15.16.1) or INVEPT single-context
    // (Intel SDM vol. 3C 29.4.3.1).
    virtual void flush_translations() = 0;

  protected:
    ~Vcpu() = default;
};

}  // namespace hv::vmm
