// Helpers shared by the tests that write files: a fresh temporary folder per test, file listing, and
// error-message checks.
#ifndef VOXFLOW_TESTS_SUPPORT_IO_TEST_SUPPORT_HPP
#define VOXFLOW_TESTS_SUPPORT_IO_TEST_SUPPORT_HPP

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

namespace voxflow::testing {

// A new, empty folder under the system temporary folder, removed with its contents at the end of the test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    auto const* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("voxflow-io-") + (info ? info->name() : "test") + "-" +
                       std::to_string(::getpid()) + "-" + std::to_string(counter++);
    std::replace(name.begin(), name.end(), '/', '-');  // parameterised tests are named "Name/0"
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(TempDir const&) = delete;
  TempDir& operator=(TempDir const&) = delete;

  std::string file(std::string const& name) const { return (path_ / name).string(); }
  std::filesystem::path const& path() const { return path_; }

  // Names of the entries in the folder (no partial files may remain after a failed write).
  std::set<std::string> entries() const {
    std::set<std::string> names;
    for (auto const& e : std::filesystem::directory_iterator(path_))
      names.insert(e.path().filename().string());
    return names;
  }

 private:
  std::filesystem::path path_;
};

inline std::vector<unsigned char> read_bytes(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}

inline std::string read_text(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_bytes(std::string const& path, std::vector<unsigned char> const& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<char const*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Runs `f`, which must throw `E` whose message contains every one of `needles`.
template <class E, class F>
void expect_error_mentioning(F&& f, std::vector<std::string> const& needles) {
  try {
    f();
    ADD_FAILURE() << "no exception thrown; expected one mentioning '" << needles.front() << "'";
  } catch (E const& e) {
    std::string const message = e.what();
    for (auto const& n : needles) EXPECT_NE(message.find(n), std::string::npos) << "message: " << message;
  }
}

}  // namespace voxflow::testing

#endif
