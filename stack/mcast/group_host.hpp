#pragma once
// Puts GroupEngine<Igmp> and GroupEngine<Mld> on the wire for a node: every IGMP/MLD message the
// node sends is the engine's, and every one it receives goes to the engine (reference/multicast-rfc.md, "Known deviations" F5–F8, F11 are lwIP's).
// Stack thread only.
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "netif/wire/bytes.hpp"
#include "stack/config/node_config.hpp"
#include "stack/ip_address.hpp"
#include "stack/mcast/group_engine.hpp"
#include "stack/mcast/protocols.hpp"
#include "stack/node_loop.hpp"

struct netif;

namespace caplnet::stack {

class GroupHost {
public:
    struct Interfaces {
        std::function<struct ::netif*(std::uint32_t if_index)> netif_of;
        std::function<std::uint32_t(const struct ::netif*)> if_index_of;
        std::vector<GroupProtocolConfig> settings;  // by ifIndex - 1
    };

    GroupHost(Interfaces interfaces, std::uint32_t seed, StackThread&);
    ~GroupHost();
    GroupHost(const GroupHost&) = delete;
    GroupHost& operator=(const GroupHost&) = delete;

    /// The node's sockets put (if_index, group) on or off the wire (MembershipTable's first join
    /// and last leave).
    void sockets_hold(std::uint32_t if_index, const IpAddress& group, bool held, StackThread&);
    /// Driver hooks: IGMP/MLD received, and IGMP/MLD lwIP tried to send (kept off the wire).
    void on_received(struct ::netif* n, wire::Bytes ip_packet);
    void on_lwip_sent(struct ::netif* n, wire::Bytes ip_packet);
    /// Once per loop turn: a link-local address that just finished DAD re-announces the groups,
    /// now from that address instead of :: (as Linux does when DAD completes).
    void after_turn(StackThread&);
    /// Sends the state-change reports still waiting (before the node stops).
    void flush(StackThread&);

private:
    enum Holder : std::uint8_t { kSockets = 1, kLwip = 2 };
    void hold(std::uint32_t if_index, const IpAddress& group, Holder who, bool held);
    void send_igmp(const GroupEngine<Igmp>::Outbox& out);
    void send_mld(const GroupEngine<Mld>::Outbox& out);
    void reschedule();
    static void on_timer(void* self);
    static void on_flush(void* self);
    void flush_reports();
    Millis now() const;
    /// Logs when an interface switches protocol version (an older querier heard, or its timer
    /// ran out), so users and tests can see compatibility mode come and go.
    void note_versions();

    Interfaces interfaces_;
    Rng rng_;
    GroupEngine<Igmp> igmp_;
    GroupEngine<Mld> mld_;
    // Only the groups lwIP holds (its solicited-node groups), with the sockets' bit beside; for
    // any other group the engine's joined state is the sockets' (one table less per join).
    std::unordered_map<InterfaceGroup, std::uint8_t, InterfaceGroupHash> holders_;
    std::vector<bool> link_local_ready_;  // by ifIndex - 1
    std::vector<int> igmp_versions_;      // by ifIndex - 1, as last logged
    std::vector<int> mld_versions_;
    std::uint16_t ip_identification_ = 0;
    // State-change reports wait up to kReportDelayMs, so a join or leave call returns to the
    // program first, and the changes of that time leave in one report per interface: Linux, too,
    // sends them from a timer (igmp_ifc_timer / mld_ifc_work), not from setsockopt. 100,000 joins
    // were 100,000 frames, each waking the switch (BENCHMARKS.md, figure 3).
    GroupEngine<Igmp>::Outbox pending_igmp_;
    GroupEngine<Mld>::Outbox pending_mld_;
    bool flush_armed_ = false;
    bool reschedule_due_ = false;
};

}  // namespace caplnet::stack
