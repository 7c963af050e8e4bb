#include "kernel/heap.hpp"

#include <bit>
#include <cstddef>

namespace hv {

struct Heap::Block {
    std::uint64_t canary;
    std::uint64_t size;       // whole block, header included; a multiple of 16
    std::uint64_t prev_size;  // the block just below, 0 for the first block
    std::uint64_t state;
    // Free blocks only, in what would be the payload:
    Block* next_free;
    Block* prev_free;
};

namespace {

using Block = Heap::Block;

constexpr std::size_t kHeader = 32;
static_assert(offsetof(Block, next_free) == kHeader, "free-list links live in the payload");
// A free block must hold its header and its two links.
constexpr std::size_t kMinBlock = 48;
static_assert(sizeof(Block) <= kMinBlock && kMinBlock % Heap::kMinAlignment == 0);

// ASCII "USED" / "FREE": recognisable in a memory dump.
constexpr std::uint64_t kUsed = 0x55534544;
constexpr std::uint64_t kFree = 0x46524545;
constexpr std::uint64_t kCanarySeed = 0x68765f686561705full;  // "hv_heap_"

std::uint64_t canary_of(const Block* b) {
    return kCanarySeed ^ reinterpret_cast<std::uintptr_t>(b) ^ std::rotl(b->size, 16) ^
           std::rotl(b->prev_size, 32) ^ b->state;
}
void seal(Block* b) { b->canary = canary_of(b); }

std::uintptr_t addr(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }
Block* block_at(std::uintptr_t a) { return reinterpret_cast<Block*>(a); }

}  // namespace

bool Heap::valid(const Block* b) const {
    const std::uintptr_t a = addr(b);
    if (a < addr(base_) || a >= addr(end_) || addr(end_) - a < kMinBlock) return false;
    if (a % kMinAlignment != 0 || b->canary != canary_of(b)) return false;
    if (b->state != kUsed && b->state != kFree) return false;
    return b->size >= kMinBlock && b->size % kMinAlignment == 0 && b->size <= addr(end_) - a;
}

Heap::Block* Heap::next_of(const Block* b) const {
    const std::uintptr_t n = addr(b) + b->size;
    return n == addr(end_) ? nullptr : block_at(n);
}

Heap::Block* Heap::prev_of(const Block* b) const {
    return b->prev_size == 0 ? nullptr : block_at(addr(b) - b->prev_size);
}

Result<void> Heap::init(std::span<std::byte> region) {
    const std::uintptr_t lo = (addr(region.data()) + kMinAlignment - 1) & ~(kMinAlignment - 1);
    const std::uintptr_t hi = (addr(region.data()) + region.size()) & ~(kMinAlignment - 1);
    if (hi <= lo || hi - lo < kMinBlock)
        return make_error(Errc::kInvalid, "heap: region too small");
    base_ = reinterpret_cast<std::byte*>(lo);
    end_ = reinterpret_cast<std::byte*>(hi);
    free_head_ = nullptr;
    used_ = allocations_ = 0;
    Block* b = block_at(lo);
    b->size = hi - lo;
    b->prev_size = 0;
    b->state = kFree;
    seal(b);
    insert_free(b);
    return {};
}

void Heap::insert_free(Block* b) {
    Block* prev = nullptr;
    Block* cur = free_head_;
    while (cur && cur < b) prev = cur, cur = cur->next_free;
    b->prev_free = prev;
    b->next_free = cur;
    if (prev)
        prev->next_free = b;
    else
        free_head_ = b;
    if (cur) cur->prev_free = b;
}

void Heap::remove_free(Block* b) {
    if (b->prev_free)
        b->prev_free->next_free = b->next_free;
    else
        free_head_ = b->next_free;
    if (b->next_free) b->next_free->prev_free = b->prev_free;
}

Result<void*> Heap::allocate(std::size_t size, std::size_t align) {
    if (size == 0) return make_error(Errc::kInvalid, "heap: zero size");
    if (!std::has_single_bit(align)) return make_error(Errc::kInvalid, "heap: bad alignment");
    if (align < kMinAlignment) align = kMinAlignment;
    if (base_ == nullptr || size > static_cast<std::size_t>(end_ - base_))
        return make_error(Errc::kNoMemory, "heap: out of memory");
    size = (size + kMinAlignment - 1) & ~(kMinAlignment - 1);
    // The block must be able to become free again, so it is never smaller than kMinBlock.
    const std::size_t need = kHeader + size < kMinBlock ? kMinBlock : kHeader + size;

    for (Block* b = free_head_; b; b = b->next_free) {
        const std::uintptr_t start = addr(b), bend = start + b->size;
        std::uintptr_t payload = (start + kHeader + align - 1) & ~(align - 1);
        // A gap in front becomes a free block of its own, so it must be big enough to be one.
        while (payload - kHeader != start && payload - kHeader - start < kMinBlock)
            payload += align;
        if (payload - kHeader >= bend || bend - (payload - kHeader) < need) continue;

        const std::uintptr_t front = payload - kHeader - start;
        Block* next = next_of(b);
        Block* u = block_at(payload - kHeader);
        if (front != 0) {
            b->size = front;  // stays on the free list, same place
            seal(b);
            u->prev_size = front;
        } else {
            remove_free(b);  // u == b; prev_size unchanged
        }
        std::uintptr_t tail = bend - (addr(u) + need);
        u->size = need;
        if (tail >= kMinBlock) {
            Block* r = block_at(addr(u) + need);
            r->size = tail;
            r->prev_size = need;
            r->state = kFree;
            seal(r);
            insert_free(r);
            if (next) next->prev_size = tail, seal(next);
        } else {
            u->size += tail;  // too small to stand alone
            if (next) next->prev_size = u->size, seal(next);
        }
        u->state = kUsed;
        seal(u);
        used_ += u->size;
        ++allocations_;
        return reinterpret_cast<void*>(payload);
    }
    return make_error(Errc::kNoMemory, "heap: out of memory");
}

Result<void> Heap::free(void* ptr) {
    const std::uintptr_t p = addr(ptr);
    if (p < addr(base_) + kHeader || p >= addr(end_) || p % kMinAlignment != 0)
        return make_error(Errc::kInvalid, "heap: not a heap pointer");
    Block* b = block_at(p - kHeader);
    if (!valid(b)) return make_error(Errc::kInvalid, "heap: corrupted block header");
    if (b->state == kFree) return make_error(Errc::kInvalid, "heap: double free");
    Block* next = next_of(b);
    Block* prev = prev_of(b);
    // An overrun of this block shows in the next header; one of the previous block, in ours.
    if (next && (!valid(next) || next->prev_size != b->size))
        return make_error(Errc::kInvalid, "heap: corrupted block header");
    if (prev && (!valid(prev) || prev->size != b->prev_size))
        return make_error(Errc::kInvalid, "heap: corrupted block header");

    used_ -= b->size;
    --allocations_;
    b->state = kFree;
    seal(b);  // a stale copy of this header inside a merged block still reads "free"
    if (next && next->state == kFree) {
        remove_free(next);
        b->size += next->size;
        seal(b);
    }
    if (prev && prev->state == kFree) {
        prev->size += b->size;
        seal(prev);
        b = prev;
    } else {
        insert_free(b);
    }
    if (Block* after = next_of(b)) {
        after->prev_size = b->size;
        seal(after);
    }
    return {};
}

Heap::Stats Heap::stats() const {
    Stats s{};
    s.total_bytes = static_cast<std::size_t>(end_ - base_);
    s.used_bytes = used_;
    s.allocations = allocations_;
    for (const Block* b = free_head_; b; b = b->next_free) {
        s.free_bytes += b->size;
        ++s.free_blocks;
        if (b->size - kHeader > s.largest_free) s.largest_free = b->size - kHeader;
    }
    return s;
}

Result<void> Heap::check() const {
    std::uint64_t prev_size = 0;
    std::size_t free_seen = 0;
    std::uintptr_t a = addr(base_);
    while (a != addr(end_)) {
        const Block* b = block_at(a);
        if (!valid(b) || b->prev_size != prev_size)
            return make_error(Errc::kInvalid, "heap: corrupted block header");
        if (b->state == kFree) ++free_seen;
        prev_size = b->size;
        a += b->size;
    }
    std::size_t listed = 0;
    for (const Block* b = free_head_; b; b = b->next_free) {
        if (!valid(b) || b->state != kFree || ++listed > free_seen)
            return make_error(Errc::kInvalid, "heap: corrupted free list");
    }
    if (listed != free_seen) return make_error(Errc::kInvalid, "heap: corrupted free list");
    return {};
}

}  // namespace hv
