/*
 * Interrupt and exception entry stubs. Each pushes a uniform frame
 *   [r15 ... rax] [vector] [error code] [CPU-pushed rip cs rflags rsp ss]
 * and calls interrupt_dispatch(InterruptFrame*). Vectors 8, 10-14, 17, 21, 29, 30 push an error
 * code themselves (Intel SDM vol. 3A sec 7.13, table 7-1; AMD APM vol. 2 sec 8.2); for the others
 * the stub pushes 0 so the frame layout is the same.
 */
    .text
    .code64
    .altmacro

.macro ISR vector
    .align 16
isr_\vector:
    .if (\vector == 8) || (\vector >= 10 && \vector <= 14) || (\vector == 17) || (\vector == 21) || (\vector == 29) || (\vector == 30)
    .else
    pushq $0
    .endif
    pushq $\vector
    jmp isr_common
.endm

    .set v, 0
    .rept 256
    ISR %v
    .set v, v + 1
    .endr

isr_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    cld
    call interrupt_dispatch
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp                   /* vector and error code */
    iretq

.macro ISR_ADDR vector
    .quad isr_\vector
.endm

    .section .rodata
    .align 8
    .global isr_stub_table
isr_stub_table:
    .set v, 0
    .rept 256
    ISR_ADDR %v
    .set v, v + 1
    .endr
