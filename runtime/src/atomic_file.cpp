#include "atomic_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "coda/coda_layer.h"

namespace coda {

namespace {

std::string errno_text() {
    return std::strerror(errno);
}

// The rename is only durable once the directory entry is synced; a failure
// here is not worth failing the save for (the data itself is safe).
void sync_parent_directory(const std::string &path) {
    size_t slash = path.find_last_of('/');
    std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

AtomicFile::AtomicFile(std::string path)
    : path_(std::move(path)), temp_path_(path_ + ".tmp." + std::to_string(::getpid())) {
    file_ = std::fopen(temp_path_.c_str(), "wb");
    if (!file_) {
        throw Error("cannot write " + path_ + ": creating " + temp_path_ +
                    " failed: " + errno_text());
    }
}

AtomicFile::~AtomicFile() {
    if (file_) {
        std::fclose(file_);
    }
    if (!committed_) {
        std::remove(temp_path_.c_str());
    }
}

void AtomicFile::commit() {
    if (std::fflush(file_) != 0 || ::fsync(fileno(file_)) != 0) {
        throw Error("cannot write " + path_ + ": flushing " + temp_path_ +
                    " failed: " + errno_text());
    }
    int closed = std::fclose(file_);
    file_ = nullptr;
    if (closed != 0) {
        throw Error("cannot write " + path_ + ": closing " + temp_path_ +
                    " failed: " + errno_text());
    }
    if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
        throw Error("cannot write " + path_ + ": renaming " + temp_path_ +
                    " failed: " + errno_text());
    }
    committed_ = true;
    sync_parent_directory(path_);
}

void write_all(AtomicFile &out, const void *data, size_t size) {
    if (size > 0 && std::fwrite(data, 1, size, out.stream()) != size) {
        throw Error("cannot write " + out.path() + ": " + errno_text());
    }
}

}  // namespace coda
