// A child process for the cohort ledger's cross-process test (tests/pipeline/test_cohort_ledger.cpp): one of
// several processes, like Slurm array tasks, merging its own subject's row into one shared ledger.
//
//   ledger_test_child <ledger> <subject> <updates> <cohort subject>...
//
// Waits until its stdin closes (so that the test can release every child at the same moment), then merges
// <updates> rows of <subject> with cohort::update_ledger: `running` with seconds 1, 2, ..., and the last one
// `done`. Exit status 0, or 1 with the error on stderr.
#include <voxflow/cohort/ledger.hpp>

#include <unistd.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: ledger_test_child LEDGER SUBJECT UPDATES COHORT_SUBJECT...\n");
    return 2;
  }
  std::string const ledger = argv[1];
  voxflow::cohort::SubjectOutcome row;
  row.subject = argv[2];
  int const updates = std::stoi(argv[3]);
  std::vector<std::string> const cohort(argv + 4, argv + argc);
  char byte;
  while (::read(STDIN_FILENO, &byte, 1) > 0) {
  }
  try {
    for (int i = 1; i <= updates; ++i) {
      row.status =
          i == updates ? voxflow::cohort::SubjectStatus::done : voxflow::cohort::SubjectStatus::running;
      row.rank = 0;
      row.host = "pid" + std::to_string(::getpid());
      row.seconds = i;
      voxflow::cohort::update_ledger(ledger, cohort, {row});
    }
  } catch (std::exception const& e) {
    std::fprintf(stderr, "ledger_test_child: %s\n", e.what());
    return 1;
  }
  return 0;
}
