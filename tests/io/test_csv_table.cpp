#include "reference_data.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/csv_table.hpp>

#include <gtest/gtest.h>

using voxflow::io::CsvTable;

TEST(CsvTable, ToleratesByteOrderMarkCrlfQuotesAndSpacedHeaders) {
  auto const t =
      CsvTable::parse("\xEF\xBB\xBFlabel, T1 nonlinear,s\r\n\"a, b\",1.5,1 2   3\r\nc,2,4\r\n", "mem.csv");
  ASSERT_EQ(t.rows(), 2u);
  EXPECT_TRUE(t.has_column("label"));
  EXPECT_TRUE(t.has_column("T1 nonlinear"));
  EXPECT_TRUE(t.has_column(" T1 nonlinear"));
  EXPECT_EQ(t.text(0, "label"), "a, b");
  EXPECT_DOUBLE_EQ(t.number(1, "T1 nonlinear"), 2.0);
  EXPECT_EQ(t.numbers(0, "s"), (std::vector<double>{1, 2, 3}));
}

TEST(CsvTable, ErrorsNameTheFileAndTheProblem) {
  EXPECT_THROW(CsvTable::read("/nonexistent/x.csv"), voxflow::InputError);
  EXPECT_THROW(CsvTable::parse("a,b\n1\n", "ragged.csv"), voxflow::InputError);
  auto const t = CsvTable::parse("a,b\n1,x\n", "bad.csv");
  try {
    t.number(0, "b");
    FAIL() << "expected InputError";
  } catch (voxflow::InputError const& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv"), std::string::npos);
  }
  EXPECT_THROW(t.text(0, "missing"), voxflow::InputError);
}

TEST(CsvTable, ReadsTheReferenceSignalToConcentrationFile) {
  auto const t = CsvTable::read(voxflow::testing::reference_file("dce/si2conc/SI2Conc_data.csv"));
  ASSERT_GE(t.rows(), 1u);
  EXPECT_EQ(t.numbers(0, "s").size(), 150u);
  EXPECT_EQ(t.numbers(0, "conc").size(), 150u);
}
