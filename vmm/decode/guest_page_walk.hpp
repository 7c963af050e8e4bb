#pragma once
// Translating a guest-linear address to guest-physical through the guest's own page tables, to
// fetch the bytes of an instruction being emulated and to reach the operands of string forms.
//
//   CR0.PG = 0                      no paging: the address (32 bits) is the GPA
//   CR0.PG = 1, CR4.PAE = 0         32-bit paging: 4 KiB pages, 4 MiB pages with CR4.PSE
//   CR0.PG = 1, CR4.PAE = 1         PAE paging: 4 KiB and 2 MiB pages
//   EFER.LMA = 1                    4-level paging: 4 KiB, 2 MiB and 1 GiB pages
//   EFER.LMA = 1, CR4.LA57 = 1      5-level paging: a PML5 above, 57-bit linear addresses
//
// The walk checks what the CPU checks for an ordinary access (Intel SDM vol. 3A chapter 5,
// "Paging", of the current edition): present bits, reserved bits against MAXPHYADDR, R/W with
// CR0.WP, U/S, and XD with EFER.NXE. A failure is a #PF to inject, with the error code of 5.7.
// Not checked: SMEP, SMAP, protection keys, CET shadow stacks, and the PAT/MTRR memory types.
// PAE PDPTEs are read from memory rather than from the CPU's PDPTE registers loaded at the last
// MOV to CR3; a guest that changes its PDPT without reloading CR3 is not modelled.
//
// The walk only reads: it never sets Accessed or Dirty bits. The hypervisor uses it for accesses
// the CPU has already made or is about to make itself, which set them on the guest's behalf.
//
// Pure: no state, no allocation; all memory goes through the caller's GuestMemoryReader.
#include <cstdint>

#include "kernel/lib/addr.hpp"
#include "kernel/lib/optional.hpp"
#include "kernel/lib/result.hpp"

namespace hv::vmm::decode {

// Reads the guest's paging-structure entries. kNone means the GPA is not guest RAM (the walker
// then fails with kTableUnreadable). Addresses are 4-aligned for read_u32, 8-aligned for read_u64.
class GuestMemoryReader {
  public:
    [[nodiscard]] virtual Optional<std::uint32_t> read_u32(std::uint64_t gpa) const = 0;
    [[nodiscard]] virtual Optional<std::uint64_t> read_u64(std::uint64_t gpa) const = 0;

  protected:
    ~GuestMemoryReader() = default;
};

// The vCPU's control registers, as the guest sees them.
struct PagingState {
    std::uint64_t cr0 = 0;
    std::uint64_t cr3 = 0;
    std::uint64_t cr4 = 0;
    std::uint64_t efer = 0;
    // CPUID.80000008H:EAX[7:0] of the guest: physical-address bits above it are reserved.
    std::uint8_t max_phys_addr_bits = 52;
};

enum class AccessType : std::uint8_t { kRead, kWrite, kFetch };

struct Access {
    AccessType type = AccessType::kRead;
    bool user = false;  // CPL 3; supervisor otherwise (SDM vol. 3A 5.6)
};

// #PF error-code bits (SDM vol. 3A 5.7, figure 5-12).
inline constexpr std::uint32_t kPfPresent = 1u << 0;   // P: protection, not a missing page
inline constexpr std::uint32_t kPfWrite = 1u << 1;     // W/R: the access was a write
inline constexpr std::uint32_t kPfUser = 1u << 2;      // U/S: the access was from user mode
inline constexpr std::uint32_t kPfReserved = 1u << 3;  // RSVD: a reserved bit was set
inline constexpr std::uint32_t kPfFetch = 1u << 4;     // I/D: the access was an instruction fetch

struct Translation {
    GuestPhys gpa;
    std::uint64_t page_size;  // 4 KiB, 2 MiB, 4 MiB or 1 GiB; 4 KiB with paging off
};

enum class WalkStatus : std::uint8_t {
    kPageFault,        // inject #PF: `error_code`, CR2 = `address`
    kNonCanonical,     // 4-level paging, address not canonical: inject #GP(0) (#SS(0) for SS)
    kTableUnreadable,  // a paging-structure entry at GPA `address` is not guest RAM
    kUnsupported,      // an impossible paging mode: LMA without PAE
};

struct WalkError {
    WalkStatus status;
    std::uint32_t error_code;  // kPageFault only
    std::uint64_t address;     // see WalkStatus
    const char* what;          // static text for the log
};

// Translates `linear` for `access`. Outside 4-level paging only the low 32 bits of `linear` are
// used, as the CPU does.
[[nodiscard]] Result<Translation, WalkError> translate(const PagingState& state,
                                                       std::uint64_t linear, Access access,
                                                       const GuestMemoryReader& memory);

}  // namespace hv::vmm::decode
