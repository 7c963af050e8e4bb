#include "gpu_passthrough/virtual_config_space.hpp"

namespace hv::passthrough {
namespace {

constexpr std::uint32_t kByteBits = 8;
constexpr std::uint16_t kBarEnd = pci::offset(pci::Reg32::kBar0) + 4 * pci::kType0BarCount;

// Command bits the guest may set (tracked virtually) and the one of them the host sees.
constexpr std::uint16_t kCommandGuestBits = pci::command::kIoSpace | pci::command::kMemorySpace |
                                            pci::command::kBusMaster | pci::command::kIntxDisable;
constexpr std::uint16_t kCommandDecodeBits = pci::command::kIoSpace | pci::command::kMemorySpace;
constexpr std::uint16_t kCommandForwarded = pci::command::kBusMaster;

// Capability lengths (PCI PM 1.2 sec 3.2; PCI 3.0 sec 6.8.1-6.8.2; PCIe 5.0 sec 7.5.3: 0x3c for
// a version 2 capability, of which version 1 uses the first 0x24 bytes).
constexpr std::uint16_t kPmLength = 8;
constexpr std::uint16_t kMsixLength = 12;
constexpr std::uint16_t kPcieLength = 0x3c;

// MSI message control (PCI 3.0 sec 6.8.1.3), as bits of the capability's first dword.
constexpr std::uint32_t kMsiEnable = 1u << 16;
constexpr std::uint32_t kMsi64Bit = 1u << 23;
constexpr std::uint32_t kMsiPerVectorMask = 1u << 24;
// MSI-X message control (PCI 3.0 sec 6.8.2.3), as bits of the capability's first dword.
constexpr std::uint32_t kMsixTableSize = 0x7ffu << 16;
constexpr std::uint32_t kMsixFunctionMask = 1u << 30;
constexpr std::uint32_t kMsixEnable = 1u << 31;

[[nodiscard]] constexpr std::uint32_t low_bytes(std::uint8_t size) {
    return size >= 4 ? 0xFFFF'FFFFu : (1u << (size * kByteBits)) - 1;
}

[[nodiscard]] constexpr std::uint32_t merge(std::uint32_t old, std::uint32_t value,
                                            std::uint32_t mask) {
    return (old & ~mask) | (value & mask);
}

[[nodiscard]] constexpr bool valid_access(std::uint16_t reg, std::uint8_t size) {
    return (size == 1 || size == 2 || size == 4) && reg % size == 0 &&
           reg < pci::kExtendedConfigSize;
}

// Layout of an MSI capability after the address (PCI 3.0 sec 6.8.1, figure 6-9).
struct MsiLayout {
    std::uint16_t data, mask, pending, length;
};
[[nodiscard]] constexpr MsiLayout msi_layout(bool is_64bit, bool per_vector_masking) {
    const std::uint16_t data = is_64bit ? 0xc : 0x8;
    const std::uint16_t end = per_vector_masking ? data + 12 : data + 4;
    return {data, static_cast<std::uint16_t>(data + 4), static_cast<std::uint16_t>(data + 8), end};
}

[[nodiscard]] Result<void> check_bar(const AssignedBar& b, unsigned slot) {
    if (b.kind == pci::BarKind::kAbsent) return Ok{};
    if ((b.size & (b.size - 1)) != 0 || b.size == 0) {
        return make_error(Errc::kInvalid, "bar size not a power of 2");
    }
    if (b.guest_base % b.size != 0) return make_error(Errc::kInvalid, "bar guest base unaligned");
    switch (b.kind) {
        case pci::BarKind::kIo:
            if (b.size < 4 || b.size > 256 || b.prefetchable) {
                return make_error(Errc::kInvalid, "io bar size outside 4-256 bytes");
            }
            if (b.guest_base + b.size > 0x1'0000) {
                return make_error(Errc::kInvalid, "io bar guest base past 64 KiB");
            }
            break;
        case pci::BarKind::kMem32:
            if (b.size < 16 || b.size > (1ull << 31)) {
                return make_error(Errc::kInvalid, "mem32 bar size outside 16 B-2 GiB");
            }
            if (b.guest_base + b.size > (1ull << 32)) {
                return make_error(Errc::kInvalid, "mem32 bar guest base past 4 GiB");
            }
            break;
        default:
            if (b.size < 16 || b.size > (1ull << 62)) {
                return make_error(Errc::kInvalid, "mem64 bar size outside 16 B-4 EiB");
            }
            if (slot + 1 >= pci::kType0BarCount) {
                return make_error(Errc::kInvalid, "mem64 bar in the last slot");
            }
            break;
    }
    return Ok{};
}

}  // namespace

Result<VirtualConfigSpace> VirtualConfigSpace::create(HostConfig& host, const AssignedBars& bars) {
    const std::uint32_t header = host.read32(pci::offset(pci::Reg32::kClassRevision) + 4);
    if (((header >> 16) & pci::header_type::kLayoutMask) != pci::header_type::kEndpoint) {
        return make_error(Errc::kUnsupported, "assigned function is not a type 0 header");
    }
    VirtualConfigSpace vcs(host);
    for (unsigned i = 0; i < pci::kType0BarCount; ++i) {
        const AssignedBar& b = bars.bar[i];
        if (i > 0 && bars.bar[i - 1].kind == pci::BarKind::kMem64) {
            if (b.kind != pci::BarKind::kAbsent) {
                return make_error(Errc::kInvalid, "slot after a mem64 bar not absent");
            }
            continue;
        }
        TRY(check_bar(b, i));
        if (b.kind == pci::BarKind::kAbsent) continue;
        const auto reg = static_cast<std::uint16_t>(pci::offset(pci::Reg32::kBar0) + 4 * i);
        const pci::BarType type = pci::decode_bar_type(host.read32(reg));
        if (type.kind != b.kind || type.prefetchable != b.prefetchable) {
            return make_error(Errc::kInvalid, "bar description disagrees with host type bits");
        }
        vcs.bars_[i] = b;
        vcs.bar_base_[i] = b.guest_base;
    }
    vcs.scan_capabilities();
    return vcs;
}

void VirtualConfigSpace::scan_capabilities() {
    const std::uint32_t status = host_->read32(pci::offset(pci::Reg32::kCommandStatus)) >> 16;
    if ((status & pci::status::kCapabilitiesList) == 0) return;
    // The host list is device-controlled too: bound the walk and stop on a revisit.
    std::uint64_t visited = 0;
    std::uint8_t ptr =
        host_->read32(pci::offset(pci::Reg8::kCapabilitiesPointer)) & pci::kCapPointerMask;
    for (unsigned n = 0; n < pci::kMaxLegacyCaps && ptr >= pci::kFirstCapOffset; ++n) {
        const std::uint64_t bit = std::uint64_t{1} << (ptr / 4 - pci::kFirstCapOffset / 4);
        if ((visited & bit) != 0) break;
        visited |= bit;
        const std::uint32_t h = host_->read32(ptr);
        const auto id = static_cast<pci::CapId>(h & 0xff);
        std::uint16_t length = 0;
        switch (id) {
            case pci::CapId::kPowerManagement:
                length = kPmLength;
                break;
            case pci::CapId::kMsiX:
                length = kMsixLength;
                break;
            case pci::CapId::kPciExpress:
                length = kPcieLength;
                break;
            case pci::CapId::kMsi:
                length = msi_layout((h & kMsi64Bit) != 0, (h & kMsiPerVectorMask) != 0).length;
                break;
            default:
                break;
        }
        bool duplicate = false;
        for (unsigned k = 0; k < cap_count_; ++k) duplicate |= caps_[k].id == (h & 0xff);
        if (length != 0 && !duplicate && cap_count_ < kMaxCaps) {
            const auto room = static_cast<std::uint16_t>(pci::kLegacyConfigSize - ptr);
            caps_[cap_count_++] = {ptr, length < room ? length : room,
                                   static_cast<std::uint8_t>(h & 0xff), 0};
            if (id == pci::CapId::kMsi) {
                msi_.offset = ptr;
                msi_.is_64bit = (h & kMsi64Bit) != 0;
                msi_.per_vector_masking = (h & kMsiPerVectorMask) != 0;
            }
            if (id == pci::CapId::kMsiX) msix_.offset = ptr;
        }
        ptr = static_cast<std::uint8_t>((h >> 8) & pci::kCapPointerMask);
    }
    for (unsigned k = 0; k + 1 < cap_count_; ++k) {
        caps_[k].next = static_cast<std::uint8_t>(caps_[k + 1].offset);
    }
}

std::uint32_t VirtualConfigSpace::config_read(std::uint16_t reg, std::uint8_t size) {
    if (!valid_access(reg, size)) return size >= 1 && size <= 4 ? low_bytes(size) : 0xFFFF'FFFFu;
    const std::uint32_t dword = read_dword(static_cast<std::uint16_t>(reg & ~3u));
    return (dword >> ((reg & 3u) * kByteBits)) & low_bytes(size);
}

void VirtualConfigSpace::config_write(std::uint16_t reg, std::uint8_t size, std::uint32_t value) {
    if (!valid_access(reg, size)) return;
    const std::uint32_t shift = (reg & 3u) * kByteBits;
    write_dword(static_cast<std::uint16_t>(reg & ~3u), (value & low_bytes(size)) << shift,
                low_bytes(size) << shift);
}

std::uint64_t VirtualConfigSpace::guest_bar_base(unsigned slot) const {
    return slot < pci::kType0BarCount ? bar_base_[slot] : 0;
}

bool VirtualConfigSpace::take_mapping_change() {
    const bool changed = mapping_changed_;
    mapping_changed_ = false;
    return changed;
}

Optional<MsiChange> VirtualConfigSpace::take_msi_change() {
    if (!msi_changed_) return kNone;
    msi_changed_ = false;
    return msi_state();
}

Optional<MsixControl> VirtualConfigSpace::take_msix_change() {
    if (!msix_changed_) return kNone;
    msix_changed_ = false;
    return msix_.control;
}

std::uint32_t VirtualConfigSpace::read_dword(std::uint16_t reg) {
    switch (reg) {
        case pci::offset(pci::Reg32::kVendorDevice):
        case pci::offset(pci::Reg32::kClassRevision):
        case pci::offset(pci::Reg16::kSubsystemVendorId):
            return host_->read32(reg);
        case pci::offset(pci::Reg32::kCommandStatus): {
            auto status = static_cast<std::uint16_t>(host_->read32(reg) >> 16);
            status &= static_cast<std::uint16_t>(~pci::status::kCapabilitiesList);
            if (cap_count_ != 0) status |= pci::status::kCapabilitiesList;
            return static_cast<std::uint32_t>(status) << 16 | command_;
        }
        case pci::offset(pci::Reg8::kCacheLineSize): {
            // Header type without the multi-function bit: the guest sees function 0 alone.
            // Latency timer and BIST read 0 (no self-test start from the guest).
            const std::uint32_t type = host_->read32(reg) & (pci::header_type::kLayoutMask << 16);
            return type | cache_line_;
        }
        case pci::offset(pci::Reg8::kCapabilitiesPointer):
            return cap_count_ != 0 ? caps_[0].offset : 0;
        case pci::offset(pci::Reg8::kInterruptLine):
            return interrupt_line_;
        default:
            break;
    }
    if (reg >= pci::offset(pci::Reg32::kBar0) && reg < kBarEnd) {
        return read_bar((reg - pci::offset(pci::Reg32::kBar0)) / 4);
    }
    if (const Cap* cap = cap_at(reg)) return read_cap(*cap, reg);
    return 0;
}

void VirtualConfigSpace::write_dword(std::uint16_t reg, std::uint32_t value, std::uint32_t mask) {
    switch (reg) {
        case pci::offset(pci::Reg32::kCommandStatus):
            // Status (RW1C) is the host's: its half of the write is dropped.
            write_command(static_cast<std::uint16_t>(value), static_cast<std::uint16_t>(mask));
            return;
        case pci::offset(pci::Reg8::kCacheLineSize):
            cache_line_ = static_cast<std::uint8_t>(merge(cache_line_, value, mask & 0xff));
            return;
        case pci::offset(pci::Reg8::kInterruptLine):
            interrupt_line_ = static_cast<std::uint8_t>(merge(interrupt_line_, value, mask & 0xff));
            return;
        default:
            break;
    }
    if (reg >= pci::offset(pci::Reg32::kBar0) && reg < kBarEnd) {
        write_bar((reg - pci::offset(pci::Reg32::kBar0)) / 4, value, mask);
        return;
    }
    if (const Cap* cap = cap_at(reg)) write_cap(*cap, reg, value, mask);
}

void VirtualConfigSpace::write_command(std::uint16_t value, std::uint16_t mask) {
    const auto writable = static_cast<std::uint16_t>(mask & kCommandGuestBits);
    const auto next = static_cast<std::uint16_t>((command_ & ~writable) | (value & writable));
    if (((next ^ command_) & kCommandDecodeBits) != 0) mapping_changed_ = true;
    command_ = next;
    // Only a write that covers bus master reaches the host; a status-only write does not.
    if ((writable & kCommandForwarded) == 0) return;
    const std::uint16_t reg = pci::offset(pci::Reg16::kCommand);
    const auto host = static_cast<std::uint16_t>(host_->read32(reg));
    const auto want =
        static_cast<std::uint16_t>((host & ~kCommandForwarded) | (command_ & kCommandForwarded));
    // Zeros in the status half: RW1C bits stay as they are (PCI 3.0 sec 6.2.3).
    if (want != host) host_->write32(reg, want);
}

std::uint32_t VirtualConfigSpace::read_bar(unsigned slot) const {
    if (slot > 0 && bars_[slot - 1].kind == pci::BarKind::kMem64) {
        return static_cast<std::uint32_t>(bar_base_[slot - 1] >> 32);
    }
    const AssignedBar& b = bars_[slot];
    const auto low = static_cast<std::uint32_t>(bar_base_[slot]);
    const std::uint32_t pref = b.prefetchable ? pci::bar_bits::kMemPrefetchable : 0;
    switch (b.kind) {
        case pci::BarKind::kIo:
            return low | pci::bar_bits::kIoSpace;
        case pci::BarKind::kMem32:
            return low | pci::bar_bits::kMemType32 | pref;
        case pci::BarKind::kMem64:
            return low | pci::bar_bits::kMemType64 | pref;
        default:
            return 0;
    }
}

void VirtualConfigSpace::write_bar(unsigned slot, std::uint32_t value, std::uint32_t mask) {
    const std::uint32_t reg = merge(read_bar(slot), value, mask);
    unsigned owner = slot;
    std::uint64_t base = 0;
    if (slot > 0 && bars_[slot - 1].kind == pci::BarKind::kMem64) {
        owner = slot - 1;
        base = static_cast<std::uint64_t>(reg) << 32 | (bar_base_[owner] & 0xFFFF'FFFFu);
    } else if (bars_[slot].kind == pci::BarKind::kIo) {
        base = reg & pci::bar_bits::kIoAddressMask;
    } else if (bars_[slot].kind != pci::BarKind::kAbsent) {
        base = (bar_base_[slot] & ~std::uint64_t{0xFFFF'FFFFu}) |
               (reg & pci::bar_bits::kMemAddressMask);
        if (bars_[slot].kind == pci::BarKind::kMem32) base &= 0xFFFF'FFFFu;
    } else {
        return;  // no BAR in this slot: reads 0, so sizing finds nothing
    }
    // The low address bits of a BAR of size N are hardwired to zero: that is what sizing reads.
    base &= ~(bars_[owner].size - 1);
    if (base != bar_base_[owner]) mapping_changed_ = true;
    bar_base_[owner] = base;
}

const VirtualConfigSpace::Cap* VirtualConfigSpace::cap_at(std::uint16_t reg) const {
    for (unsigned k = 0; k < cap_count_; ++k) {
        if (reg >= caps_[k].offset && reg < caps_[k].offset + caps_[k].length) return &caps_[k];
    }
    return nullptr;
}

std::uint32_t VirtualConfigSpace::read_cap(const Cap& cap, std::uint16_t reg) {
    const std::uint32_t host = host_->read32(reg);
    const auto rel = static_cast<std::uint16_t>(reg - cap.offset);
    const auto id = static_cast<pci::CapId>(cap.id);
    if (id == pci::CapId::kMsi && rel != 0) return read_msi(rel, host);
    if (rel != 0) return host;  // PM, PCIe, MSI-X table and PBA locations
    std::uint32_t upper = host & 0xFFFF'0000u;
    if (id == pci::CapId::kMsi) {
        // One vector: Multiple Message Capable and Enable read 0 (PCI 3.0 sec 6.8.1.3).
        upper &= kMsi64Bit | kMsiPerVectorMask;
        if (msi_.enabled) upper |= kMsiEnable;
    } else if (id == pci::CapId::kMsiX) {
        upper &= kMsixTableSize;
        if (msix_.control.enabled) upper |= kMsixEnable;
        if (msix_.control.function_masked) upper |= kMsixFunctionMask;
    }
    return upper | static_cast<std::uint32_t>(cap.next) << 8 | cap.id;
}

void VirtualConfigSpace::write_cap(const Cap& cap, std::uint16_t reg, std::uint32_t value,
                                   std::uint32_t mask) {
    const auto rel = static_cast<std::uint16_t>(reg - cap.offset);
    switch (static_cast<pci::CapId>(cap.id)) {
        case pci::CapId::kMsi:
            write_msi(rel, value, mask);
            return;
        case pci::CapId::kMsiX: {
            if (rel != 0) return;
            const MsixControl before = msix_.control;
            const std::uint32_t control =
                merge((msix_.control.enabled ? kMsixEnable : 0) |
                          (msix_.control.function_masked ? kMsixFunctionMask : 0),
                      value, mask);
            msix_.control = {(control & kMsixEnable) != 0, (control & kMsixFunctionMask) != 0};
            if (before.enabled != msix_.control.enabled ||
                before.function_masked != msix_.control.function_masked) {
                msix_changed_ = true;
            }
            return;
        }
        default:
            // PM and PCIe: the guest may not change power state, start an FLR or retrain the
            // link under the hypervisor's feet.
            return;
    }
}

std::uint32_t VirtualConfigSpace::read_msi(std::uint16_t rel, std::uint32_t host) const {
    const MsiLayout l = msi_layout(msi_.is_64bit, msi_.per_vector_masking);
    if (rel == 4) return static_cast<std::uint32_t>(msi_.address);
    if (rel == 8 && msi_.is_64bit) return static_cast<std::uint32_t>(msi_.address >> 32);
    if (rel == l.data) return msi_.data;
    if (msi_.per_vector_masking && rel == l.mask) return msi_.mask;
    if (msi_.per_vector_masking && rel == l.pending) return host & 1u;
    return 0;
}

void VirtualConfigSpace::write_msi(std::uint16_t rel, std::uint32_t value, std::uint32_t mask) {
    const MsiLayout l = msi_layout(msi_.is_64bit, msi_.per_vector_masking);
    const MsiState before = msi_;
    if (rel == 0) {
        msi_.enabled = (merge(msi_.enabled ? kMsiEnable : 0, value, mask) & kMsiEnable) != 0;
    } else if (rel == 4) {
        // PCI 3.0 sec 6.8.1.4: address bits 1:0 are hardwired to zero.
        const std::uint32_t low = merge(static_cast<std::uint32_t>(msi_.address), value, mask);
        msi_.address = (msi_.address & ~std::uint64_t{0xFFFF'FFFFu}) | (low & ~3u);
    } else if (rel == 8 && msi_.is_64bit) {
        const std::uint32_t high =
            merge(static_cast<std::uint32_t>(msi_.address >> 32), value, mask);
        msi_.address = static_cast<std::uint64_t>(high) << 32 | (msi_.address & 0xFFFF'FFFFu);
    } else if (rel == l.data) {
        msi_.data = static_cast<std::uint16_t>(merge(msi_.data, value, mask & 0xFFFF));
    } else if (msi_.per_vector_masking && rel == l.mask) {
        msi_.mask = merge(msi_.mask, value, mask) & 1u;  // one vector, one mask bit
    }
    const bool message_changed =
        msi_.address != before.address || msi_.data != before.data || msi_.mask != before.mask;
    if (msi_.enabled != before.enabled || (msi_.enabled && message_changed)) msi_changed_ = true;
}

MsiChange VirtualConfigSpace::msi_state() const {
    MsiChange s;
    s.enabled = msi_.enabled;
    s.masked = (msi_.mask & 1u) != 0;
    if (!s.enabled) return s;
    const Result<vmm::ApicMessage> m = decode_msi(msi_.address, msi_.data);
    s.valid = m.ok();
    if (m.ok()) {
        s.message = m.value();
    } else {
        s.reason = m.error().what;
    }
    return s;
}

}  // namespace hv::passthrough
