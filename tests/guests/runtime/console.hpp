// Output on COM1 (0x3F8), polled: each byte waits for LSR.THRE. Single-threaded; the interrupt
// handlers print too, which is fine because a guest takes no interrupt while it prints.
#pragma once

#include <stdarg.h>
#include <stdint.h>

namespace rt {

void serial_init();
void putc(char c);
void puts(const char* s);

// printf subset: %s %c %d %u %x (32-bit), %lld %llu %llx (64-bit), %%; no widths or flags.
void print(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void vprint(const char* fmt, va_list args);

// 64-by-32-bit division: the guests link without libgcc, so `uint64_t / uint32_t` would not link.
uint64_t udiv64(uint64_t dividend, uint32_t divisor, uint32_t* remainder = nullptr);

}  // namespace rt
