#include <voxflow/core/excerpt.hpp>

#include <gtest/gtest.h>

#include <string>

TEST(Excerpt, ShortPrintableTextIsShownAsItIs) {
  EXPECT_EQ(voxflow::excerpt("fit.model"), "fit.model");
}

TEST(Excerpt, RawBytesAreMaskedAndLongTextIsCutWithItsLength) {
  EXPECT_EQ(voxflow::excerpt(std::string("a\0b\xff\n", 5)), "a?b??");
  std::string const shown = voxflow::excerpt(std::string(1 << 20, 'x'), 10);
  EXPECT_EQ(shown, "xxxxxxxxxx... (1048576 characters)");
}
