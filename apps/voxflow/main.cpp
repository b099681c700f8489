// voxflow: the command-line front end.
//   voxflow info | run CONFIG | validate CONFIG | dump-defaults MODALITY | simulate MODALITY --out DIR |
//   conformance --suite DIR
#include "app_support.hpp"
#include "mpi_session.hpp"
#include "pipeline_commands.hpp"

#include <voxflow/core/backend.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/core/runtime.hpp>
#include <voxflow/io/temporary_registry.hpp>
#include <voxflow/pipeline/modality_registry.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>

int main(int argc, char** argv) {
  // Before any output exists: an interrupted run removes its temporary files and exits with 128 + signal.
  voxflow::io::install_signal_cleanup();
  auto split = voxflow::app::split_kokkos_args(argc, argv);
  CLI::App app{"voxflow: quantitative perfusion MRI maps (DCE, DSC, ASL, IVIM, T1) on CPUs and GPUs",
               "voxflow"};
  app.set_version_flag("--version", voxflow::version_string());
  app.require_subcommand(1);
  voxflow::app::CommonOptions common;
  common.program = argv[0];
  common.kokkos_args = split.kokkos;
  app.add_option("--threads", common.threads,
                 "host threads (default: the configuration's, OMP_NUM_THREADS or all cores)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--backend", common.backend, "auto, host, device or serial (overrides the configuration)");
  std::string const modalities = voxflow::pipeline::modality_choices();

  auto* info =
      app.add_subcommand("info", "print version, Kokkos version, enabled backends, threads and devices");

  voxflow::app::RunCommand run;
  auto* run_cmd = app.add_subcommand("run", "run the analysis a YAML configuration describes");
  run_cmd->add_option("config", run.config, "run configuration (YAML)")->required();
  run_cmd->add_option("--output", run.output_dir, "output folder (overrides output.dir)");
  run_cmd->add_flag("--overwrite", run.overwrite, "replace the outputs of subjects that already have them");
  run_cmd->add_flag("--resume", run.resume, "skip subjects whose outputs are complete");
  run_cmd->add_flag("--quiet", run.quiet, "no progress output");
  run_cmd
      ->add_option("--subject-index", run.subject_index,
                   "run only this subject of a cohort (0-based, in the configuration's order), e.g. "
                   "$SLURM_ARRAY_TASK_ID")
      ->check(CLI::NonNegativeNumber);
  run_cmd->add_option("--participant-label", run.participant_labels,
                      "cohorts: run only these participants (labels with or without sub-)");
  run_cmd->add_option("--session-label", run.session_labels,
                      "cohorts: run only these sessions (labels with or without ses-)");

  std::string validate_config;
  auto* validate =
      app.add_subcommand("validate", "check a configuration and its input files without computing");
  validate->add_option("config", validate_config, "run configuration (YAML)")->required();
  bool validate_deep = false;
  validate->add_flag(
      "--deep", validate_deep,
      "also read every NIfTI input in full (inflate, verify, count non-finite values); without "
      "it only headers are checked");

  std::string modality;
  auto* dump =
      app.add_subcommand("dump-defaults", "print every configuration key of a modality with its default");
  dump->add_option("modality", modality, modalities)->required();

  // One subcommand per registered modality, with the modality's own knobs.
  voxflow::app::SimulateCommand simulate;
  auto* simulate_cmd = app.add_subcommand("simulate", "write a synthetic subject with known truth");
  simulate_cmd->add_option("--out", simulate.out_dir, "output folder")->required();
  simulate_cmd->require_subcommand(1);
  for (auto const* m : voxflow::pipeline::modalities()) {
    auto* sub = simulate_cmd->add_subcommand(m->name(), "a synthetic " + m->name() + " subject");
    sub->fallthrough();  // --out belongs to `simulate` and may follow the modality
    auto& values = simulate.options[m->name()];
    for (auto const& option : m->simulation_options()) {
      values[option.name] = option.default_value;
      sub->add_option("--" + option.name, values[option.name], option.help)->capture_default_str();
    }
    sub->callback([&simulate, name = m->name()]() { simulate.modality = name; });
  }

  auto* conformance =
      app.add_subcommand("conformance", "check voxflow against a directory of OSIPI-format reference cases");
  std::string suite_dir, report_path;
  conformance->add_option("--suite", suite_dir, "directory laid out like ../shared/reference")->required();
  conformance->add_option("--report", report_path,
                          "write every case (reference, measured, tolerance, pass) as JSON");

  std::vector<std::string> own = split.own;
  std::reverse(own.begin(), own.end());  // CLI11 parses a reversed vector of arguments
  try {
    app.parse(own);
  } catch (CLI::CallForHelp const& e) {
    return app.exit(e);
  } catch (CLI::CallForVersion const& e) {
    return app.exit(e);
  } catch (CLI::ParseError const& e) {
    app.exit(e);
    return static_cast<int>(voxflow::ExitCode::usage);
  }

  // MPI before Kokkos (each command starts Kokkos itself); initialised only under an MPI launcher.
  voxflow::app::MpiSession const mpi(&argc, &argv);
  return voxflow::app::run_guarded("voxflow", [&]() {
    if (*dump) return voxflow::app::dump_defaults(modality);  // needs no Kokkos
    if (*validate) return voxflow::app::validate_config(validate_config, validate_deep);
    if (*run_cmd)
      return voxflow::app::run_config(run, common);  // starts Kokkos once the configuration is read
    if (*simulate_cmd) return voxflow::app::simulate_subject(simulate, common);
    auto const runtime = voxflow::app::start_kokkos(common, 0);
    if (*info) {
      voxflow::print_info(std::cout);
      voxflow::app::print_component_versions(std::cout);
      return 0;
    }
    voxflow::Backend backend;
    if (!voxflow::parse_backend(common.backend.value_or("auto"), backend))
      throw voxflow::Error(voxflow::ExitCode::usage,
                           "--backend: expected " + voxflow::enum_choices(voxflow::backend_names));
    return voxflow::app::run_conformance(suite_dir, report_path, voxflow::resolve_backend(backend));
  });
}
