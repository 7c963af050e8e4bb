#include "vmm/mmio_emulation.hpp"

#include "vmm/decode/guest_page_walk.hpp"
#include "vmm/decode/mmio_apply.hpp"
#include "vmm/decode/mmio_instruction.hpp"
#include "vmm/guest_state.hpp"

namespace hv::vmm {
namespace {

// Guest memory as the page walker reads it.
class WalkReader final : public decode::GuestMemoryReader {
  public:
    explicit WalkReader(GuestMemory& m) : m_(m) {}
    Optional<std::uint64_t> read_u64(std::uint64_t gpa) const override {
        const std::span<std::byte> b = m_.bytes(gpa, 8);
        if (b.size() != 8) return kNone;
        std::uint64_t v;
        __builtin_memcpy(&v, b.data(), 8);
        return v;
    }
    Optional<std::uint32_t> read_u32(std::uint64_t gpa) const override {
        const std::span<std::byte> b = m_.bytes(gpa, 4);
        if (b.size() != 4) return kNone;
        std::uint32_t v;
        __builtin_memcpy(&v, b.data(), 4);
        return v;
    }

  private:
    GuestMemory& m_;
};

// Up to 15 instruction bytes at RIP, not crossing into a page that is not RAM.
std::size_t fetch(Vcpu& vcpu, const ControlState& cs, const Exit& exit, GuestMemory& memory,
                  std::uint8_t (&out)[decode::kMaxInstructionLength]) {
    if (exit.insn_bytes_len != 0) {
        __builtin_memcpy(out, exit.insn_bytes, exit.insn_bytes_len);
        return exit.insn_bytes_len;
    }
    const std::uint64_t rip = vcpu.regs().rip;  // flat code segments: linear == RIP
    std::size_t got = 0;
    while (got < decode::kMaxInstructionLength) {
        const std::uint64_t linear = rip + got;
        std::uint64_t gpa = linear;
        if (cs.cr0 & kCr0Pg) {
            WalkReader reader(memory);
            const decode::PagingState paging{cs.cr0, cs.cr3, cs.cr4, cs.efer};
            auto t = decode::translate(paging, linear,
                                       decode::Access{decode::AccessType::kFetch, false}, reader);
            if (!t) break;
            gpa = t.value().gpa.raw();
        }
        const std::uint64_t in_page = kPageSize - (gpa & (kPageSize - 1));
        const std::uint64_t want = decode::kMaxInstructionLength - got < in_page
                                       ? decode::kMaxInstructionLength - got
                                       : in_page;
        const std::span<std::byte> b = memory.bytes(gpa, want);
        if (b.empty()) break;
        __builtin_memcpy(out + got, b.data(), want);
        got += want;
    }
    return got;
}

}  // namespace

MmioOutcome emulate_mmio(Vcpu& vcpu, const Exit& exit, GuestMemory& memory, MmioDevice& device,
                         std::uint64_t offset) {
    std::uint8_t bytes[decode::kMaxInstructionLength];
    const ControlState cs = vcpu.control_state();
    const std::size_t n = fetch(vcpu, cs, exit, memory, bytes);
    if (n == 0) return {false, "instruction bytes unreadable"};
    const decode::CpuMode mode =
        decode::cpu_mode((cs.efer & kEferLma) != 0, cs.cs_long, cs.cs_default32);
    auto decoded = decode::decode(Bytes(reinterpret_cast<const std::byte*>(bytes), n), mode);
    if (!decoded) return {false, decoded.error().what};
    const decode::MmioAccess& a = decoded.value();
    GuestRegisters& r = vcpu.regs();
    switch (a.kind) {
        case decode::MmioKind::kLoad:
        case decode::MmioKind::kLoadZeroExtend:
        case decode::MmioKind::kLoadSignExtend:
            decode::complete_load(a, device.mmio_read(offset, a.size), r.gpr);
            break;
        case decode::MmioKind::kStore:
        case decode::MmioKind::kStoreImmediate: {
            auto v = decode::store_value(a, r.gpr);
            if (!v) return {false, v.error().what};
            device.mmio_write(offset, a.size, v.value());
            break;
        }
        case decode::MmioKind::kXchg: {
            auto v = decode::store_value(a, r.gpr);
            if (!v) return {false, v.error().what};
            const std::uint64_t old = device.mmio_read(offset, a.size);
            device.mmio_write(offset, a.size, v.value());
            decode::complete_load(a, old, r.gpr);
            break;
        }
        case decode::MmioKind::kAlu: {
            auto out = decode::complete_alu(a, device.mmio_read(offset, a.size), r.gpr, r.rflags);
            if (!out) return {false, out.error().what};
            if (out.value().writes_memory)
                device.mmio_write(offset, a.size, out.value().memory_value);
            r.rflags = out.value().rflags;
            break;
        }
        default:
            return {false, "string instructions on device registers are not emulated"};
    }
    Exit done = exit;
    done.insn_len = a.length;
    vcpu.skip_instruction(done);
    return {true, nullptr};
}

}  // namespace hv::vmm
