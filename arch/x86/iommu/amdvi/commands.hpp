#pragma once
// AMD-Vi command buffer entries (AMD IOMMU spec 48882, sec 2.4 "Commands"): 128-bit entries the
// driver writes at the command buffer tail before moving the tail register (regs.hpp). The
// opcode is bits 63:60 of the first word.
//
// A typical change of a device's mapping is followed by
//   invalidate_all_pages(domain) ; completion_wait(status_address, token)
// and polling the status word; a device table entry change by
//   invalidate_device_table_entry(id) ; invalidate_all_pages(domain) ; completion_wait(...).
#include <bit>
#include <cstdint>

#include "kernel/lib/addr.hpp"

namespace hv::amdvi {

enum class CommandOpcode : std::uint8_t {
    kCompletionWait = 0x1,
    kInvalidateDeviceTableEntry = 0x2,
    kInvalidateIommuPages = 0x3,
    kInvalidateIotlbPages = 0x4,
    kInvalidateInterruptTable = 0x5,
    kPrefetchIommuPages = 0x6,
    kCompletePprRequest = 0x7,
    kInvalidateIommuAll = 0x8,
};

class Command {
  public:
    // INVALIDATE_IOMMU_PAGES with S = 1 and this address covers every page.
    static constexpr std::uint64_t kAllPagesAddress = 0x7ffffffffffff000ull;

    constexpr Command(std::uint64_t low, std::uint64_t high) : low_(low), high_(high) {}
    [[nodiscard]] constexpr std::uint64_t low() const { return low_; }
    [[nodiscard]] constexpr std::uint64_t high() const { return high_; }
    [[nodiscard]] constexpr CommandOpcode opcode() const {
        return static_cast<CommandOpcode>(low_ >> 60);
    }

    // COMPLETION_WAIT: once every earlier command is done, store `data` at `store_address`
    // (S, bit 0; address bits 51:3, 8-byte aligned) and, with `interrupt` (I, bit 1), raise
    // the completion-wait interrupt.
    [[nodiscard]] static constexpr Command completion_wait(HostPhys store_address,
                                                           std::uint64_t data,
                                                           bool interrupt = false) {
        return {op(CommandOpcode::kCompletionWait) | (store_address.raw() & 0x000ffffffffffff8ull) |
                    1u | (interrupt ? 2u : 0u),
                data};
    }

    // INVALIDATE_DEVTAB_ENTRY: DeviceID in bits 15:0.
    [[nodiscard]] static constexpr Command invalidate_device_table_entry(std::uint16_t device_id) {
        return {op(CommandOpcode::kInvalidateDeviceTableEntry) | device_id, 0};
    }

    // INVALIDATE_IOMMU_PAGES: DomainID in 47:32; second word S (bit 0, a range rather than one
    // page), PDE (bit 1, cached directory entries too), address 63:12. With S, the range is
    // the naturally aligned power of two whose size is given by the lowest clear address bit
    // at or above bit 12: 2^(n+1) bytes when bits n-1:12 are set and bit n is clear.
    [[nodiscard]] static constexpr Command invalidate_all_pages(std::uint16_t domain) {
        return {op(CommandOpcode::kInvalidateIommuPages) | domain_bits(domain),
                kAllPagesAddress | kPde | kSize};
    }
    // The smallest such range covering [iova, iova + size); size must be non-zero.
    [[nodiscard]] static constexpr Command invalidate_pages(std::uint16_t domain,
                                                            std::uint64_t iova,
                                                            std::uint64_t size) {
        const std::uint64_t first = iova & ~std::uint64_t{0xfff};
        const std::uint64_t last = iova + size - 1;
        const std::uint64_t low = op(CommandOpcode::kInvalidateIommuPages) | domain_bits(domain);
        if ((first ^ last) < 0x1000) return {low, first | kPde};  // one page
        const unsigned top = static_cast<unsigned>(std::bit_width(first ^ last)) - 1;
        if (top > 51) return invalidate_all_pages(domain);
        const std::uint64_t address = (first | ((1ull << top) - 1)) & ~std::uint64_t{0xfff};
        return {low, address | kPde | kSize};
    }

    // INVALIDATE_INTERRUPT_TABLE: DeviceID in bits 15:0.
    [[nodiscard]] static constexpr Command invalidate_interrupt_table(std::uint16_t device_id) {
        return {op(CommandOpcode::kInvalidateInterruptTable) | device_id, 0};
    }

    // INVALIDATE_IOMMU_ALL: every cache of the IOMMU; only with EFR.IASup.
    [[nodiscard]] static constexpr Command invalidate_all() {
        return {op(CommandOpcode::kInvalidateIommuAll), 0};
    }

  private:
    static constexpr std::uint64_t kSize = 1ull << 0;
    static constexpr std::uint64_t kPde = 1ull << 1;
    static constexpr std::uint64_t op(CommandOpcode o) {
        return static_cast<std::uint64_t>(o) << 60;
    }
    static constexpr std::uint64_t domain_bits(std::uint16_t d) {
        return static_cast<std::uint64_t>(d) << 32;
    }

    std::uint64_t low_;
    std::uint64_t high_;
};
static_assert(sizeof(Command) == 16, "AMD IOMMU spec 2.4: 128-bit commands");
static_assert(Command::invalidate_all().low() == 0x8000000000000000ull);

}  // namespace hv::amdvi
