// libFuzzer target: the CSV reader, in float64 and int64 modes. A successful
// float64 parse must survive encode + parse bit-exactly (NaN payloads aside).
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace factorkit;
  MemorySource src(data, size, "fuzz.csv");
  CsvOptions o;
  o.allow_nonfinite = true;
  o.dtype = (size > 0 && data[0] & 1) ? DType::I64 : DType::F64;
  CsvTable t;
  try {
    t = read_csv(src, o);
  } catch (const Error&) {
    return 0;
  }
  if (t.values.numel() == 0) return 0;
  for (int64_t i = 0; i < t.values.numel(); ++i)
    if (std::isnan(t.values.element_as_double(std::size_t(i)))) return 0;
  std::string text = encode_csv(t.values);
  MemorySource again(reinterpret_cast<const uint8_t*>(text.data()), text.size(), "again");
  o.header = false;
  if (!(read_csv(again, o).values == t.values)) std::abort();
  return 0;
}
