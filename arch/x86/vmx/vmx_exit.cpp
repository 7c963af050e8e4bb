#include "arch/x86/vmx/vmx_exit.hpp"

#include "arch/x86/vmx/vmcs_fields.hpp"

namespace hv::vmx {
namespace {

constexpr std::uint8_t kMaxInstructionLength = 15;

std::uint8_t length(const ExitInfo& info) {
    return info.instruction_length <= kMaxInstructionLength
               ? static_cast<std::uint8_t>(info.instruction_length)
               : 0;
}

void decode_io(const ExitInfo& info, vmm::Exit& e) {
    const std::uint64_t q = info.qualification;
    e.kind = vmm::ExitKind::kIo;
    const std::uint64_t size = q & io_qual::kSizeMask;
    e.io.size = size == 3 ? 4 : size == 1 ? 2 : 1;
    e.io.in = (q & io_qual::kIn) != 0;
    e.io.string = (q & io_qual::kString) != 0;
    e.io.rep = (q & io_qual::kRep) != 0;
    e.io.port = static_cast<std::uint16_t>(q >> io_qual::kPortShift);
    e.insn_len = length(info);
}

void decode_exception_or_nmi(const ExitInfo& info, vmm::Exit& e) {
    if (event_type(info.interruption_info) == EventType::kNmi) {
        e.kind = vmm::ExitKind::kNmi;
        return;
    }
    e.kind = vmm::ExitKind::kException;
    e.exception.vector = static_cast<std::uint8_t>(info.interruption_info & event::kVectorMask);
    e.exception.has_error = (info.interruption_info & event::kErrorValid) != 0;
    e.exception.error = e.exception.has_error ? info.interruption_error : 0;
    e.insn_len = length(info);
}

}  // namespace

vmm::Exit decode_exit(const ExitInfo& info) {
    using vmm::ExitKind;
    vmm::Exit e{};
    const std::uint32_t basic = info.reason & 0xFFFF;
    e.raw_reason = info.reason;
    e.raw_name = exit_reason_name(basic);
    if (info.reason & kExitReasonEntryFailure) {
        // Invalid guest state, MSR loading or a machine check during entry (SDM 27.8).
        e.kind = ExitKind::kInvalidEntry;
        return e;
    }
    switch (static_cast<ExitReason>(basic)) {
        case ExitReason::kExceptionOrNmi:
            decode_exception_or_nmi(info, e);
            break;
        case ExitReason::kExternalInterrupt:
            e.kind = ExitKind::kInterrupt;
            break;
        case ExitReason::kTripleFault:
            e.kind = ExitKind::kShutdown;
            break;
        case ExitReason::kInit:
            e.kind = ExitKind::kInit;
            break;
        case ExitReason::kInterruptWindow:
            e.kind = ExitKind::kInterruptWindow;
            break;
        case ExitReason::kCpuid:
            e.kind = ExitKind::kCpuid;
            e.insn_len = length(info);
            break;
        case ExitReason::kRdmsr:
            e.kind = ExitKind::kMsrRead;
            e.insn_len = length(info);
            break;
        case ExitReason::kWrmsr:
            e.kind = ExitKind::kMsrWrite;
            e.insn_len = length(info);
            break;
        case ExitReason::kIoInstruction:
            decode_io(info, e);
            break;
        case ExitReason::kEptViolation: {
            const std::uint64_t q = info.qualification;
            e.kind = ExitKind::kMemory;
            e.memory.gpa = info.guest_physical;
            e.memory.write = (q & ept_qual::kWrite) != 0;
            e.memory.fetch = (q & ept_qual::kFetch) != 0;
            e.memory.present =
                (q & (ept_qual::kReadable | ept_qual::kWritable | ept_qual::kExecutable)) != 0;
            break;
        }
        case ExitReason::kHlt:
            e.kind = ExitKind::kHlt;
            e.insn_len = length(info);
            break;
        case ExitReason::kVmcall:
            e.kind = ExitKind::kHypercall;
            e.insn_len = length(info);
            break;
        case ExitReason::kPause:
            e.kind = ExitKind::kPause;
            e.insn_len = length(info);
            break;
        case ExitReason::kGetsec:
        case ExitReason::kVmclear:
        case ExitReason::kVmlaunch:
        case ExitReason::kVmptrld:
        case ExitReason::kVmptrst:
        case ExitReason::kVmread:
        case ExitReason::kVmresume:
        case ExitReason::kVmwrite:
        case ExitReason::kVmxoff:
        case ExitReason::kVmxon:
        case ExitReason::kInvept:
        case ExitReason::kInvvpid:
        case ExitReason::kVmfunc:
        case ExitReason::kMonitor:
        case ExitReason::kMwait:
            e.kind = ExitKind::kIllegalInstruction;
            break;
        case ExitReason::kInvd:
        case ExitReason::kWbinvd:
            e.kind = ExitKind::kNoOp;
            e.insn_len = length(info);
            break;
        case ExitReason::kXsetbv:
            e.kind = ExitKind::kXsetbv;
            e.insn_len = length(info);
            break;
        case ExitReason::kCrAccess:
            // Settled by the vCPU itself when it can (decide_cr_write); otherwise the VM stops.
            e.kind = ExitKind::kUnhandled;
            e.insn_len = length(info);
            break;
        // EPT misconfiguration means our own tables are wrong; SIPI needs a wait-for-SIPI state we
        // never enter. Both, and everything not listed, stop the VM with the raw reason.
        default:
            e.kind = ExitKind::kUnhandled;
            break;
    }
    return e;
}

CrWriteOutcome decide_cr_write(std::uint8_t cr, std::uint64_t value, const ShadowedCr& current,
                               FixedBits fixed) {
    // FPU-control bits of CR0 (SDM vol. 3A 2.5): changing them has no paging side effects, so
    // the backend can complete the MOV itself.
    constexpr std::uint64_t kCr0FpuBits = 0x3E;  // MP, EM, TS, ET, NE
    CrWriteOutcome o{CrWriteAction::kUnsupported, current};
    if (cr == 4) {
        if (value & kCr4Vmxe) {
            o.action = CrWriteAction::kInjectGp;  // VMX is hidden from guests (CPUID.1:ECX[5] = 0)
            return o;
        }
        // Only host-owned bits may change here: other CR4 bits have paging side effects.
        if (((value ^ current.guest_view()) & ~current.mask) != 0) return o;
    } else if (cr == 0) {
        if (((value ^ current.guest_view()) & ~kCr0FpuBits) != 0) return o;
    } else {
        return o;
    }
    o.action = CrWriteAction::kApply;
    o.next = shadow_cr(value, fixed);
    return o;
}

}  // namespace hv::vmx
