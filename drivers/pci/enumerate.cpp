#include "drivers/pci/enumerate.hpp"

namespace hv::pci {
namespace {

// A bus whose walk is in progress: the next device/function to probe and the bridge above it.
//
//   bus 0: dev 0 .. dev 2 (root port, secondary 1) ............ dev 31
//                            |
//                            +-- bus 1: dev 0 .. dev 31   <- pushed, walked, popped,
//                                                            then bus 0 resumes at dev 3
struct BusCursor {
    std::uint8_t bus = 0;
    std::uint8_t device = 0;
    std::uint8_t function = 0;
    bool multi_function = false;  // function 0 of `device` said so
    Optional<Bdf> parent;
};

// Each bus is walked at most once, so the stack never holds more than 256 cursors.
constexpr std::size_t kMaxBuses = 256;

class BusSet {
  public:
    [[nodiscard]] bool contains(std::uint8_t bus) const {
        return (words_[bus / 64] >> (bus % 64)) & 1;
    }
    void insert(std::uint8_t bus) { words_[bus / 64] |= std::uint64_t{1} << (bus % 64); }

  private:
    std::uint64_t words_[kMaxBuses / 64]{};
};

// Moves the cursor past the function just probed.
void advance(BusCursor& c) {
    if (c.multi_function && c.function < kMaxFunction) {
        ++c.function;
        return;
    }
    ++c.device;
    c.function = 0;
    c.multi_function = false;
}

PciFunction probe_function(ConfigSpace& cs, Bdf bdf, std::uint32_t id,
                           const Optional<Bdf>& parent) {
    PciFunction fn;
    fn.bdf = bdf;
    fn.vendor_id = static_cast<std::uint16_t>(id);
    fn.device_id = static_cast<std::uint16_t>(id >> 16);
    const std::uint32_t class_rev = cs.read(bdf, Reg32::kClassRevision);
    fn.revision = static_cast<std::uint8_t>(class_rev);
    fn.class_code = class_rev >> 8;
    fn.header_type = cs.read(bdf, Reg8::kHeaderType);
    // Header layouts other than 0 and 1 (CardBus) keep an empty Bars; nothing else is affected.
    auto bars = probe_bars(cs, bdf, fn.header_type);
    if (bars.ok()) fn.bars = bars.value();
    fn.caps = read_capabilities(cs, bdf);
    if (fn.is_bridge()) {
        fn.secondary_bus = cs.read(bdf, Reg8::kSecondaryBus);
        fn.subordinate_bus = cs.read(bdf, Reg8::kSubordinateBus);
    }
    fn.parent = parent;
    return fn;
}

}  // namespace

const PciFunction* find_function(std::span<const PciFunction> fns, Bdf bdf) {
    for (const PciFunction& fn : fns) {
        if (fn.bdf == bdf) return &fn;
    }
    return nullptr;
}

const PciFunction* FunctionList::find(Bdf bdf) const {
    return find_function(std::span<const PciFunction>(items_, size_), bdf);
}

bool FunctionList::push(const PciFunction& fn) {
    if (size_ == kCapacity) {
        ++dropped_;
        return false;
    }
    items_[size_++] = fn;
    return true;
}

void FunctionList::clear() {
    size_ = 0;
    dropped_ = 0;
}

Result<std::size_t> enumerate(ConfigSpace& cs, std::uint16_t segment, std::uint8_t start_bus,
                              std::uint8_t end_bus, FunctionList& out) {
    out.clear();
    if (start_bus > end_bus) return make_error(Errc::kInvalid, "pci: start bus after end bus");

    BusCursor stack[kMaxBuses]{};
    std::size_t depth = 0;
    BusSet walked;
    stack[depth++] = BusCursor{start_bus, 0, 0, false, kNone};
    walked.insert(start_bus);

    while (depth > 0) {
        BusCursor& cursor = stack[depth - 1];
        if (cursor.device > kMaxDevice) {
            --depth;
            continue;
        }
        const Bdf bdf(segment, cursor.bus, cursor.device, cursor.function);
        const std::uint32_t id = cs.read(bdf, Reg32::kVendorDevice);
        if (static_cast<std::uint16_t>(id) == kVendorAbsent) {
            // PCI 3.0 sec 6.2.1: no function 0 means no device, so functions 1..7 are not probed.
            advance(cursor);
            continue;
        }

        PciFunction fn = probe_function(cs, bdf, id, cursor.parent);
        if (cursor.function == 0) cursor.multi_function = fn.multi_function();
        advance(cursor);

        const bool follow = fn.is_bridge() && fn.secondary_bus != 0 &&
                            fn.secondary_bus >= start_bus && fn.secondary_bus <= end_bus &&
                            !walked.contains(fn.secondary_bus);
        fn.walked_secondary = follow;
        out.push(fn);
        if (follow) {
            // `walked` holds each bus once, so depth stays below kMaxBuses.
            walked.insert(fn.secondary_bus);
            stack[depth++] = BusCursor{fn.secondary_bus, 0, 0, false, Optional<Bdf>(bdf)};
        }
    }

    if (out.dropped() != 0) {
        return make_error(Errc::kTooMany, "pci: more functions than the function list holds");
    }
    return out.size();
}

}  // namespace hv::pci
