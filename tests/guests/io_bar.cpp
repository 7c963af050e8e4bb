// Reaches a device through its I/O-port BAR and its memory BAR and checks both show the same
// register. The device is an Intel 82574 (QEMU e1000e, 8086:10d3): its I/O BAR is a window onto
// the memory-mapped registers, IOADDR at port offset 0 selects a register and IODATA at offset 4
// reads or writes it (Intel 82574 datasheet sec. 10.1.3.1, "IO-Mapped Access to Internal
// Registers"). Under the hypervisor both BARs belong to an assigned device: the I/O BAR is a
// trapped port range forwarded to the host's ports, the memory BAR a second-stage mapping.
//
// Checks: the function is found; its I/O and memory BARs are programmed; IOADDR reads back what
// was written; STATUS (0x8) read through IODATA equals STATUS read through the memory BAR; a
// write of a scratch-safe register through IODATA (RDTR, 0x2820, receive interrupt delay timer,
// 16 bits) is seen through the memory BAR and the other way round. Options:
//   vendor=0x8086 device=0x10d3   the function (default: e1000e)
#include "runtime.hpp"

const char rt::kGuestName[] = "io_bar";

namespace {

constexpr uint64_t kDefaultVendor = 0x8086, kDefaultDevice = 0x10D3;  // QEMU e1000e
constexpr uint16_t kIoAddr = 0x0, kIoData = 0x4;
constexpr uint32_t kStatus = 0x0008;  // device status (datasheet sec. 10.2.2.2)
constexpr uint32_t kRdtr = 0x2820;    // receive interrupt delay timer, bits 15:0 (sec. 10.2.5.8)

uint32_t io_read(uint16_t port, uint32_t reg) {
    rt::outl(static_cast<uint16_t>(port + kIoAddr), reg);
    return rt::inl(static_cast<uint16_t>(port + kIoData));
}

void io_write(uint16_t port, uint32_t reg, uint32_t value) {
    rt::outl(static_cast<uint16_t>(port + kIoAddr), reg);
    rt::outl(static_cast<uint16_t>(port + kIoData), value);
}

volatile uint32_t* mmio_reg(uint64_t base, uint32_t reg) {
    return reinterpret_cast<volatile uint32_t*>(rt::map_physical(base + reg, /*uncached=*/true));
}

}  // namespace

void guest_main(uint32_t, const rt::MultibootInfo*) {
    auto vendor = static_cast<uint16_t>(rt::cmdline_u64("vendor", kDefaultVendor));
    auto device = static_cast<uint16_t>(rt::cmdline_u64("device", kDefaultDevice));
    rt::PciFunction f;
    if (!rt::pci_find(0, vendor, device, &f)) {
        rt::fail("io_bar.found", "no %x:%x on bus 0", vendor, device);
        return;
    }
    rt::PciBar mem{}, io{};
    bool have_mem = false, have_io = false;
    for (uint32_t i = 0; i < rt::kPciBarCount; ++i) {
        rt::PciBar b;
        if (!rt::pci_read_bar(f, i, &b)) continue;
        if (b.memory && !have_mem) mem = b, have_mem = true;
        if (!b.memory && !have_io) io = b, have_io = true;
    }
    rt::check(have_mem && have_io && mem.base != 0 && io.base != 0, "io_bar.bars",
              "memory BAR 0x%llx, I/O BAR 0x%llx", mem.base, io.base);
    if (!have_mem || !have_io || io.base == 0 || io.base > 0xFFF8) return;
    rt::note("%x:%x at %x:%x.%x: memory 0x%llx, ports 0x%llx", vendor, device, f.bus, f.device,
             f.function, mem.base, io.base);
    uint16_t command = rt::pci_read16(f, rt::kPciCommand);
    rt::pci_write16(f, rt::kPciCommand, command | rt::kPciCommandIo | rt::kPciCommandMemory);
    const auto port = static_cast<uint16_t>(io.base);

    rt::outl(static_cast<uint16_t>(port + kIoAddr), kStatus);
    const uint32_t addr = rt::inl(static_cast<uint16_t>(port + kIoAddr));
    rt::check(addr == kStatus, "io_bar.ioaddr", "IOADDR reads 0x%x after writing 0x%x", addr,
              kStatus);

    const uint32_t via_io = io_read(port, kStatus);
    const uint32_t via_mem = *mmio_reg(mem.base, kStatus);
    rt::note("STATUS via ports 0x%x, via memory 0x%x", via_io, via_mem);
    rt::check(via_io == via_mem && via_io != 0xFFFFFFFF, "io_bar.status_matches",
              "ports 0x%x, memory 0x%x", via_io, via_mem);

    const uint32_t seed = static_cast<uint32_t>(rt::rdtsc()) & 0xFFFF;
    io_write(port, kRdtr, seed);
    const uint32_t seen = *mmio_reg(mem.base, kRdtr) & 0xFFFF;
    rt::check(seen == seed, "io_bar.write_through_ports", "wrote 0x%x, memory shows 0x%x", seed,
              seen);
    *mmio_reg(mem.base, kRdtr) = seed ^ 0x5A5A;
    const uint32_t back = io_read(port, kRdtr) & 0xFFFF;
    rt::check(back == (seed ^ 0x5A5A), "io_bar.write_through_memory", "wrote 0x%x, ports show 0x%x",
              seed ^ 0x5A5A, back);
    io_write(port, kRdtr, 0);
}
