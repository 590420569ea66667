#include "coda/checkpoint.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "atomic_file.h"
#include "coda/coda_layer.h"

// safetensors data is little-endian; the tensors are copied byte for byte.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "checkpoint I/O assumes little-endian");

namespace coda {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char *kMetadataKey = "__metadata__";
constexpr uint64_t kMaxHeader = 100'000'000;  // the limit of the reference implementation

std::string in_quotes(const std::string &name) {
    return "'" + name + "'";
}

// One tensor entry of the header, as read.
struct Entry {
    std::string name;
    Shape shape;
    uint64_t begin = 0, end = 0;
};

class Reader {
public:
    explicit Reader(std::string path) : path_(std::move(path)) {
    }

    [[noreturn]] void fail(const std::string &what) const {
        throw Error(path_ + ": " + what);
    }

    Checkpoint read() {
        std::vector<char> bytes = read_file();
        if (bytes.size() < 8) {
            fail("not a safetensors file (" + std::to_string(bytes.size()) +
                 " bytes, too short for the 8-byte header length)");
        }
        uint64_t n;
        std::memcpy(&n, bytes.data(), 8);
        const uint64_t rest = bytes.size() - 8;
        if (n > rest || n > kMaxHeader) {
            fail("not a safetensors file (header length " + std::to_string(n) +
                 (n > rest ? " exceeds the " + std::to_string(rest) + " bytes after it"
                           : " is over the 100 MB limit") +
                 ")");
        }
        const char *header = bytes.data() + 8;
        if (n < 2 || header[0] != '{') {
            fail("not a safetensors file (the header is not a JSON object)");
        }
        Json json = parse(header, n);
        const char *data = header + n;
        const uint64_t data_size = rest - n;

        Checkpoint ck;
        std::vector<Entry> entries;
        for (const auto &[key, value] : json.items()) {
            if (key == kMetadataKey) {
                ck.metadata = metadata(value);
            } else {
                entries.push_back(entry(key, value, data_size));
            }
        }
        check_layout(entries, data_size);
        for (const Entry &e : entries) {
            Floats values((e.end - e.begin) / sizeof(float));
            if (!values.empty()) {  // memcpy wants valid pointers even for 0 bytes
                std::memcpy(values.data(), data + e.begin, e.end - e.begin);
            }
            ck.tensors.emplace(e.name, Tensor(e.shape, std::move(values)));
        }
        return ck;
    }

private:
    std::vector<char> read_file() const {
        std::error_code ec;
        if (std::filesystem::is_directory(path_, ec)) {
            fail("is a directory, not a checkpoint file");
        }
        std::ifstream in(path_, std::ios::binary | std::ios::ate);
        if (!in) {
            fail(std::string("cannot open: ") + std::strerror(errno));
        }
        std::vector<char> bytes(static_cast<size_t>(in.tellg()));
        in.seekg(0);
        if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) {
            fail("read failed");
        }
        return bytes;
    }

    // Duplicate top-level keys are rejected (nlohmann would keep the last one).
    Json parse(const char *header, uint64_t n) const {
        std::set<std::string> keys;
        std::string duplicate;
        auto note_keys = [&](int depth, Json::parse_event_t event, Json &parsed) {
            if (event == Json::parse_event_t::key && depth == 1 &&
                !keys.insert(parsed.get<std::string>()).second) {
                duplicate = parsed.get<std::string>();
            }
            return true;
        };
        Json json;
        try {
            json = Json::parse(header, header + n, note_keys);
        } catch (const Json::exception &e) {
            fail(std::string("invalid JSON header: ") + e.what());
        }
        if (!json.is_object()) {
            fail("not a safetensors file (the header is not a JSON object)");
        }
        if (!duplicate.empty()) {
            fail("header names " + in_quotes(duplicate) + " twice");
        }
        return json;
    }

    std::map<std::string, std::string> metadata(const Json &value) const {
        if (!value.is_object()) {
            fail("__metadata__ is not a JSON object");
        }
        std::map<std::string, std::string> out;
        for (const auto &[key, v] : value.items()) {
            if (!v.is_string()) {
                fail("__metadata__ value of " + in_quotes(key) + " is not a string");
            }
            out[key] = v.get<std::string>();
        }
        return out;
    }

    Entry entry(const std::string &name, const Json &value, uint64_t data_size) const {
        const std::string t = "tensor " + in_quotes(name);
        if (!value.is_object()) {
            fail(t + ": entry is not a JSON object");
        }
        for (const auto &[key, v] : value.items()) {
            if (key != "dtype" && key != "shape" && key != "data_offsets") {
                fail(t + ": unknown field " + in_quotes(key));
            }
        }
        if (!value.contains("dtype") || !value["dtype"].is_string()) {
            fail(t + ": missing dtype");
        }
        const std::string dtype = value["dtype"].get<std::string>();
        if (dtype != "F32") {
            fail(t + " has dtype " + dtype + "; only F32 is supported");
        }
        if (!value.contains("shape") || !value["shape"].is_array()) {
            fail(t + ": missing shape");
        }
        Entry e{name, {}, 0, 0};
        const std::string shape_text = value["shape"].dump();
        bool empty = false, overflow = false;
        uint64_t count = 1;
        for (const Json &d : value["shape"]) {
            if (!d.is_number_unsigned() || d.get<uint64_t>() > INT64_MAX) {
                fail(t + ": shape " + shape_text + " is not a list of sizes");
            }
            const uint64_t extent = d.get<uint64_t>();
            empty |= extent == 0;
            overflow |= __builtin_mul_overflow(count, extent, &count);
            e.shape.push_back(static_cast<int64_t>(extent));
        }
        if (empty) {
            count = 0;
        } else if (overflow || count > data_size / sizeof(float)) {
            fail(t + ": shape " + shape_text + " needs more than the " + std::to_string(data_size) +
                 " data bytes");
        }
        const Json &offsets = value.contains("data_offsets") ? value["data_offsets"] : Json();
        if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
            !offsets[1].is_number_unsigned()) {
            fail(t + ": data_offsets must be [begin, end]");
        }
        e.begin = offsets[0].get<uint64_t>();
        e.end = offsets[1].get<uint64_t>();
        if (e.begin > e.end || e.end > data_size) {
            fail(t + ": data_offsets " + offsets.dump() + " outside the " +
                 std::to_string(data_size) + " data bytes");
        }
        if (e.end - e.begin != count * sizeof(float)) {
            fail(t + ": data_offsets " + offsets.dump() + " span " +
                 std::to_string(e.end - e.begin) + " bytes but shape " + shape_text + " needs " +
                 std::to_string(count * sizeof(float)));
        }
        return e;
    }

    // The tensors must tile the data exactly: no overlap, no gap, nothing after.
    void check_layout(std::vector<Entry> entries, uint64_t data_size) const {
        std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
            return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
        });
        uint64_t at = 0;
        const Entry *previous = nullptr;
        for (const Entry &e : entries) {
            if (e.begin < at) {
                fail("tensors " + in_quotes(previous->name) + " and " + in_quotes(e.name) +
                     " overlap");
            }
            if (e.begin > at) {
                fail(std::to_string(e.begin - at) + " unused data bytes before tensor " +
                     in_quotes(e.name));
            }
            at = e.end;
            previous = &e;
        }
        if (at != data_size) {
            fail(std::to_string(data_size - at) + " bytes of trailing data after the tensors");
        }
    }

    std::string path_;
};

}  // namespace

void save_checkpoint(const std::string &path, const std::map<std::string, Tensor> &tensors,
                     const std::map<std::string, std::string> &metadata) {
    Json header = Json::object();
    if (!metadata.empty()) {
        header[kMetadataKey] = metadata;
    }
    uint64_t offset = 0;
    for (const auto &[name, t] : tensors) {
        if (name.empty() || name == kMetadataKey) {
            throw Error("cannot save " + path + ": invalid tensor name " + in_quotes(name));
        }
        if (element_count(t.shape()) != t.size()) {
            throw Error("cannot save " + path + ": tensor " + in_quotes(name) + " of shape " +
                        to_string(t.shape()) + " holds " + std::to_string(t.size()) + " values");
        }
        const uint64_t bytes = static_cast<uint64_t>(t.size()) * sizeof(float);
        header[name] = {
            {"dtype", "F32"}, {"shape", t.shape()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text;
    try {
        text = header.dump();
    } catch (const Json::exception &e) {  // the only failure: strings that are not UTF-8
        throw Error("cannot save " + path + ": a tensor name or metadata string is not UTF-8 (" +
                    e.what() + ")");
    }
    // Padding aligns the data to 8 bytes, as the reference writer does.
    text.append((8 - text.size() % 8) % 8, ' ');

    AtomicFile out(path);
    const uint64_t n = text.size();
    write_all(out, &n, sizeof n);
    write_all(out, text.data(), text.size());
    for (const auto &entry : tensors) {
        write_all(out, entry.second.data(), entry.second.size() * sizeof(float));
    }
    out.commit();
}

Checkpoint load_checkpoint(const std::string &path) {
    return Reader(path).read();
}

}  // namespace coda
