#include "kernel/console.hpp"

#include "arch/x86/cpu/control_regs.hpp"
#include "drivers/uart/uart16550.hpp"
#include "kernel/spinlock.hpp"

namespace hv::console {
namespace {

drivers::Uart16550 g_uart{drivers::kCom1Port};
SpinLock g_lock;
bool g_panic_owner = false;

// Serial lines use CR LF, the convention terminals and QEMU's serial log expect.
class LineSink final : public Sink {
  public:
    void put(char c) override {
        if (c == '\n') g_uart.put('\r');
        g_uart.put(c);
    }
};
LineSink g_sink;

}  // namespace

void init() { g_uart.init(); }
Sink& locked_sink() { return g_sink; }
void lock() {
    if (!g_panic_owner) g_lock.lock();
}
void unlock() {
    if (!g_panic_owner) g_lock.unlock();
}

void lock_for_panic() { g_panic_owner = true; }

}  // namespace hv::console
