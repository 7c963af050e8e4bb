#include "interrupts.hpp"

#include "console.hpp"
#include "cpu.hpp"
#include "test.hpp"

extern "C" char isr_stubs[];
extern "C" void rt_interrupt(rt::InterruptFrame* frame);

namespace rt {
namespace {

constexpr uint32_t kStubSize = 16;  // entry.S ISR_STUB_SIZE
constexpr uint16_t kCodeSelector = 0x08;
constexpr uint8_t kInterruptGate32 = 0x8E;  // present, DPL 0, 32-bit interrupt gate

// SDM vol. 3 fig. 6-2: an IDT gate descriptor as two raw words.
struct IdtEntry {
    uint32_t low;
    uint32_t high;
};
static_assert(sizeof(IdtEntry) == 8);

struct __attribute__((packed)) DescriptorPointer {
    uint16_t limit;
    uint32_t base;
};

alignas(8) IdtEntry g_idt[256];
InterruptHandler g_handlers[256];

struct Expectation {
    bool armed;
    uint8_t vector;
    uint32_t insn_length;
    ExceptionRecord record;
};
volatile Expectation g_expect;

}  // namespace

void idt_init() {
    for (uint32_t v = 0; v < 256; ++v) {
        uint32_t stub = reinterpret_cast<uint32_t>(isr_stubs) + v * kStubSize;
        g_idt[v].low = (uint32_t{kCodeSelector} << 16) | (stub & 0xFFFF);
        g_idt[v].high = (stub & 0xFFFF0000) | (uint32_t{kInterruptGate32} << 8);
    }
    DescriptorPointer idtr{sizeof(g_idt) - 1, reinterpret_cast<uint32_t>(g_idt)};
    asm volatile("lidt %0" : : "m"(idtr) : "memory");
}

void set_interrupt_handler(uint8_t vector, InterruptHandler handler) {
    g_handlers[vector] = handler;
}

void mask_legacy_pic() {
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
}

void expect_exception(uint8_t vector, uint32_t insn_length) {
    g_expect.record.fired = false;
    g_expect.record.vector = 0;
    g_expect.record.eip = 0;
    g_expect.record.error = 0;
    g_expect.vector = vector;
    g_expect.insn_length = insn_length;
    g_expect.armed = true;
    asm volatile("" : : : "memory");
}

ExceptionRecord take_exception() {
    asm volatile("" : : : "memory");
    ExceptionRecord r{g_expect.record.fired, g_expect.record.vector, g_expect.record.eip,
                      g_expect.record.error};
    g_expect.armed = false;
    g_expect.record.fired = false;
    return r;
}

}  // namespace rt

void rt_interrupt(rt::InterruptFrame* frame) {
    using namespace rt;
    if (frame->vector >= 32) {
        if (g_handlers[frame->vector] != nullptr) {
            g_handlers[frame->vector](*frame);
            return;
        }
        fail("interrupt", "unexpected vector=%u eip=0x%x", frame->vector, frame->eip);
        finish();
    }
    bool expected = g_expect.armed && g_expect.vector == frame->vector;
    print("EXCEPTION vector=%u eip=0x%x error=0x%x%s\n", frame->vector, frame->eip, frame->error,
          expected ? " (expected)" : "");
    if (!expected) {
        fail("exception", "unexpected vector=%u eip=0x%x error=0x%x", frame->vector, frame->eip,
             frame->error);
        finish();
    }
    g_expect.armed = false;
    g_expect.record.fired = true;
    g_expect.record.vector = frame->vector;
    g_expect.record.eip = frame->eip;
    g_expect.record.error = frame->error;
    frame->eip += g_expect.insn_length;
}
