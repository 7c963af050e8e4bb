#pragma once
// The Virtual Machine Control Block (AMD APM vol. 2, appendix B "Layout of VMCB"): a 4 KiB page,
// control area at 0x000, state save area at 0x400. Plain fixed-width fields with offsets checked
// against the manual; bit meanings are named constants and small accessors. Pure (host-tested).
#include <cstddef>
#include <cstdint>

namespace hv::svm {

// Segment register image in the state save area (APM vol. 2, table B-2). `attrib` is the
// descriptor's attribute bits compressed: [7:0] = type, S, DPL, P; [11:8] = AVL, L, D/B, G.
struct VmcbSegment {
    std::uint16_t selector;
    std::uint16_t attrib;
    std::uint32_t limit;
    std::uint64_t base;
};
static_assert(sizeof(VmcbSegment) == 16);

struct VmcbControl {
    std::uint32_t intercept_cr;          // 0x000: reads [15:0], writes [31:16]
    std::uint32_t intercept_dr;          // 0x004
    std::uint32_t intercept_exceptions;  // 0x008: bit n = vector n
    std::uint32_t intercept_misc1;       // 0x00C: InterceptMisc1
    std::uint32_t intercept_misc2;       // 0x010: InterceptMisc2
    std::uint32_t intercept_misc3;       // 0x014
    std::uint8_t reserved_018[0x03C - 0x018];
    std::uint16_t pause_filter_threshold;  // 0x03C
    std::uint16_t pause_filter_count;      // 0x03E
    std::uint64_t iopm_base_pa;            // 0x040: 12 KiB I/O permission map
    std::uint64_t msrpm_base_pa;           // 0x048: 8 KiB MSR permission map
    std::uint64_t tsc_offset;              // 0x050
    std::uint32_t guest_asid;              // 0x058
    std::uint8_t tlb_control;              // 0x05C: TlbControl
    std::uint8_t reserved_05d[3];
    std::uint64_t vintr;             // 0x060: V_TPR, V_IRQ, V_INTR_MASKING, V_INTR_VECTOR ...
    std::uint64_t interrupt_shadow;  // 0x068: bit 0 = in an interrupt shadow
    std::uint64_t exit_code;         // 0x070: ExitCode
    std::uint64_t exit_info1;        // 0x078
    std::uint64_t exit_info2;        // 0x080
    std::uint64_t exit_int_info;     // 0x088: event being delivered when the exit happened
    std::uint64_t np_control;        // 0x090: bit 0 = nested paging enable
    std::uint64_t avic_apic_bar;     // 0x098
    std::uint64_t ghcb_pa;           // 0x0A0
    std::uint64_t event_inject;      // 0x0A8: EventInject
    std::uint64_t n_cr3;             // 0x0B0: nested page table root
    std::uint64_t virt_ext;          // 0x0B8: LBR virtualization, virtual VMLOAD/VMSAVE
    std::uint32_t clean_bits;        // 0x0C0: VmcbClean
    std::uint32_t reserved_0c4;
    std::uint64_t next_rip;       // 0x0C8: nRIP (with the NRIPS feature)
    std::uint8_t insn_len;        // 0x0D0: bytes fetched (decode assists)
    std::uint8_t insn_bytes[15];  // 0x0D1
    std::uint8_t reserved_0e0[0x400 - 0x0E0];
};
static_assert(sizeof(VmcbControl) == 0x400);
static_assert(offsetof(VmcbControl, iopm_base_pa) == 0x040);
static_assert(offsetof(VmcbControl, guest_asid) == 0x058);
static_assert(offsetof(VmcbControl, tlb_control) == 0x05C);
static_assert(offsetof(VmcbControl, exit_code) == 0x070);
static_assert(offsetof(VmcbControl, np_control) == 0x090);
static_assert(offsetof(VmcbControl, event_inject) == 0x0A8);
static_assert(offsetof(VmcbControl, n_cr3) == 0x0B0);
static_assert(offsetof(VmcbControl, clean_bits) == 0x0C0);
static_assert(offsetof(VmcbControl, next_rip) == 0x0C8);
static_assert(offsetof(VmcbControl, insn_bytes) == 0x0D1);

// State save area, legacy (non-SEV-ES) layout (APM vol. 2, table B-2). Offsets are relative to
// the VMCB start in the comments.
struct VmcbState {
    VmcbSegment es, cs, ss, ds, fs, gs;  // 0x400 .. 0x45F
    VmcbSegment gdtr, ldtr, idtr, tr;    // 0x460 .. 0x49F
    std::uint8_t reserved_4a0[0x4CB - 0x4A0];
    std::uint8_t cpl;  // 0x4CB
    std::uint32_t reserved_4cc;
    std::uint64_t efer;  // 0x4D0
    std::uint8_t reserved_4d8[0x548 - 0x4D8];
    std::uint64_t cr4;     // 0x548
    std::uint64_t cr3;     // 0x550
    std::uint64_t cr0;     // 0x558
    std::uint64_t dr7;     // 0x560
    std::uint64_t dr6;     // 0x568
    std::uint64_t rflags;  // 0x570
    std::uint64_t rip;     // 0x578
    std::uint8_t reserved_580[0x5D8 - 0x580];
    std::uint64_t rsp;             // 0x5D8
    std::uint64_t s_cet;           // 0x5E0
    std::uint64_t ssp;             // 0x5E8
    std::uint64_t isst_addr;       // 0x5F0
    std::uint64_t rax;             // 0x5F8
    std::uint64_t star;            // 0x600
    std::uint64_t lstar;           // 0x608
    std::uint64_t cstar;           // 0x610
    std::uint64_t sfmask;          // 0x618
    std::uint64_t kernel_gs_base;  // 0x620
    std::uint64_t sysenter_cs;     // 0x628
    std::uint64_t sysenter_esp;    // 0x630
    std::uint64_t sysenter_eip;    // 0x638
    std::uint64_t cr2;             // 0x640
    std::uint8_t reserved_648[0x668 - 0x648];
    std::uint64_t g_pat;           // 0x668
    std::uint64_t dbgctl;          // 0x670
    std::uint64_t br_from;         // 0x678
    std::uint64_t br_to;           // 0x680
    std::uint64_t last_excp_from;  // 0x688
    std::uint64_t last_excp_to;    // 0x690
    std::uint8_t reserved_698[0x1000 - 0x698];
};
static_assert(sizeof(VmcbState) == 0x1000 - 0x400);

struct alignas(4096) Vmcb {
    VmcbControl control;
    VmcbState state;
};
static_assert(sizeof(Vmcb) == 4096);
static_assert(offsetof(Vmcb, state) == 0x400);
static_assert(offsetof(Vmcb, state) + offsetof(VmcbState, cpl) == 0x4CB);
static_assert(offsetof(Vmcb, state) + offsetof(VmcbState, efer) == 0x4D0);
static_assert(offsetof(Vmcb, state) + offsetof(VmcbState, cr4) == 0x548);
static_assert(offsetof(Vmcb, state) + offsetof(VmcbState, rip) == 0x578);
static_assert(offsetof(Vmcb, state) + offsetof(VmcbState, rsp) == 0x5D8);
static_assert(offsetof(Vmcb, state) + offsetof(VmcbState, rax) == 0x5F8);
static_assert(offsetof(Vmcb, state) + offsetof(VmcbState, cr2) == 0x640);
static_assert(offsetof(Vmcb, state) + offsetof(VmcbState, g_pat) == 0x668);

// Interrupt shadow field (APM vol. 2, table B-1, offset 0x068): bit 0 = INTERRUPT_SHADOW, the
// guest is in the shadow of an STI or MOV SS and takes no interrupt before its next instruction.
inline constexpr std::uint64_t kInterruptShadow = 1u << 0;

// InterceptMisc1 bits (APM vol. 2, table B-1, offset 0x00C).
namespace misc1 {
inline constexpr std::uint32_t kIntr = 1u << 0;
inline constexpr std::uint32_t kNmi = 1u << 1;
inline constexpr std::uint32_t kSmi = 1u << 2;
inline constexpr std::uint32_t kInit = 1u << 3;
inline constexpr std::uint32_t kVintr = 1u << 4;
inline constexpr std::uint32_t kRdpmc = 1u << 15;
inline constexpr std::uint32_t kCpuid = 1u << 18;
inline constexpr std::uint32_t kRsm = 1u << 19;
inline constexpr std::uint32_t kInvd = 1u << 22;
inline constexpr std::uint32_t kPause = 1u << 23;
inline constexpr std::uint32_t kHlt = 1u << 24;
inline constexpr std::uint32_t kInvlpga = 1u << 26;
inline constexpr std::uint32_t kIoioProt = 1u << 27;
inline constexpr std::uint32_t kMsrProt = 1u << 28;
inline constexpr std::uint32_t kTaskSwitch = 1u << 29;
inline constexpr std::uint32_t kFerrFreeze = 1u << 30;
inline constexpr std::uint32_t kShutdown = 1u << 31;
}  // namespace misc1

// InterceptMisc2 bits (offset 0x010).
namespace misc2 {
inline constexpr std::uint32_t kVmrun = 1u << 0;  // must be set, or VMRUN fails (APM 15.5.1)
inline constexpr std::uint32_t kVmmcall = 1u << 1;
inline constexpr std::uint32_t kVmload = 1u << 2;
inline constexpr std::uint32_t kVmsave = 1u << 3;
inline constexpr std::uint32_t kStgi = 1u << 4;
inline constexpr std::uint32_t kClgi = 1u << 5;
inline constexpr std::uint32_t kSkinit = 1u << 6;
inline constexpr std::uint32_t kIcebp = 1u << 8;
inline constexpr std::uint32_t kMonitor = 1u << 10;
inline constexpr std::uint32_t kMwait = 1u << 11;
inline constexpr std::uint32_t kXsetbv = 1u << 13;
}  // namespace misc2

// TLB_CONTROL values (APM vol. 2 15.16.1).
enum class TlbControl : std::uint8_t {
    kNothing = 0,
    kFlushAll = 1,
    kFlushAsid = 3,
    kFlushAsidNonGlobal = 7,
};

// VMCB clean bits (APM vol. 2 15.15.3): a set bit says that area is unchanged since the last
// VMRUN on this CPU, so the CPU may use its cached copy.
namespace clean {
inline constexpr std::uint32_t kIntercepts = 1u << 0;
inline constexpr std::uint32_t kIopm = 1u << 1;  // IOPM/MSRPM base
inline constexpr std::uint32_t kAsid = 1u << 2;
inline constexpr std::uint32_t kTpr = 1u << 3;
inline constexpr std::uint32_t kNp = 1u << 4;
inline constexpr std::uint32_t kCrx = 1u << 5;
inline constexpr std::uint32_t kDrx = 1u << 6;
inline constexpr std::uint32_t kDt = 1u << 7;
inline constexpr std::uint32_t kSeg = 1u << 8;
inline constexpr std::uint32_t kCr2 = 1u << 9;
inline constexpr std::uint32_t kLbr = 1u << 10;
inline constexpr std::uint32_t kAvic = 1u << 11;
inline constexpr std::uint32_t kAll = (1u << 12) - 1;
}  // namespace clean

inline constexpr std::uint64_t kNpEnable = 1ull << 0;

// EVENTINJ / EXITINTINFO format (APM vol. 2 15.20, figure 15-6).
enum class EventType : std::uint8_t { kExternal = 0, kNmi = 2, kException = 3, kSoftwareInt = 4 };

[[nodiscard]] constexpr std::uint64_t make_event(std::uint8_t vector, EventType type,
                                                 bool has_error, std::uint32_t error) {
    constexpr std::uint64_t kValid = 1ull << 31;
    constexpr std::uint64_t kErrorValid = 1ull << 11;
    return vector | (static_cast<std::uint64_t>(type) << 8) | (has_error ? kErrorValid : 0) |
           kValid | (static_cast<std::uint64_t>(error) << 32);
}
[[nodiscard]] constexpr bool event_valid(std::uint64_t e) { return (e >> 31) & 1; }

// V_INTR fields at 0x060 (APM vol. 2 15.21.1).
inline constexpr std::uint64_t kVintrIrq = 1ull << 8;
inline constexpr std::uint64_t kVintrIgnoreTpr = 1ull << 20;
inline constexpr std::uint64_t kVintrMasking = 1ull << 24;

}  // namespace hv::svm
