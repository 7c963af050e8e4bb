#pragma once
// A first-fit heap over one caller-given region of writable memory, for the objects the kernel
// creates at boot and at VM creation (never on exit paths).
//
//   region:  | hdr | payload ......... | hdr | payload | hdr | free ............... |
//            <------ block ----------->
// Every block starts with a 32-byte header (size, size of the block before it, state, canary).
// Free blocks are also on an address-ordered list threaded through their payloads. allocate()
// takes the first free block that fits, splitting off what is left in front (for alignment) and
// behind; free() merges a block with free neighbours on both sides.
//
// The canary mixes the header's address and fields, so free() notices a double free (state
// already free), a pointer that is not from allocate(), and a header overwritten by an overrun of
// the block before it (the neighbours' headers are checked too). These come back as errors; the
// heap is then not modified. check() validates the whole heap.
//
// Contract: no locking inside (the caller serialises); the heap never touches memory outside
// the region; payloads are at least 16-byte aligned and not zeroed.
#include <cstddef>
#include <cstdint>
#include <span>

#include "kernel/lib/result.hpp"

namespace hv {

class Heap {
  public:
    static constexpr std::size_t kMinAlignment = 16;

    struct Stats {
        std::size_t total_bytes;   // managed region, headers included
        std::size_t used_bytes;    // blocks in use, headers included
        std::size_t free_bytes;    // free blocks, headers included
        std::size_t largest_free;  // largest payload a single allocation could get
        std::size_t allocations;   // blocks in use
        std::size_t free_blocks;
    };

    // The region is trimmed to 16-byte alignment; it must hold at least one minimal block.
    [[nodiscard]] Result<void> init(std::span<std::byte> region);

    // `align` must be a power of two; smaller than 16 means 16. Errors: zero size, bad
    // alignment, or no free block fits (kNoMemory).
    [[nodiscard]] Result<void*> allocate(std::size_t size, std::size_t align = kMinAlignment);

    // Errors: a pointer not returned by allocate(), a double free, or a corrupted header here or
    // in a neighbouring block.
    [[nodiscard]] Result<void> free(void* ptr);

    [[nodiscard]] Stats stats() const;
    // Walks every block: canaries, sizes, neighbour links, free-list consistency. O(blocks).
    [[nodiscard]] Result<void> check() const;

    struct Block;  // the header layout, in heap.cpp

  private:
    void insert_free(Block* b);
    void remove_free(Block* b);
    Block* next_of(const Block* b) const;
    Block* prev_of(const Block* b) const;
    bool valid(const Block* b) const;

    std::byte* base_ = nullptr;
    std::byte* end_ = nullptr;
    Block* free_head_ = nullptr;
    std::size_t used_ = 0;
    std::size_t allocations_ = 0;
};

}  // namespace hv
