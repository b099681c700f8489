#include <voxflow/core/errors.hpp>
#include <voxflow/core/fit_status.hpp>
#include <voxflow/core/runtime.hpp>
#include <voxflow/core/version.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/disk_space.hpp>
#include <voxflow/io/hdf5_subject_file.hpp>
#include <voxflow/io/output_lock.hpp>
#include <voxflow/io/stale_partials.hpp>
#include <voxflow/pipeline/modality_registry.hpp>
#include <voxflow/pipeline/run_record.hpp>
#include <voxflow/pipeline/run_subject.hpp>
#include <voxflow/pipeline/subject_outputs.hpp>
#include <voxflow/pipeline/subject_reports.hpp>

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace voxflow::pipeline {

namespace fs = std::filesystem;

namespace {

// Runs job(0..n-1) on up to host_threads() threads; the first exception is rethrown after all threads stop.
template <class Job>
void run_parallel(std::size_t n, Job const& job) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&]() {
    for (std::size_t i = next++; i < n; i = next++) {
      try {
        job(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
    }
  };
  std::size_t const workers = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(1, host_threads())));
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
}

nlohmann::json status_code_table() {
  nlohmann::json table;
  for (int code = 0; code < fit_status_count; ++code)
    table[std::to_string(code)] = fit_status_name(static_cast<FitStatus>(code));
  return table;
}

// The lookup table of a BIDS discrete segmentation of FitStatus codes.
std::string status_code_tsv() {
  std::string table = "index\tname\n";
  for (int code = 0; code < fit_status_count; ++code)
    table += std::to_string(code) + "\t" + fit_status_name(static_cast<FitStatus>(code)) + "\n";
  return table;
}

bool usable(std::uint8_t code) {
  return fit_status_usable(static_cast<FitStatus>(code));
}

// Three voxels at the 25th, 50th and 75th percentile of the first map among the usable ones, for the QC
// image. Ties go to the lower voxel index, so each percentile is one voxel; selection, not a full sort.
std::vector<std::int64_t> qc_voxels(SubjectMaps const& maps) {
  std::vector<std::int64_t> rows;
  for (std::int64_t v = 0; v < maps.voxels(); ++v)
    if (usable(maps.status(v))) rows.push_back(v);
  if (rows.empty()) return {};
  auto const before = [&](std::int64_t a, std::int64_t b) {
    return std::pair(maps.values(a, 0), a) < std::pair(maps.values(b, 0), b);
  };
  auto const at = [&](std::size_t k) { return rows.begin() + static_cast<std::ptrdiff_t>(k); };
  std::size_t const q1 = rows.size() / 4, q2 = rows.size() / 2, q3 = 3 * rows.size() / 4;
  std::nth_element(rows.begin(), at(q2), rows.end(), before);
  std::nth_element(rows.begin(), at(q1), at(q2), before);
  if (q3 > q2) std::nth_element(at(q2 + 1), at(q3), rows.end(), before);
  return {rows[q1], rows[q2], rows[q3]};
}

// The folders a run creates for its outputs: removed again, when still empty, if the run fails before writing
// into them (bad data found late, no space), so that a failed run leaves no trace.
class CreatedFolders {
 public:
  explicit CreatedFolders(std::vector<std::string> const& folders) {
    std::error_code ec;
    for (auto const& folder : folders)
      for (fs::path f = fs::path(folder).lexically_normal(); !f.empty() && !fs::exists(f, ec);
           f = f.parent_path()) {
        if (std::find(created_.begin(), created_.end(), f) == created_.end()) created_.push_back(f);
        if (f == f.parent_path()) break;
      }
    // Innermost first: a folder is empty once the folders inside it are gone.
    std::sort(created_.begin(), created_.end(),
              [](fs::path const& a, fs::path const& b) { return a.native().size() > b.native().size(); });
  }
  ~CreatedFolders() {
    std::error_code ec;
    if (!keep_)
      for (auto const& f : created_) fs::remove(f, ec);  // fails, harmlessly, once a folder holds a file
  }
  CreatedFolders(CreatedFolders const&) = delete;
  CreatedFolders& operator=(CreatedFolders const&) = delete;
  void keep() { keep_ = true; }

 private:
  std::vector<fs::path> created_;
  bool keep_ = false;
};

// Before any voxel is read: the file system has room for the outputs (a conservative bound: every map
// uncompressed, twice with the HDF5 copy, plus the QC image).
void check_free_space(SubjectOutputs const& outputs, OutputSettings const& output, InputGrid const& grid,
                      std::vector<MapSpec> const& specs) {
  std::uintmax_t const voxels = static_cast<std::uintmax_t>(grid.dims[0]) *
                                static_cast<std::uintmax_t>(grid.dims[1]) *
                                static_cast<std::uintmax_t>(grid.dims[2]);
  std::uintmax_t map_bytes = voxels;  // the fit-status segmentation
  for (auto const& spec : specs) map_bytes += voxels * (spec.codes ? 1 : 4);
  std::uintmax_t const needed = map_bytes * (output.hdf5 ? 2 : 1) + (output.qc ? 4u << 20 : 0) + (1u << 20);
  std::uintmax_t const available = io::available_bytes(outputs.folder());
  if (available < needed)
    throw OutputError(outputs.folder(), "needs about " + std::to_string(needed / 1000000 + 1) +
                                            " MB of free space for the outputs, the file system has " +
                                            std::to_string(available / 1000000) + " MB");
}

// Column `column` of the maps (or, past the last column, the status map) scattered into its volume; voxels
// outside the selection are 0, or masked_out for status codes.
std::vector<double> volume_of(SubjectMaps const& maps, std::size_t column, VoxelSelection const& voxels) {
  bool const status = column == maps.specs.size();
  std::vector<double> values(static_cast<std::size_t>(maps.voxels()));
  for (std::int64_t v = 0; v < maps.voxels(); ++v)
    values[static_cast<std::size_t>(v)] = status ? maps.status(v) : maps.values(v, column);
  bool const codes = status || maps.specs[column].codes;
  return scatter(values, voxels, codes ? static_cast<double>(FitStatus::masked_out) : 0.0);
}

// A map's name in the HDF5 file: its suffix, or for a status segmentation what its desc adds to the method
// label ("fitstatus", "t1fitstatus").
std::string record_name(MapSpec const& spec, std::string const& method) {
  if (!spec.codes) return spec.suffix;
  return spec.desc.rfind(method, 0) == 0 ? spec.desc.substr(method.size()) : spec.desc;
}

// The segmentation of the fit-status codes every modality writes (in anat/, where BIDS defines dseg with its
// look-up table).
MapSpec status_spec(std::string const& method) {
  return {"dseg", method + "fitstatus", "", "fit status code per voxel (see StatusCodes and the .tsv)", true,
          "anat"};
}

// Every datatype folder a subject's outputs go to: the modality's, and those of its maps and status.
std::vector<std::string> output_folders(SubjectOutputs const& outputs, std::vector<MapSpec> specs,
                                        std::string const& method) {
  specs.push_back(status_spec(method));
  std::vector<std::string> folders{outputs.folder()};
  for (auto const& spec : specs) {
    std::string const folder = outputs.folder(spec.datatype);
    if (std::find(folders.begin(), folders.end(), folder) == folders.end()) folders.push_back(folder);
  }
  return folders;
}

// Sidecars name their inputs relative to the output dataset's root (BIDS: dataset-relative or BIDS URIs),
// never by an absolute path of the machine that ran.
void make_sources_relative(nlohmann::json& provenance, std::string const& out_dir) {
  if (!provenance.contains("Sources") || !provenance["Sources"].is_array()) return;
  std::error_code ec;
  fs::path const root = fs::weakly_canonical(fs::absolute(out_dir), ec);
  for (auto& source : provenance["Sources"]) {
    if (!source.is_string()) continue;
    fs::path const input = fs::weakly_canonical(fs::absolute(source.get<std::string>()), ec);
    source = input.lexically_relative(root).generic_string();
  }
}

std::string subject_name(RunSettings const& s) {
  return "sub-" + s.subject + (s.session.empty() ? "" : "_ses-" + s.session);
}

// What the outputs of a computed subject take from its analysis, taken before the analysis is released:
// its voxel data (the (voxel, time) series, most of a subject's memory) is not needed to write the maps.
struct AnalysisProducts {
  std::string method_label, method_name;
  nlohmann::json provenance;
  std::vector<RecordVector> vectors;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<TextOutput> extras;
  std::vector<QcPanel> panels;  // empty without QC
};

// The panels here, on this thread: a modality may compute them with Kokkos (DCE predicts its fits).
AnalysisProducts products_of(SubjectAnalysis const& analysis, SubjectMaps const& maps, bool qc) {
  return {analysis.method_label(),
          analysis.method_name(),
          analysis.provenance(),
          analysis.record_vectors(),
          analysis.record_attributes(),
          analysis.extra_outputs(),
          qc ? analysis.qc_panels(maps, qc_voxels(maps)) : std::vector<QcPanel>{}};
}

// Writes every output of a computed subject but the run record: maps with sidecars, the status segmentation,
// the modality's files, the resolved configuration, HDF5 and QC. Returns the files in writing order.
std::vector<std::string> write_outputs(SubjectOutputs& outputs, AnalysisProducts const& products,
                                       SubjectMaps const& maps, VoxelSelection const& voxels,
                                       InputGrid const& grid, RunConfig const& config,
                                       std::string const& subject, std::string const& hash) {
  std::vector<std::string> files;
  for (auto const& folder : output_folders(outputs, maps.specs, products.method_label)) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) throw OutputError(folder, "cannot create the output folder: " + ec.message());
  }
  outputs.provenance = products.provenance;
  make_sources_relative(outputs.provenance, config.settings().output.dir);
  outputs.provenance["SoftwareName"] = "voxflow";
  outputs.provenance["SoftwareVersion"] = VOXFLOW_VERSION_STRING;
  outputs.provenance["SoftwareCommit"] = VOXFLOW_GIT_COMMIT;
  outputs.provenance["ConfigurationHash"] = hash;
  std::vector<MapSpec> written = maps.specs;
  written.push_back(status_spec(products.method_label));
  SubjectRecord record;
  record.dims = grid.dims;
  record.affine = io::voxel_to_world(grid.geometry);
  record.status_codes = status_code_tsv();
  for (std::size_t k = 0; k < written.size(); ++k) {
    auto const& spec = written[k];
    record.maps.push_back(
        {record_name(spec, products.method_label), spec.units, volume_of(maps, k, voxels), spec.codes});
  }
  record.vectors = products.vectors;
  record.attributes = {
      {"software", std::string("voxflow ") + VOXFLOW_VERSION_STRING + " (" + VOXFLOW_GIT_COMMIT + ")"},
      {"configuration_hash", hash},
      {"configuration", config.resolved_yaml()}};
  for (auto const& attribute : products.attributes) record.attributes.push_back(attribute);
  bool const hdf5 = config.settings().output.hdf5 && io::hdf5_support_built();
  bool const qc = config.settings().output.qc;
  // Writing is compression: the HDF5 file (one thread: the library is not thread-safe), the QC image and
  // every map, one per host thread at a time, the two largest first.
  std::vector<std::function<void()>> jobs;
  if (hdf5) jobs.emplace_back([&] { write_subject_hdf5(outputs.path("voxflow", ".h5"), record); });
  if (qc)
    jobs.emplace_back([&] {
      write_subject_qc(outputs.path("qc", ".png"), subject + "  " + products.method_name, record,
                       products.panels);
    });
  for (std::size_t k = 0; k < written.size(); ++k)
    jobs.emplace_back([&, k] {
      nlohmann::json sidecar = {{"Description", written[k].description}};
      if (written[k].codes) sidecar["StatusCodes"] = status_code_table();
      outputs.write_map(written[k], grid.geometry, grid.dims, record.maps[k].values, sidecar);
    });
  run_parallel(jobs.size(), [&](std::size_t j) { jobs[j](); });
  for (auto const& spec : written) {
    files.push_back(outputs.map_path(spec));
    files.push_back(outputs.sidecar_path(spec));
    if (!spec.codes) continue;
    std::string const tsv = outputs.path(spec.suffix, ".tsv", spec.desc, spec.datatype);
    io::write_text_atomically(tsv, status_code_tsv());
    files.push_back(tsv);
  }
  for (auto const& extra : products.extras) {
    std::string const path = outputs.path(extra.suffix, extra.extension);
    io::write_text_atomically(path, extra.text);
    files.push_back(path);
  }
  // The run's configuration, beside its record (`_run.json`, of which it is the data file for BIDS tools).
  std::string const config_path = outputs.path("run", ".yaml");
  io::write_text_atomically(config_path, "# resolved by voxflow " + std::string(VOXFLOW_VERSION_STRING) +
                                             " from " + config.file() + "\n" + config.resolved_yaml());
  files.push_back(config_path);
  if (hdf5) files.push_back(outputs.path("voxflow", ".h5"));
  if (qc) files.push_back(outputs.path("qc", ".png"));
  std::vector<std::string> dataset_files = files;
  dataset_files.push_back(outputs.path("run", ".json"));
  write_dataset_files(config.settings().output.dir, dataset_files);
  return files;
}

// A split subject's meeting points (subject_split.hpp) as one part sees them. A part that fails meets once
// more to tell the others, unless its failure came from a meeting (the others know already) or every meeting
// is over (the rows are gathered: only the writing part still works).
class SplitMeetings {
 public:
  explicit SplitMeetings(SubjectSplit const* split) : split_(split) {}
  bool writes() const { return split_ == nullptr || split_->part() == 0; }
  // Every part, once the subject is prepared: whether part 0 found it complete (--resume), so all skip it.
  bool complete(bool found_complete) const {
    if (split_ == nullptr) return found_complete;
    auto const verdict =
        split_->meet(found_complete ? SubjectSplit::Stand::skip : SubjectSplit::Stand::proceed, "");
    if (verdict.stand == SubjectSplit::Stand::fail) throw SplitPartFailed(verdict.message);
    return verdict.stand == SubjectSplit::Stand::skip;
  }
  // Every part's rows into the writing part's maps; afterwards no part meets again.
  void gather(SubjectMaps& maps) {
    if (split_ == nullptr) return;
    split_->gather_to_writer(maps.values.data(), maps.status.data(), maps.voxels(),
                             static_cast<std::int64_t>(maps.values.extent(1)));
    open_ = false;
  }
  void failed(std::string const& message) {
    if (split_ == nullptr || !open_) return;
    open_ = false;
    split_->meet(SubjectSplit::Stand::fail, message);
  }

 private:
  SubjectSplit const* split_;
  bool open_ = true;
};

SubjectReport run_subject_part(Modality const& modality, RunConfig const& config, RunOptions const& options,
                               SplitMeetings& meetings) {
  StageTimer timer;
  RunSettings const& settings = config.settings();
  auto analysis = modality.configure(config);
  SubjectReport report;
  report.subject = subject_name(settings);
  std::string const hash = text_hash(config.resolved_yaml());

  // A finished subject is skipped on --resume (once its files are verified) and refused without --overwrite.
  // Of a split subject, only the writing part looks at the outputs.
  SubjectOutputs outputs(settings.output.dir, settings.subject, settings.session, modality.bids_datatype(),
                         analysis->method_label(), settings.output.compress);
  outputs.gzip_level = settings.output.compression_level;
  report.folder = outputs.folder();
  std::string const record_path = outputs.path("run", ".json");
  RunRecordState previous;
  if (meetings.writes()) previous = check_run_record(record_path, settings.output.dir, options.resume);
  auto refuse_finished = [&](RunRecordState const& state) {
    if (state.exists && !options.resume && !settings.output.overwrite)
      throw OutputError(record_path,
                        "the outputs of " + report.subject +
                            " already exist; pass --overwrite to replace them or --resume to skip "
                            "finished subjects");
  };
  refuse_finished(previous);
  bool found_complete = previous.complete && options.resume;

  // The backend, every input header, then the outputs, before any voxel data is read.
  Backend backend = settings.backend;
  std::optional<InputGrid> grid;
  if (!found_complete) {
    backend = resolve_backend(settings.backend);
    report.backend = backend_name(backend);
    report.host_threads = host_threads();
    grid = analysis->check_inputs();
  }
  auto const specs = analysis->map_specs();
  // The modality's folder holds the lock; the other datatype folders are made when the maps are written, so
  // that a refused second run never removes one (still empty) from under the run that made it.
  auto const folders = output_folders(outputs, specs, analysis->method_label());
  std::optional<CreatedFolders> created;
  std::optional<io::OutputLock> lock;
  RunRecordState current;
  if (meetings.writes() && !found_complete) {
    created.emplace(std::vector<std::string>{outputs.folder()});
    std::error_code ec;
    fs::create_directories(outputs.folder(), ec);
    if (ec) throw OutputError(outputs.folder(), "cannot create the output folder: " + ec.message());
    // One run at a time writes a subject's folder. Creating the lock file also proves the folder writable.
    lock.emplace(outputs.lock_path());
    check_free_space(outputs, settings.output, *grid, specs);
    // Another run may have finished the subject meanwhile.
    current = check_run_record(record_path, settings.output.dir, options.resume);
    found_complete = current.complete && options.resume;
    if (!found_complete) {
      refuse_finished(current);
      // What an interrupted run left in the folder goes first.
      for (auto const& folder : folders)
        if (fs::is_directory(folder, ec)) io::remove_stale_partials(folder, false);
      io::remove_stale_partials(settings.output.dir, true);
      fs::remove(record_path, ec);  // an interrupted overwrite must not look complete
    }
  }
  if (meetings.complete(found_complete)) {
    report.skipped = true;
    return report;
  }
  timer.stage("validate");

  VoxelSelection const voxels = analysis->read();
  report.voxels = static_cast<std::int64_t>(voxels.size());
  timer.stage("read");

  ComputeContext context;
  context.backend = backend;
  context.chunk_voxels = options.chunk_voxels;
  context.quiet = options.quiet;
  context.timer = &timer;
  context.split = options.split;
  SubjectMaps maps = analysis->compute(context);
  meetings.gather(maps);
  if (!meetings.writes()) return report;  // part 0 writes the subject and reports it
  analysis->finish(maps);
  for (std::int64_t v = 0; v < maps.voxels(); ++v) {
    report.fitted += static_cast<FitStatus>(maps.status(v)) != FitStatus::masked_out ? 1 : 0;
    report.usable += usable(maps.status(v)) ? 1 : 0;
  }

  created->keep();
  // One fsync per output folder before the run record, not one per file (atomic_file.hpp).
  io::DeferredFolderSync folder_sync(folders);
  AnalysisProducts const products = products_of(*analysis, maps, settings.output.qc);
  analysis.reset();  // its voxel data goes before the maps are written, not after
  report.files = write_outputs(outputs, products, maps, voxels, *grid, config, report.subject, hash);
  // Files an earlier run of this subject wrote and this one did not would mix two runs' results.
  std::error_code ec;
  for (auto const& old : current.files)
    if (std::find(report.files.begin(), report.files.end(), old) == report.files.end()) fs::remove(old, ec);
  timer.stage("write");
  report.stage_seconds = timer.stages();
  report.total_seconds = timer.total_seconds();

  if (report.usable == 0) {
    report.failure = "no voxel of " + std::to_string(report.fitted) +
                     " fitted has a usable result (see the fit-status map " +
                     outputs.map_path(status_spec(products.method_label)) + ")";
    return report;  // no run record: the subject is not complete
  }
  nlohmann::json summary = {{"Subject", report.subject},
                            {"Modality", modality.name()},
                            {"Method", products.method_name},
                            {"Voxels", report.voxels},
                            {"Fitted", report.fitted},
                            {"Usable", report.usable},
                            {"Backend", report.backend},
                            {"HostThreads", report.host_threads},
                            {"ConfigurationHash", hash},
                            {"SoftwareVersion", VOXFLOW_VERSION_STRING},
                            {"TotalSeconds", report.total_seconds}};
  for (auto const& [stage, seconds] : report.stage_seconds) summary["StageSeconds"][stage] = seconds;
  folder_sync.flush();  // every rename is on disk before the record says the subject is complete
  write_run_record(record_path, settings.output.dir, summary, report.files);  // last: the subject is complete
  report.files.push_back(record_path);
  return report;
}

}  // namespace

SubjectReport run_subject(Modality const& modality, RunConfig const& config, RunOptions const& options) {
  SplitMeetings meetings(options.split);
  try {
    return run_subject_part(modality, config, options, meetings);
  } catch (SplitPartFailed const&) {
    throw;  // another part failed: every part knows
  } catch (std::exception const& e) {
    meetings.failed(e.what());
    throw;
  } catch (...) {
    meetings.failed("an unknown error");
    throw;
  }
}

SubjectReport run_subject(std::string const& config_file, Overrides const& overrides,
                          RunOptions const& options) {
  auto const config = read_run_config(config_file, overrides);
  return run_subject(find_modality(config.modality(), config_file), config, options);
}

std::string validate_subject(std::string const& config_file) {
  return validate_subject(read_run_config(config_file));
}

std::string validate_subject(RunConfig const& config) {
  auto const& modality = find_modality(config.modality(), config.file());
  auto analysis = modality.configure(config);
  analysis->check_inputs();
  return modality.name() + ", " + analysis->method_name();
}

}  // namespace voxflow::pipeline
