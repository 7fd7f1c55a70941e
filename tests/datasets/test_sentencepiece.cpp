// The SentencePiece model reader and unigram encoder on hand-built models:
// known segmentations, normalization, byte fallback, and malformed files
// refused naming the field. (Parity with spm_encode on a trained model:
// tests/nn/test_models.cpp.)
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "datasets/spm_builder.h"
#include "factorkit/core/error.h"
#include "factorkit/data/sentencepiece.h"

namespace fd = factorkit::data;
namespace ft = factorkit::testing;

namespace {
const std::string kSp = "\xE2\x96\x81";
fd::SentencePieceModel parse(const ft::SpmModelSpec& m) { return fd::SentencePieceModel::parse(ft::spm_model(m), "m.model"); }
std::string message(const ft::SpmModelSpec& m) {
  try {
    parse(m);
  } catch (const factorkit::MalformedFile& e) {
    return e.what();
  }
  return "nothing thrown";
}
}  // namespace

TEST(SentencePiece, ViterbiPicksTheBestScoringSegmentation) {
  const fd::SentencePieceModel m = parse(ft::small_spm_model());
  EXPECT_EQ(m.size(), 10);
  EXPECT_EQ(m.unk_id(), 1);
  // "ab" normalizes to "▁ab": ▁ab (−6.5) beats ▁a + b (−7) and ▁ + ab (−7)
  EXPECT_EQ(m.encode("ab"), (std::vector<int>{8}));
  // "aab" → "▁aab": ▁a + ab = −8 beats ▁ab... no such split; ▁a + a + b = −11
  EXPECT_EQ(m.encode("aab"), (std::vector<int>{5, 7}));
  // user-defined symbols always win: "[CLS]" is one token even though its letters are unknown
  EXPECT_EQ(m.encode("[CLS]ab"), (std::vector<int>{4, 2, 7}));
  // unknown characters: one unknown id per run (no byte fallback in this model)
  EXPECT_EQ(m.encode("a\xC3\xA9\xC3\xA9"), (std::vector<int>{5, 1}));
  EXPECT_EQ(m.decode({5, 1}), "a \xE2\x81\x87 ");
  EXPECT_EQ(m.decode(m.encode("ab a")), "ab a");
  EXPECT_EQ(m.encode(""), std::vector<int>{});
  EXPECT_THROW(m.decode({10}), factorkit::InvalidInput);
  EXPECT_EQ(m.decode({0, 5}), "a");  // control pieces are invisible
}

TEST(SentencePiece, NormalizationFollowsTheModelsFlags) {
  ft::SpmModelSpec spec = ft::small_spm_model();
  fd::SentencePieceModel keep = parse(spec);
  EXPECT_EQ(keep.normalize(" a  b "), kSp + kSp + "a" + kSp + kSp + "b" + kSp);
  EXPECT_EQ(keep.normalize("a\xFF"), kSp + "a\xEF\xBF\xBD");  // malformed UTF-8 → U+FFFD
  spec.remove_extra_whitespaces = true;
  fd::SentencePieceModel squeeze = parse(spec);
  EXPECT_EQ(squeeze.normalize("  a   b  "), kSp + "a" + kSp + "b");
  EXPECT_EQ(squeeze.normalize("   "), "");
  spec.add_dummy_prefix = false;
  EXPECT_EQ(parse(spec).normalize("a b"), "a" + kSp + "b");
}

TEST(SentencePiece, ByteFallbackSpellsUnknownCharactersAsBytes) {
  ft::SpmModelSpec spec = ft::small_spm_model();
  spec.byte_fallback = true;
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    spec.pieces.push_back({name, 0, 6});
  }
  const fd::SentencePieceModel m = parse(spec);
  const std::vector<int> ids = m.encode("a\xC3\xA9");
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[0], 5);
  EXPECT_EQ(m.piece(ids[1]).text, "<0xC3>");
  EXPECT_EQ(m.piece(ids[2]).text, "<0xA9>");
  EXPECT_EQ(m.decode(ids), "a\xC3\xA9");
  EXPECT_EQ(m.decode({m.id_of("<0xFF>")}), "\xEF\xBF\xBD");  // an invalid byte decodes to U+FFFD
}

TEST(SentencePiece, MalformedModelsAreRefusedNamingTheField) {
  auto has = [](const std::string& m, const std::string& s) { return m.find(s) != std::string::npos; };
  ft::SpmModelSpec s = ft::small_spm_model();
  s.model_type = 2;
  EXPECT_TRUE(has(message(s), "model_type")) << message(s);
  s = ft::small_spm_model();
  s.charsmap = "xyz";
  EXPECT_TRUE(has(message(s), "identity")) << message(s);
  s = ft::small_spm_model();
  s.pieces.push_back({"b", 0, 1});
  EXPECT_TRUE(has(message(s), "pieces[10]")) << message(s);
  s = ft::small_spm_model();
  s.pieces[1].type = 1;
  EXPECT_TRUE(has(message(s), "unknown piece")) << message(s);
  s = ft::small_spm_model();
  s.pieces[5].score = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(has(message(s), "pieces[5].score")) << message(s);
  s = ft::small_spm_model();
  s.pieces[6].text.clear();
  EXPECT_TRUE(has(message(s), "pieces[6].piece")) << message(s);
  s = ft::small_spm_model();
  s.pieces.push_back({"<0x41>", 0, 6});  // a byte piece without byte_fallback
  EXPECT_TRUE(has(message(s), "byte_fallback")) << message(s);
  s = ft::small_spm_model();
  s.byte_fallback = true;
  s.pieces.push_back({"<0x41>", 0, 6});  // byte fallback with one byte piece of 256
  EXPECT_TRUE(has(message(s), "256 byte pieces")) << message(s);
  s = ft::small_spm_model();
  s.pieces[6].type = 9;
  EXPECT_TRUE(has(message(s), "pieces[6].type")) << message(s);
  const std::string good = ft::spm_model(ft::small_spm_model());
  for (std::size_t cut : {std::size_t(1), std::size_t(5), good.size() / 2, good.size() - 1}) {
    EXPECT_THROW(fd::SentencePieceModel::parse(good.substr(0, cut), "cut.model"), factorkit::MalformedFile) << cut;
  }
  EXPECT_THROW(fd::SentencePieceModel::parse("\x0b", "group.model"), factorkit::MalformedFile);  // wire type 3
  EXPECT_THROW(fd::SentencePieceModel::parse(std::string(11, '\xff'), "varint.model"), factorkit::MalformedFile);
  EXPECT_THROW(fd::SentencePieceModel::parse("", "empty.model"), factorkit::MalformedFile);
  EXPECT_THROW(fd::SentencePieceModel::read("/nonexistent.model"), factorkit::InvalidInput);
}
