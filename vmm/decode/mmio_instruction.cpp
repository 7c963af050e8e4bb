#include "vmm/decode/mmio_instruction.hpp"

// Instruction layout (SDM vol. 2A 2.1, figure 2-1):
//
//   legacy prefixes | REX | opcode (1-2 bytes) | ModRM | SIB | displacement | immediate
//   0-14 bytes        0/1   64-bit mode only     0/1     0/1   0, 1, 2, 4      0, 1, 2, 4, 8
//
// The decoder walks these in order with a cursor that refuses to pass byte 15, so the length it
// reports is exactly where the next instruction starts.

namespace hv::vmm::decode {
namespace {

constexpr std::uint8_t kRexW = 0x8;
constexpr std::uint8_t kRexR = 0x4;

class Cursor {
  public:
    explicit Cursor(Bytes bytes) : bytes_(bytes) {}

    // The 15-byte limit is checked first, so an over-long instruction is reported as such even
    // when the buffer holds more bytes than that.
    Result<std::uint8_t> byte() {
        if (pos_ >= kMaxInstructionLength) {
            return make_error(Errc::kInvalid, "instruction longer than 15 bytes (#GP)");
        }
        if (pos_ >= bytes_.size()) {
            return make_error(Errc::kNotFound, "instruction bytes end mid-instruction");
        }
        return static_cast<std::uint8_t>(bytes_[pos_++]);
    }

    // The next `count` bytes as a little-endian number.
    Result<std::uint64_t> little_endian(unsigned count) {
        std::uint64_t value = 0;
        for (unsigned i = 0; i < count; ++i) {
            value |= std::uint64_t{TRY(byte())} << (8 * i);
        }
        return value;
    }

    [[nodiscard]] std::size_t position() const { return pos_; }

  private:
    Bytes bytes_;
    std::size_t pos_ = 0;
};

struct Prefixes {
    bool operand_size = false;  // 66
    bool address_size = false;  // 67
    bool lock = false;          // F0
    RepPrefix rep = RepPrefix::kNone;
    SegmentReg segment = SegmentReg::kNone;
    bool rex = false;
    std::uint8_t rex_bits = 0;  // W R X B in bits 3:0
};

// Legacy prefixes (SDM vol. 2A 2.1.1). Returns false when `b` is not one. Within a group the last
// prefix wins. In 64-bit mode ES, CS, SS and DS prefixes are ignored (vol. 1 3.3.7.1) and do not
// cancel an earlier FS or GS one.
bool take_legacy_prefix(std::uint8_t b, CpuMode mode, Prefixes& p) {
    const bool long_mode = mode == CpuMode::k64;
    switch (b) {
        case 0x66:
            p.operand_size = true;
            return true;
        case 0x67:
            p.address_size = true;
            return true;
        case 0xF0:
            p.lock = true;
            return true;
        case 0xF2:
            p.rep = RepPrefix::kRepne;
            return true;
        case 0xF3:
            p.rep = RepPrefix::kRep;
            return true;
        case 0x26:
            if (!long_mode) p.segment = SegmentReg::kEs;
            return true;
        case 0x2E:
            if (!long_mode) p.segment = SegmentReg::kCs;
            return true;
        case 0x36:
            if (!long_mode) p.segment = SegmentReg::kSs;
            return true;
        case 0x3E:
            if (!long_mode) p.segment = SegmentReg::kDs;
            return true;
        case 0x64:
            p.segment = SegmentReg::kFs;
            return true;
        case 0x65:
            p.segment = SegmentReg::kGs;
            return true;
        default:
            return false;
    }
}

class Decoder {
  public:
    Decoder(Bytes bytes, CpuMode mode) : in_(bytes), mode_(mode) {}

    Result<MmioAccess> run() {
        const std::uint8_t opcode = TRY(prefixes());
        access_.address_size = address_size();
        access_.segment_override = p_.segment;
        access_.lock = p_.lock;
        bool lockable = false;
        TRY(opcode_body(opcode, lockable));
        // LOCK is legal only on read-modify-write forms with a memory destination (SDM vol. 2A
        // LOCK, "Description"); anywhere else it raises #UD.
        if (p_.lock && !lockable) {
            return make_error(Errc::kInvalid,
                              "LOCK prefix on an instruction that cannot be locked");
        }
        access_.length = static_cast<std::uint8_t>(in_.position());
        return access_;
    }

  private:
    // Consumes prefixes and returns the first opcode byte. A REX prefix counts only directly
    // before the opcode; one followed by a legacy prefix is ignored (SDM vol. 2A 2.2.1).
    Result<std::uint8_t> prefixes() {
        for (;;) {
            const std::uint8_t b = TRY(in_.byte());
            if (mode_ == CpuMode::k64 && (b & 0xF0) == 0x40) {
                p_.rex = true;
                p_.rex_bits = b & 0x0F;
                continue;
            }
            if (!take_legacy_prefix(b, mode_, p_)) return b;
            p_.rex = false;
            p_.rex_bits = 0;
        }
    }

    // SDM vol. 1 3.6.1, table 3-4; vol. 2A 2.2.1.2 (REX.W wins over 66).
    [[nodiscard]] std::uint8_t operand_size(bool byte_operation) const {
        if (byte_operation) return 1;
        switch (mode_) {
            case CpuMode::k16:
                return p_.operand_size ? 4 : 2;
            case CpuMode::k32:
                return p_.operand_size ? 2 : 4;
            case CpuMode::k64:
                break;
        }
        if ((p_.rex_bits & kRexW) != 0) return 8;
        return p_.operand_size ? 2 : 4;
    }

    [[nodiscard]] std::uint8_t address_size() const {
        switch (mode_) {
            case CpuMode::k16:
                return p_.address_size ? 4 : 2;
            case CpuMode::k32:
                return p_.address_size ? 2 : 4;
            case CpuMode::k64:
                break;
        }
        return p_.address_size ? 4 : 8;
    }

    // Reads ModRM and whatever SIB and displacement it implies; returns the ModRM byte.
    // 16-bit forms: SDM vol. 2A table 2-1. 32/64-bit forms: tables 2-2 and 2-3; in 64-bit mode
    // mod=00 rm=101 is RIP-relative with a disp32 (2.2.1.6). The special cases look at the low
    // three bits only, so REX.B does not change the length (table 2-5).
    Result<std::uint8_t> modrm() {
        const std::uint8_t m = TRY(in_.byte());
        const unsigned mod = m >> 6;
        const unsigned rm = m & 7;
        if (mod == 3) {
            return make_error(Errc::kInvalid, "instruction has no memory operand");
        }
        unsigned displacement = 0;
        if (access_.address_size == 2) {
            if (mod == 0 && rm == 6) displacement = 2;
            if (mod == 1) displacement = 1;
            if (mod == 2) displacement = 2;
        } else {
            if (rm == 4) {
                const std::uint8_t sib = TRY(in_.byte());
                if (mod == 0 && (sib & 7) == 5) displacement = 4;
            }
            if (mod == 0 && rm == 5) displacement = 4;
            if (mod == 1) displacement = 1;
            if (mod == 2) displacement = 4;
        }
        TRY(in_.little_endian(displacement));
        return m;
    }

    // The ModRM.reg register operand of width `size`.
    void set_register(std::uint8_t m, std::uint8_t size) {
        std::uint8_t reg = (m >> 3) & 7;
        if ((p_.rex_bits & kRexR) != 0) reg += 8;
        if (size == 1 && !p_.rex && reg >= 4) {
            access_.high_byte = true;
            reg -= 4;
        }
        access_.reg = reg;
    }

    // Reads an immediate of `encoded` bytes; extends it to `operand_size` (sign or zero) and
    // truncates it there.
    Result<void> immediate(unsigned encoded, bool sign_extend) {
        std::uint64_t value = TRY(in_.little_endian(encoded));
        const unsigned bits = encoded * 8;
        if (sign_extend && ((value >> (bits - 1)) & 1) != 0) value |= ~std::uint64_t{0} << bits;
        const unsigned size = access_.operand_size;
        if (size < 8) value &= (std::uint64_t{1} << (size * 8)) - 1;
        access_.has_immediate = true;
        access_.immediate = value;
        return Ok{};
    }

    // imm8, or imm16 / imm32 (sign-extended under REX.W) by operand size: the Iz operand.
    Result<void> immediate_z() {
        if (access_.operand_size == 1) return immediate(1, false);
        if (access_.operand_size == 2) return immediate(2, false);
        return immediate(4, true);
    }

    void set_sizes(std::uint8_t size) {
        access_.size = size;
        access_.operand_size = size;
    }

    void set_alu(AluOp op, AluForm form) {
        access_.kind = MmioKind::kAlu;
        access_.alu = op;
        access_.alu_form = form;
    }

    Result<void> opcode_body(std::uint8_t op, bool& lockable) {
        // The ALU row: bits 5:3 select the operation, bit 1 the direction, bit 0 the width
        // (SDM vol. 2D table A-2, rows 0-3, columns 0-3 and 8-B).
        if (op < 0x40 && (op & 7) < 4) {
            const auto alu = static_cast<AluOp>(op >> 3);
            const bool to_register = (op & 2) != 0;
            set_sizes(operand_size((op & 1) == 0));
            const std::uint8_t m = TRY(modrm());
            set_register(m, access_.size);
            set_alu(alu, to_register ? AluForm::kRegisterMemory : AluForm::kMemoryRegister);
            lockable = !to_register && alu != AluOp::kCmp;
            return Ok{};
        }
        switch (op) {
            case 0x80:
            case 0x81:
            case 0x83:
                return group1(op, lockable);
            case 0x84:
            case 0x85:
            case 0x86:
            case 0x87:
            case 0x88:
            case 0x89:
            case 0x8A:
            case 0x8B:
                return register_form(op, lockable);
            case 0xA0:
            case 0xA1:
            case 0xA2:
            case 0xA3:
                return moffs(op);
            case 0xA4:
            case 0xA5:
                return string_op(MmioKind::kMovs, op);
            case 0xAA:
            case 0xAB:
                return string_op(MmioKind::kStos, op);
            case 0xAC:
            case 0xAD:
                return string_op(MmioKind::kLods, op);
            case 0xC6:
            case 0xC7:
            case 0xF6:
            case 0xF7:
                return immediate_form(op);
            case 0x0F:
                return two_byte();
            case 0xC4:
            case 0xC5:
            case 0x62:
            case 0x8F:
                return make_error(Errc::kUnsupported,
                                  "VEX/EVEX/XOP-encoded instructions are not emulated for MMIO");
            default:
                return make_error(Errc::kUnsupported, "opcode is not emulated for MMIO");
        }
    }

    // 80 Eb,Ib; 81 Ev,Iz; 83 Ev,Ib (sign-extended): group 1, SDM vol. 2D table A-6.
    Result<void> group1(std::uint8_t op, bool& lockable) {
        set_sizes(operand_size(op == 0x80));
        const std::uint8_t m = TRY(modrm());
        const auto alu = static_cast<AluOp>((m >> 3) & 7);
        set_alu(alu, AluForm::kMemoryImmediate);
        lockable = alu != AluOp::kCmp;
        if (op == 0x83) return immediate(1, true);
        return immediate_z();
    }

    // 84/85 TEST Ev,Gv; 86/87 XCHG Ev,Gv; 88/89 MOV Ev,Gv; 8A/8B MOV Gv,Ev.
    Result<void> register_form(std::uint8_t op, bool& lockable) {
        set_sizes(operand_size((op & 1) == 0));
        const std::uint8_t m = TRY(modrm());
        set_register(m, access_.size);
        switch (op & 0xFE) {
            case 0x84:
                set_alu(AluOp::kTest, AluForm::kMemoryRegister);
                break;
            case 0x86:
                access_.kind = MmioKind::kXchg;
                lockable = true;
                break;
            case 0x88:
                access_.kind = MmioKind::kStore;
                break;
            default:
                access_.kind = MmioKind::kLoad;
                break;
        }
        return Ok{};
    }

    // A0-A3: MOV between rAX and a memory offset as wide as the address size, no ModRM
    // (SDM vol. 2B MOV, note on moffs; vol. 2A 2.2.1.4).
    Result<void> moffs(std::uint8_t op) {
        set_sizes(operand_size((op & 1) == 0));
        access_.kind = op < 0xA2 ? MmioKind::kLoad : MmioKind::kStore;
        access_.reg = 0;
        TRY(in_.little_endian(access_.address_size));
        return Ok{};
    }

    Result<void> string_op(MmioKind kind, std::uint8_t op) {
        set_sizes(operand_size((op & 1) == 0));
        access_.kind = kind;
        access_.reg = 0;
        access_.rep = p_.rep;
        return Ok{};
    }

    // C6 /0 MOV Eb,Ib; C7 /0 MOV Ev,Iz; F6 /0 TEST Eb,Ib; F7 /0 TEST Ev,Iz (groups 11 and 3).
    Result<void> immediate_form(std::uint8_t op) {
        set_sizes(operand_size((op & 1) == 0));
        const std::uint8_t m = TRY(modrm());
        if (((m >> 3) & 7) != 0) {
            return make_error(Errc::kUnsupported, "group 3/11 operation is not emulated for MMIO");
        }
        if (op >= 0xF6) {
            set_alu(AluOp::kTest, AluForm::kMemoryImmediate);
        } else {
            access_.kind = MmioKind::kStoreImmediate;
        }
        return immediate_z();
    }

    // 0F B6/B7 MOVZX and 0F BE/BF MOVSX Gv, Eb/Ew (SDM vol. 2D table A-3).
    Result<void> two_byte() {
        const std::uint8_t op = TRY(in_.byte());
        if (op != 0xB6 && op != 0xB7 && op != 0xBE && op != 0xBF) {
            return make_error(Errc::kUnsupported,
                              "two-byte opcode is not emulated for MMIO (SSE and system forms)");
        }
        access_.kind = op < 0xBE ? MmioKind::kLoadZeroExtend : MmioKind::kLoadSignExtend;
        access_.size = (op & 1) != 0 ? 2 : 1;
        access_.operand_size = operand_size(false);
        const std::uint8_t m = TRY(modrm());
        set_register(m, access_.operand_size);
        return Ok{};
    }

    Cursor in_;
    CpuMode mode_;
    Prefixes p_;
    MmioAccess access_{};
};

}  // namespace

Result<MmioAccess> decode(Bytes bytes, CpuMode mode) { return Decoder(bytes, mode).run(); }

}  // namespace hv::vmm::decode
