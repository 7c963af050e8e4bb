/*
 * Application-processor start-up code (Intel SDM vol. 3A sec 9.4.4, "MP initialization example").
 *
 * The BSP copies this blob to a free page below 1 MiB, fills the parameter block at its end and
 * sends INIT-SIPI-SIPI with that page as the start-up vector. Each AP starts in real mode at
 * CS:IP = page:0, and goes
 *   16-bit real mode -> 32-bit protected mode -> 64-bit long mode on the boot page tables
 *   -> takes a stack slot with an atomic increment -> ap_main(slot, kernel_cr3), which runs in the
 *   kernel's high window (mapped by both the boot tables and the kernel's) and switches CR3 itself.
 * All addresses are computed from the page base in EBX (CS << 4): the blob is position-independent.
 */
    .set CR0_PE,   1 << 0
    .set CR0_WP,   1 << 16
    .set CR0_PG,   1 << 31
    .set CR4_PAE,  1 << 5
    .set MSR_EFER, 0xC0000080

    .section .ap_trampoline, "a"
    .global ap_trampoline_params
    .code16
ap_start:
    cli
    cld
    mov %cs, %ax
    mov %ax, %ds
    movzwl %ax, %ebx
    shl $4, %ebx                                /* linear base of this page */

    /* Patch the absolute addresses that depend on the page base. */
    lea (ap_gdt - ap_start)(%ebx), %eax
    mov %eax, (ap_gdtr - ap_start + 2)
    lea (ap_protected - ap_start)(%ebx), %eax
    mov %eax, (ap_far32 - ap_start)
    lea (ap_long - ap_start)(%ebx), %eax
    mov %eax, (ap_far64 - ap_start)

    lgdtl (ap_gdtr - ap_start)
    mov %cr0, %eax
    or $CR0_PE, %eax
    mov %eax, %cr0
    ljmpl *(ap_far32 - ap_start)

    .code32
ap_protected:
    mov $0x18, %ax                              /* 32-bit flat data */
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss

    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov (ap_params_boot_cr3 - ap_start)(%ebx), %eax
    mov %eax, %cr3
    mov $MSR_EFER, %ecx
    rdmsr
    or (ap_params_efer - ap_start)(%ebx), %eax
    wrmsr
    mov %cr0, %eax
    or $(CR0_PG | CR0_WP), %eax
    mov %eax, %cr0
    ljmpl *(ap_far64 - ap_start)(%ebx)

    .code64
ap_long:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    /* Take the next stack slot. */
    mov $1, %eax
    lock xadd %eax, (ap_params_next_slot - ap_start)(%rbx)
    mov %eax, %edi                              /* slot: first argument of ap_main */
    mov %edi, %eax
    mulq (ap_params_stack_size - ap_start)(%rbx)
    add (ap_params_stack_base - ap_start)(%rbx), %rax
    add (ap_params_stack_size - ap_start)(%rbx), %rax
    mov %rax, %rsp
    mov (ap_params_kernel_cr3 - ap_start)(%rbx), %rsi   /* ap_main switches to it */
    xor %ebp, %ebp
    mov (ap_params_entry - ap_start)(%rbx), %rax
    call *%rax
1:  cli
    hlt
    jmp 1b

    .align 8
ap_gdt:
    .quad 0
    .quad 0x00af9a000000ffff                    /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff                    /* 0x10: data */
    .quad 0x00cf92000000ffff                    /* 0x18: 32-bit flat data */
    .quad 0x00cf9a000000ffff                    /* 0x20: 32-bit flat code */
ap_gdt_end:
ap_gdtr:
    .short ap_gdt_end - ap_gdt - 1
    .long 0                                     /* patched */
    .align 4
ap_far32:
    .long 0                                     /* patched: ap_protected */
    .short 0x20
    .align 4
ap_far64:
    .long 0                                     /* patched: ap_long */
    .short 0x08

    /* Filled by the BSP; layout mirrors ApTrampolineParams in kernel/smp.cpp. */
    .align 8
ap_trampoline_params:
ap_params_boot_cr3:   .quad 0
ap_params_efer:       .quad 0
ap_params_kernel_cr3: .quad 0
ap_params_stack_base: .quad 0
ap_params_stack_size: .quad 0
ap_params_entry:      .quad 0
ap_params_next_slot:  .quad 0
ap_end:
