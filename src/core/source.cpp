#include "factorkit/core/source.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fmt/format.h>

#include "factorkit/core/error.h"

namespace factorkit {

std::vector<std::byte> Source::read_vector(uint64_t offset, std::size_t n) const {
  if (offset > size() || n > size() - offset)
    throw MalformedFile(name(), fmt::format("bytes {}..{}", offset, offset + n),
                        fmt::format("data inside the file ({} bytes)", size()), "UnexpectedEof");
  std::vector<std::byte> v(n);
  read(offset, v);
  return v;
}

void MemorySource::read(uint64_t offset, std::span<std::byte> dst) const {
  if (offset > bytes_.size() || dst.size() > bytes_.size() - offset)
    throw MalformedFile(name_, fmt::format("bytes {}..{}", offset, offset + dst.size()),
                        fmt::format("data inside the input ({} bytes)", bytes_.size()),
                        "UnexpectedEof");
  if (!dst.empty()) std::memcpy(dst.data(), bytes_.data() + offset, dst.size());
}

FileSource::FileSource(const std::string& path) : path_(path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; we refuse it below.
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0)
    throw InvalidInput(path, "file", fmt::format("a readable file ({})", std::strerror(errno)),
                       "CannotOpen");
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    throw InvalidInput(path, "file", "a regular file", "NotARegularFile");
  }
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
  size_ = uint64_t(st.st_size);
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

void FileSource::read(uint64_t offset, std::span<std::byte> dst) const {
  std::size_t done = 0;
  while (done < dst.size()) {
    ssize_t r = ::pread(fd_, dst.data() + done, dst.size() - done, off_t(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw InvalidInput(path_, fmt::format("bytes at {}", offset + done),
                         fmt::format("a readable file ({})", std::strerror(errno)), "ReadError");
    }
    if (r == 0)
      throw MalformedFile(path_, fmt::format("bytes {}..{}", offset, offset + dst.size()),
                          "data inside the file (it ended early; was it truncated while being read?)",
                          "UnexpectedEof");
    done += std::size_t(r);
  }
}

std::vector<std::byte> read_file_bytes(const std::string& path, std::size_t limit) {
  FileSource src(path);
  if (src.size() > limit)
    throw InvalidInput(path, "file size", fmt::format("at most {} bytes, got {}", limit, src.size()),
                       "FileTooLarge");
  return src.read_vector(0, std::size_t(src.size()));
}

std::string read_file_text(const std::string& path, std::size_t limit) {
  const std::vector<std::byte> bytes = read_file_bytes(path, limit);
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace factorkit
