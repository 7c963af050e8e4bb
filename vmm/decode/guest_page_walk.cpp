#include "vmm/decode/guest_page_walk.hpp"

// The three walks, from the linear address's index fields down to the page (SDM vol. 3A 5.3-5.5):
//
//   32-bit  CR3 -> PD[31:22] -> PT[21:12] -> 4 KiB        PD entry with PS (and CR4.PSE): 4 MiB
//   PAE     CR3 -> PDPT[31:30] -> PD[29:21] -> PT[20:12]  PD entry with PS: 2 MiB
//   4-level CR3 -> PML4[47:39] -> PDPT[38:30] -> PD[29:21] -> PT[20:12]
//                              PDPT entry with PS: 1 GiB; PD entry with PS: 2 MiB
//
// Each present entry is checked for reserved bits as it is read; rights (R/W, U/S, XD) are the
// AND over all levels and are checked once the page is found (5.6).

namespace hv::vmm::decode {
namespace {

constexpr std::uint64_t kPresent = 1ull << 0;
constexpr std::uint64_t kWritable = 1ull << 1;
constexpr std::uint64_t kUserPage = 1ull << 2;
constexpr std::uint64_t kPsBit = 1ull << 7;
constexpr std::uint64_t kExecuteDisable = 1ull << 63;
constexpr std::uint64_t kAddressBits = 0x000F'FFFF'FFFF'F000;  // bits 51:12

constexpr std::uint64_t kCr0Wp = 1ull << 16;
constexpr std::uint64_t kCr0Pg = 1ull << 31;
constexpr std::uint64_t kCr4Pse = 1ull << 4;
constexpr std::uint64_t kCr4Pae = 1ull << 5;
constexpr std::uint64_t kCr4La57 = 1ull << 12;
constexpr std::uint64_t kCr4Smep = 1ull << 20;
constexpr std::uint64_t kEferLma = 1ull << 10;
constexpr std::uint64_t kEferNxe = 1ull << 11;

// Bits hi..lo set.
constexpr std::uint64_t bits(unsigned hi, unsigned lo) {
    const std::uint64_t upto_hi = hi >= 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (hi + 1)) - 1;
    return upto_hi & ~((std::uint64_t{1} << lo) - 1);
}

class Walker {
  public:
    Walker(const PagingState& state, std::uint64_t linear, Access access,
           const GuestMemoryReader& memory)
        : state_(state), linear_(linear), access_(access), memory_(memory) {
        const unsigned m = state.max_phys_addr_bits;
        maxphyaddr_ = m < 32 ? 32 : (m > 52 ? 52 : m);
    }

    Result<Translation, WalkError> run() {
        if ((state_.cr0 & kCr0Pg) == 0) {
            return Translation{GuestPhys(linear_ & 0xFFFF'FFFF), 4096};
        }
        if ((state_.efer & kEferLma) != 0) {
            if ((state_.cr4 & kCr4Pae) == 0) return unsupported("long mode without CR4.PAE");
            return long_mode((state_.cr4 & kCr4La57) != 0 ? 5 : 4);
        }
        linear_ &= 0xFFFF'FFFF;
        if ((state_.cr4 & kCr4Pae) != 0) return pae();
        return legacy();
    }

  private:
    [[nodiscard]] bool nxe() const { return (state_.efer & kEferNxe) != 0; }

    // 5.7: I/D is reported only where execute-disable exists (PAE and NXE) or with SMEP.
    [[nodiscard]] std::uint32_t access_bits() const {
        std::uint32_t code = 0;
        if (access_.type == AccessType::kWrite) code |= kPfWrite;
        if (access_.user) code |= kPfUser;
        const bool pae_nx = (state_.cr4 & kCr4Pae) != 0 && nxe();
        if (access_.type == AccessType::kFetch && (pae_nx || (state_.cr4 & kCr4Smep) != 0)) {
            code |= kPfFetch;
        }
        return code;
    }

    [[nodiscard]] WalkError page_fault(std::uint32_t cause, const char* what) const {
        return WalkError{WalkStatus::kPageFault, access_bits() | cause, linear_, what};
    }
    [[nodiscard]] WalkError unsupported(const char* what) const {
        return WalkError{WalkStatus::kUnsupported, 0, 0, what};
    }

    // Bits from MAXPHYADDR up to `top` (51 for 4-level entries, 62 for PAE entries).
    [[nodiscard]] std::uint64_t above_maxphyaddr(unsigned top) const {
        return bits(top, maxphyaddr_);
    }

    Result<std::uint64_t, WalkError> read64(std::uint64_t gpa) const {
        const Optional<std::uint64_t> e = memory_.read_u64(gpa);
        if (!e) {
            return WalkError{WalkStatus::kTableUnreadable, 0, gpa, "paging entry is not guest RAM"};
        }
        return *e;
    }

    Result<std::uint64_t, WalkError> read32(std::uint64_t gpa) const {
        const Optional<std::uint32_t> e = memory_.read_u32(gpa);
        if (!e) {
            return WalkError{WalkStatus::kTableUnreadable, 0, gpa, "paging entry is not guest RAM"};
        }
        return std::uint64_t{*e};
    }

    // A present check, then a reserved-bit check.
    Result<void, WalkError> check(std::uint64_t entry, std::uint64_t reserved) const {
        if ((entry & kPresent) == 0) return page_fault(0, "page not present");
        if ((entry & reserved) != 0) {
            return page_fault(kPfPresent | kPfReserved, "reserved bit set in paging entry");
        }
        return Ok{};
    }

    // Rights are the AND over the levels that carry them.
    void join_rights(std::uint64_t entry) {
        writable_ = writable_ && (entry & kWritable) != 0;
        user_ = user_ && (entry & kUserPage) != 0;
        executable_ = executable_ && (entry & kExecuteDisable) == 0;
    }

    Result<void, WalkError> check_and_join(std::uint64_t entry, std::uint64_t reserved) {
        TRY(check(entry, reserved));
        join_rights(entry);
        return Ok{};
    }

    // 5.6: rights of the page found, for this access.
    Result<Translation, WalkError> finish(std::uint64_t frame, std::uint64_t page_size) const {
        const bool write = access_.type == AccessType::kWrite;
        const bool fetch = access_.type == AccessType::kFetch;
        if (access_.user && !user_) return page_fault(kPfPresent, "user access to supervisor page");
        if (write && !writable_ && (access_.user || (state_.cr0 & kCr0Wp) != 0)) {
            return page_fault(kPfPresent, "write to read-only page");
        }
        if (fetch && nxe() && !executable_) {
            return page_fault(kPfPresent, "instruction fetch from execute-disable page");
        }
        return Translation{GuestPhys(frame | (linear_ & (page_size - 1))), page_size};
    }

    // 5.5: (PML5E,) PML4E, PDPTE, PDE, PTE, 512 eight-byte entries per table. With 5-level
    // paging linear addresses have 57 bits, else 48; either way sign-extended to 64.
    Result<Translation, WalkError> long_mode(unsigned levels) {
        const unsigned top_shift = 12 + 9 * (levels - 1);
        const std::uint64_t top = linear_ >> (top_shift + 8);
        const std::uint64_t all_ones = (std::uint64_t{1} << (64 - top_shift - 8)) - 1;
        if (top != 0 && top != all_ones) {
            return WalkError{WalkStatus::kNonCanonical, 0, linear_, "non-canonical address"};
        }
        const std::uint64_t no_nx = nxe() ? 0 : kExecuteDisable;
        std::uint64_t table = state_.cr3 & kAddressBits & ~above_maxphyaddr(51);
        for (unsigned shift = top_shift; shift >= 12; shift -= 9) {
            const std::uint64_t index = (linear_ >> shift) & 511;
            const std::uint64_t entry = TRY(read64(table + index * 8));
            const bool large = shift != 12 && (entry & kPsBit) != 0;
            std::uint64_t reserved = above_maxphyaddr(51) | no_nx;
            if (shift >= 39) reserved |= kPsBit;  // no 512 GiB or 256 TiB pages
            if (large && shift == 21) reserved |= bits(20, 13);
            if (large && shift == 30) reserved |= bits(29, 13);
            TRY(check_and_join(entry, reserved));
            const std::uint64_t page_size = std::uint64_t{1} << shift;
            if (large || shift == 12)
                return finish(entry & kAddressBits & ~(page_size - 1), page_size);
            table = entry & kAddressBits;
        }
        return unsupported("unreachable");  // the loop always ends at shift 12
    }

    // 5.4: four PDPTEs at CR3[31:5], then PDE and PTE as in 4-level paging.
    Result<Translation, WalkError> pae() {
        const std::uint64_t pdpt = state_.cr3 & 0xFFFF'FFE0;
        const std::uint64_t pdpte = TRY(read64(pdpt + ((linear_ >> 30) & 3) * 8));
        // PDPTEs carry no rights (R/W and U/S are reserved). The CPU checks them when CR3 is
        // loaded (#GP); here a bad one surfaces as a reserved-bit #PF. Bits 8:5 (reserved in SDM
        // table 4-8) are not checked: QEMU's TCG sets bit 5 (accessed) in PDPTEs it walks under
        // AMD nested paging, and the guest already ran with that entry, so the walk must accept it.
        TRY(check(pdpte, bits(2, 1) | above_maxphyaddr(63)));
        const std::uint64_t no_nx = nxe() ? 0 : kExecuteDisable;
        const std::uint64_t reserved = above_maxphyaddr(62) | no_nx;
        const std::uint64_t pde = TRY(read64((pdpte & kAddressBits) + ((linear_ >> 21) & 511) * 8));
        if ((pde & kPsBit) != 0) {
            TRY(check_and_join(pde, reserved | bits(20, 13)));
            return finish(pde & kAddressBits & ~bits(20, 0), 2 * kMiB);
        }
        TRY(check_and_join(pde, reserved));
        const std::uint64_t pte = TRY(read64((pde & kAddressBits) + ((linear_ >> 12) & 511) * 8));
        TRY(check_and_join(pte, reserved));
        return finish(pte & kAddressBits, 4096);
    }

    // 5.3: 1024 four-byte entries per table; no execute-disable bit.
    Result<Translation, WalkError> legacy() {
        const std::uint64_t pd = state_.cr3 & 0xFFFF'F000;
        const std::uint64_t pde = TRY(read32(pd + ((linear_ >> 22) & 1023) * 4));
        if ((state_.cr4 & kCr4Pse) != 0 && (pde & kPsBit) != 0) {
            // PSE-36: PDE bits 20:13 hold physical-address bits 39:32, up to MAXPHYADDR (at most
            // 40 here); the rest of 21:13 is reserved (5.3, table 5-4).
            const unsigned high_bits = (maxphyaddr_ > 40 ? 40 : maxphyaddr_) - 32;
            TRY(check_and_join(pde, bits(21, 13 + high_bits)));
            const std::uint64_t high = (pde >> 13) & ((std::uint64_t{1} << high_bits) - 1);
            return finish((pde & 0xFFC0'0000) | (high << 32), 4 * kMiB);
        }
        TRY(check_and_join(pde, 0));
        const std::uint64_t pte = TRY(read32((pde & 0xFFFF'F000) + ((linear_ >> 12) & 1023) * 4));
        TRY(check_and_join(pte, 0));
        return finish(pte & 0xFFFF'F000, 4096);
    }

    const PagingState& state_;
    std::uint64_t linear_;
    Access access_;
    const GuestMemoryReader& memory_;
    unsigned maxphyaddr_;
    bool writable_ = true;
    bool user_ = true;
    bool executable_ = true;
};

}  // namespace

Result<Translation, WalkError> translate(const PagingState& state, std::uint64_t linear,
                                         Access access, const GuestMemoryReader& memory) {
    return Walker(state, linear, access, memory).run();
}

}  // namespace hv::vmm::decode
