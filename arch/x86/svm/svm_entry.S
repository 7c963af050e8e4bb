/*
 * void svm_run(uint64_t guest_vmcb_pa, GuestRegisters* regs, uint64_t host_vmcb_pa,
 *              uint64_t guest_in_shadow)
 *
 * One guest entry and exit (AMD APM vol. 2 15.5 "VMRUN", 15.6 "#VMEXIT"). VMRUN switches RAX,
 * RSP, RIP, RFLAGS, control and segment registers through the VMCB; the general registers are ours
 * to switch, and the "hidden" state (FS/GS/TR/LDTR bases, KernelGsBase, STAR/LSTAR/CSTAR/SFMASK,
 * SYSENTER MSRs) goes through VMLOAD/VMSAVE (APM 15.5.2). The host's copy of that state was saved
 * once per CPU into host_vmcb_pa.
 *
 * GIF is cleared around the switch (CLGI ... STGI) so that no host interrupt or NMI lands between
 * loading guest registers and VMRUN; one that arrives then is held and causes an immediate exit
 * (INTR/NMI intercepts). With V_INTR_MASKING the host's RFLAGS.IF at VMRUN decides whether
 * physical interrupts reach the intercept while the guest runs (APM 15.21.1), so IF is set
 * under GIF=0 before VMRUN and cleared again before STGI: a host timer or kick IPI then always
 * ends the guest's run. #VMEXIT leaves GIF clear (APM 15.17). The caller keeps RFLAGS.IF clear,
 * so host interrupts are taken where it chooses (sti; cli).
 *
 * Where the STI goes depends on guest_in_shadow (the VMCB's interrupt shadow bit, APM 15.20).
 * On hardware VMRUN loads the guest's shadow from the VMCB and the host's STI shadow plays no
 * part. QEMU's TCG (7.2) instead ignores the VMCB bit and hands the host's shadow to the guest:
 *   - a guest stopped in its shadow (between "sti" and "hlt") resumed without it, took the
 *     virtual interrupt before its HLT, then halted with nothing left to wake it;
 *   - a guest resumed at an STI while the host's shadow was carried in lost that STI's shadow
 *     (QEMU lets only the first of two shadowing instructions set it), with the same result.
 * Both were the rare guest.hlt hang. So STI is the instruction right before VMRUN exactly when
 * the guest is in a shadow, and comes early otherwise; either way hardware behaves the same.
 *
 * GuestRegisters layout: gpr[16] in x86 encoding order (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi,
 * r8..r15); rax and rsp are not used here (they live in the VMCB).
 */
#include "arch/x86/guest_gprs.inc"

    .text
    .global svm_run
svm_run:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdx                       /* host VMCB */
    push %rsi                       /* GuestRegisters* */

    clgi
    /* ZF = !guest_in_shadow, kept until VMRUN: MOV and VMLOAD leave the flags alone. */
    test %rcx, %rcx
    jnz 1f
    sti                             /* held off by GIF=0 until VMRUN sets GIF */
1:  mov %rdi, %rax
    vmload %rax
    mov G_RCX(%rsi), %rcx
    mov G_RDX(%rsi), %rdx
    mov G_RBX(%rsi), %rbx
    mov G_RBP(%rsi), %rbp
    mov G_RDI(%rsi), %rdi
    mov G_R8(%rsi), %r8
    mov G_R9(%rsi), %r9
    mov G_R10(%rsi), %r10
    mov G_R11(%rsi), %r11
    mov G_R12(%rsi), %r12
    mov G_R13(%rsi), %r13
    mov G_R14(%rsi), %r14
    mov G_R15(%rsi), %r15
    mov G_RSI(%rsi), %rsi

    jz 2f
    sti                             /* VMRUN in STI's shadow: see above */
2:  vmrun %rax
    /* #VMEXIT: RAX, RSP, RIP come back from the host save area; RAX = guest VMCB again. */
    vmsave %rax

    push %rsi
    mov 8(%rsp), %rsi               /* GuestRegisters* */
    mov %rcx, G_RCX(%rsi)
    mov %rdx, G_RDX(%rsi)
    mov %rbx, G_RBX(%rsi)
    mov %rbp, G_RBP(%rsi)
    mov %rdi, G_RDI(%rsi)
    mov %r8, G_R8(%rsi)
    mov %r9, G_R9(%rsi)
    mov %r10, G_R10(%rsi)
    mov %r11, G_R11(%rsi)
    mov %r12, G_R12(%rsi)
    mov %r13, G_R13(%rsi)
    mov %r14, G_R14(%rsi)
    mov %r15, G_R15(%rsi)
    popq G_RSI(%rsi)

    pop %rsi
    pop %rax                        /* host VMCB */
    vmload %rax
    cli
    stgi

    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret
