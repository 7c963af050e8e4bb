#pragma once
// Ticket spinlock: fair between CPUs, usable before interrupts are set up. Callers that may be
// interrupted by a handler taking the same lock use IrqSpinGuard.
#include <atomic>
#include <cstdint>

namespace hv {

class SpinLock {
  public:
    void lock() {
        const std::uint32_t ticket = next_.fetch_add(1, std::memory_order_relaxed);
        while (serving_.load(std::memory_order_acquire) != ticket) asm volatile("pause");
    }
    void unlock() { serving_.fetch_add(1, std::memory_order_release); }

  private:
    std::atomic<std::uint32_t> next_{0};
    std::atomic<std::uint32_t> serving_{0};
};

class SpinGuard {
  public:
    explicit SpinGuard(SpinLock& l) : lock_(l) { lock_.lock(); }
    ~SpinGuard() { lock_.unlock(); }
    SpinGuard(const SpinGuard&) = delete;
    SpinGuard& operator=(const SpinGuard&) = delete;

  private:
    SpinLock& lock_;
};

}  // namespace hv
