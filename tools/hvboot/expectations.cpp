#include "expectations.hpp"

#include <algorithm>

namespace hvboot {

std::vector<Expectations::Pattern> Expectations::compile(const std::vector<std::string>& texts) {
    std::vector<Pattern> out;
    for (const auto& t : texts) out.push_back({t, std::regex(t)});
    return out;
}

Expectations::Expectations(const Options& o)
    : ordered_(compile(o.expect)),
      unordered_(compile(o.expect_unordered)),
      unordered_met_(o.expect_unordered.size(), false),
      rejects_(compile(o.reject)) {
    if (o.stop_on) stop_on_ = Pattern{*o.stop_on, std::regex(*o.stop_on)};
}

Expectations::Step Expectations::feed(const std::string& line) {
    for (const auto& r : rejects_) {
        if (std::regex_search(line, r.re)) return {Outcome::kRejected, r.text};
    }
    // One line advances the ordered list by at most one: "in order" means on later lines.
    if (next_ < ordered_.size() && std::regex_search(line, ordered_[next_].re)) ++next_;
    for (std::size_t i = 0; i < unordered_.size(); ++i) {
        if (!unordered_met_[i] && std::regex_search(line, unordered_[i].re))
            unordered_met_[i] = true;
    }
    if (stop_on_ && std::regex_search(line, stop_on_->re)) {
        return {all_met() ? Outcome::kStopped : Outcome::kStoppedEarly, stop_on_->text};
    }
    return {};
}

bool Expectations::all_met() const {
    return next_ == ordered_.size() &&
           std::all_of(unordered_met_.begin(), unordered_met_.end(), [](bool b) { return b; });
}

std::optional<std::string> Expectations::first_missing() const {
    if (next_ < ordered_.size()) return ordered_[next_].text;
    for (std::size_t i = 0; i < unordered_.size(); ++i) {
        if (!unordered_met_[i]) return unordered_[i].text;
    }
    return std::nullopt;
}

}  // namespace hvboot
