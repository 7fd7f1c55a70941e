// IDX (the MNIST format): magic 0 0 TYPE NDIMS, NDIMS big-endian 32-bit sizes,
// then big-endian data in C order. There is no length field, so the product of
// the sizes times the element size must equal the rest of the file exactly.
// gzip input is inflated incrementally, never past the size the header declares.
#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <zlib.h>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "byteorder.h"

namespace factorkit {

namespace {

std::optional<DType> idx_type(unsigned char code) {
  switch (code) {
    case 0x08: return DType::U8;
    case 0x09: return DType::I8;
    case 0x0B: return DType::I16;
    case 0x0C: return DType::I32;
    case 0x0D: return DType::F32;
    case 0x0E: return DType::F64;
    default: return std::nullopt;
  }
}

struct IdxHeader {
  DType dtype;
  std::vector<int64_t> shape;
  std::size_t header_bytes;
  std::size_t data_bytes;
};

// Parses the header from its first bytes (`avail` of them); returns false if
// more bytes are needed.
bool parse_header(const std::string& name, const unsigned char* p, std::size_t avail, std::size_t max_bytes,
                  IdxHeader& h) {
  if (avail < 4) return false;
  if (p[0] != 0 || p[1] != 0)
    throw MalformedFile(name, "magic", "two zero bytes, then the type code and the number of dimensions",
                        "BadMagic");
  auto t = idx_type(p[2]);
  if (!t)
    throw MalformedFile(name, "magic.type",
                        fmt::format("a type code 0x08 (u8), 0x09 (i8), 0x0B (i16), 0x0C (i32), 0x0D (f32) "
                                    "or 0x0E (f64), got 0x{:02X}", p[2]),
                        "BadType");
  const std::size_t nd = p[3];
  if (nd == 0) throw MalformedFile(name, "magic.ndims", "at least one dimension", "BadDims");
  h.header_bytes = 4 + 4 * nd;
  if (avail < h.header_bytes) return false;
  h.dtype = *t;
  h.shape.clear();
  for (std::size_t k = 0; k < nd; ++k) {
    const unsigned char* q = p + 4 + 4 * k;
    uint32_t d = uint32_t(q[0]) << 24 | uint32_t(q[1]) << 16 | uint32_t(q[2]) << 8 | q[3];
    if (d > uint32_t(INT32_MAX))
      throw MalformedFile(name, fmt::format("dimension {}", k), "a size below 2^31 (IDX sizes are int32)",
                          "BadDims");
    h.shape.push_back(int64_t(d));
  }
  const auto size = nbytes_of(h.shape, h.dtype, max_bytes);
  if (!size)
    throw MalformedFile(name, "dimensions",
                        fmt::format("a data size of at most {} bytes (product of the sizes overflows or is too large)",
                                    max_bytes),
                        "ValidationOverflow");
  h.data_bytes = *size;
  return true;
}

// The data length must equal the declared size exactly (there is no length field).
void check_data_length(const std::string& name, const IdxHeader& h, uint64_t avail) {
  if (avail != h.data_bytes)
    throw MalformedFile(name, "data",
                        fmt::format("{} bytes = product of the sizes [{}] x {} bytes, the file has {}",
                                    h.data_bytes, fmt::join(h.shape, ", "), dtype_size(h.dtype), avail),
                        avail < h.data_bytes ? "DataTooShort" : "TrailingBytes");
}

// Takes the big-endian data (already checked to be data_bytes long) without copying it.
RawTensor make_tensor(const IdxHeader& h, std::vector<std::byte> data) {
  RawTensor t;
  t.dtype = h.dtype;
  t.shape = h.shape;
  t.data = std::move(data);
  detail::byteswap_elements(t.data, dtype_size(t.dtype));
  return t;
}

RawTensor read_gzip_idx(const Source& src, std::size_t max_bytes) {
  const std::string& name = src.name();
  // The compressed bytes are bounded by the real file size.
  std::vector<std::byte> in = src.read_vector(0, std::size_t(src.size()));
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
    throw MalformedFile(name, "gzip", "a gzip stream zlib can open", "BadGzip");
  struct Guard { z_stream* z; ~Guard() { inflateEnd(z); } } guard{&z};
  z.next_in = reinterpret_cast<Bytef*>(in.data());
  z.avail_in = uInt(std::min<std::size_t>(in.size(), UINT32_MAX));
  std::size_t in_left = in.size() - z.avail_in;

  std::vector<std::byte> out;
  IdxHeader h{};
  bool have_header = false;
  std::size_t target = 64;  // inflate the header first
  bool ended = false;
  while (!ended) {
    if (out.size() >= target) {
      if (!have_header) {
        have_header = parse_header(name, reinterpret_cast<const unsigned char*>(out.data()), out.size(), max_bytes, h);
        if (have_header) target = h.header_bytes + h.data_bytes + 1;  // +1 detects trailing bytes
        else target = out.size() + 64;
        continue;
      }
      break;  // more than header + data: trailing bytes
    }
    // grow geometrically with what has really been inflated, never by the declared size
    std::size_t chunk = std::min<std::size_t>(target - out.size(), std::max<std::size_t>(out.size(), 1 << 16));
    std::size_t old = out.size();
    out.resize(old + chunk);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + old);
    z.avail_out = uInt(chunk);
    int rc = inflate(&z, Z_NO_FLUSH);
    out.resize(old + chunk - z.avail_out);
    if (z.avail_in == 0 && in_left > 0) {
      std::size_t more = std::min<std::size_t>(in_left, UINT32_MAX);
      z.avail_in = uInt(more);
      in_left -= more;
    }
    if (rc == Z_STREAM_END) { ended = true; break; }
    if (rc == Z_BUF_ERROR && z.avail_in == 0 && in_left == 0)
      throw MalformedFile(name, "gzip", "a complete gzip stream (it is truncated)", "BadGzip");
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      throw MalformedFile(name, "gzip", fmt::format("a valid gzip stream ({})", z.msg ? z.msg : "inflate error"),
                          "BadGzip");
  }
  if (!have_header) {
    have_header = parse_header(name, reinterpret_cast<const unsigned char*>(out.data()), out.size(), max_bytes, h);
    if (!have_header)
      throw MalformedFile(name, "header", "a complete IDX header", "DataTooShort");
  }
  check_data_length(name, h, out.size() - h.header_bytes);
  out.erase(out.begin(), out.begin() + std::ptrdiff_t(h.header_bytes));  // in place, no new buffer
  return make_tensor(h, std::move(out));
}

}  // namespace

RawTensor read_idx(const Source& src, std::size_t max_bytes) {
  const uint64_t len = src.size();
  unsigned char pre[2] = {};
  if (len >= 2) src.read(0, std::span<std::byte>(reinterpret_cast<std::byte*>(pre), 2));
  if (len >= 2 && pre[0] == 0x1f && pre[1] == 0x8b) return read_gzip_idx(src, max_bytes);
  if (len < 4)
    throw MalformedFile(src.name(), "magic", fmt::format("a 4-byte magic number, the file has {} bytes", len),
                        "FileTooSmall");
  std::vector<std::byte> head = src.read_vector(0, std::size_t(std::min<uint64_t>(len, 4 + 4 * 255)));
  IdxHeader h{};
  if (!parse_header(src.name(), reinterpret_cast<const unsigned char*>(head.data()), head.size(), max_bytes, h))
    throw MalformedFile(src.name(), "header", "a complete IDX header", "DataTooShort");
  check_data_length(src.name(), h, len - h.header_bytes);
  return make_tensor(h, src.read_vector(h.header_bytes, h.data_bytes));
}

RawTensor read_idx_file(const std::string& path, std::size_t max_bytes) {
  FileSource src(path);
  return read_idx(src, max_bytes);
}

std::vector<std::byte> encode_idx(const RawTensor& t, const std::string& where) {
  unsigned char code;
  switch (t.dtype) {
    case DType::U8: code = 0x08; break;
    case DType::I8: code = 0x09; break;
    case DType::I16: code = 0x0B; break;
    case DType::I32: code = 0x0C; break;
    case DType::F32: code = 0x0D; break;
    case DType::F64: code = 0x0E; break;
    default:
      throw InvalidInput(where, "dtype",
                         fmt::format("a dtype IDX has (uint8, int8, int16, int32, float32, float64), got {}",
                                     dtype_long_name(t.dtype)),
                         "UnsupportedDType");
  }
  if (t.shape.empty() || t.shape.size() > 255)
    throw InvalidInput(where, "shape", "between 1 and 255 dimensions", "BadDims");
  for (int64_t d : t.shape)
    if (d < 0 || d > INT32_MAX) throw InvalidInput(where, "shape", "sizes below 2^31", "BadDims");
  check_consistent(t, where);
  std::vector<std::byte> out(4 + 4 * t.shape.size() + t.data.size());
  out[2] = std::byte(code);
  out[3] = std::byte(t.shape.size());
  for (std::size_t k = 0; k < t.shape.size(); ++k)
    for (int b = 0; b < 4; ++b) out[4 + 4 * k + b] = std::byte((uint32_t(t.shape[k]) >> (24 - 8 * b)) & 0xff);
  std::byte* d = out.data() + 4 + 4 * t.shape.size();
  if (!t.data.empty()) std::memcpy(d, t.data.data(), t.data.size());
  detail::byteswap_elements(std::span<std::byte>(d, t.data.size()), dtype_size(t.dtype));
  return out;
}

void write_idx(const std::string& path, const RawTensor& t) {
  std::vector<std::byte> raw = encode_idx(t, path);
  if (path.size() >= 3 && path.compare(path.size() - 3, 3, ".gz") == 0) {
    z_stream z{};
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw InvalidInput(path, "gzip", "zlib to initialize", "GzipError");
    std::vector<std::byte> gz(deflateBound(&z, uLong(raw.size())) + 64);
    z.next_in = reinterpret_cast<Bytef*>(raw.data());
    z.avail_in = uInt(raw.size());
    z.next_out = reinterpret_cast<Bytef*>(gz.data());
    z.avail_out = uInt(gz.size());
    int rc = deflate(&z, Z_FINISH);
    gz.resize(gz.size() - z.avail_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) throw InvalidInput(path, "gzip", "zlib to compress the data", "GzipError");
    write_file_atomic(path, gz);
    return;
  }
  write_file_atomic(path, raw);
}

}  // namespace factorkit
