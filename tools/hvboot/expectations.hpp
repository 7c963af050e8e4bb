// Checking console lines against --expect, --expect-unordered, --reject and --stop-on. Pure:
// feed it cleaned lines in arrival order, then ask what is still missing.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "options.hpp"

namespace hvboot {

class Expectations {
  public:
    // The patterns were validated by parse_options(); an invalid one throws std::regex_error.
    explicit Expectations(const Options& options);

    enum class Outcome {
        kContinue,
        kRejected,      // a --reject pattern matched: fail now
        kStopped,       // --stop-on matched after every expectation: pass now
        kStoppedEarly,  // --stop-on matched while some expectation is missing: fail now
    };
    struct Step {
        Outcome outcome = Outcome::kContinue;
        std::string pattern;  // the pattern that decided a non-kContinue outcome
    };
    Step feed(const std::string& line);

    [[nodiscard]] bool all_met() const;
    // The first expectation not yet met (ordered ones first), for the failure message.
    [[nodiscard]] std::optional<std::string> first_missing() const;

  private:
    struct Pattern {
        std::string text;
        std::regex re;
    };
    static std::vector<Pattern> compile(const std::vector<std::string>& texts);

    std::vector<Pattern> ordered_;
    std::size_t next_ = 0;
    std::vector<Pattern> unordered_;
    std::vector<bool> unordered_met_;
    std::vector<Pattern> rejects_;
    std::optional<Pattern> stop_on_;
};

}  // namespace hvboot
