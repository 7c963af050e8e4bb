// The vCPU run loop and the generic exit handlers (decide in pure policy code, apply here).
#include "arch/x86/cpu/control_regs.hpp"
#include "arch/x86/cpu/cpuid.hpp"
#include "arch/x86/cpu/interrupts.hpp"
#include "arch/x86/cpu/lapic.hpp"
#include "arch/x86/cpu/msr.hpp"
#include "kernel/console.hpp"
#include "kernel/time.hpp"
#include "vmm/cpuid_policy.hpp"
#include "vmm/hypercall.hpp"
#include "vmm/mmio_emulation.hpp"
#include "vmm/msr_emulation.hpp"
#include "vmm/vm.hpp"
#include "vmm/xcr0_policy.hpp"

namespace hv::vmm {
namespace {

constexpr std::uint8_t kVectorUd = 6;  // #UD (SDM vol. 3A table 7-1)
constexpr std::uint8_t kVectorGp = 13;

// Host LAPIC timer: wakes this CPU at a guest timer deadline (TSC) while the guest runs or halts.
void arm_host_timer(std::uint64_t deadline_tsc) {
    const std::uint64_t now = x86::rdtsc();
    const std::uint64_t tsc_hz = time::tsc_hz();
    const std::uint64_t lapic_hz = time::lapic_timer_hz();
    std::uint64_t ticks = 1;
    if (deadline_tsc > now) {
        // Rounded up: a timer that fires early costs an extra exit and a re-arm.
        const unsigned __int128 t =
            (static_cast<unsigned __int128>(deadline_tsc - now) * lapic_hz + tsc_hz - 1) / tsc_hz;
        ticks = t == 0 ? 1 : t > 0xFFFF'FFFF ? 0xFFFF'FFFF : static_cast<std::uint64_t>(t);
    }
    x86::lapic::timer_start_oneshot(static_cast<std::uint32_t>(ticks),
                                    static_cast<std::uint8_t>(x86::Vector::kLapicTimer), false);
}

// Lets a pending host interrupt (an IPI or the timer) run its handler.
inline void take_host_interrupts() { asm volatile("sti; nop; cli" ::: "memory"); }

}  // namespace

void Vm::deliver_interrupts(std::uint32_t index, Vcpu& vcpu) {
    Lapic& lapic = lapics_[index];
    lapic.tick(x86::rdtsc());
    const int vector = lapic.pending_vector();
    if (vector < 0) return;
    if (vcpu.interrupt_window_open()) {
        lapic.acknowledge(static_cast<std::uint8_t>(vector));
        vcpu.inject_interrupt(static_cast<std::uint8_t>(vector));
        vcpu.request_interrupt_window(false);
        halted_[index] = false;
    } else {
        vcpu.request_interrupt_window(true);
    }
}

void Vm::run_vcpu(std::uint32_t index) {
    Vcpu& vcpu = *vcpus_[index];
    std::uint64_t armed = 0;
    std::uint32_t generation = 0;
    acknowledge_translations(index, vcpu, generation);
    while (!stopping()) {
        // First thing each time round, halted or waiting for SIPI too: a kick after a change of
        // device mappings must lead here before this vCPU enters the guest again.
        if (translation_generation_.load(std::memory_order_acquire) != generation) [[unlikely]]
            acknowledge_translations(index, vcpu, generation);
        if (wait_for_sipi_[index].load(std::memory_order_acquire) && !wait_for_sipi(index, vcpu)) {
            // Sleep until a start-up IPI (or the VM's stop) kicks this CPU.
            if (armed != 0) x86::lapic::timer_stop();
            armed = 0;
            asm volatile("sti; hlt; cli" ::: "memory");
            continue;
        }
        // The boot vCPU keeps the platform's time: PIT interrupts are raised on its CPU.
        std::uint64_t platform_deadline = 0;
        if (index == 0) {
            platform_deadline = platform_.next_deadline();
            if (platform_deadline != 0 && x86::rdtsc() >= platform_deadline) {
                platform_.tick(x86::rdtsc());
                platform_deadline = platform_.next_deadline();
            }
        }
        if (!lapics_[index].quiet()) deliver_interrupts(index, vcpu);
        std::uint64_t deadline = lapics_[index].timer_deadline();
        if (platform_deadline != 0 && (deadline == 0 || platform_deadline < deadline))
            deadline = platform_deadline;
        if (halted_[index]) {
            if ((vcpu.regs().rflags & kRflagsIf) == 0 && deadline == 0 && index == 0) {
                // HLT with interrupts off and nothing to wake it: the guest is done for good.
                stop(StopReason::kHalted);
                break;
            }
            if (deadline != 0) arm_host_timer(deadline);
            armed = deadline;
            asm volatile("sti; hlt; cli" ::: "memory");
            continue;
        }
        if (deadline != armed) {
            if (deadline != 0)
                arm_host_timer(deadline);
            else
                x86::lapic::timer_stop();
            armed = deadline;
        }
        if (translation_generation_.load(std::memory_order_acquire) != generation) [[unlikely]]
            acknowledge_translations(index, vcpu, generation);
        const Exit& exit = vcpu.run();
        exits_[static_cast<unsigned>(exit.kind)].fetch_add(1, std::memory_order_relaxed);
        // The host timer may have fired (a one-shot, possibly a little early): arm it again.
        if (exit.kind == ExitKind::kInterrupt) armed = 0;
        handle_exit(index, vcpu, exit);
    }
    x86::lapic::timer_stop();
}

void Vm::handle_exit(std::uint32_t index, Vcpu& vcpu, const Exit& exit) {
    switch (exit.kind) {
        case ExitKind::kCpuid:
            handle_cpuid(index, vcpu, exit);
            return;
        case ExitKind::kMsrRead:
        case ExitKind::kMsrWrite:
            handle_msr(index, vcpu, exit);
            return;
        case ExitKind::kIo:
            handle_io(vcpu, exit);
            return;
        case ExitKind::kMemory:
            handle_memory(index, vcpu, exit);
            return;
        case ExitKind::kHypercall:
            handle_hypercall(index, vcpu, exit);
            return;
        case ExitKind::kHlt:
            vcpu.skip_instruction(exit);
            halted_[index] = true;
            return;
        case ExitKind::kInterrupt:
            take_host_interrupts();
            return;
        case ExitKind::kNmi:
        case ExitKind::kInit:
        case ExitKind::kPause:
            return;
        case ExitKind::kInterruptWindow:
            vcpu.request_interrupt_window(false);
            return;
        case ExitKind::kShutdown:
            stop(StopReason::kTripleFault);
            return;
        case ExitKind::kException:
            // Intercepted only to stop #DB/#AC storms from locking up the CPU; the guest gets it.
            vcpu.inject_exception(exit.exception.vector, exit.exception.has_error,
                                  exit.exception.error);
            return;
        case ExitKind::kIllegalInstruction:
            vcpu.inject_exception(kVectorUd, false, 0);
            return;
        case ExitKind::kNoOp:
            vcpu.skip_instruction(exit);
            return;
        case ExitKind::kXsetbv:
            handle_xsetbv(vcpu, exit);
            return;
        case ExitKind::kInvalidEntry:
            log("vm ", name(), " refused guest state at rip=0x", Hex{vcpu.regs().rip}, " (",
                exit.raw_name, ")");
            stop(StopReason::kInvalidState);
            return;
        case ExitKind::kUnhandled:
            break;
    }
    log("vm ", name(), " unhandled exit ", exit.raw_name, " code=0x", Hex{exit.raw_reason},
        " rip=0x", Hex{vcpu.regs().rip});
    stop(StopReason::kUnhandledExit);
}

void Vm::handle_xsetbv(Vcpu& vcpu, const Exit& exit) {
    GuestRegisters& r = vcpu.regs();
    const auto index = static_cast<std::uint32_t>(r[Gpr::kRcx]);
    const std::uint64_t value = (r[Gpr::kRdx] << 32) | (r[Gpr::kRax] & 0xFFFF'FFFF);
    const x86::CpuidResult xsave = x86::cpuid(0xD, 0);
    const std::uint64_t supported = (static_cast<std::uint64_t>(xsave.edx) << 32) | xsave.eax;
    if (!xsetbv_allowed(index, value, supported)) {
        vcpu.inject_exception(kVectorGp, true, 0);
        return;
    }
    // This physical CPU runs only this vCPU and never uses extended state itself, so the guest's
    // XCR0 can stay loaded here (the backend set CR4.OSXSAVE on the host for this).
    asm volatile("xsetbv" ::"c"(index), "a"(static_cast<std::uint32_t>(value)),
                 "d"(static_cast<std::uint32_t>(value >> 32))
                 : "memory");
    vcpu.skip_instruction(exit);
}

void Vm::handle_cpuid(std::uint32_t index, Vcpu& vcpu, const Exit& exit) {
    GuestRegisters& r = vcpu.regs();
    const auto leaf = static_cast<std::uint32_t>(r[Gpr::kRax]);
    const auto subleaf = static_cast<std::uint32_t>(r[Gpr::kRcx]);
    const x86::CpuidResult h = x86::cpuid(leaf, subleaf);
    const CpuidContext ctx{index, vcpu_count_, (vcpu.control_state().cr4 & x86::kCr4Osxsave) != 0,
                           time::tsc_hz(), Lapic::kTimerHz};
    const CpuidValues g = guest_cpuid(leaf, subleaf, {h.eax, h.ebx, h.ecx, h.edx}, ctx);
    r[Gpr::kRax] = g.eax;
    r[Gpr::kRbx] = g.ebx;
    r[Gpr::kRcx] = g.ecx;
    r[Gpr::kRdx] = g.edx;
    vcpu.skip_instruction(exit);
}

void Vm::handle_msr(std::uint32_t index, Vcpu& vcpu, const Exit& exit) {
    GuestRegisters& r = vcpu.regs();
    const auto msr = static_cast<std::uint32_t>(r[Gpr::kRcx]);
    const bool lapic_msr = msr == kApicBaseMsr || msr == kTscDeadlineMsr ||
                           (msr >= kX2apicMsrFirst && msr <= kX2apicMsrLast);
    bool ok;
    if (exit.kind == ExitKind::kMsrRead) {
        std::uint64_t value = 0;
        ok = lapic_msr ? lapics_[index].msr_read(msr, value, vcpu.tsc_offset())
                       : read_guest_msr(vcpu, index, msr, value, x86::rdtsc());
        if (ok) {
            r[Gpr::kRax] = value & 0xFFFF'FFFF;
            r[Gpr::kRdx] = value >> 32;
        }
    } else {
        const std::uint64_t value = (r[Gpr::kRdx] << 32) | (r[Gpr::kRax] & 0xFFFF'FFFF);
        ok = lapic_msr ? lapics_[index].msr_write(msr, value, vcpu.tsc_offset())
                       : write_guest_msr(vcpu, msr, value, x86::rdtsc());
    }
    if (ok)
        vcpu.skip_instruction(exit);
    else
        vcpu.inject_exception(kVectorGp, true, 0);
}

void Vm::handle_io(Vcpu& vcpu, const Exit& exit) {
    const IoExit& io = exit.io;
    if (io.string) [[unlikely]] {
        // INS/OUTS go unemulated: no device of this platform needs them.
        log("vm ", name(), " string port I/O to 0x", Hex{io.port}, " at rip=0x",
            Hex{vcpu.regs().rip});
        stop(StopReason::kUnhandledExit);
        return;
    }
    std::uint64_t& rax = vcpu.regs().gpr[static_cast<unsigned>(Gpr::kRax)];
    const std::uint64_t mask = (1ull << (io.size * 8)) - 1;
    if (io.in) {
        const std::uint64_t v = platform_.port_read(io.port, io.size);
        rax = (rax & ~mask) | (v & mask);
    } else {
        platform_.port_write(io.port, io.size, static_cast<std::uint32_t>(rax & mask));
    }
    vcpu.skip_instruction(exit);
}

void Vm::handle_memory(std::uint32_t index, Vcpu& vcpu, const Exit& exit) {
    const std::uint64_t gpa = exit.memory.gpa;
    if (gpa >= kLapicBase && gpa < kLapicBase + kLapicSize) {
        const MmioOutcome o = emulate_mmio(vcpu, exit, memory_, lapics_[index], gpa - kLapicBase);
        if (o.ok) return;
        log("vm ", name(), " cannot emulate MMIO at 0x", Hex{gpa}, " rip=0x", Hex{vcpu.regs().rip},
            ": ", o.reason);
        stop(StopReason::kUnhandledExit);
        return;
    }
    if (platform_.claims_mmio(gpa)) {
        const MmioOutcome o = emulate_mmio(vcpu, exit, memory_, platform_, gpa);
        if (o.ok) return;
        log("vm ", name(), " cannot emulate MMIO at 0x", Hex{gpa}, " rip=0x", Hex{vcpu.regs().rip},
            ": ", o.reason);
        stop(StopReason::kUnhandledExit);
        return;
    }
    log("vm ", name(), " memory-violation gpa=0x", Hex{gpa},
        exit.memory.write   ? " write"
        : exit.memory.fetch ? " fetch"
                            : " read",
        " rip=0x", Hex{vcpu.regs().rip});
    stop(StopReason::kMemoryViolation);
}

void Vm::handle_hypercall(std::uint32_t index, Vcpu& vcpu, const Exit& exit) {
    GuestRegisters& r = vcpu.regs();
    const HypercallResult h =
        vmm::handle_hypercall(*this, index, r[Gpr::kRax], r[Gpr::kRbx], r[Gpr::kRcx]);
    r[Gpr::kRax] = static_cast<std::uint64_t>(h.status);
    if (h.status == 0) {
        r[Gpr::kRbx] = h.out0;
        r[Gpr::kRcx] = h.out1;
    }
    vcpu.skip_instruction(exit);
}

}  // namespace hv::vmm
