// What every voxflow executable does around its real work: split Kokkos flags from its own, turn exceptions
// into one clear message and a distinct exit code.
#ifndef VOXFLOW_APPS_APP_SUPPORT_HPP
#define VOXFLOW_APPS_APP_SUPPORT_HPP

#include <voxflow/core/backend.hpp>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace voxflow::app {

// argv split into the program's own arguments and the --kokkos-* ones (which go to Kokkos::initialize).
struct SplitArgs {
  std::vector<std::string> own;
  std::vector<std::string> kokkos;
};
SplitArgs split_kokkos_args(int argc, char** argv);

// Builds an argv for Kokkos: program name plus its flags. The strings must outlive the returned pointers.
std::vector<char*> kokkos_argv(std::string& program, std::vector<std::string>& kokkos_args);

// Runs `body`, mapping voxflow::Error to its exit code and anything else to ExitCode::failure, with one
// message on stderr prefixed by the program name. Versions of the optional components this build links (MPI
// library, HDF5), for `voxflow info`.
void print_component_versions(std::ostream& os);

// `voxflow conformance`: prints "<path>: passed P/N" per file and a closing "N passed, M failed" line
// (cases); returns 0 iff every case passed.
int run_conformance(std::string const& suite_dir, std::string const& report_path, voxflow::Backend backend);

int run_guarded(std::string const& program, std::function<int()> const& body);

}  // namespace voxflow::app

#endif
