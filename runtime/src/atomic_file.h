// Writes a file so that readers only ever see the old or the complete new
// contents: data goes to "<path>.tmp.<pid>", is synced, then renamed over path.
// Internal to the runtime (checkpoints and PNG output share it).
#pragma once

#include <cstdio>
#include <string>

namespace coda {

class AtomicFile {
public:
    // Creates the temporary file; throws Error if that is impossible (e.g. a
    // missing directory), before anything at path is touched.
    explicit AtomicFile(std::string path);
    ~AtomicFile();  // without commit(): removes the temporary file
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    FILE *stream() {
        return file_;
    }
    const std::string &path() const {
        return path_;
    }
    // Flushes, fsyncs and renames the temporary file over path; throws Error
    // (and leaves path as it was) on any failure.
    void commit();

private:
    std::string path_, temp_path_;
    FILE *file_ = nullptr;
    bool committed_ = false;
};

// Writes all of [data, data + size) to the stream or throws Error naming path.
void write_all(AtomicFile &out, const void *data, size_t size);

}  // namespace coda
