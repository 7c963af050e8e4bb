// The few runtime functions a freestanding C++ kernel needs: the compiler emits calls to the
// mem* functions for copies and zeroing, and virtual classes reference __cxa_pure_virtual.
#include <cstddef>
#include <cstdint>

#include "kernel/panic.hpp"

extern "C" {

// Bulk copies and fills move 8 bytes per REP iteration: emulators (and -icount) count every
// iteration, and older CPUs without fast short REP MOVSB/STOSB are quicker this way too.
void* memcpy(void* dst, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
    std::size_t quads = n / 8;
    std::size_t rest = n % 8;
    asm volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(quads)::"memory");
    asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(rest)::"memory");
    return dst;
}

void* memmove(void* dst, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
    if (d < s || d >= s + n) return memcpy(dst, src, n);
    while (n-- > 0) d[n] = s[n];
    return dst;
}

void* memset(void* dst, int c, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const std::uint64_t pattern = 0x0101'0101'0101'0101ull * static_cast<unsigned char>(c);
    std::size_t quads = n / 8;
    std::size_t rest = n % 8;
    asm volatile("rep stosq" : "+D"(d), "+c"(quads) : "a"(pattern) : "memory");
    asm volatile("rep stosb" : "+D"(d), "+c"(rest) : "a"(pattern) : "memory");
    return dst;
}

int memcmp(const void* a, const void* b, std::size_t n) {
    const auto* x = static_cast<const unsigned char*>(a);
    const auto* y = static_cast<const unsigned char*>(b);
    for (std::size_t i = 0; i < n; ++i) {
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

std::size_t strlen(const char* s) {
    std::size_t n = 0;
    while (s[n]) ++n;
    return n;
}

void __cxa_pure_virtual() { hv::panic("pure virtual function called"); }

}  // extern "C"

// Global objects with constructors: run their .init_array entries once, on the BSP, before use.
extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();

namespace hv {
void run_global_constructors() {
    for (auto* f = __init_array_start; f != __init_array_end; ++f) (*f)();
}
}  // namespace hv
