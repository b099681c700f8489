#include "app_support.hpp"

#include <cstring>
#include <ostream>
#include <string>

#if defined(VOXFLOW_WITH_MPI)
#include <mpi.h>
#endif
#if defined(VOXFLOW_WITH_HDF5)
#include <hdf5.h>
#endif

namespace voxflow::app {

void print_component_versions(std::ostream& os) {
#if defined(VOXFLOW_WITH_MPI)
  {
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(version, &length);
    // Open MPI counts the terminating NUL in `length`: text ends at the first NUL, whichever comes first.
    std::string v(version, ::strnlen(version, static_cast<std::size_t>(length)));
    if (auto nl = v.find('\n'); nl != std::string::npos) v.resize(nl);
    os << "MPI: " << v << "\n";
  }
#else
  os << "MPI: not built\n";
#endif
#if defined(VOXFLOW_WITH_HDF5)
  {
    unsigned major = 0, minor = 0, release = 0;
    H5get_libversion(&major, &minor, &release);
    os << "HDF5: " << major << "." << minor << "." << release << "\n";
  }
#else
  os << "HDF5: not built\n";
#endif
}

}  // namespace voxflow::app
