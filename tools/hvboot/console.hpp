// Turning the serial byte stream into lines. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hvboot {

// Drops ANSI escape sequences (GRUB and OVMF redraw the screen with CSI sequences), carriage
// returns and other control characters except tab.
[[nodiscard]] std::string clean_line(std::string_view raw);

// Splits a byte stream on '\n', however the bytes are chunked. Lines come out raw, without the
// '\n'; clean them with clean_line().
class LineSplitter {
  public:
    void feed(std::string_view bytes, std::vector<std::string>& lines);
    // The unterminated tail, if any: a line cut off by power-off or a hang still counts.
    [[nodiscard]] std::optional<std::string> flush();

  private:
    std::string partial_;
};

}  // namespace hvboot
