#pragma once
// The devices a VM's vCPUs share — the virtual PC of docs/guest_abi.md "Platform" — behind one
// lock: UART (COM1), power/reset/ACPI ports, RTC/CMOS, PIT, the two 8259 PICs, the I/O APIC and
// the PCI host bridge (CF8/CFC and ECAM). It dispatches a vCPU's port and MMIO accesses, wires
// the ISA interrupt lines (PIT -> pin 2, COM1 -> pin 4, RTC -> pin 8) into the I/O APIC and the
// PICs after each access and timer tick, and reports when its timer next needs a tick.
//
// Threading: any vCPU of the VM may call in; every entry point takes the platform lock. The
// I/O APIC delivers onto the ApicBus under that lock, so the bus must not call back in except
// through level_eoi() from a vCPU's own EOI, which does not hold it.
#include <atomic>
#include <cstdint>

#include "kernel/spinlock.hpp"
#include "vmm/devices/apic_message.hpp"
#include "vmm/devices/clock.hpp"
#include "vmm/devices/device.hpp"
#include "vmm/devices/ioapic.hpp"
#include "vmm/devices/pci_host.hpp"
#include "vmm/devices/pic8259.hpp"
#include "vmm/devices/pit8254.hpp"
#include "vmm/devices/platform_ports.hpp"
#include "vmm/devices/region_table.hpp"
#include "vmm/devices/rtc_cmos.hpp"
#include "vmm/devices/uart16550.hpp"

namespace hv::vmm {

class VirtualPlatform final : public MmioDevice {
  public:
    // `wall_clock_unix` is the time the RTC shows at `clock.now()`.
    VirtualPlatform(VmControl& vm, ApicBus& bus, const Clock& clock, std::int64_t wall_clock_unix);
    VirtualPlatform(const VirtualPlatform&) = delete;
    VirtualPlatform& operator=(const VirtualPlatform&) = delete;

    // Power-on state of every device, except the CMOS RAM (battery-backed on a PC: a guest's
    // reboot keeps what it stored there) and the RTC's time.
    void reset(std::uint8_t ioapic_id, std::uint64_t ram_below_4g, std::uint64_t ram_above_4g);

    // Port I/O. Ports no device claims read all ones and ignore writes (docs/guest_abi.md).
    std::uint32_t port_read(std::uint16_t port, std::uint8_t size);
    void port_write(std::uint16_t port, std::uint8_t size, std::uint32_t value);

    // Does guest-physical `gpa` belong to a device register region here (I/O APIC, ECAM, or a
    // region added at run time)?
    [[nodiscard]] bool claims_mmio(std::uint64_t gpa);

    // Assigned PCI functions (gpu_passthrough/): their configuration space on the guest's bus 0,
    // and the guest ranges they trap. Trapped devices get offsets from their region's base.
    // Callers other than the device itself (whose accesses already hold the lock) use these
    // while no vCPU runs, or hold no platform lock.
    [[nodiscard]] Result<void> attach_pci(pci::Bdf bdf, PciFunction& function);
    void detach_pci(pci::Bdf bdf);
    [[nodiscard]] RegionTable<MmioDevice>& mmio_regions() { return mmio_regions_; }
    [[nodiscard]] RegionTable<PortDevice>& port_regions() { return port_regions_; }
    // MMIO with `offset` = the guest-physical address (the region is found from it).
    std::uint64_t mmio_read(std::uint64_t offset, std::uint8_t size) override;
    void mmio_write(std::uint64_t offset, std::uint8_t size, std::uint64_t value) override;

    // Clock tick at which tick() has work (a PIT interrupt), 0 if none. Lock-free.
    [[nodiscard]] std::uint64_t next_deadline() const {
        return deadline_.load(std::memory_order_acquire);
    }
    // Raises the timer interrupts due at `now`.
    void tick(std::uint64_t now);
    // A local APIC's EOI of a level-triggered vector.
    void level_eoi(std::uint8_t vector);
    // Text the guest wrote by hypercall goes out like COM1 output.
    void console_write(std::uint8_t byte);
    // Flushes a partial console line (the VM is stopping).
    void flush_console();

  private:
    PortDevice* port_device(std::uint16_t port);
    // Drive the ISA lines from the devices' current outputs.
    void update_com1_line();
    void update_rtc_line();
    void update_lines();
    void update_deadline(std::uint64_t now);

    SpinLock lock_;
    const Clock& clock_;
    Uart16550 uart_;
    PlatformPorts ports_;
    RtcCmos rtc_;
    Pit8254 pit_;
    Pic8259 pic_;
    Ioapic ioapic_;
    PciHost pci_;
    RegionTable<MmioDevice> mmio_regions_;
    RegionTable<PortDevice> port_regions_;
    std::atomic<std::uint64_t> deadline_{0};
    bool com1_line_ = false;  // levels last driven onto IRQ 4 and IRQ 8
    bool rtc_line_ = false;
};

}  // namespace hv::vmm
