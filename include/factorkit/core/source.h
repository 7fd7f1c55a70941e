// factorkit/core/source.h — bounded random-access input for the readers.
//
// A reader never trusts a size it found inside a file: it asks the Source how
// many bytes really exist first, and only then allocates. FileSource reads
// with pread (no mmap, so a file truncated under us is an error, not SIGBUS);
// MemorySource serves the fuzz targets and the tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace factorkit {

class Source {
 public:
  virtual ~Source() = default;
  // Total size in bytes.
  virtual uint64_t size() const = 0;
  // Copies exactly dst.size() bytes from `offset`; throws MalformedFile if the
  // source ends first (e.g. the file shrank while being read).
  virtual void read(uint64_t offset, std::span<std::byte> dst) const = 0;
  // The name used in error messages (a path, or "<memory>").
  virtual const std::string& name() const = 0;

  std::vector<std::byte> read_vector(uint64_t offset, std::size_t n) const;
};

class MemorySource final : public Source {
 public:
  MemorySource(std::span<const std::byte> bytes, std::string name = "<memory>")
      : bytes_(bytes), name_(std::move(name)) {}
  MemorySource(const uint8_t* data, std::size_t n, std::string name = "<memory>")
      : bytes_(reinterpret_cast<const std::byte*>(data), n), name_(std::move(name)) {}
  uint64_t size() const override { return bytes_.size(); }
  void read(uint64_t offset, std::span<std::byte> dst) const override;
  const std::string& name() const override { return name_; }

 private:
  std::span<const std::byte> bytes_;
  std::string name_;
};

class FileSource final : public Source {
 public:
  // Throws InvalidInput if the file cannot be opened or is not a regular file.
  explicit FileSource(const std::string& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  uint64_t size() const override { return size_; }
  void read(uint64_t offset, std::span<std::byte> dst) const override;
  const std::string& name() const override { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

// Reads a whole (small) file; throws InvalidInput if it is larger than `limit`.
std::vector<std::byte> read_file_bytes(const std::string& path, std::size_t limit);
// The same as text (bytes as they are; callers check the encoding).
std::string read_file_text(const std::string& path, std::size_t limit);

}  // namespace factorkit
