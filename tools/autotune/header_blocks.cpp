#include "header_blocks.h"

#include <fstream>
#include <sstream>

#include "layer_jit.h"

namespace coda::tools {

namespace {

constexpr size_t kColumns = 100;

bool is_block_line(const std::string &line) {
    return line.rfind("//   ", 0) == 0;
}

// The pass and class a title line names; false for any other line.
bool parse_title(const std::string &line, HeaderBlock &block) {
    if (line.rfind("// ", 0) != 0 || line.size() < 4 || line[3] == ' ') {
        return false;
    }
    const std::string rest = line.substr(3);
    for (jit::Pass pass : {jit::Pass::forward, jit::Pass::backward, jit::Pass::contribution}) {
        const std::string p = jit::pass_name(pass);  // the names the tuner writes
        if (rest.rfind(p, 0) != 0 || rest.size() == p.size()) {
            continue;
        }
        if (rest[p.size()] == ':' || rest.compare(p.size(), 2, " (") == 0) {
            block.pass = p;
            block.layer_class.clear();
            return true;
        }
        if (rest.compare(p.size(), 2, ", ") == 0) {
            const size_t start = p.size() + 2, end = rest.find(' ', start);
            if (end != std::string::npos && rest.compare(end, 8, " layers ") == 0) {
                block.pass = p;
                block.layer_class = rest.substr(start, end - start);
                return true;
            }
        }
    }
    return false;
}

// "{...}" of the block's "best" line ("best {..}" or "best = start {..}").
std::string best_of(const std::string &line) {
    const size_t open = line.find('{'), close = line.find('}');
    return open == std::string::npos || close == std::string::npos
               ? ""
               : line.substr(open, close - open + 1);
}

}  // namespace

std::vector<HeaderBlock> read_blocks(const std::string &header) {
    std::vector<HeaderBlock> blocks;
    std::istringstream in(header);
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
        HeaderBlock title;
        if (parse_title(line, title)) {
            title.text = line + "\n";
            blocks.push_back(title);
            inside = true;
        } else if (inside && is_block_line(line)) {
            HeaderBlock &b = blocks.back();
            b.text += line + "\n";
            if (b.best.empty() && line.rfind("//   best", 0) == 0) {
                b.best = best_of(line);
            }
        } else {
            inside = false;
        }
    }
    return blocks;
}

std::string carried_block(const std::vector<HeaderBlock> &blocks, const std::string &pass,
                          const std::string &layer_class, const std::string &best) {
    for (const HeaderBlock &b : blocks) {
        if (b.pass == pass && b.layer_class == layer_class && b.best == best) {
            return b.text;
        }
    }
    return "";
}

std::string wrapped_comment(const std::string &prefix, const std::string &text) {
    std::string out, line = prefix;
    std::istringstream words(text);
    for (std::string w; words >> w;) {
        if (line.size() + 1 + w.size() > kColumns && line.size() > prefix.size()) {
            out += line + "\n";
            line = "//    ";
        }
        line += " " + w;
    }
    return out + line + "\n";
}

std::string read_text(const std::string &path) {
    std::ifstream f(path);
    std::ostringstream text;
    text << f.rdbuf();
    return f ? text.str() : "";
}

}  // namespace coda::tools
