// voxflow: the command-line front end. Subcommands grow with the modality issues; `info` reports the build.
#include <voxflow/core/backend.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/core/runtime.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>

#include "app_support.hpp"

int main(int argc, char** argv) {
  auto split = voxflow::app::split_kokkos_args(argc, argv);
  CLI::App app{"voxflow: quantitative perfusion MRI maps (DCE, DSC, ASL, IVIM, T1) on CPUs and GPUs", "voxflow"};
  app.set_version_flag("--version", voxflow::version_string());
  app.require_subcommand(1);
  int threads = 0;
  app.add_option("--threads", threads, "host threads (default: OMP_NUM_THREADS or all cores)")->check(CLI::NonNegativeNumber);
  auto* info = app.add_subcommand("info", "print version, Kokkos version, enabled backends, threads and devices");
  std::string backend_text = "auto";
  app.add_option("--backend", backend_text, "auto, host, device or serial")->capture_default_str();
  auto* conformance = app.add_subcommand("conformance", "check voxflow against a directory of OSIPI-format reference cases");
  std::string suite_dir, report_path;
  conformance->add_option("--suite", suite_dir, "directory laid out like ../shared/reference")->required();
  conformance->add_option("--report", report_path, "write every case (reference, measured, tolerance, pass) as JSON");

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

  return voxflow::app::run_guarded("voxflow", [&]() {
    std::string program = argv[0];
    auto kargv = voxflow::app::kokkos_argv(program, split.kokkos);
    int kargc = static_cast<int>(kargv.size()) - 1;
    voxflow::Runtime runtime(kargc, kargv.data(), threads);
    if (*info) {
      voxflow::print_info(std::cout);
      voxflow::app::print_component_versions(std::cout);
    }
    if (*conformance) {
      voxflow::Backend backend;
      if (!voxflow::parse_backend(backend_text, backend))
        throw voxflow::Error(voxflow::ExitCode::usage, "--backend: expected " + std::string(voxflow::backend_choices));
      return voxflow::app::run_conformance(suite_dir, report_path, voxflow::resolve_backend(backend));
    }
    return 0;
  });
}
