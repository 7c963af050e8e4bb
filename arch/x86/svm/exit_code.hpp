#pragma once
// #VMEXIT codes (AMD APM vol. 2, appendix C "SVM Intercept Exit Codes").
#include <cstdint>

namespace hv::svm {

enum class ExitCode : std::uint64_t {
    kCr0Read = 0x00,
    kCr0Write = 0x10,
    kExceptionBase = 0x40,  // 0x40 + vector
    kIntr = 0x60,
    kNmi = 0x61,
    kSmi = 0x62,
    kInit = 0x63,
    kVintr = 0x64,
    kCr0SelWrite = 0x65,
    kRdtsc = 0x6E,
    kRdpmc = 0x6F,
    kPushf = 0x70,
    kPopf = 0x71,
    kCpuid = 0x72,
    kRsm = 0x73,
    kIret = 0x74,
    kSwint = 0x75,
    kInvd = 0x76,
    kPause = 0x77,
    kHlt = 0x78,
    kInvlpg = 0x79,
    kInvlpga = 0x7A,
    kIoio = 0x7B,
    kMsr = 0x7C,
    kTaskSwitch = 0x7D,
    kFerrFreeze = 0x7E,
    kShutdown = 0x7F,
    kVmrun = 0x80,
    kVmmcall = 0x81,
    kVmload = 0x82,
    kVmsave = 0x83,
    kStgi = 0x84,
    kClgi = 0x85,
    kSkinit = 0x86,
    kRdtscp = 0x87,
    kIcebp = 0x88,
    kWbinvd = 0x89,
    kMonitor = 0x8A,
    kMwait = 0x8B,
    kMwaitConditional = 0x8C,
    kXsetbv = 0x8D,
    kRdpru = 0x8E,
    kEferWriteTrap = 0x8F,
    kNpf = 0x400,
    kAvicIncompleteIpi = 0x401,
    kAvicNoAccel = 0x402,
    kVmgexit = 0x403,
    kInvalid = ~0ull,  // VMRUN refused the guest state (APM 15.5.1 "consistency checks")
};

[[nodiscard]] constexpr const char* exit_code_name(std::uint64_t code) {
    if (code < 0x10) return "cr-read";
    if (code < 0x20) return "cr-write";
    if (code < 0x40) return "dr-access";
    if (code < 0x60) return "exception";
    switch (static_cast<ExitCode>(code)) {
        case ExitCode::kIntr:
            return "intr";
        case ExitCode::kNmi:
            return "nmi";
        case ExitCode::kSmi:
            return "smi";
        case ExitCode::kInit:
            return "init";
        case ExitCode::kVintr:
            return "vintr";
        case ExitCode::kCpuid:
            return "cpuid";
        case ExitCode::kPause:
            return "pause";
        case ExitCode::kHlt:
            return "hlt";
        case ExitCode::kIoio:
            return "ioio";
        case ExitCode::kMsr:
            return "msr";
        case ExitCode::kShutdown:
            return "shutdown";
        case ExitCode::kVmrun:
            return "vmrun";
        case ExitCode::kVmmcall:
            return "vmmcall";
        case ExitCode::kVmload:
            return "vmload";
        case ExitCode::kVmsave:
            return "vmsave";
        case ExitCode::kStgi:
            return "stgi";
        case ExitCode::kClgi:
            return "clgi";
        case ExitCode::kSkinit:
            return "skinit";
        case ExitCode::kRdtscp:
            return "rdtscp";
        case ExitCode::kIcebp:
            return "icebp";
        case ExitCode::kWbinvd:
            return "wbinvd";
        case ExitCode::kMonitor:
            return "monitor";
        case ExitCode::kMwait:
            return "mwait";
        case ExitCode::kXsetbv:
            return "xsetbv";
        case ExitCode::kInvd:
            return "invd";
        case ExitCode::kRsm:
            return "rsm";
        case ExitCode::kTaskSwitch:
            return "task-switch";
        case ExitCode::kNpf:
            return "npf";
        case ExitCode::kInvalid:
            return "invalid-state";
        default:
            return "other";
    }
}

// EXITINFO1 for IOIO intercepts (APM vol. 2 15.10.2, figure 15-2).
namespace ioio {
inline constexpr std::uint64_t kIn = 1u << 0;
inline constexpr std::uint64_t kString = 1u << 2;
inline constexpr std::uint64_t kRep = 1u << 3;
inline constexpr std::uint64_t kSize8 = 1u << 4;
inline constexpr std::uint64_t kSize16 = 1u << 5;
inline constexpr std::uint64_t kSize32 = 1u << 6;
inline constexpr unsigned kPortShift = 16;
}  // namespace ioio

// EXITINFO1 for nested page faults: a #PF-style error code (APM vol. 2 15.25.6).
namespace npf {
inline constexpr std::uint64_t kPresent = 1ull << 0;
inline constexpr std::uint64_t kWrite = 1ull << 1;
inline constexpr std::uint64_t kUser = 1ull << 2;
inline constexpr std::uint64_t kReserved = 1ull << 3;
inline constexpr std::uint64_t kFetch = 1ull << 4;
inline constexpr std::uint64_t kFinalTranslation = 1ull << 32;
inline constexpr std::uint64_t kPageTableWalk = 1ull << 33;
}  // namespace npf

}  // namespace hv::svm
