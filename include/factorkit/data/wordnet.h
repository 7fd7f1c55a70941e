// factorkit/data/wordnet.h — a reader of WordNet 3.0's data files (Debian's
// wordnet-base, /usr/share/wordnet/data.{noun,verb,adj,adv}; format wndb(5WN)).
//
// A data line is
//   offset lex_filenum ss_type w_cnt (word lex_id)… p_cnt (symbol offset pos st)…
//   [f_cnt (+ f_num w_num)…] | gloss
// with offset an 8-digit byte offset that equals the line's position in its
// file, lex_filenum 2 decimal digits (00–44, the lexicographer file), ss_type
// one of n v a s r, w_cnt 2 hex digits, lex_id 1 hex digit, p_cnt 3 decimal
// digits, st 4 hex digits, frames only in verbs. Lines that begin with two
// spaces are the licence. The reader checks every field and throws
// MalformedFile naming the file, the line and the field. No LibTorch.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace factorkit::data {

struct WordNetPointer {
  std::string symbol;     // "@", "~", "#m", "+", …
  std::uint32_t offset;   // the target synset's offset
  char pos;               // n v a s r
  std::uint8_t source, target;  // word numbers (0: the whole synset)
};

struct Synset {
  std::uint32_t offset = 0;
  int lex_filenum = 0;   // 0–44: lexicographer_file(lex_filenum) names it
  char ss_type = 'n';    // n v a s (adjective satellite) r
  std::vector<std::string> lemmas;  // as in the file: underscores for spaces, adjective markers removed
  std::vector<int> lex_ids;
  std::vector<WordNetPointer> pointers;
  std::vector<std::pair<int, int>> frames;  // verbs: (frame number, word number; 0 = all words)
  std::string gloss;                // the text after "| "
  std::string definition;           // the gloss before its first quoted example
  std::vector<std::string> examples;  // the quoted example sentences, without the quotes
};

// The 45 lexicographer files of WordNet 3.0 (lexnames(5WN)): "adj.all",
// "adj.pert", "adv.all", "noun.Tops", …, "verb.weather", "adj.ppl".
const std::array<const char*, 45>& lexicographer_files();
// Throws InvalidInput for a number outside 0–44.
std::string lexicographer_file(int lex_filenum);

// One data line (without its newline) found at byte `offset` of `file`, line
// `line_no` (1-based), for the error messages.
Synset parse_data_line(std::string_view line, std::uint64_t offset, const std::string& file, std::size_t line_no);

// Every synset of one data file, in file order (the licence lines skipped).
std::vector<Synset> read_data_text(std::string_view text, const std::string& file);
std::vector<Synset> read_data_file(const std::string& path);

struct WordNet {
  std::vector<Synset> nouns, verbs, adjectives, adverbs;  // adjectives include satellites (s)
};
// data.noun, data.verb, data.adj and data.adv of `dir`.
WordNet read_wordnet(const std::string& dir = "/usr/share/wordnet");

}  // namespace factorkit::data
