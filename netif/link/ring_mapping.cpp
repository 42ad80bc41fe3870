#include "netif/link/ring_mapping.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <utility>

namespace caplnet::netif {

namespace {

LinkError io_error(const std::string& what) {
    return LinkError{LinkError::Kind::Io, what + ": " + std::strerror(errno)};
}

}  // namespace

Expected<RingMapping, LinkError> RingMapping::create(std::size_t capacity, const std::string& name) {
    if (!ring_capacity_valid(capacity)) {
        return unexpected(LinkError{LinkError::Kind::BadUrl, "invalid ring capacity"});
    }
    const int fd = ::memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) {
        return unexpected(io_error("memfd_create"));
    }
    const std::size_t len = map_len(capacity);
    if (::ftruncate(fd, static_cast<off_t>(len)) != 0 ||
        ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
        auto err = io_error("sizing and sealing the ring memfd");
        ::close(fd);
        return unexpected(err);
    }
    void* base = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        auto err = io_error("mmap of the ring memfd");
        ::close(fd);
        return unexpected(err);
    }
    RingMapping m(fd, base, capacity);
    new (m.header(RingDirection::ToClient)) RingHeader;
    new (m.header(RingDirection::ToSwitch)) RingHeader;
    return m;
}

Expected<RingMapping, LinkError> RingMapping::attach(int fd, std::size_t capacity) {
    if (!ring_capacity_valid(capacity)) {
        ::close(fd);
        return unexpected(LinkError{LinkError::Kind::Io, "the switch offered an invalid ring size"});
    }
    const std::size_t len = map_len(capacity);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_size < 0 || static_cast<std::size_t>(st.st_size) < len) {
        ::close(fd);
        return unexpected(LinkError{LinkError::Kind::Io, "the switch's ring memory is too small"});
    }
    void* base = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        auto err = io_error("mmap of the ring memfd");
        ::close(fd);
        return unexpected(err);
    }
    return RingMapping(fd, base, capacity);
}

RingMapping::RingMapping(RingMapping&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      base_(std::exchange(o.base_, nullptr)),
      capacity_(std::exchange(o.capacity_, 0)) {}

RingMapping& RingMapping::operator=(RingMapping&& o) noexcept {
    if (this != &o) {
        reset();
        fd_ = std::exchange(o.fd_, -1);
        base_ = std::exchange(o.base_, nullptr);
        capacity_ = std::exchange(o.capacity_, 0);
    }
    return *this;
}

RingMapping::~RingMapping() { reset(); }

void RingMapping::reset() {
    if (base_ != nullptr) {
        ::munmap(base_, map_len(capacity_));
        base_ = nullptr;
    }
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

RingHeader* RingMapping::header(RingDirection d) const {
    auto* p = static_cast<std::uint8_t*>(base_) + (d == RingDirection::ToClient ? 0 : kRingHeaderLen);
    return reinterpret_cast<RingHeader*>(p);
}

std::uint8_t* RingMapping::data(RingDirection d) const {
    return static_cast<std::uint8_t*>(base_) + 4096 + (d == RingDirection::ToClient ? 0 : capacity_);
}

}  // namespace caplnet::netif
