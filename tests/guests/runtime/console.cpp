#include "console.hpp"

#include "cpu.hpp"

namespace rt {
namespace {

constexpr uint16_t kCom1 = 0x3F8;
// 16550 register offsets (PC16550D datasheet, table 2).
constexpr uint16_t kData = 0, kIer = 1, kFcr = 2, kLcr = 3, kMcr = 4, kLsr = 5;
constexpr uint16_t kDivisorLow = 0, kDivisorHigh = 1;
constexpr uint8_t kLsrThrEmpty = 1 << 5;
constexpr uint8_t kLcrDlab = 0x80, kLcr8N1 = 0x03;

void print_unsigned(uint64_t value, uint32_t base) {
    char digits[20];
    int n = 0;
    do {
        uint32_t digit;
        value = udiv64(value, base, &digit);
        digits[n++] = static_cast<char>(digit < 10 ? '0' + digit : 'a' + digit - 10);
    } while (value != 0);
    while (n > 0) putc(digits[--n]);
}

}  // namespace

void serial_init() {
    outb(kCom1 + kIer, 0);
    outb(kCom1 + kLcr, kLcrDlab);
    outb(kCom1 + kDivisorLow, 1);  // 115200 baud
    outb(kCom1 + kDivisorHigh, 0);
    outb(kCom1 + kLcr, kLcr8N1);
    outb(kCom1 + kFcr, 0xC7);  // FIFOs on and cleared, 14-byte trigger
    outb(kCom1 + kMcr, 0x03);  // DTR, RTS
}

void putc(char c) {
    while ((inb(kCom1 + kLsr) & kLsrThrEmpty) == 0) pause();
    outb(kCom1 + kData, static_cast<uint8_t>(c));
}

void puts(const char* s) {
    while (*s != '\0') putc(*s++);
}

uint64_t udiv64(uint64_t dividend, uint32_t divisor, uint32_t* remainder) {
    // Long division in two DIVs: the high word first, then (remainder:low) / divisor, whose
    // quotient fits in 32 bits because the remainder is below the divisor.
    uint32_t high = static_cast<uint32_t>(dividend >> 32);
    uint32_t low = static_cast<uint32_t>(dividend);
    uint32_t quotient_high = high / divisor;
    uint32_t rem = high % divisor;
    uint32_t quotient_low;
    asm("divl %[d]" : "=a"(quotient_low), "=d"(rem) : "a"(low), "d"(rem), [d] "rm"(divisor));
    if (remainder != nullptr) *remainder = rem;
    return (uint64_t{quotient_high} << 32) | quotient_low;
}

void vprint(const char* fmt, va_list args) {
    for (; *fmt != '\0'; ++fmt) {
        if (*fmt != '%') {
            putc(*fmt);
            continue;
        }
        ++fmt;
        bool wide = false;
        if (fmt[0] == 'l' && fmt[1] == 'l') {
            wide = true;
            fmt += 2;
        }
        switch (*fmt) {
            case 's': {
                const char* s = va_arg(args, const char*);
                puts(s != nullptr ? s : "(null)");
                break;
            }
            case 'c':
                putc(static_cast<char>(va_arg(args, int)));
                break;
            case 'd': {
                int64_t v = wide ? va_arg(args, int64_t) : va_arg(args, int32_t);
                if (v < 0) {
                    putc('-');
                    v = -v;
                }
                print_unsigned(static_cast<uint64_t>(v), 10);
                break;
            }
            case 'u':
                print_unsigned(wide ? va_arg(args, uint64_t) : va_arg(args, uint32_t), 10);
                break;
            case 'x':
                print_unsigned(wide ? va_arg(args, uint64_t) : va_arg(args, uint32_t), 16);
                break;
            case '%':
                putc('%');
                break;
            case '\0':
                return;
            default:
                putc('%');
                putc(*fmt);
                break;
        }
    }
}

void print(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vprint(fmt, args);
    va_end(args);
}

}  // namespace rt
