#include "kernel/kmalloc.hpp"

#include "kernel/console.hpp"
#include "kernel/direct_map.hpp"
#include "kernel/heap.hpp"
#include "kernel/kernel_memory.hpp"
#include "kernel/spinlock.hpp"

namespace hv {
namespace {
Heap g_heap;
SpinLock g_lock;
}  // namespace

Result<void> kmalloc_init(std::size_t bytes) {
    const HostPhys region = TRY(memory::allocate(bytes, kPageSize));
    return g_heap.init({static_cast<std::byte*>(phys_to_virt(region)), bytes});
}

Result<void*> kmalloc(std::size_t size, std::size_t align) {
    SpinGuard g(g_lock);
    return g_heap.allocate(size, align < Heap::kMinAlignment ? Heap::kMinAlignment : align);
}

void kfree(void* p) {
    SpinGuard g(g_lock);
    if (auto r = g_heap.free(p); !r) log("heap: bad free: ", r.error().what);
}

std::size_t kmalloc_used_bytes() {
    SpinGuard g(g_lock);
    return g_heap.stats().used_bytes;
}

}  // namespace hv
