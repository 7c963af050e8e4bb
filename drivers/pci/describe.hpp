#pragma once
// Console text for enumerated functions. The forms below are part of the console contract (boot
// tests match them); change them only together with those tests.
//
//   format_function_line  "0000:00:04.0 1234:11e8 class=00ff00"
//       bdf, vendor:device as 4 hex digits each, class code as 6 hex digits, all lower case.
//
//   format_bars           "bar0=mem32 0xfea00000 size=0x100000 bar2=mem64 pref 0x800000000
//                          size=0x10000000 bar4=io 0xc000 size=0x20 rom=0xfeb80000 size=0x40000"
//       one "barN=KIND [pref ]0xBASE size=0xSIZE" per present BAR (N is the slot, so a 64-bit
//       BAR's upper slot is skipped), then "rom=0xBASE size=0xSIZE" if there is an expansion ROM;
//       hex without padding, space separated. "bars=none" when there is nothing.
//
//   format_capabilities   "caps=pm,msi(64bit,maskable,vectors=1),msix(table=8),
//                          pcie(root-port,flr),sriov(total_vfs=8),acs,ari"
//       "caps=" then, in this order and only when present: pm; msi(["64bit,"]["maskable,"]
//       "vectors=N") with N the vectors the function can request; msix(table=N) with N entries;
//       pcie(PORT-TYPE[",flr"]) with PORT-TYPE from name(PciePortType); sriov(total_vfs=N); acs;
//       ari; and "malformed" last if either list was cut short. "caps=none" when nothing is
//       present and the lists are sound.
//
// The kernel prefixes each with "hv: pci ".
#include "drivers/pci/bar.hpp"
#include "drivers/pci/capabilities.hpp"
#include "drivers/pci/enumerate.hpp"
#include "kernel/lib/format.hpp"

namespace hv::pci {

void format_function_line(Sink& sink, const PciFunction& fn);
void format_bars(Sink& sink, const Bars& bars);
void format_capabilities(Sink& sink, const Capabilities& caps);

}  // namespace hv::pci
