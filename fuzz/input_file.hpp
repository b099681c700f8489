// libFuzzer hands a harness bytes; most voxflow readers take a path (they check sizes, gzip magic and
// neighbouring files by name). The bytes are written to a file of the given name in a folder of this process
// (under $TMPDIR, /dev/shm when it exists: memory, not disk), rewritten for every input.
#ifndef VOXFLOW_FUZZ_INPUT_FILE_HPP
#define VOXFLOW_FUZZ_INPUT_FILE_HPP

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace voxflow::fuzz {

inline std::filesystem::path const& scratch_folder() {
  static std::filesystem::path const folder = [] {
    std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
    if (char const* tmp = std::getenv("TMPDIR")) base = tmp;
    auto const dir = base / ("voxflow-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::atexit([] { std::filesystem::remove_all(scratch_folder()); });
    return dir;
  }();
  return folder;
}

// Writes `data` to <scratch>/<name> and returns the path.
inline std::string write_input(std::string const& name, uint8_t const* data, std::size_t size) {
  std::string const path = (scratch_folder() / name).string();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();  // the harness itself is broken: stop rather than fuzz nothing
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

}  // namespace voxflow::fuzz

#endif
