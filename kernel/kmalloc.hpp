#pragma once
// The hypervisor's object heap: VM and vCPU objects, device models. Backed by one region taken
// from the frame allocator at boot; guest memory and page tables never come from here.
// Thread-safe.
#include <cstddef>
#include <new>
#include <utility>

#include "kernel/lib/result.hpp"

namespace hv {

[[nodiscard]] Result<void> kmalloc_init(std::size_t bytes);
[[nodiscard]] Result<void*> kmalloc(std::size_t size, std::size_t align);
void kfree(void* p);
std::size_t kmalloc_used_bytes();

// Allocates and constructs a T; nullptr-free: errors come back as Result.
template <typename T, typename... Args>
[[nodiscard]] Result<T*> make(Args&&... args) {
    void* p = TRY(kmalloc(sizeof(T), alignof(T)));
    return new (p) T(std::forward<Args>(args)...);
}

template <typename T>
void destroy(T* p) {
    if (!p) return;
    p->~T();
    kfree(p);
}

}  // namespace hv
