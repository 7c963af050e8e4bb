// Verdict lines and the exit through the debug-exit port. Line formats (stable, scripts grep them):
//   PASS name
//   FAIL name: detail
//   SKIP name: reason
//   NOTE text
//   END guest pass=P fail=F skip=S code=N
// finish() writes N to port 0xF4: the number of failures (capped at kMaxFailureCode), else
// kSkipExitCode when a check was skipped, else 0. Under the hypervisor that ends the VM with
// `reason=poweroff code=N`; under QEMU's isa-debug-exit the emulator exits with 2 * N + 1.
#pragma once

#include <stdint.h>

namespace rt {

// Each guest defines its name, e.g. `const char rt::kGuestName[] = "msr";`.
extern const char kGuestName[];

constexpr uint16_t kDebugExitPort = 0xF4;
constexpr uint32_t kSkipExitCode = 77;  // the automake convention for "skipped"
constexpr uint32_t kMaxFailureCode = 64;

void pass(const char* name);
void fail(const char* name, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void skip(const char* name, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void note(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// PASS name if ok, else FAIL name: detail. Returns ok.
bool check(bool ok, const char* name, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

uint32_t failure_count();

[[noreturn]] void finish();
// Writes code to the debug-exit port, then halts with interrupts off should the write return.
[[noreturn]] void exit_with(uint32_t code);

}  // namespace rt
