/*
 * int vmx_run(GuestRegisters* regs, uint64_t launched)
 *
 * One guest entry and exit on the current VMCS (Intel SDM vol. 3C ch. 27 "VM entries", ch. 28
 * "VM exits"). VM entry loads RSP, RIP, RFLAGS, control and segment registers from the VMCS; the
 * other general registers are ours to switch. A VM exit resumes at vmx_exit_point (HOST_RIP,
 * written once at VMCS set-up) on the stack saved in HOST_RSP just before entry, with RFLAGS =
 * 0x2 (interrupts off), so the host takes pending interrupts where the caller chooses.
 *
 * Returns 0 after a VM exit, 1 for VMfailInvalid (CF: no current VMCS), 2 for VMfailValid (ZF:
 * see the VM-instruction error field), SDM vol. 3C 31.2.
 *
 * GuestRegisters layout: gpr[16] in x86 encoding order (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi,
 * r8..r15); rsp is not used here (it lives in the VMCS).
 */
#include "arch/x86/guest_gprs.inc"
    .set HOST_RSP, 0x6C14           /* SDM vol. 3D table B-12 */

    .text
    .global vmx_run
    .global vmx_exit_point
vmx_run:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdi                       /* GuestRegisters*, found again at (%rsp) after the exit */

    mov $HOST_RSP, %eax
    vmwrite %rsp, %rax
    jbe .Lfail

    cmp $0, %rsi                    /* ZF: first entry; MOVs below leave the flags alone */
    mov G_RAX(%rdi), %rax
    mov G_RCX(%rdi), %rcx
    mov G_RDX(%rdi), %rdx
    mov G_RBX(%rdi), %rbx
    mov G_RBP(%rdi), %rbp
    mov G_RSI(%rdi), %rsi
    mov G_R8(%rdi), %r8
    mov G_R9(%rdi), %r9
    mov G_R10(%rdi), %r10
    mov G_R11(%rdi), %r11
    mov G_R12(%rdi), %r12
    mov G_R13(%rdi), %r13
    mov G_R14(%rdi), %r14
    mov G_R15(%rdi), %r15
    mov G_RDI(%rdi), %rdi
    je .Llaunch
    vmresume
    jmp .Lfail
.Llaunch:
    vmlaunch
    /* Falls through only when the instruction itself failed: the flags say how. */
.Lfail:
    mov $1, %eax
    jc 1f
    mov $2, %eax
1:  add $8, %rsp
    jmp .Lreturn

vmx_exit_point:
    push %rdi
    mov 8(%rsp), %rdi               /* GuestRegisters* */
    mov %rax, G_RAX(%rdi)
    mov %rcx, G_RCX(%rdi)
    mov %rdx, G_RDX(%rdi)
    mov %rbx, G_RBX(%rdi)
    mov %rbp, G_RBP(%rdi)
    mov %rsi, G_RSI(%rdi)
    mov %r8, G_R8(%rdi)
    mov %r9, G_R9(%rdi)
    mov %r10, G_R10(%rdi)
    mov %r11, G_R11(%rdi)
    mov %r12, G_R12(%rdi)
    mov %r13, G_R13(%rdi)
    mov %r14, G_R14(%rdi)
    mov %r15, G_R15(%rdi)
    popq G_RDI(%rdi)
    add $8, %rsp
    xor %eax, %eax

.Lreturn:
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret
