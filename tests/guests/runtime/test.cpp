#include "test.hpp"

#include "console.hpp"
#include "cpu.hpp"

namespace rt {
namespace {

uint32_t g_passes;
uint32_t g_failures;
uint32_t g_skips;

void verdict(const char* word, const char* name, const char* fmt, va_list args) {
    print("%s %s: ", word, name);
    vprint(fmt, args);
    putc('\n');
}

}  // namespace

void pass(const char* name) {
    ++g_passes;
    print("PASS %s\n", name);
}

void fail(const char* name, const char* fmt, ...) {
    ++g_failures;
    va_list args;
    va_start(args, fmt);
    verdict("FAIL", name, fmt, args);
    va_end(args);
}

void skip(const char* name, const char* fmt, ...) {
    ++g_skips;
    va_list args;
    va_start(args, fmt);
    verdict("SKIP", name, fmt, args);
    va_end(args);
}

void note(const char* fmt, ...) {
    puts("NOTE ");
    va_list args;
    va_start(args, fmt);
    vprint(fmt, args);
    va_end(args);
    putc('\n');
}

bool check(bool ok, const char* name, const char* fmt, ...) {
    if (ok) {
        pass(name);
        return true;
    }
    ++g_failures;
    va_list args;
    va_start(args, fmt);
    verdict("FAIL", name, fmt, args);
    va_end(args);
    return false;
}

uint32_t failure_count() { return g_failures; }

void finish() {
    uint32_t code = 0;
    if (g_failures > 0) {
        code = g_failures < kMaxFailureCode ? g_failures : kMaxFailureCode;
    } else if (g_skips > 0) {
        code = kSkipExitCode;
    }
    print("END %s pass=%u fail=%u skip=%u code=%u\n", kGuestName, g_passes, g_failures, g_skips,
          code);
    exit_with(code);
}

void exit_with(uint32_t code) {
    outl(kDebugExitPort, code);
    for (;;) {
        cli();
        hlt();
    }
}

}  // namespace rt
