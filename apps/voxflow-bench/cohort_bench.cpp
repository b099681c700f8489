#include "cohort_bench.hpp"

#include "child_process.hpp"

#include <voxflow/cohort/ledger.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace voxflow::bench {

namespace {

bool on_path(std::string const& program) {
  if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0;
  return run_child("command -v " + shell_quoted(program) + " >/dev/null 2>&1").code == 0;
}

std::uintmax_t bytes_under(fs::path const& folder, std::string const& suffix) {
  std::uintmax_t total = 0;
  for (auto const& e : fs::recursive_directory_iterator(folder))
    if (e.is_regular_file() && io::ends_with(e.path().string(), suffix)) total += e.file_size();
  return total;
}

std::vector<cohort::SubjectOutcome> read_ledger(fs::path const& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<cohort::SubjectOutcome> rows;
  while (std::getline(in, line)) rows.push_back(cohort::parse_ledger_row(line));
  return rows;
}

std::string subject_id(int s) {
  char id[16];
  std::snprintf(id, sizeof(id), "%02d", s);
  return id;
}

// Simulates the cohort under `dir` and writes dir/cohort.yaml; returns its path.
std::string simulate_cohort(CohortBenchOptions const& o, fs::path const& dir) {
  std::string yaml = "modality: dce\nsubjects:\n";
  for (int s = 1; s <= o.subjects; ++s) {
    std::string const id = "sub-" + subject_id(s);
    int const rc =
        run_child(shell_quoted(o.voxflow) + " simulate --out " + shell_quoted((dir / id).string()) +
                  " dce --noise 0.01 --seed " + std::to_string(s) + " --matrix " + o.matrix + " >/dev/null")
            .code;
    if (rc != 0) throw Error(ExitCode::failure, "voxflow simulate failed for " + id);
    yaml += "  - id: " + id + "\n    inputs: {concentration: " + id + "/conc.nii.gz, timing: " + id +
            "/time.txt, mask: " + id + "/mask.nii.gz}\n";
  }
  yaml +=
      "aif: {source: population, model: parker}\nfit: {model: extended_tofts}\nbackend: host\n"
      "output: {dir: out}\n";
  auto const path = (dir / "cohort.yaml").string();
  std::ofstream(path) << yaml;
  return path;
}

// One run of the whole cohort: its wall time, the busiest worker's subject seconds (from the ledgers), and
// the largest worker's peak memory.
struct WorkerRun {
  int code = 0;
  double wall = 0.0;
  double busiest = 0.0;  // the most subject seconds one worker (ledger file and rank) recorded
  double subject_seconds = 0.0;
  std::size_t subjects = 0;
  double peak_rss_mib = 0.0;
};

// Subject seconds per worker from the ledgers under `out` (one per MPI job, one per worker process).
void add_ledger_seconds(fs::path const& out, WorkerRun& run) {
  std::map<std::pair<std::string, int>, double> per_worker;
  for (auto const& e : fs::recursive_directory_iterator(out))
    if (e.path().filename() == "cohort_status.tsv")
      for (auto const& row : read_ledger(e.path())) {
        per_worker[{e.path().string(), row.rank}] += row.seconds;
        run.subject_seconds += row.seconds;
        ++run.subjects;
      }
  for (auto const& [worker, seconds] : per_worker) run.busiest = std::max(run.busiest, seconds);
}

// One run of the whole cohort by `workers` workers into `out`.
WorkerRun run_workers(CohortBenchOptions const& o, std::string const& cohort, int workers,
                      fs::path const& out, bool mpi) {
  fs::remove_all(out);
  std::string const voxflow =
      shell_quoted(o.voxflow) + " --threads " + std::to_string(o.threads) + " run --quiet ";
  std::string command;
  if (mpi) {
    command = shell_quoted(o.mpiexec) + " --allow-run-as-root --oversubscribe --bind-to none -np " +
              std::to_string(workers) + " " + voxflow + shell_quoted(cohort) + " --output " +
              shell_quoted(out.string());
  } else {
    // Each worker its own share (round robin) and its own output folder: a static split.
    for (int w = 0; w < workers; ++w) {
      std::string labels;
      for (int s = 1 + w; s <= o.subjects; s += workers) labels += " " + subject_id(s);
      command += voxflow + shell_quoted(cohort) + " --output " +
                 shell_quoted((out / std::to_string(w)).string()) + " --participant-label" + labels + " & ";
    }
    command = "(" + command + "wait)";
  }
  auto const child = run_child(command + " >/dev/null");
  WorkerRun run;
  run.code = child.code;
  run.wall = child.wall_s;
  run.peak_rss_mib = child.peak_rss_mib;
  add_ledger_seconds(out, run);
  return run;
}

// The Open MPI transport settings the job inherits, when set: they decide MPI_Init's cost (the default probe
// of UCX and libfabric transports took 0.2 s per job on the development VM, OMPI_MCA_pml=ob1 0.05 s).
std::string transport_note() {
  std::string note;
  for (char const* name : {"OMPI_MCA_pml", "OMPI_MCA_btl", "OMPI_MCA_mtl"})
    if (char const* value = std::getenv(name)) note += std::string(", ") + name + "=" + value;
  return note;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Milliseconds one atomic rewrite of a 10,000-subject ledger takes (median of 9), and its size.
std::pair<double, std::size_t> ledger_rewrite_cost(fs::path const& dir) {
  std::vector<cohort::SubjectOutcome> rows(10000);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i].subject = "sub-" + std::to_string(100000 + i);
    rows[i].status = cohort::SubjectStatus::done;
    rows[i].rank = static_cast<int>(i % 256);
    rows[i].host = "gpu-node-042";
    rows[i].seconds = 61.5;
    rows[i].voxels = 180000;
    rows[i].message = "/scratch/cohort/out/sub-" + std::to_string(100000 + i) + "/perf";
  }
  std::vector<double> ms;
  std::string const path = (dir / "ledger-bench.tsv").string();
  for (int r = 0; r < 9; ++r) {
    auto const start = std::chrono::steady_clock::now();
    io::write_text_atomically(path, cohort::ledger_text(rows));
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], cohort::ledger_text(rows).size()};
}

}  // namespace

int run_cohort_bench(CohortBenchOptions const& given) {
  CohortBenchOptions o = given;
  if (o.voxflow.empty()) o.voxflow = default_voxflow();
  bool const mpi = o.mpiexec != "none" && on_path(o.mpiexec);
  fs::path const dir =
      o.work_dir.empty() ? fs::temp_directory_path() / ("voxflow-cohort-bench-" + std::to_string(::getpid()))
                         : fs::path(o.work_dir);
  fs::create_directories(dir);
  std::string const cohort = simulate_cohort(o, dir);
  double load[3] = {0, 0, 0};
  ::getloadavg(load, 3);
  std::printf(
      "cohort bench: %d DCE subjects of %s voxels (extended Tofts, 80 frames), %d host thread(s) per "
      "worker, %s%s; load average %.2f on %ld CPUs\n",
      o.subjects, o.matrix.c_str(), o.threads,
      mpi ? ("MPI ranks (" + o.mpiexec + ")").c_str() : "worker processes (static split, no mpiexec)",
      transport_note().c_str(), load[0], ::sysconf(_SC_NPROCESSORS_ONLN));
  double baseline = 0.0;
  int code = 0;
  for (int workers : o.workers) {
    std::vector<double> walls, overheads, per_subject, rss;
    fs::path const out = dir / ("out-" + std::to_string(workers));
    for (int r = 0; r < o.repeats; ++r) {
      auto const run = run_workers(o, cohort, workers, out, mpi);
      if (run.code != 0 && code == 0) code = run.code;
      walls.push_back(run.wall);
      overheads.push_back(run.wall - run.busiest);
      per_subject.push_back(run.subjects ? run.subject_seconds / static_cast<double>(run.subjects) : 0.0);
      rss.push_back(run.peak_rss_mib);
    }
    double const wall = median(walls);
    if (baseline == 0.0) baseline = wall * workers;
    // What the workers do not divide: the launcher's start, MPI and Kokkos initialisation, the header scan,
    // the last ledger write, MPI_Finalize, and any worker's wait for the last subject.
    std::printf(
        "  %d worker(s): wall %.3f s (median of %d), parallel efficiency %.1f %%, %.3f s per subject "
        "(ledger mean), job overhead %.3f s (wall - busiest worker's subject seconds, median), peak RSS "
        "of a worker %.0f MiB\n",
        workers, wall, o.repeats, 100.0 * baseline / (wall * workers), median(per_subject), median(overheads),
        *std::max_element(rss.begin(), rss.end()));
  }
  double const inputs = static_cast<double>(bytes_under(dir / "sub-01", ".nii.gz"));
  double const outputs =
      static_cast<double>(bytes_under(dir / ("out-" + std::to_string(o.workers.front())), ".nii.gz"));
  auto const [ledger_ms, ledger_bytes] = ledger_rewrite_cost(dir);
  std::printf(
      "  per subject: %.2f MB of NIfTI inputs read, %.2f MB of maps written; one atomic rewrite of a "
      "10,000-subject ledger (%.2f MB): %.2f ms\n",
      inputs / 1e6, outputs / o.subjects / 1e6, ledger_bytes / 1e6, ledger_ms);
  if (o.work_dir.empty()) fs::remove_all(dir);
  return code;
}

}  // namespace voxflow::bench
