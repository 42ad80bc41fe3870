#pragma once
// A node program: the handlers CAPL's `on ...` procedures become, the timers, and write().
// Handlers run on the node's program thread, one at a time, never inside the call that caused
// them and never on the stack thread (SPEC §6).
#include <cstdarg>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "caplnet/capl/types.hpp"

namespace caplnet::capl {

/// Parameters a scenario (or `caplnet node --param K=V`) gives the program.
using Parameters = std::map<std::string, std::string>;

// OnUdpReceiveFrom in its six shapes (reference §1.1): sender as dword+port, byte[16]+port or
// IP_Endpoint; data as char[] or byte[].
using OnUdpReceiveFromV4 = void (*)(dword socket, capl_long result, dword address, dword port,
                                    char buffer[], dword size);
using OnUdpReceiveFromV4Bytes = void (*)(dword socket, capl_long result, dword address, dword port,
                                         byte buffer[], dword size);
using OnUdpReceiveFromV6 = void (*)(dword socket, capl_long result, byte ipv6_address[], dword port,
                                    char buffer[], dword size);
using OnUdpReceiveFromV6Bytes = void (*)(dword socket, capl_long result, byte ipv6_address[],
                                         dword port, byte buffer[], dword size);
using OnUdpReceiveFromEndpoint = void (*)(dword socket, capl_long result, IP_Endpoint remote,
                                          char buffer[], dword size);
using OnUdpReceiveFromEndpointBytes = void (*)(dword socket, capl_long result, IP_Endpoint remote,
                                               byte buffer[], dword size);
using OnUdpSendTo = void (*)(dword socket, capl_long result, char buffer[], dword size);

class Program {
public:
    Program();
    ~Program();
    Program(const Program&) = delete;
    Program& operator=(const Program&) = delete;

    void on_start(std::function<void()> handler);
    void on_stop(std::function<void()> handler);
    /// `on key 'c'`.
    void on_key(char key, std::function<void()> handler);
    /// `on key *`: every key, after the key's own handler.
    void on_any_key(std::function<void(char)> handler);

    void OnUdpReceiveFrom(OnUdpReceiveFromV4 handler);
    void OnUdpReceiveFrom(OnUdpReceiveFromV4Bytes handler);
    void OnUdpReceiveFrom(OnUdpReceiveFromV6 handler);
    void OnUdpReceiveFrom(OnUdpReceiveFromV6Bytes handler);
    void OnUdpReceiveFrom(OnUdpReceiveFromEndpoint handler);
    void OnUdpReceiveFrom(OnUdpReceiveFromEndpointBytes handler);
    void OnUdpSendTo(OnUdpSendTo handler);

    const Parameters& parameters() const { return parameters_; }
    /// The value of parameter `name`, or `fallback`.
    std::string parameter(const std::string& name, const std::string& fallback = {}) const;

    struct Handlers;
    Handlers& handlers() { return *handlers_; }
    void set_parameters(Parameters p) { parameters_ = std::move(p); }

private:
    std::unique_ptr<Handlers> handlers_;
    Parameters parameters_;
};

/// CAPL `msTimer`: a timer in milliseconds whose handler runs on the program thread.
class msTimer {
public:
    msTimer();
    explicit msTimer(std::function<void()> on_elapsed);
    ~msTimer();
    msTimer(const msTimer&) = delete;
    msTimer& operator=(const msTimer&) = delete;
    void on_elapsed(std::function<void()> handler);
    std::uint64_t id() const { return id_; }

private:
    std::uint64_t id_;
};

/// CAPL `timer`: the same in seconds.
class timer {
public:
    timer();
    explicit timer(std::function<void()> on_elapsed);
    ~timer();
    timer(const timer&) = delete;
    timer& operator=(const timer&) = delete;
    void on_elapsed(std::function<void()> handler);
    std::uint64_t id() const { return id_; }

private:
    std::uint64_t id_;
};

void setTimer(msTimer& t, capl_long milliseconds);
void setTimer(timer& t, capl_long seconds);
void cancelTimer(msTimer& t);
void cancelTimer(timer& t);
capl_long isTimerActive(msTimer& t);
capl_long isTimerActive(timer& t);

/// Time since the measurement (node) started, in units of 10 µs (CAPL timeNow).
dword timeNow();

/// printf-style text to the node's write window (its standard output, one line per call).
void write(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace caplnet::capl
