#include "cohort_mpi.hpp"

#include "mpi_session.hpp"
#include "split_group.hpp"

#include <voxflow/cohort/cohort_run.hpp>
#include <voxflow/cohort/ledger_writer.hpp>
#include <voxflow/pipeline/modality_registry.hpp>

#include <mpi.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace voxflow::app {

namespace {

// Worker -> rank 0: a request for a subject, carrying the outcome of the previous one ("<index>\n<row>") or
// nothing (the first request). Rank 0 -> worker: the index of the next subject, or -1 when none is left.
constexpr int request_tag = 1201;
constexpr int assignment_tag = 1202;

// The queue and the ledger, on rank 0; its own worker and its serving thread share them.
class Queue {
 public:
  // `order`: the subjects the queue hands out (the split ones run before, by every rank together).
  Queue(std::vector<pipeline::RunConfig> const& subjects, std::vector<std::size_t> order)
      : order_(std::move(order)),
        ledger_(cohort::ledger_path(subjects), cohort::pending_outcomes(subjects)) {}

  // Subject `i` handed to every one of `ranks` ranks at once (a split subject), written by rank 0.
  void start_split(std::size_t i, int ranks) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto outcome = ledger_.outcomes().at(i);
    outcome.status = cohort::SubjectStatus::running;
    outcome.rank = 0;
    outcome.ranks = ranks;
    ledger_.record(i, outcome);
  }

  // The next subject for `rank`, marked running, or nothing when every subject has been handed out.
  std::optional<std::size_t> take(int rank) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (next_ == order_.size()) return std::nullopt;
    std::size_t const i = order_[next_++];
    auto outcome = ledger_.outcomes().at(i);
    outcome.status = cohort::SubjectStatus::running;
    outcome.rank = rank;
    ledger_.record(i, outcome);
    return i;
  }

  void report(std::size_t i, cohort::SubjectOutcome const& outcome) {
    std::lock_guard<std::mutex> lock(mutex_);
    ledger_.record(i, outcome);
    cohort::print_outcome(outcome);
  }

  // The ledger written out; the cohort's exit code.
  ExitCode finish() {
    std::lock_guard<std::mutex> lock(mutex_);
    ledger_.flush();
    return cohort::cohort_exit_code(ledger_.outcomes());
  }

 private:
  std::mutex mutex_;
  std::vector<std::size_t> order_;
  std::size_t next_ = 0;
  cohort::LedgerWriter ledger_;
};

// A failure of the cohort machinery itself (not of a subject): the other ranks would wait forever.
[[noreturn]] void abort_job(char const* what) {
  std::fprintf(stderr, "voxflow: rank %d: %s; ending the MPI job (rerun with --resume to finish it)\n",
               mpi_world().rank, what);
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, static_cast<int>(ExitCode::failure));
  std::abort();
}

// Rank 0's serving loop: answers every other rank until each has been told that nothing is left. Polls
// rather than blocks, so the thread takes no core from rank 0's own subject.
void serve(Queue& queue, int ranks) {
  int active = ranks - 1;
  while (active > 0) {
    int arrived = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, request_tag, MPI_COMM_WORLD, &arrived, &status);
    if (!arrived) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    int length = 0;
    MPI_Get_count(&status, MPI_CHAR, &length);
    std::string message(static_cast<std::size_t>(length), '\0');
    MPI_Recv(message.data(), length, MPI_CHAR, status.MPI_SOURCE, request_tag, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    if (!message.empty()) {
      auto const newline = message.find('\n');
      queue.report(std::stoul(message.substr(0, newline)),
                   cohort::parse_ledger_row(message.substr(newline + 1)));
    }
    auto const next = queue.take(status.MPI_SOURCE);
    long long const assignment = next ? static_cast<long long>(*next) : -1;
    MPI_Send(&assignment, 1, MPI_LONG_LONG, status.MPI_SOURCE, assignment_tag, MPI_COMM_WORLD);
    if (!next) --active;
  }
}

void work(std::vector<pipeline::RunConfig> const& subjects, pipeline::Modality const& modality,
          pipeline::RunOptions const& options, int rank) {
  std::string message;  // the previous outcome
  for (;;) {
    MPI_Send(message.data(), static_cast<int>(message.size()), MPI_CHAR, 0, request_tag, MPI_COMM_WORLD);
    long long assignment = -1;
    MPI_Recv(&assignment, 1, MPI_LONG_LONG, 0, assignment_tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (assignment < 0) return;
    auto const i = static_cast<std::size_t>(assignment);
    message = std::to_string(i) + "\n" +
              cohort::ledger_row(cohort::run_cohort_subject(modality, subjects.at(i), options, rank));
  }
}

// Rank 0 decides which subjects are split (reading the headers only it reads) and tells every rank:
// returns, on every rank, the split subjects in queue order, and on rank 0 `queued`, the others.
std::vector<std::size_t> split_subjects(std::vector<pipeline::RunConfig> const& subjects, int rank,
                                        std::vector<std::size_t>& queued) {
  std::vector<long long> split;
  if (rank == 0) {
    std::vector<std::int64_t> voxels(subjects.size());
    for (std::size_t i = 0; i < subjects.size(); ++i) voxels[i] = cohort::header_voxels(subjects[i]);
    for (std::size_t const i : cohort::queue_order(subjects, voxels)) {
      if (cohort::split_subject(subjects[i], voxels[i]))
        split.push_back(static_cast<long long>(i));
      else
        queued.push_back(i);
    }
  }
  long long count = static_cast<long long>(split.size());
  MPI_Bcast(&count, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
  split.resize(static_cast<std::size_t>(count));
  MPI_Bcast(split.data(), static_cast<int>(count), MPI_LONG_LONG, 0, MPI_COMM_WORLD);
  return {split.begin(), split.end()};
}

// The split subjects, one after another, each by every rank together (a barrier point before the dynamic
// queue: simple, and no rank waits on a queue while the others compute a split subject). Rank 0 writes them
// and records their outcomes.
void run_split_subjects(std::vector<pipeline::RunConfig> const& subjects,
                        std::vector<std::size_t> const& split, pipeline::Modality const& modality,
                        pipeline::RunOptions options, Queue* queue, int rank, int ranks) {
  WorldSplit const group;
  options.split = &group;
  for (std::size_t const i : split) {
    if (queue != nullptr) queue->start_split(i, ranks);
    auto const outcome = cohort::run_cohort_subject(modality, subjects[i], options, rank);
    if (queue != nullptr) queue->report(i, outcome);
  }
}

}  // namespace

ExitCode run_cohort_mpi(std::vector<pipeline::RunConfig> const& subjects,
                        pipeline::RunOptions const& options) {
  MpiWorld const& world = mpi_world();
  auto const& modality = pipeline::find_modality(subjects.at(0).modality(), subjects.at(0).file());
  int code = 0;
  try {
    std::vector<std::size_t> queued;
    auto const split = split_subjects(subjects, world.rank, queued);
    if (world.rank == 0) {
      Queue queue(subjects, queued);
      run_split_subjects(subjects, split, modality, options, &queue, world.rank, world.size);
      if (world.threads_may_call) {
        std::exception_ptr server_failure;
        std::thread server([&]() {
          try {
            serve(queue, world.size);
          } catch (...) {
            server_failure = std::current_exception();
          }
        });
        // Rank 0 runs subjects too; only the serving thread calls MPI meanwhile (MPI_THREAD_SERIALIZED).
        try {
          while (auto const i = queue.take(0))
            queue.report(*i, cohort::run_cohort_subject(modality, subjects[*i], options, 0));
        } catch (std::exception const& e) {
          abort_job(e.what());  // e.g. the ledger cannot be written; the serving thread is still running
        }
        server.join();
        if (server_failure) std::rethrow_exception(server_failure);
      } else {
        serve(queue, world.size);  // an MPI without thread support: rank 0 only serves
      }
      code = static_cast<int>(queue.finish());
    } else {
      run_split_subjects(subjects, split, modality, options, nullptr, world.rank, world.size);
      work(subjects, modality, options, world.rank);
    }
  } catch (std::exception const& e) {
    abort_job(e.what());
  }
  MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return static_cast<ExitCode>(code);
}

}  // namespace voxflow::app
