// libFuzzer target for vmm/decode: the MMIO instruction decoder with its apply helpers, and the
// guest page walker. Both take guest-controlled input on every MMIO exit.
//
// Input layout: byte 0 selects the target.
//   bit 7 clear  decoder: bits 1:0 pick the mode (0 = 16-bit, 1 = 32-bit, else 64-bit); the
//                remaining bytes are the instruction bytes.
//   bit 7 set    page walker: bytes 1-40 are CR0, CR3, CR4, EFER and the linear address (little
//                endian, zero-padded), byte 41 MAXPHYADDR, byte 42 the access; the rest is guest
//                RAM, repeated over the whole physical address space below 2^47.
// Besides crashes and sanitizer reports, the target aborts when a documented property breaks.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "vmm/decode/guest_page_walk.hpp"
#include "vmm/decode/mmio_apply.hpp"
#include "vmm/decode/mmio_instruction.hpp"

namespace hv::vmm::decode {
namespace {

void check(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "decode_fuzz: invariant broken: %s\n", what);
    std::abort();
}

bool is_size(unsigned s) { return s == 1 || s == 2 || s == 4 || s == 8; }

bool fits(std::uint64_t value, unsigned size) { return size >= 8 || (value >> (size * 8)) == 0; }

std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

bool same(const MmioAccess& a, const MmioAccess& b) {
    return a.kind == b.kind && a.alu == b.alu && a.alu_form == b.alu_form && a.size == b.size &&
           a.operand_size == b.operand_size && a.reg == b.reg && a.high_byte == b.high_byte &&
           a.has_immediate == b.has_immediate && a.immediate == b.immediate &&
           a.length == b.length && a.address_size == b.address_size && a.rep == b.rep &&
           a.segment_override == b.segment_override && a.lock == b.lock;
}

bool is_string(MmioKind k) {
    return k == MmioKind::kMovs || k == MmioKind::kStos || k == MmioKind::kLods;
}

void check_access(const MmioAccess& a, CpuMode mode, std::size_t size) {
    check(a.length >= 1 && a.length <= kMaxInstructionLength && a.length <= size, "length");
    check(is_size(a.size) && is_size(a.operand_size), "sizes");
    check(a.operand_size >= a.size, "operand at least as wide as the access");
    check(a.reg < 16, "register index");
    check(!a.high_byte || (a.reg < 4 && a.size == 1), "high-byte register");
    check(a.address_size == 2 || a.address_size == 4 || a.address_size == 8, "address size");
    check(a.address_size != 8 || mode == CpuMode::k64, "8-byte addresses only in 64-bit mode");
    check(is_string(a.kind) || a.rep == RepPrefix::kNone, "rep only on string forms");
    check(!a.has_immediate || fits(a.immediate, a.operand_size), "immediate fits operand");
    check(a.kind != MmioKind::kStoreImmediate || a.has_immediate, "mov imm has an immediate");
}

// The apply helpers touch only the registers the instruction names.
void check_apply(const MmioAccess& a, std::uint64_t seed) {
    std::uint64_t before[kGprCount];
    for (unsigned i = 0; i < kGprCount; ++i) before[i] = mix(seed + i);
    std::uint64_t regs[kGprCount];
    const std::uint64_t value = mix(seed ^ 0x5a5a);
    const unsigned dest = a.high_byte ? a.reg & 3 : a.reg;

    std::memcpy(regs, before, sizeof regs);
    auto stored = store_value(a, regs);
    const bool stores = a.kind == MmioKind::kStore || a.kind == MmioKind::kXchg ||
                        a.kind == MmioKind::kStoreImmediate || a.kind == MmioKind::kStos;
    check(stored.ok() == stores, "store_value accepts exactly the storing kinds");
    if (stored.ok()) check(fits(stored.value(), a.size), "stored value fits the access");

    complete_load(a, value, regs);
    for (unsigned i = 0; i < kGprCount; ++i) {
        check(i == dest || regs[i] == before[i], "complete_load writes only its destination");
    }

    std::memcpy(regs, before, sizeof regs);
    auto alu = complete_alu(a, value, regs, seed);
    check(alu.ok() == (a.kind == MmioKind::kAlu), "complete_alu accepts exactly kAlu");
    if (alu.ok()) {
        check((alu.value().rflags & ~kArithmeticFlags) == (seed & ~kArithmeticFlags),
              "ALU changes only arithmetic flags");
        check(fits(alu.value().memory_value, a.size), "ALU memory value fits the access");
        check(!alu.value().writes_memory || a.alu_form != AluForm::kRegisterMemory,
              "register destination does not write memory");
        for (unsigned i = 0; i < kGprCount; ++i) {
            check(i == dest || regs[i] == before[i], "complete_alu writes only its destination");
        }
    }

    std::memcpy(regs, before, sizeof regs);
    (void)string_count(a, regs);
    advance_string(a, seed, regs);
    for (unsigned i = 0; i < kGprCount; ++i) {
        const bool may_change = is_string(a.kind) && (i == kRcx || i == kRsi || i == kRdi);
        check(may_change || regs[i] == before[i], "advance_string writes only rCX/rSI/rDI");
    }
}

void fuzz_decoder(std::uint8_t selector, const std::uint8_t* data, std::size_t size) {
    const unsigned m = selector & 3;
    const CpuMode mode = m == 0 ? CpuMode::k16 : (m == 1 ? CpuMode::k32 : CpuMode::k64);
    const Bytes bytes(reinterpret_cast<const std::byte*>(data), size);
    auto r = decode(bytes, mode);
    if (!r.ok()) {
        const Errc c = r.error().code;
        check(c == Errc::kInvalid || c == Errc::kUnsupported || c == Errc::kNotFound, "errc");
        check(r.error().what != nullptr, "error message");
        check(c != Errc::kNotFound || size < kMaxInstructionLength, "truncation needs < 15 bytes");
        return;
    }
    const MmioAccess a = r.value();
    check_access(a, mode, size);

    // The instruction's own bytes decode the same; one byte fewer is a truncation.
    auto exact = decode(bytes.first(a.length), mode);
    check(exact.ok() && same(exact.value(), a), "decoding exactly `length` bytes is stable");
    auto cut = decode(bytes.first(a.length - 1u), mode);
    check(!cut.ok() && cut.error().code == Errc::kNotFound, "one byte fewer is truncated");

    std::uint64_t seed = 0;
    for (std::size_t i = 0; i < a.length; ++i) seed = mix(seed ^ data[i]);
    check_apply(a, seed);
}

class BlobMemory final : public GuestMemoryReader {
  public:
    BlobMemory(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    Optional<std::uint32_t> read_u32(std::uint64_t gpa) const override {
        std::uint32_t v = 0;
        if (!read(gpa, &v, sizeof v)) return kNone;
        return v;
    }
    Optional<std::uint64_t> read_u64(std::uint64_t gpa) const override {
        std::uint64_t v = 0;
        if (!read(gpa, &v, sizeof v)) return kNone;
        return v;
    }

  private:
    bool read(std::uint64_t gpa, void* out, std::size_t len) const {
        if (size_ == 0 || (gpa >> 47) != 0) return false;
        auto* bytes = static_cast<std::uint8_t*>(out);
        for (std::size_t i = 0; i < len; ++i) bytes[i] = data_[(gpa + i) % size_];
        return true;
    }
    const std::uint8_t* data_;
    std::size_t size_;
};

std::uint64_t take_u64(const std::uint8_t*& data, std::size_t& size) {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < 8 && size > 0; ++i, ++data, --size)
        v |= std::uint64_t{*data} << (8 * i);
    return v;
}

std::uint8_t take_u8(const std::uint8_t*& data, std::size_t& size) {
    if (size == 0) return 0;
    --size;
    return *data++;
}

void fuzz_walker(const std::uint8_t* data, std::size_t size) {
    PagingState s;
    s.cr0 = take_u64(data, size);
    s.cr3 = take_u64(data, size);
    s.cr4 = take_u64(data, size);
    s.efer = take_u64(data, size);
    const std::uint64_t linear = take_u64(data, size);
    s.max_phys_addr_bits = take_u8(data, size);
    const std::uint8_t access_byte = take_u8(data, size);
    const Access access{static_cast<AccessType>(access_byte % 3), (access_byte & 4) != 0};
    const BlobMemory memory(data, size);

    auto r = translate(s, linear, access, memory);
    auto again = translate(s, linear, access, memory);
    check(r.ok() == again.ok(), "translate is deterministic");
    const bool long_mode = (s.efer & (1u << 10)) != 0 && (s.cr0 & (1ull << 31)) != 0;
    const std::uint64_t used = long_mode ? linear : (linear & 0xffffffff);
    if (r.ok()) {
        const std::uint64_t page = r.value().page_size;
        check(page == 4096 || page == (2u << 20) || page == (4u << 20) || page == (1u << 30),
              "page size");
        check(r.value().gpa.raw() == again.value().gpa.raw(), "same translation twice");
        check((r.value().gpa.raw() & (page - 1)) == (used & (page - 1)), "offset preserved");
        check((r.value().gpa.raw() >> 52) == 0, "GPA below 2^52");
        return;
    }
    const WalkError& e = r.error();
    check(e.what != nullptr, "error message");
    if (e.status == WalkStatus::kPageFault) {
        const std::uint32_t code = e.error_code;
        check((code & ~0x1fu) == 0, "only P/W/U/RSVD/I bits");
        check(((code & kPfWrite) != 0) == (access.type == AccessType::kWrite), "W bit");
        check(((code & kPfUser) != 0) == access.user, "U bit");
        check((code & kPfFetch) == 0 || access.type == AccessType::kFetch, "I bit on fetch only");
        check((code & kPfReserved) == 0 || (code & kPfPresent) != 0, "RSVD implies P");
        check(e.address == used, "fault address is the linear address");
    }
}

}  // namespace
}  // namespace hv::vmm::decode

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t selector = data[0];
    if ((selector & 0x80) != 0) {
        hv::vmm::decode::fuzz_walker(data + 1, size - 1);
    } else {
        hv::vmm::decode::fuzz_decoder(selector, data + 1, size - 1);
    }
    return 0;
}
