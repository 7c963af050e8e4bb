#include "vmm/decode/mmio_apply.hpp"

#include <bit>

namespace hv::vmm::decode {
namespace {

// 1, 2 and 4 stay; anything else is 8, so a malformed access cannot make a shift undefined.
constexpr unsigned width(std::uint8_t size) {
    return size == 1 || size == 2 || size == 4 ? size : 8;
}

constexpr std::uint64_t mask(std::uint8_t size) {
    const unsigned w = width(size);
    return w == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (w * 8)) - 1;
}

constexpr std::uint64_t sign_bit(std::uint8_t size) {
    return std::uint64_t{1} << (width(size) * 8 - 1);
}

std::uint64_t sign_extend(std::uint64_t value, std::uint8_t size) {
    value &= mask(size);
    if ((value & sign_bit(size)) != 0) value |= ~mask(size);
    return value;
}

std::uint64_t read_register(const std::uint64_t (&regs)[kGprCount], unsigned reg, bool high_byte,
                            std::uint8_t size) {
    if (high_byte) return (regs[reg & 3] >> 8) & 0xFF;
    return regs[reg & 15] & mask(size);
}

// SDM vol. 1 3.4.1.1: 8/16-bit writes merge, 32-bit writes zero-extend, 64-bit writes replace.
void write_register(std::uint64_t (&regs)[kGprCount], unsigned reg, bool high_byte,
                    std::uint8_t size, std::uint64_t value) {
    if (high_byte) {
        std::uint64_t& r = regs[reg & 3];
        r = (r & ~std::uint64_t{0xFF00}) | ((value & 0xFF) << 8);
        return;
    }
    std::uint64_t& r = regs[reg & 15];
    const unsigned w = width(size);
    if (w >= 4) {
        r = value & mask(size);
    } else {
        r = (r & ~mask(size)) | (value & mask(size));
    }
}

bool writes_destination(AluOp op) { return op != AluOp::kCmp && op != AluOp::kTest; }

}  // namespace

Result<std::uint64_t> store_value(const MmioAccess& access,
                                  const std::uint64_t (&regs)[kGprCount]) {
    switch (access.kind) {
        case MmioKind::kStore:
        case MmioKind::kXchg:
            return read_register(regs, access.reg, access.high_byte, access.size);
        case MmioKind::kStoreImmediate:
            return access.immediate & mask(access.size);
        case MmioKind::kStos:
            return regs[0] & mask(access.size);
        default:
            return make_error(Errc::kInvalid, "access does not store a register or immediate");
    }
}

void complete_load(const MmioAccess& access, std::uint64_t value_read,
                   std::uint64_t (&regs)[kGprCount]) {
    value_read &= mask(access.size);
    switch (access.kind) {
        case MmioKind::kLoad:
        case MmioKind::kLods:
        case MmioKind::kXchg:
            write_register(regs, access.reg, access.high_byte, access.size, value_read);
            return;
        case MmioKind::kLoadZeroExtend:
            write_register(regs, access.reg, false, access.operand_size, value_read);
            return;
        case MmioKind::kLoadSignExtend:
            write_register(regs, access.reg, false, access.operand_size,
                           sign_extend(value_read, access.size));
            return;
        default:
            return;
    }
}

AluResult evaluate_alu(AluOp op, std::uint8_t size, std::uint64_t destination, std::uint64_t source,
                       std::uint64_t rflags) {
    const std::uint64_t m = mask(size);
    const std::uint64_t sign = sign_bit(size);
    const std::uint64_t a = destination & m;
    const std::uint64_t b = source & m;
    const std::uint64_t carry_in = (op == AluOp::kAdc || op == AluOp::kSbb) ? rflags & kFlagCf : 0;
    std::uint64_t r = 0;
    bool cf = false;
    bool of = false;
    bool af = false;
    switch (op) {
        case AluOp::kAdd:
        case AluOp::kAdc:
            r = (a + b + carry_in) & m;
            cf = r < a || (carry_in != 0 && r == a);
            of = ((a ^ r) & (b ^ r) & sign) != 0;
            af = ((a ^ b ^ r) & 0x10) != 0;
            break;
        case AluOp::kSub:
        case AluOp::kSbb:
        case AluOp::kCmp:
            r = (a - b - carry_in) & m;
            cf = a < b || (carry_in != 0 && a == b);
            of = ((a ^ b) & (a ^ r) & sign) != 0;
            af = ((a ^ b ^ r) & 0x10) != 0;
            break;
        case AluOp::kOr:
            r = a | b;
            break;
        case AluOp::kXor:
            r = a ^ b;
            break;
        case AluOp::kAnd:
        case AluOp::kTest:
            r = a & b;
            break;
    }
    std::uint64_t flags = rflags & ~kArithmeticFlags;
    if (cf) flags |= kFlagCf;
    if ((std::popcount(r & 0xFF) & 1) == 0) flags |= kFlagPf;  // even parity of the low byte
    if (af) flags |= kFlagAf;
    if (r == 0) flags |= kFlagZf;
    if ((r & sign) != 0) flags |= kFlagSf;
    if (of) flags |= kFlagOf;
    return AluResult{r, flags};
}

Result<AluOutcome> complete_alu(const MmioAccess& access, std::uint64_t value_read,
                                std::uint64_t (&regs)[kGprCount], std::uint64_t rflags) {
    if (access.kind != MmioKind::kAlu) {
        return make_error(Errc::kInvalid, "access is not an arithmetic or logic instruction");
    }
    const std::uint64_t memory = value_read & mask(access.size);
    const std::uint64_t reg = read_register(regs, access.reg, access.high_byte, access.size);
    const bool writes = writes_destination(access.alu);
    switch (access.alu_form) {
        case AluForm::kRegisterMemory: {
            const AluResult r = evaluate_alu(access.alu, access.size, reg, memory, rflags);
            if (writes) write_register(regs, access.reg, access.high_byte, access.size, r.value);
            return AluOutcome{r.rflags, false, 0};
        }
        case AluForm::kMemoryRegister: {
            const AluResult r = evaluate_alu(access.alu, access.size, memory, reg, rflags);
            return AluOutcome{r.rflags, writes, writes ? r.value : 0};
        }
        case AluForm::kMemoryImmediate:
            break;
    }
    const AluResult r = evaluate_alu(access.alu, access.size, memory, access.immediate, rflags);
    return AluOutcome{r.rflags, writes, writes ? r.value : 0};
}

std::uint64_t string_count(const MmioAccess& access, const std::uint64_t (&regs)[kGprCount]) {
    return regs[kRcx] & mask(access.address_size);
}

void advance_string(const MmioAccess& access, std::uint64_t rflags,
                    std::uint64_t (&regs)[kGprCount]) {
    const bool source = access.kind == MmioKind::kMovs || access.kind == MmioKind::kLods;
    const bool destination = access.kind == MmioKind::kMovs || access.kind == MmioKind::kStos;
    if (!source && !destination) return;
    const std::uint64_t step = width(access.size);
    const std::uint64_t delta = (rflags & kFlagDf) != 0 ? 0 - step : step;
    const std::uint8_t a = access.address_size;
    if (source) write_register(regs, kRsi, false, a, regs[kRsi] + delta);
    if (destination) write_register(regs, kRdi, false, a, regs[kRdi] + delta);
    if (access.rep != RepPrefix::kNone) write_register(regs, kRcx, false, a, regs[kRcx] - 1);
}

}  // namespace hv::vmm::decode
