#include "drivers/acpi/mcfg.hpp"

#include "drivers/acpi/field.hpp"
#include "drivers/acpi/sdt.hpp"

namespace hv::acpi {
namespace {

constexpr SdtErrors kMcfgErrors{
    "MCFG shorter than its header",
    "MCFG length past end of bytes",
    "MCFG checksum mismatch",
    "MCFG signature is not MCFG",
};

// PCI Firmware 3.2 table 4-3: 8 reserved bytes follow the header, then 16-byte allocation
// structures (table 4-4): base u64, segment u16, start bus u8, end bus u8, reserved u32.
constexpr std::size_t kEntriesOffset = 44;
constexpr std::size_t kEntrySize = 16;

}  // namespace

Result<Mcfg> parse_mcfg(Bytes table) {
    Sdt sdt = TRY(parse_sdt(table, "MCFG", kMcfgErrors));
    Bytes t = sdt.table;
    if (t.size() < kEntriesOffset) {
        return make_error(Errc::kInvalid, "MCFG shorter than its fixed fields");
    }
    Bytes entries = t.subspan(kEntriesOffset);
    if (entries.size() % kEntrySize != 0) {
        return make_error(Errc::kInvalid, "MCFG entry length past table end");
    }
    Mcfg mcfg{};
    for (std::size_t off = 0; off < entries.size(); off += kEntrySize) {
        EcamWindow w{field<std::uint64_t>(entries, off), field<std::uint16_t>(entries, off + 8),
                     field<std::uint8_t>(entries, off + 10),
                     field<std::uint8_t>(entries, off + 11)};
        if (w.end_bus < w.start_bus) {
            return make_error(Errc::kInvalid, "MCFG entry end bus below start bus");
        }
        if (!mcfg.windows.push(w)) {
            return make_error(Errc::kTooMany, "MCFG lists more ECAM windows than supported");
        }
    }
    return mcfg;
}

}  // namespace hv::acpi
