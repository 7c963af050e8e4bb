#pragma once
// A VM exit in backend-neutral form. Each backend decodes its own exit information (VMCB
// EXITCODE/EXITINFO, VMCS exit reason/qualification) into this, and the generic dispatcher
// decides what happens. Pure data.
#include <cstdint>

namespace hv::vmm {

enum class ExitKind : std::uint8_t {
    kCpuid,
    kMsrRead,
    kMsrWrite,
    kIo,      // port I/O
    kMemory,  // nested/EPT page fault: a guest-physical access no RAM mapping allowed
    kHlt,
    kHypercall,  // VMMCALL / VMCALL
    kInterrupt,  // a host interrupt arrived while the guest ran
    kNmi,
    kShutdown,      // triple fault (or a shutdown condition)
    kInit,          // INIT signal
    kException,     // an intercepted guest exception
    kInvalidEntry,  // the CPU refused the guest state (VMRUN/VMLAUNCH failed)
    kPause,
    kInterruptWindow,     // the guest can now take the interrupt it was waiting to get
    kIllegalInstruction,  // an instruction the guest may not use (SVM/VMX, MONITOR/MWAIT): #UD
    kNoOp,                // an intercepted instruction with no effect for a guest (INVD, WBINVD)
    kXsetbv,              // XSETBV (always intercepted by VMX): ECX = XCR index, EDX:EAX = value
    kUnhandled,           // anything else: the VM is stopped with the raw reason
};

[[nodiscard]] constexpr const char* exit_kind_name(ExitKind k) {
    switch (k) {
        case ExitKind::kCpuid:
            return "cpuid";
        case ExitKind::kMsrRead:
            return "rdmsr";
        case ExitKind::kMsrWrite:
            return "wrmsr";
        case ExitKind::kIo:
            return "io";
        case ExitKind::kMemory:
            return "memory";
        case ExitKind::kHlt:
            return "hlt";
        case ExitKind::kHypercall:
            return "hypercall";
        case ExitKind::kInterrupt:
            return "interrupt";
        case ExitKind::kNmi:
            return "nmi";
        case ExitKind::kShutdown:
            return "shutdown";
        case ExitKind::kInit:
            return "init";
        case ExitKind::kException:
            return "exception";
        case ExitKind::kInvalidEntry:
            return "invalid-entry";
        case ExitKind::kPause:
            return "pause";
        case ExitKind::kInterruptWindow:
            return "interrupt-window";
        case ExitKind::kIllegalInstruction:
            return "illegal-instruction";
        case ExitKind::kNoOp:
            return "no-op";
        case ExitKind::kXsetbv:
            return "xsetbv";
        case ExitKind::kUnhandled:
            return "unhandled";
    }
    return "?";
}
inline constexpr unsigned kExitKindCount = static_cast<unsigned>(ExitKind::kUnhandled) + 1;

struct IoExit {
    std::uint16_t port;
    std::uint8_t size;  // 1, 2 or 4
    bool in;
    bool string;  // INS/OUTS
    bool rep;
};

struct MemoryExit {
    std::uint64_t gpa;
    bool write;
    bool fetch;
    bool present;  // the page was mapped (a permission fault) rather than absent
};

struct ExceptionExit {
    std::uint8_t vector;
    bool has_error;
    std::uint32_t error;
};

struct Exit {
    ExitKind kind;
    std::uint64_t raw_reason;  // backend's own code, for logs
    const char* raw_name;      // backend's name for it (set for kInvalidEntry and kUnhandled)
    std::uint8_t insn_len;     // length of the exiting instruction, 0 if unknown
    // Instruction bytes the CPU fetched for us (SVM decode assists), else empty.
    std::uint8_t insn_bytes_len;
    const std::uint8_t* insn_bytes;
    union {
        std::uint32_t msr;
        IoExit io;
        MemoryExit memory;
        ExceptionExit exception;
    };
};

}  // namespace hv::vmm
