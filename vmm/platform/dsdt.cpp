#include "vmm/platform/dsdt.hpp"

#include "vmm/platform/aml_builder.hpp"
#include "vmm/platform/guest_platform.hpp"

namespace hv::vmm::platform {
namespace {

// ACPI 6.5 sec 7.4.2: \_S5's package is SLP_TYPa, SLP_TYPb and two reserved entries. Our PM1
// control port (docs/guest_abi.md) powers off on kS5SleepType; there is no PM1b block, but its
// value is given as well, as firmware does.
void write_sleep_states(AmlBuilder& aml) {
    aml.name("_S5");
    AmlBuilder::Open pkg = aml.begin_package(4);
    aml.integer(kS5SleepType);
    aml.integer(kS5SleepType);
    aml.integer(0);
    aml.integer(0);
    aml.end(pkg);
}

// The I/O ports a PCI host bridge passes on: everything but its own configuration mechanism
// (PCI Local Bus 3.0 sec 3.2.2.3.2: 0xCF8 address, 0xCFC data), which it claims below.
constexpr std::uint16_t kPciConfigPortsEnd = kPciConfigAddressPort + 8;  // 0xCF8-0xCFF
constexpr std::uint16_t kLastIoPort = 0xFFFF;

void write_pci_root(AmlBuilder& aml, const GuestAcpiConfig& config) {
    AmlBuilder::Open dev = aml.begin_device("PCI0");
    // ACPI 6.5 sec 6.1.5 _HID, 6.1.2 _CID, 6.1.12 _UID: a PCI Express root bridge, compatible
    // with a conventional PCI one for OSes that know only that.
    aml.name("_HID");
    aml.eisa_id("PNP0A08");
    aml.name("_CID");
    aml.eisa_id("PNP0A03");
    aml.name("_UID");
    aml.integer(0);
    aml.name("_SEG");  // ACPI 6.5 sec 6.5.6: the MCFG's segment
    aml.integer(0);
    aml.name("_BBN");  // ACPI 6.5 sec 6.5.5: the first bus below this bridge
    aml.integer(kEcamFirstBus);

    aml.name("_CRS");  // ACPI 6.5 sec 6.2.2
    AmlBuilder::Open crs = aml.begin_resource_template();
    aml.address_window(AddressWidth::kWord,
                       {AddressResource::kBusNumber, 0, kEcamFirstBus, kEcamLastBus});
    // Consumed, not passed on: Linux leaves the port out of the bridge's windows.
    aml.io(kPciConfigAddressPort, kPciConfigAddressPort, 1, 8);
    aml.address_window(AddressWidth::kWord,
                       {AddressResource::kIo, kIoRangeEntire, 0, kPciConfigAddressPort - 1u});
    aml.address_window(AddressWidth::kWord,
                       {AddressResource::kIo, kIoRangeEntire, kPciConfigPortsEnd, kLastIoPort});
    // Non-cacheable, not prefetchable: Linux will not place a non-prefetchable BAR in a
    // prefetchable window, and a GPU has both kinds.
    aml.address_window(AddressWidth::kDWord,
                       {AddressResource::kMemory, kMemReadWrite | kMemNonCacheable, kPciMmio32Base,
                        kPciMmio32Base + kPciMmio32Size - 1});
    if (config.pci_mmio64_size != 0) {
        aml.address_window(
            AddressWidth::kQWord,
            {AddressResource::kMemory, kMemReadWrite | kMemCacheable, config.pci_mmio64_base,
             config.pci_mmio64_base + config.pci_mmio64_size - 1});
    }
    aml.end(crs);
    aml.end(dev);
}

// PCI Firmware spec 3.2 sec 4.1.2: the ECAM range must be reserved by a motherboard resource
// device; Linux ignores the MCFG ("MMCONFIG ... not reserved in ACPI motherboard resources")
// otherwise.
void write_motherboard_resources(AmlBuilder& aml) {
    AmlBuilder::Open dev = aml.begin_device("MRES");
    aml.name("_HID");
    aml.eisa_id("PNP0C02");
    aml.name("_CRS");
    AmlBuilder::Open crs = aml.begin_resource_template();
    aml.memory32_fixed(true, static_cast<std::uint32_t>(kEcamBase),
                       static_cast<std::uint32_t>(kEcamSize));
    aml.end(crs);
    aml.end(dev);
}
static_assert(kEcamBase + kEcamSize <= 0x1'0000'0000, "Memory32Fixed holds 32-bit ranges only");

constexpr std::uint8_t kUartPorts = 8;  // a 16550's registers: THR/RBR .. SCR

void write_com1(AmlBuilder& aml) {
    AmlBuilder::Open dev = aml.begin_device("COM1");
    aml.name("_HID");
    aml.eisa_id("PNP0501");  // 16550A-compatible serial port
    aml.name("_UID");
    aml.integer(1);
    aml.name("_CRS");
    AmlBuilder::Open crs = aml.begin_resource_template();
    aml.io(kCom1Port, kCom1Port, 1, kUartPorts);
    aml.irq_no_flags(kIrqCom1);
    aml.end(crs);
    aml.end(dev);
}

// ACPI 6.5 sec 8.4: a processor device; OSPM pairs it with the MADT entry of the same UID.
void write_processors(AmlBuilder& aml, std::uint32_t vcpus) {
    constexpr char kHexDigits[] = "0123456789ABCDEF";
    for (std::uint32_t i = 0; i < vcpus; ++i) {
        const char name[] = {'C', 'P', 'U', kHexDigits[i], '\0'};
        AmlBuilder::Open dev = aml.begin_device(name);
        aml.name("_HID");
        aml.string("ACPI0007");
        aml.name("_UID");
        aml.integer(i);
        aml.end(dev);
    }
}
static_assert(kMaxAcpiVcpus <= 16, "processor names have one hex digit");

}  // namespace

Result<std::size_t> write_dsdt_aml(const GuestAcpiConfig& config, std::span<std::byte> out) {
    if (config.vcpus > kMaxAcpiVcpus) {
        return make_error(Errc::kInvalid, "guest ACPI: more vCPUs than the DSDT can name");
    }
    if (config.pci_mmio64_size != 0 &&
        config.pci_mmio64_size - 1 > ~std::uint64_t{0} - config.pci_mmio64_base) {
        return make_error(Errc::kInvalid, "guest ACPI: 64-bit PCI window wraps");
    }
    AmlBuilder aml(out);
    write_sleep_states(aml);
    AmlBuilder::Open sb = aml.begin_scope("_SB");
    write_pci_root(aml, config);
    write_motherboard_resources(aml);
    write_com1(aml);
    write_processors(aml, config.vcpus);
    aml.end(sb);
    return aml.finish();
}

}  // namespace hv::vmm::platform
