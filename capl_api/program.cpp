#include "caplnet/capl/program.hpp"

#include <cstdio>
#include <cstring>

#include "capl_api/runtime.hpp"

namespace caplnet::capl {

Program::Program() : handlers_(std::make_unique<Handlers>()) {}
Program::~Program() = default;

void Program::on_start(std::function<void()> h) { handlers_->start.push_back(std::move(h)); }
void Program::on_stop(std::function<void()> h) { handlers_->stop.push_back(std::move(h)); }
void Program::on_key(char key, std::function<void()> h) { handlers_->keys[key].push_back(std::move(h)); }
void Program::on_any_key(std::function<void(char)> h) { handlers_->any_key.push_back(std::move(h)); }

namespace {
dword ipv4_dword(const stack::IpAddress& a) {
    dword d = 0;
    std::memcpy(&d, a.octets.data(), 4);  // CAPL's numeric form is the bytes as they lie (SPEC §1)
    return d;
}

IP_Endpoint endpoint_of(const stack::Endpoint& e) {
    IP_Address a = e.address.is_v6()
                       ? IP_Address(wire::Ipv6Address{e.address.octets}, e.address.scope_id)
                       : IP_Address(ipv4_dword(e.address));
    return IP_Endpoint(a, e.port, TransportProtocol::Udp);
}
}  // namespace

void Program::OnUdpReceiveFrom(OnUdpReceiveFromV4 f) {
    handlers_->udp_receive.push_back([f](dword s, capl_long r, const stack::Endpoint& from,
                                         std::uint8_t* data, dword size) {
        if (!from.address.is_v6()) f(s, r, ipv4_dword(from.address), from.port, reinterpret_cast<char*>(data), size);
    });
}
void Program::OnUdpReceiveFrom(OnUdpReceiveFromV4Bytes f) {
    handlers_->udp_receive.push_back([f](dword s, capl_long r, const stack::Endpoint& from,
                                         std::uint8_t* data, dword size) {
        if (!from.address.is_v6()) f(s, r, ipv4_dword(from.address), from.port, data, size);
    });
}
void Program::OnUdpReceiveFrom(OnUdpReceiveFromV6 f) {
    handlers_->udp_receive.push_back([f](dword s, capl_long r, const stack::Endpoint& from,
                                         std::uint8_t* data, dword size) {
        if (!from.address.is_v6()) return;
        std::array<byte, 16> addr = from.address.octets;
        f(s, r, addr.data(), from.port, reinterpret_cast<char*>(data), size);
    });
}
void Program::OnUdpReceiveFrom(OnUdpReceiveFromV6Bytes f) {
    handlers_->udp_receive.push_back([f](dword s, capl_long r, const stack::Endpoint& from,
                                         std::uint8_t* data, dword size) {
        if (!from.address.is_v6()) return;
        std::array<byte, 16> addr = from.address.octets;
        f(s, r, addr.data(), from.port, data, size);
    });
}
void Program::OnUdpReceiveFrom(OnUdpReceiveFromEndpoint f) {
    handlers_->udp_receive.push_back([f](dword s, capl_long r, const stack::Endpoint& from,
                                         std::uint8_t* data, dword size) {
        f(s, r, endpoint_of(from), reinterpret_cast<char*>(data), size);
    });
}
void Program::OnUdpReceiveFrom(OnUdpReceiveFromEndpointBytes f) {
    handlers_->udp_receive.push_back([f](dword s, capl_long r, const stack::Endpoint& from,
                                         std::uint8_t* data, dword size) { f(s, r, endpoint_of(from), data, size); });
}
void Program::OnUdpSendTo(::caplnet::capl::OnUdpSendTo f) { handlers_->udp_send.push_back(f); }

std::string Program::parameter(const std::string& name, const std::string& fallback) const {
    auto it = parameters_.find(name);
    return it == parameters_.end() ? fallback : it->second;
}

// --- timers

namespace {
std::uint64_t new_timer() {
    auto& r = detail::TimerRegistry::get();
    std::lock_guard lock(r.mutex);
    const auto id = r.next++;
    r.timers[id];
    return id;
}
void delete_timer(std::uint64_t id) {
    auto& r = detail::TimerRegistry::get();
    std::lock_guard lock(r.mutex);
    r.timers.erase(id);
}
void set_handler(std::uint64_t id, std::function<void()> h) {
    auto& r = detail::TimerRegistry::get();
    std::lock_guard lock(r.mutex);
    r.timers[id].handler = std::move(h);
}
void arm(std::uint64_t id, std::chrono::milliseconds after) {
    auto& r = detail::TimerRegistry::get();
    std::lock_guard lock(r.mutex);
    auto& t = r.timers[id];
    t.active = true;
    t.deadline = std::chrono::steady_clock::now() + after;
}
void disarm(std::uint64_t id) {
    auto& r = detail::TimerRegistry::get();
    std::lock_guard lock(r.mutex);
    r.timers[id].active = false;
}
bool active(std::uint64_t id) {
    auto& r = detail::TimerRegistry::get();
    std::lock_guard lock(r.mutex);
    return r.timers[id].active;
}
}  // namespace

msTimer::msTimer() : id_(new_timer()) {}
msTimer::msTimer(std::function<void()> h) : id_(new_timer()) { set_handler(id_, std::move(h)); }
msTimer::~msTimer() { delete_timer(id_); }
void msTimer::on_elapsed(std::function<void()> h) { set_handler(id_, std::move(h)); }

timer::timer() : id_(new_timer()) {}
timer::timer(std::function<void()> h) : id_(new_timer()) { set_handler(id_, std::move(h)); }
timer::~timer() { delete_timer(id_); }
void timer::on_elapsed(std::function<void()> h) { set_handler(id_, std::move(h)); }

void setTimer(msTimer& t, capl_long ms) { arm(t.id(), std::chrono::milliseconds(std::max<capl_long>(ms, 0))); }
void setTimer(timer& t, capl_long s) { arm(t.id(), std::chrono::seconds(std::max<capl_long>(s, 0))); }
void cancelTimer(msTimer& t) { disarm(t.id()); }
void cancelTimer(timer& t) { disarm(t.id()); }
capl_long isTimerActive(msTimer& t) { return active(t.id()) ? 1 : 0; }
capl_long isTimerActive(timer& t) { return active(t.id()) ? 1 : 0; }

dword timeNow() {
    auto* rt = detail::Runtime::get();
    const auto since = rt != nullptr ? std::chrono::steady_clock::now() - rt->started_at()
                                     : std::chrono::steady_clock::duration::zero();
    return static_cast<dword>(std::chrono::duration_cast<std::chrono::microseconds>(since).count() / 10);
}

void write(const char* format, ...) {
    char text[4096];
    va_list args;
    va_start(args, format);
    std::vsnprintf(text, sizeof text, format, args);
    va_end(args);
    auto* rt = detail::Runtime::get();
    std::printf("[%s] %s\n", rt != nullptr ? rt->config().name.c_str() : "capl", text);
    std::fflush(stdout);
}

}  // namespace caplnet::capl
