#include "expectations.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hvboot {
namespace {

using Outcome = Expectations::Outcome;

Options with(std::vector<std::string> expect, std::vector<std::string> unordered = {}) {
    Options o;
    o.reject = {std::string(kDefaultReject)};
    o.expect = std::move(expect);
    o.expect_unordered = std::move(unordered);
    return o;
}

TEST(Expectations, OrderedExpectationsMatchInOrder) {
    Expectations e(with({"^hv: ready", "^hv: all vms stopped"}));
    e.feed("hv: all vms stopped");  // too early: does not count
    e.feed("hv: ready cpus=1");
    EXPECT_FALSE(e.all_met());
    EXPECT_EQ(e.first_missing(), "^hv: all vms stopped");
    e.feed("hv: all vms stopped");
    EXPECT_TRUE(e.all_met());
    EXPECT_FALSE(e.first_missing().has_value());
}

TEST(Expectations, OneLineSatisfiesAtMostOneOrderedExpectation) {
    Expectations e(with({"pci", "pci"}));
    e.feed("hv: pci 0000:00:02.0");
    EXPECT_FALSE(e.all_met());
    e.feed("hv: pci 0000:01:00.0");
    EXPECT_TRUE(e.all_met());
}

TEST(Expectations, UnorderedExpectationsMatchAnywhere) {
    Expectations e(with({"^hv: ready"}, {"1b36:0010", "1234:11e8"}));
    e.feed("hv: pci 0000:01:00.0 1b36:0010 class=010802");
    e.feed("hv: pci 0000:00:02.0 1234:11e8 class=00ff00");
    EXPECT_EQ(e.first_missing(), "^hv: ready");
    e.feed("hv: ready cpus=1");
    EXPECT_TRUE(e.all_met());
}

TEST(Expectations, PanicIsRejected) {
    Expectations e(with({}));
    const auto step = e.feed("hv: panic page fault at 0x0");
    EXPECT_EQ(step.outcome, Outcome::kRejected);
    EXPECT_EQ(step.pattern, "hv: panic");
}

TEST(Expectations, StopLineEndsTheRunOnceAllMatched) {
    auto o = with({"^hv: ready"});
    o.stop_on = "^hv: all vms stopped";
    Expectations e(o);
    EXPECT_EQ(e.feed("hv: ready").outcome, Outcome::kContinue);
    EXPECT_EQ(e.feed("hv: all vms stopped").outcome, Outcome::kStopped);
}

TEST(Expectations, StopLineBeforeExpectationsFails) {
    auto o = with({"^hv: ready"});
    o.stop_on = "^hv: all vms stopped";
    Expectations e(o);
    EXPECT_EQ(e.feed("hv: all vms stopped").outcome, Outcome::kStoppedEarly);
}

TEST(Expectations, StopLineMayAlsoBeTheLastExpectation) {
    auto o = with({"^hv: all vms stopped"});
    o.stop_on = "^hv: all vms stopped";
    Expectations e(o);
    EXPECT_EQ(e.feed("hv: all vms stopped").outcome, Outcome::kStopped);
}

}  // namespace
}  // namespace hvboot
