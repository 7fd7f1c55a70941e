// factorkit/core/atomic_file.h — all-or-nothing output files.
//
// AtomicFile writes to a temporary name in the destination's folder
// (".NAME.tmp-XXXXXX"), and commit() flushes, fsyncs, renames over the
// destination and fsyncs the folder. If commit() is never reached (an
// exception, a crash) the temporary is removed by the destructor or is left
// only under its temporary name: the destination is either the old file or the
// complete new one, never a partial file.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace factorkit {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);  // throws InvalidInput if the folder is not writable
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::span<const std::byte> bytes);
  void write(std::string_view text);
  void commit();
  const std::string& temp_path() const noexcept { return tmp_; }

 private:
  std::string path_, tmp_;
  int fd_ = -1;
  bool committed_ = false;
};

// Convenience: the whole content at once.
void write_file_atomic(const std::string& path, std::span<const std::byte> bytes);
void write_file_atomic(const std::string& path, std::string_view text);

}  // namespace factorkit
