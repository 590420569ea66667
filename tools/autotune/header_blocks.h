// The per-search comment blocks of a generated tuning header. A rerun of the
// tuner replaces the blocks of the searches it ran and carries the others
// over, so each tuning in the header keeps the run that found it, however
// many runs made the header.
#pragma once

#include <string>
#include <vector>

namespace coda::tools {

// One search's block: a title line "// <pass>[, <class> layers] (...):"
// followed by lines indented by at least three spaces ("//   ...").
struct HeaderBlock {
    std::string pass;         // "forward", "backward" or "contribution"
    std::string layer_class;  // "" where one tuning covers every layer (GPU)
    std::string best;         // the knobs of its "best" line, e.g. "{8, 8, 2, 8}"
    std::string text;         // its lines, each ending in '\n'
};

// The blocks of a header, in order; other lines (what the header holds, the
// code) belong to none.
std::vector<HeaderBlock> read_blocks(const std::string &header);

// The block of `pass` and `layer_class` among `blocks` if its best knobs are
// `best` (the tuning about to be written), else "": a block of other knobs
// would credit the tuning to a run that did not find it.
std::string carried_block(const std::vector<HeaderBlock> &blocks, const std::string &pass,
                          const std::string &layer_class, const std::string &best);

// `prefix` and the words of `text` as comment lines within 100 columns (the
// style check's limit); continuation lines are indented as a block's lines.
std::string wrapped_comment(const std::string &prefix, const std::string &text);

// A file's text; "" if it cannot be read (a family's first tuning).
std::string read_text(const std::string &path);

}  // namespace coda::tools
