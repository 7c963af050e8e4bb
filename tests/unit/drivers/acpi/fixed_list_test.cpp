#include "drivers/acpi/fixed_list.hpp"

#include <gtest/gtest.h>

namespace hv::acpi {
namespace {

TEST(FixedList, RefusesPushWhenFullAndKeepsItsContents) {
    FixedList<int, 2> list;
    EXPECT_TRUE(list.push(1));
    EXPECT_TRUE(list.push(2));
    EXPECT_FALSE(list.push(3));
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[1], 2);
    EXPECT_EQ(list.capacity(), 2u);
}

TEST(FixedList, ViewCoversOnlyPushedItems) {
    FixedList<int, 8> list;
    EXPECT_TRUE(list.empty());
    (void)list.push(7);
    auto v = list.view();
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0], 7);
    int sum = 0;
    for (int x : list) sum += x;
    EXPECT_EQ(sum, 7);
}

}  // namespace
}  // namespace hv::acpi
