#include "app_support.hpp"

#include <voxflow/core/errors.hpp>

#include <exception>
#include <iostream>

namespace voxflow::app {

SplitArgs split_kokkos_args(int argc, char** argv) {
  SplitArgs split;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    (a.rfind("--kokkos-", 0) == 0 ? split.kokkos : split.own).push_back(a);
  }
  return split;
}

std::vector<char*> kokkos_argv(std::string& program, std::vector<std::string>& kokkos_args) {
  std::vector<char*> out{program.data()};
  for (auto& a : kokkos_args) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

int run_guarded(std::string const& program, std::function<int()> const& body) {
  try {
    return body();
  } catch (voxflow::Error const& e) {
    std::cerr << program << ": " << e.what() << "\n";
    return static_cast<int>(e.code());
  } catch (std::exception const& e) {
    std::cerr << program << ": internal error: " << e.what() << "\n";
    return static_cast<int>(ExitCode::failure);
  }
}

}  // namespace voxflow::app
