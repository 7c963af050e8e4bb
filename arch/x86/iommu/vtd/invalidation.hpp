#pragma once
// Descriptors for the VT-d queued invalidation interface (VT-d spec 6.5.2): 128-bit entries the
// driver appends to the invalidation queue (IQA_REG, 128-bit descriptors, DW = 0) before moving
// IQT_REG. Type in bits 3:0 (bits 11:9 extend it and stay 0 for these types).
//
// A typical change of a device's mapping is followed by
//   iotlb_domain(did) ; wait(status_address, token)      and polling the status word,
// a context entry change by context_device(...) ; iotlb_domain(did) ; wait(...).
#include <cstdint>

#include "kernel/lib/addr.hpp"

namespace hv::vtd {

enum class DescriptorType : std::uint8_t {
    kContextCache = 0x1,         // 6.5.2.1
    kIotlb = 0x2,                // 6.5.2.3
    kDeviceTlb = 0x3,            // 6.5.2.5
    kInterruptEntryCache = 0x4,  // 6.5.2.7
    kInvalidationWait = 0x5,     // 6.5.2.8
};

// Whether an IOTLB invalidation also drains reads / writes already translated with the old
// entries; request it when CAP.DRD / CAP.DWD say the unit can.
struct Drain {
    bool reads = false;
    bool writes = false;
};

class InvalidationDescriptor {
  public:
    constexpr InvalidationDescriptor(std::uint64_t low, std::uint64_t high)
        : low_(low), high_(high) {}
    [[nodiscard]] constexpr std::uint64_t low() const { return low_; }
    [[nodiscard]] constexpr std::uint64_t high() const { return high_; }
    [[nodiscard]] constexpr DescriptorType type() const {
        return static_cast<DescriptorType>(low_ & 0xf);
    }

    // Context-cache invalidation (6.5.2.1): G in 5:4 (01 global, 10 domain, 11 device),
    // DID 31:16, SID 47:32, FM 49:48 (function bits of SID to ignore).
    [[nodiscard]] static constexpr InvalidationDescriptor context_global() {
        return {type_bits(DescriptorType::kContextCache) | granularity(1), 0};
    }
    [[nodiscard]] static constexpr InvalidationDescriptor context_domain(std::uint16_t domain) {
        return {type_bits(DescriptorType::kContextCache) | granularity(2) | did(domain), 0};
    }
    [[nodiscard]] static constexpr InvalidationDescriptor context_device(
        std::uint16_t domain, std::uint16_t source_id, std::uint8_t function_mask = 0) {
        return {type_bits(DescriptorType::kContextCache) | granularity(3) | did(domain) |
                    (static_cast<std::uint64_t>(source_id) << 32) |
                    (static_cast<std::uint64_t>(function_mask & 3) << 48),
                0};
    }

    // IOTLB invalidation (6.5.2.3): G in 5:4 (01 global, 10 domain, 11 page-selective),
    // DW bit 6, DR bit 7, DID 31:16; page-selective adds ADDR 127:76, IH bit 70, AM 69:64.
    [[nodiscard]] static constexpr InvalidationDescriptor iotlb_global(Drain drain = {}) {
        return {type_bits(DescriptorType::kIotlb) | granularity(1) | drain_bits(drain), 0};
    }
    [[nodiscard]] static constexpr InvalidationDescriptor iotlb_domain(std::uint16_t domain,
                                                                       Drain drain = {}) {
        return {
            type_bits(DescriptorType::kIotlb) | granularity(2) | drain_bits(drain) | did(domain),
            0};
    }
    // 2^address_mask pages from `iova`, which must be aligned to that size; address_mask at
    // most CAP.MAMV, and only with CAP.PSI. `leaf_only` (IH): only leaf entries changed, so
    // cached upper-level entries may stay.
    [[nodiscard]] static constexpr InvalidationDescriptor iotlb_pages(std::uint16_t domain,
                                                                      std::uint64_t iova,
                                                                      unsigned address_mask,
                                                                      bool leaf_only = false,
                                                                      Drain drain = {}) {
        return {
            type_bits(DescriptorType::kIotlb) | granularity(3) | drain_bits(drain) | did(domain),
            (iova & ~std::uint64_t{0xfff}) | (leaf_only ? 1ull << 6 : 0) | (address_mask & 0x3f)};
    }

    // Interrupt entry cache invalidation (6.5.2.7): G bit 4 (0 global, 1 index-selective),
    // IM 31:27 (2^IM entries), IIDX 47:32.
    [[nodiscard]] static constexpr InvalidationDescriptor interrupt_entries_global() {
        return {type_bits(DescriptorType::kInterruptEntryCache), 0};
    }
    [[nodiscard]] static constexpr InvalidationDescriptor interrupt_entries(
        std::uint16_t index, unsigned index_mask = 0) {
        return {type_bits(DescriptorType::kInterruptEntryCache) | (1ull << 4) |
                    (static_cast<std::uint64_t>(index_mask & 0x1f) << 27) |
                    (static_cast<std::uint64_t>(index) << 32),
                0};
    }

    // Invalidation wait (6.5.2.8): IF bit 4 (raise the invalidation event / ICS.IWC),
    // SW bit 5 (write `status` to `status_address`), FN bit 6 (later descriptors wait for this
    // one), status data 63:32, status address 127:66 (4-byte aligned).
    [[nodiscard]] static constexpr InvalidationDescriptor wait(HostPhys status_address,
                                                               std::uint32_t status,
                                                               bool fence = false) {
        return {type_bits(DescriptorType::kInvalidationWait) | (1ull << 5) |
                    (fence ? 1ull << 6 : 0) | (static_cast<std::uint64_t>(status) << 32),
                status_address.raw() & ~std::uint64_t{3}};
    }
    [[nodiscard]] static constexpr InvalidationDescriptor wait_interrupt(bool fence = false) {
        return {
            type_bits(DescriptorType::kInvalidationWait) | (1ull << 4) | (fence ? 1ull << 6 : 0),
            0};
    }

  private:
    static constexpr std::uint64_t type_bits(DescriptorType t) {
        return static_cast<std::uint64_t>(t);
    }
    static constexpr std::uint64_t granularity(unsigned g) {
        return static_cast<std::uint64_t>(g) << 4;
    }
    static constexpr std::uint64_t did(std::uint16_t domain) {
        return static_cast<std::uint64_t>(domain) << 16;
    }
    static constexpr std::uint64_t drain_bits(Drain d) {
        return (d.reads ? 1ull << 7 : 0) | (d.writes ? 1ull << 6 : 0);
    }

    std::uint64_t low_;
    std::uint64_t high_;
};
static_assert(sizeof(InvalidationDescriptor) == 16, "VT-d spec 6.5.2: 128-bit descriptors");
static_assert(InvalidationDescriptor::context_global().low() == 0x11);
static_assert(InvalidationDescriptor::iotlb_global().low() == 0x12);

}  // namespace hv::vtd
