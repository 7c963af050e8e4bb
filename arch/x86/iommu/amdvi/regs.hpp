#pragma once
// AMD-Vi MMIO registers: offsets, the control and status bits, the extended feature register,
// and the values software writes to the table base registers. Pure: nothing here touches MMIO.
//
// AMD I/O Virtualization Technology (IOMMU) Specification, pub. 48882 rev 3.x, sec 3.4
// "IOMMU MMIO Registers". All registers are 64 bits wide.
#include <cstdint>

#include "kernel/lib/addr.hpp"

namespace hv::amdvi {

enum class Reg64 : std::uint32_t {
    kDeviceTableBase = 0x0000,
    kCommandBufferBase = 0x0008,
    kEventLogBase = 0x0010,
    kControl = 0x0018,
    kExclusionBase = 0x0020,
    kExclusionLimit = 0x0028,
    kExtendedFeature = 0x0030,
    kCommandBufferHead = 0x2000,
    kCommandBufferTail = 0x2008,
    kEventLogHead = 0x2010,
    kEventLogTail = 0x2018,
    kStatus = 0x2020,
};

// IOMMU Control Register (sec 3.4, offset 0018h).
enum class Control : std::uint64_t {
    kIommuEnable = 1ull << 0,                    // IommuEn
    kHtTunnelEnable = 1ull << 1,                 // HtTunEn
    kEventLogEnable = 1ull << 2,                 // EventLogEn
    kEventInterruptEnable = 1ull << 3,           // EventIntEn
    kCompletionWaitInterruptEnable = 1ull << 4,  // ComWaitIntEn
    kPassPostedWrite = 1ull << 8,                // PassPW
    kResponsePassPostedWrite = 1ull << 9,        // ResPassPW
    kCoherent = 1ull << 10,                      // Coherent: the IOMMU's table reads snoop
    kIsochronous = 1ull << 11,                   // Isoc
    kCommandBufferEnable = 1ull << 12,           // CmdBufEn
    kX2apicEnable = 1ull << 50,  // XTEn: 32-bit destination IDs in interrupt remapping
};
// InvTimeOut, bits 7:5: how long an IOTLB invalidation may take before INVALIDATE_IOTLB_PAGES
// reports IOTLB_INV_TIMEOUT (0 none, 1 1 ms, 2 10 ms, 3 100 ms, 4 1 s, 5 10 s, 6 100 s).
inline constexpr unsigned kInvalidationTimeoutShift = 5;
inline constexpr std::uint64_t kInvalidationTimeoutMask = 7ull << kInvalidationTimeoutShift;

[[nodiscard]] constexpr std::uint64_t operator|(Control a, Control b) {
    return static_cast<std::uint64_t>(a) | static_cast<std::uint64_t>(b);
}
[[nodiscard]] constexpr std::uint64_t operator|(std::uint64_t a, Control b) {
    return a | static_cast<std::uint64_t>(b);
}
// `control` with `bit` set or cleared: the register holds every enable, so each change is a
// read-modify-write.
[[nodiscard]] constexpr std::uint64_t with(std::uint64_t control, Control bit, bool on) {
    const auto b = static_cast<std::uint64_t>(bit);
    return on ? control | b : control & ~b;
}

// IOMMU Status Register (sec 3.4, offset 2020h). The overflow and interrupt bits are RW1C.
class Status {
  public:
    static constexpr std::uint64_t kEventOverflow = 1ull << 0;
    static constexpr std::uint64_t kEventLogInterrupt = 1ull << 1;
    static constexpr std::uint64_t kCompletionWaitInterrupt = 1ull << 2;
    static constexpr std::uint64_t kEventLogRunning = 1ull << 3;
    static constexpr std::uint64_t kCommandBufferRunning = 1ull << 4;

    constexpr explicit Status(std::uint64_t raw) : raw_(raw) {}
    [[nodiscard]] constexpr std::uint64_t raw() const { return raw_; }
    [[nodiscard]] constexpr bool event_overflow() const { return raw_ & kEventOverflow; }
    [[nodiscard]] constexpr bool event_log_interrupt() const { return raw_ & kEventLogInterrupt; }
    [[nodiscard]] constexpr bool completion_wait_interrupt() const {
        return raw_ & kCompletionWaitInterrupt;
    }
    [[nodiscard]] constexpr bool event_log_running() const { return raw_ & kEventLogRunning; }
    [[nodiscard]] constexpr bool command_buffer_running() const {
        return raw_ & kCommandBufferRunning;
    }
    // What to write back to acknowledge every RW1C bit that is set.
    [[nodiscard]] constexpr std::uint64_t acknowledge() const {
        return raw_ & (kEventOverflow | kEventLogInterrupt | kCompletionWaitInterrupt);
    }

  private:
    std::uint64_t raw_;
};

// IOMMU Extended Feature Register (sec 3.4, offset 0030h). Valid only when the IOMMU
// capability header's EFRSup (and the IVHD) say the register exists.
class ExtendedFeatures {
  public:
    constexpr explicit ExtendedFeatures(std::uint64_t raw) : raw_(raw) {}
    [[nodiscard]] constexpr std::uint64_t raw() const { return raw_; }

    [[nodiscard]] constexpr bool prefetch() const { return bit(0); }           // PreFSup
    [[nodiscard]] constexpr bool ppr() const { return bit(1); }                // PPRSup
    [[nodiscard]] constexpr bool x2apic() const { return bit(2); }             // XTSup
    [[nodiscard]] constexpr bool no_execute() const { return bit(3); }         // NXSup
    [[nodiscard]] constexpr bool guest_translation() const { return bit(4); }  // GTSup
    // IASup: the INVALIDATE_IOMMU_ALL command exists.
    [[nodiscard]] constexpr bool invalidate_all() const { return bit(6); }
    [[nodiscard]] constexpr bool guest_virtual_apic() const { return bit(7); }        // GASup
    [[nodiscard]] constexpr bool hardware_error_registers() const { return bit(8); }  // HESup
    [[nodiscard]] constexpr bool performance_counters() const { return bit(9); }      // PCSup
    // HATS, bits 11:10: the deepest host page table the IOMMU walks (00b 4 levels, 01b 5,
    // 10b 6), which bounds a device table entry's Mode.
    [[nodiscard]] constexpr unsigned host_levels() const {
        return 4 + static_cast<unsigned>((raw_ >> 10) & 3);
    }

  private:
    [[nodiscard]] constexpr bool bit(unsigned n) const { return (raw_ >> n) & 1; }
    std::uint64_t raw_;
};

// Device Table Base Address Register (sec 3.4, offset 0000h): base in 51:12 (4 KiB aligned),
// Size in 8:0 = the table's length in 4 KiB pages minus one (at most 2 MiB: 65536 entries).
[[nodiscard]] constexpr std::uint64_t device_table_base(HostPhys table, unsigned pages) {
    return (table.raw() & 0x000ffffffffff000ull) | ((pages - 1) & 0x1ff);
}

// Command Buffer / Event Log Base Address Registers (offsets 0008h, 0010h): base in 51:12,
// ComLen / EventLen in 59:56 = log2 of the number of 16-byte entries, 8 (256 entries, one page)
// to 15 (32768).
[[nodiscard]] constexpr std::uint64_t ring_base(HostPhys ring, unsigned entries_log2) {
    return (ring.raw() & 0x000ffffffffff000ull) |
           (static_cast<std::uint64_t>(entries_log2 & 0xf) << 56);
}

// Head and tail pointer registers (offsets 2000h-2018h): a byte offset into the ring, 16-byte
// aligned, in bits 18:4.
inline constexpr unsigned kRingEntryBytes = 16;
[[nodiscard]] constexpr std::uint64_t ring_offset(unsigned index) {
    return static_cast<std::uint64_t>(index) * kRingEntryBytes;
}
[[nodiscard]] constexpr unsigned ring_index(std::uint64_t head_or_tail) {
    return static_cast<unsigned>((head_or_tail & 0x7fff0) / kRingEntryBytes);
}

}  // namespace hv::amdvi
