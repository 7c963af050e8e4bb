#pragma once
// VT-d remapping-unit registers: offsets, capability decoders and the values software writes.
// Pure: nothing here touches MMIO; the driver reads a raw word and wraps it in one of these.
//
// Section numbers are from the VT-d spec rev 4.x/5.x (chapter 11 "Register Descriptions"; rev 3.x
// has the same registers in chapter 10). Offsets: sec 11.4, "Register Attributes" table.
#include <cstdint>

#include "arch/x86/paging/page_table.hpp"
#include "kernel/lib/addr.hpp"

namespace hv::vtd {

// 32-bit registers (sec 11.4).
enum class Reg32 : std::uint32_t {
    kVersion = 0x00,
    kGlobalCommand = 0x18,
    kGlobalStatus = 0x1C,
    kFaultStatus = 0x34,
    kFaultEventControl = 0x38,
    kFaultEventData = 0x3C,
    kFaultEventAddress = 0x40,
    kFaultEventUpperAddress = 0x44,
    kProtectedMemoryEnable = 0x64,
    kInvalidationCompletionStatus = 0x9C,
};

// 64-bit registers (sec 11.4). The IOTLB and fault recording registers move with the
// implementation; see iotlb_register() and fault_recording_register().
enum class Reg64 : std::uint32_t {
    kCapability = 0x08,
    kExtendedCapability = 0x10,
    kRootTableAddress = 0x20,
    kContextCommand = 0x28,
    kAdvancedFaultLog = 0x58,
    kInvalidationQueueHead = 0x80,
    kInvalidationQueueTail = 0x88,
    kInvalidationQueueAddress = 0x90,
    kInterruptRemappingTableAddress = 0xB8,
};

// Adjusted guest address widths: the value of a context entry's AW field, and the bit that
// reports it in CAP.SAGAW (sec 11.4.2; sec 9.3 for AW). 2^AW levels: 39 bits walk 3 levels,
// 48 bits 4, 57 bits 5.
enum class AddressWidth : std::uint8_t { k39Bit = 1, k48Bit = 2, k57Bit = 3 };

[[nodiscard]] constexpr unsigned levels(AddressWidth aw) { return static_cast<unsigned>(aw) + 2; }

// CAP_REG (sec 11.4.2).
class Capability {
  public:
    constexpr explicit Capability(std::uint64_t raw) : raw_(raw) {}
    [[nodiscard]] constexpr std::uint64_t raw() const { return raw_; }

    // ND, bits 2:0: 2^(4 + 2*ND) domain IDs. With CM set, domain ID 0 is reserved.
    [[nodiscard]] constexpr std::uint32_t domains() const {
        return 1u << (4 + 2 * static_cast<unsigned>(raw_ & 7));
    }
    [[nodiscard]] constexpr bool required_write_buffer_flush() const { return bit(4); }  // RWBF
    [[nodiscard]] constexpr bool protected_low_memory() const { return bit(5); }         // PLMR
    [[nodiscard]] constexpr bool protected_high_memory() const { return bit(6); }        // PHMR
    // CM, bit 7: not-present and erroneous entries may be cached, so making an entry present
    // needs an invalidation too (the case under QEMU and other emulated IOMMUs).
    [[nodiscard]] constexpr bool caching_mode() const { return bit(7); }
    // SAGAW, bits 12:8: bit n set = AW value n supported.
    [[nodiscard]] constexpr bool supports(AddressWidth aw) const {
        return bit(8 + static_cast<unsigned>(aw));
    }
    // MGAW, bits 21:16: the widest DMA address translated is MGAW + 1 bits.
    [[nodiscard]] constexpr unsigned max_guest_address_width() const {
        return static_cast<unsigned>((raw_ >> 16) & 0x3f) + 1;
    }
    [[nodiscard]] constexpr bool zero_length_read() const { return bit(22); }  // ZLR
    // FRO, bits 33:24: offset of the first fault recording register, in 16-byte units.
    [[nodiscard]] constexpr std::uint32_t fault_recording_offset() const {
        return static_cast<std::uint32_t>((raw_ >> 24) & 0x3ff) * 16;
    }
    // SLLPS, bits 37:34: bit 34 = 2 MiB, bit 35 = 1 GiB second-level leaves.
    [[nodiscard]] constexpr bool second_level_2m() const { return bit(34); }
    [[nodiscard]] constexpr bool second_level_1g() const { return bit(35); }
    // The largest leaf the page-table engine may write for this unit. The engine caps the leaf
    // size but cannot skip one, so 1 GiB leaves are used only together with 2 MiB ones.
    [[nodiscard]] constexpr paging::MaxPage max_page() const {
        if (!second_level_2m()) return paging::MaxPage::k4K;
        return second_level_1g() ? paging::MaxPage::k1G : paging::MaxPage::k2M;
    }
    [[nodiscard]] constexpr bool page_selective_invalidation() const { return bit(39); }  // PSI
    // NFR, bits 47:40: number of fault recording registers minus one.
    [[nodiscard]] constexpr unsigned fault_recording_count() const {
        return static_cast<unsigned>((raw_ >> 40) & 0xff) + 1;
    }
    // MAMV, bits 53:48: the largest address mask (log2 of pages) a page-selective IOTLB
    // invalidation may carry.
    [[nodiscard]] constexpr unsigned max_address_mask() const {
        return static_cast<unsigned>((raw_ >> 48) & 0x3f);
    }
    [[nodiscard]] constexpr bool write_draining() const { return bit(54); }  // DWD
    [[nodiscard]] constexpr bool read_draining() const { return bit(55); }   // DRD

  private:
    [[nodiscard]] constexpr bool bit(unsigned n) const { return (raw_ >> n) & 1; }
    std::uint64_t raw_;
};

// ECAP_REG (sec 11.4.3).
class ExtendedCapability {
  public:
    constexpr explicit ExtendedCapability(std::uint64_t raw) : raw_(raw) {}
    [[nodiscard]] constexpr std::uint64_t raw() const { return raw_; }

    // C, bit 0: page walks snoop the CPU caches. Clear: every table write must be flushed
    // from the cache (CLFLUSH) before the unit may see it.
    [[nodiscard]] constexpr bool coherent() const { return bit(0); }
    [[nodiscard]] constexpr bool queued_invalidation() const { return bit(1); }      // QI
    [[nodiscard]] constexpr bool device_tlb() const { return bit(2); }               // DT
    [[nodiscard]] constexpr bool interrupt_remapping() const { return bit(3); }      // IR
    [[nodiscard]] constexpr bool extended_interrupt_mode() const { return bit(4); }  // EIM
    [[nodiscard]] constexpr bool pass_through() const { return bit(6); }             // PT
    // SC, bit 7: second-level leaves may set SNP to force snooping.
    [[nodiscard]] constexpr bool snoop_control() const { return bit(7); }
    // IRO, bits 17:8: offset of the IOTLB registers, in 16-byte units.
    [[nodiscard]] constexpr std::uint32_t iotlb_offset() const {
        return static_cast<std::uint32_t>((raw_ >> 8) & 0x3ff) * 16;
    }

  private:
    [[nodiscard]] constexpr bool bit(unsigned n) const { return (raw_ >> n) & 1; }
    std::uint64_t raw_;
};

// IOTLB registers (sec 11.4.8): IVA_REG at IRO, IOTLB_REG 8 bytes above it.
[[nodiscard]] constexpr Reg64 invalidate_address_register(ExtendedCapability ecap) {
    return static_cast<Reg64>(ecap.iotlb_offset());
}
[[nodiscard]] constexpr Reg64 iotlb_register(ExtendedCapability ecap) {
    return static_cast<Reg64>(ecap.iotlb_offset() + 8);
}
// Fault recording register `index` (sec 11.4, "Fault Recording Registers [n]"): 16 bytes each
// from FRO; `high` selects bits 127:64, which hold the F bit.
[[nodiscard]] constexpr Reg64 fault_recording_register(Capability cap, unsigned index, bool high) {
    return static_cast<Reg64>(cap.fault_recording_offset() + 16 * index + (high ? 8 : 0));
}

// GCMD_REG / GSTS_REG bits (sec 11.4.4, 11.4.5): each command bit has its status bit at the
// same position.
enum class GlobalBit : std::uint32_t {
    kTranslationEnable = 1u << 31,              // TE / TES
    kSetRootTablePointer = 1u << 30,            // SRTP / RTPS
    kSetFaultLog = 1u << 29,                    // SFL / FLS
    kEnableAdvancedFaultLog = 1u << 28,         // EAFL / AFLS
    kWriteBufferFlush = 1u << 27,               // WBF / WBFS
    kQueuedInvalidationEnable = 1u << 26,       // QIE / QIES
    kInterruptRemappingEnable = 1u << 25,       // IRE / IRES
    kSetInterruptRemapTablePointer = 1u << 24,  // SIRTP / IRTPS
    kCompatibilityFormatInterrupt = 1u << 23,   // CFI / CFIS
};

// GCMD takes every enable at once, so a command is the current status with one bit changed.
// The one-shot bits (SRTP, SFL, WBF, SIRTP) read back as "done" in GSTS and must not be
// written again by accident, so they are dropped from the status first (sec 11.4.4: software
// derives the GCMD value from GSTS and changes one field per write).
[[nodiscard]] constexpr std::uint32_t global_command(std::uint32_t status, GlobalBit bit, bool on) {
    constexpr std::uint32_t kOneShot =
        static_cast<std::uint32_t>(GlobalBit::kSetRootTablePointer) |
        static_cast<std::uint32_t>(GlobalBit::kSetFaultLog) |
        static_cast<std::uint32_t>(GlobalBit::kWriteBufferFlush) |
        static_cast<std::uint32_t>(GlobalBit::kSetInterruptRemapTablePointer);
    const std::uint32_t b = static_cast<std::uint32_t>(bit);
    const std::uint32_t persistent = status & ~kOneShot;
    return on ? persistent | b : persistent & ~b;
}

// FSTS_REG (sec 11.4, "Fault Status Register"). The overflow and error bits are RW1C.
class FaultStatus {
  public:
    static constexpr std::uint32_t kPrimaryFaultOverflow = 1u << 0;    // PFO
    static constexpr std::uint32_t kPrimaryPendingFault = 1u << 1;     // PPF (read-only summary)
    static constexpr std::uint32_t kInvalidationQueueError = 1u << 4;  // IQE
    static constexpr std::uint32_t kInvalidationCompletionError = 1u << 5;  // ICE
    static constexpr std::uint32_t kInvalidationTimeoutError = 1u << 6;     // ITE

    constexpr explicit FaultStatus(std::uint32_t raw) : raw_(raw) {}
    [[nodiscard]] constexpr std::uint32_t raw() const { return raw_; }
    [[nodiscard]] constexpr bool overflow() const { return raw_ & kPrimaryFaultOverflow; }
    [[nodiscard]] constexpr bool pending() const { return raw_ & kPrimaryPendingFault; }
    [[nodiscard]] constexpr bool queue_error() const { return raw_ & kInvalidationQueueError; }
    // FRI, bits 15:8: the fault recording register the oldest pending fault is in.
    [[nodiscard]] constexpr unsigned fault_record_index() const { return (raw_ >> 8) & 0xff; }
    // What to write back to clear every error bit that is set (PPF is not RW1C).
    [[nodiscard]] constexpr std::uint32_t clear_errors() const {
        return raw_ & (kPrimaryFaultOverflow | kInvalidationQueueError |
                       kInvalidationCompletionError | kInvalidationTimeoutError);
    }

  private:
    std::uint32_t raw_;
};

// FECTL_REG / IECTL_REG: IM (bit 31) masks the event interrupt, IP (bit 30) reports one held
// back while masked.
inline constexpr std::uint32_t kEventInterruptMask = 1u << 31;
inline constexpr std::uint32_t kEventInterruptPending = 1u << 30;

// PMEN_REG: EPM (bit 31) enables the protected memory regions firmware may have left on;
// PRS (bit 0) reports them active. Translation cannot reach memory a PMR blocks.
inline constexpr std::uint32_t kEnableProtectedMemory = 1u << 31;
inline constexpr std::uint32_t kProtectedRegionStatus = 1u << 0;

// ICS_REG: IWC (bit 0) is set when an invalidation wait descriptor with IF completes.
inline constexpr std::uint32_t kInvalidationWaitComplete = 1u << 0;

// RTADDR_REG (sec 11.4.6): root table address in 63:12; TTM (11:10) 00 = legacy mode.
[[nodiscard]] constexpr std::uint64_t root_table_address(HostPhys root_table) {
    return root_table.raw() & ~std::uint64_t{0xfff};
}

// IQA_REG: queue base in 63:12, DW (bit 11) 0 = 128-bit descriptors, QS (2:0) = the queue is
// 2^QS pages of 256 descriptors.
[[nodiscard]] constexpr std::uint64_t invalidation_queue_address(HostPhys queue,
                                                                 unsigned size_log2_pages) {
    return (queue.raw() & ~std::uint64_t{0xfff}) | (size_log2_pages & 7);
}
inline constexpr unsigned kDescriptorsPerQueuePage = 256;

// IQH_REG / IQT_REG: a descriptor index in bits 18:4 (a byte offset for 16-byte descriptors).
[[nodiscard]] constexpr std::uint64_t invalidation_queue_offset(unsigned index) {
    return static_cast<std::uint64_t>(index) << 4;
}
[[nodiscard]] constexpr unsigned invalidation_queue_index(std::uint64_t head_or_tail) {
    return static_cast<unsigned>((head_or_tail >> 4) & 0x7fff);
}

// IRTA_REG: table base in 63:12, EIME (bit 11) = x2APIC destination IDs, S (3:0) = the table
// has 2^(S+1) entries (2 to 65536).
[[nodiscard]] constexpr std::uint64_t interrupt_remapping_table_address(HostPhys table,
                                                                        unsigned entries_log2,
                                                                        bool x2apic) {
    return (table.raw() & ~std::uint64_t{0xfff}) | (x2apic ? std::uint64_t{1} << 11 : 0) |
           ((entries_log2 - 1) & 0xf);
}

// Register-based invalidation, for units without queued invalidation (ECAP.QI clear).
enum class InvalidationGranularity : std::uint8_t { kGlobal = 1, kDomain = 2, kDevice = 3 };

// CCMD_REG (sec 11.4.7): ICC (bit 63) starts it and clears when done; CIRG (62:61) granularity;
// FM (33:32) function mask; SID (31:16); DID (15:0).
[[nodiscard]] constexpr std::uint64_t context_command(InvalidationGranularity g,
                                                      std::uint16_t domain = 0,
                                                      std::uint16_t source_id = 0) {
    return (std::uint64_t{1} << 63) | (static_cast<std::uint64_t>(g) << 61) |
           (static_cast<std::uint64_t>(source_id) << 16) | domain;
}

// IOTLB_REG (sec 11.4.8.1): IVT (bit 63) starts it and clears when done; IIRG (61:60)
// granularity (kDevice meaning page-selective, with IVA_REG); DR (49) / DW (48) drain reads /
// writes; DID (47:32).
[[nodiscard]] constexpr std::uint64_t iotlb_command(InvalidationGranularity g, std::uint16_t domain,
                                                    bool drain_reads, bool drain_writes) {
    return (std::uint64_t{1} << 63) | (static_cast<std::uint64_t>(g) << 60) |
           (drain_reads ? std::uint64_t{1} << 49 : 0) |
           (drain_writes ? std::uint64_t{1} << 48 : 0) | (static_cast<std::uint64_t>(domain) << 32);
}

}  // namespace hv::vtd
