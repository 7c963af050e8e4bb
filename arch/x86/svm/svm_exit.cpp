#include "arch/x86/svm/svm_exit.hpp"

#include "arch/x86/svm/exit_code.hpp"

namespace hv::svm {
namespace {

// Instruction lengths when the CPU gives no next RIP (APM vol. 3 opcode tables): CPUID 0F A2,
// RDMSR/WRMSR 0F 32/0F 30, VMMCALL 0F 01 D9, HLT F4.
constexpr std::uint8_t kCpuidLength = 2;
constexpr std::uint8_t kMsrLength = 2;
constexpr std::uint8_t kVmmcallLength = 3;
constexpr std::uint8_t kHltLength = 1;
constexpr std::uint8_t kCacheFlushLength = 2;  // INVD 0F 08, WBINVD 0F 09
constexpr std::uint64_t kMsrWriteInfo = 1;     // EXITINFO1 for MSR intercepts: 0 read, 1 write

std::uint8_t length(const VmcbControl& c, std::uint64_t rip, bool nrip_valid,
                    std::uint8_t fallback) {
    if (nrip_valid && c.next_rip > rip && c.next_rip - rip <= 15)
        return static_cast<std::uint8_t>(c.next_rip - rip);
    return fallback;
}

}  // namespace

void decode_exit(const VmcbControl& c, std::uint64_t rip, bool nrip_valid, vmm::Exit& e) {
    using vmm::ExitKind;
    e.raw_reason = c.exit_code;
    e.raw_name = nullptr;
    e.insn_len = 0;
    e.insn_bytes_len = c.insn_len <= sizeof(c.insn_bytes) ? c.insn_len : 0;
    e.insn_bytes = c.insn_bytes;
    const std::uint64_t code = c.exit_code;
    if (code >= static_cast<std::uint64_t>(ExitCode::kExceptionBase) && code < 0x60) {
        e.kind = ExitKind::kException;
        e.exception.vector =
            static_cast<std::uint8_t>(code - static_cast<std::uint64_t>(ExitCode::kExceptionBase));
        // Vectors with an error code (APM vol. 2 8.2): #DF, #TS, #NP, #SS, #GP, #PF, #AC.
        const std::uint8_t v = e.exception.vector;
        e.exception.has_error = v == 8 || (v >= 10 && v <= 14) || v == 17;
        e.exception.error = static_cast<std::uint32_t>(c.exit_info1);
        return;
    }
    switch (static_cast<ExitCode>(code)) {
        case ExitCode::kCpuid:
            e.kind = ExitKind::kCpuid;
            e.insn_len = length(c, rip, nrip_valid, kCpuidLength);
            break;
        case ExitCode::kMsr:
            e.kind = c.exit_info1 == kMsrWriteInfo ? ExitKind::kMsrWrite : ExitKind::kMsrRead;
            e.insn_len = length(c, rip, nrip_valid, kMsrLength);
            break;
        case ExitCode::kIoio: {
            const std::uint64_t info = c.exit_info1;
            e.kind = ExitKind::kIo;
            e.io.port = static_cast<std::uint16_t>(info >> ioio::kPortShift);
            e.io.size = (info & ioio::kSize32) ? 4 : (info & ioio::kSize16) ? 2 : 1;
            e.io.in = (info & ioio::kIn) != 0;
            e.io.string = (info & ioio::kString) != 0;
            e.io.rep = (info & ioio::kRep) != 0;
            // EXITINFO2 is always the next RIP for IOIO (APM 15.10.2).
            e.insn_len = c.exit_info2 > rip && c.exit_info2 - rip <= 15
                             ? static_cast<std::uint8_t>(c.exit_info2 - rip)
                             : 0;
            break;
        }
        case ExitCode::kNpf:
            e.kind = ExitKind::kMemory;
            e.memory.gpa = c.exit_info2;
            e.memory.write = (c.exit_info1 & npf::kWrite) != 0;
            e.memory.fetch = (c.exit_info1 & npf::kFetch) != 0;
            e.memory.present = (c.exit_info1 & npf::kPresent) != 0;
            break;
        case ExitCode::kHlt:
            e.kind = ExitKind::kHlt;
            e.insn_len = length(c, rip, nrip_valid, kHltLength);
            break;
        case ExitCode::kVmmcall:
            e.kind = ExitKind::kHypercall;
            e.insn_len = length(c, rip, nrip_valid, kVmmcallLength);
            break;
        case ExitCode::kIntr:
            e.kind = ExitKind::kInterrupt;
            break;
        case ExitCode::kNmi:
            e.kind = ExitKind::kNmi;
            break;
        case ExitCode::kShutdown:
            e.kind = ExitKind::kShutdown;
            break;
        case ExitCode::kInit:
            e.kind = ExitKind::kInit;
            break;
        case ExitCode::kPause:
            e.kind = ExitKind::kPause;
            break;
        case ExitCode::kVintr:
            e.kind = ExitKind::kInterruptWindow;
            break;
        case ExitCode::kInvalid:
            e.kind = ExitKind::kInvalidEntry;
            e.raw_name = exit_code_name(code);
            break;
        case ExitCode::kVmrun:
        case ExitCode::kVmload:
        case ExitCode::kVmsave:
        case ExitCode::kStgi:
        case ExitCode::kClgi:
        case ExitCode::kSkinit:
        case ExitCode::kInvlpga:
        case ExitCode::kMonitor:
        case ExitCode::kMwait:
        case ExitCode::kMwaitConditional:
        case ExitCode::kRdpru:
            e.kind = ExitKind::kIllegalInstruction;
            break;
        case ExitCode::kInvd:
        case ExitCode::kWbinvd:
            e.kind = ExitKind::kNoOp;
            e.insn_len = length(c, rip, nrip_valid, kCacheFlushLength);
            break;
        default:
            e.kind = ExitKind::kUnhandled;
            e.raw_name = exit_code_name(code);
            break;
    }
}

}  // namespace hv::svm
