#pragma once
// IGMP (RFC 2236 v2 with RFC 1112 v1 reports, RFC 3376 / RFC 9776 v3): a bounds-checked view over
// one IGMP message (the whole IPv4 payload) and plain messages with parse/size/emit.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "netif/wire/bytes.hpp"
#include "netif/wire/ipv4.hpp"
#include "netif/wire/wire_error.hpp"

namespace caplnet::wire {

/// RFC 2236 §2.1, RFC 3376 §4 (RFC 9776 §4). The view returns any byte; to_string() prints
/// unknown values as "0x..".
enum class IgmpType : std::uint8_t {
    MembershipQuery = 0x11,
    V1MembershipReport = 0x12,
    V2MembershipReport = 0x16,
    LeaveGroup = 0x17,
    V3MembershipReport = 0x22,
};
std::string to_string(IgmpType t);

/// Query version by RFC 3376 §7.1 (RFC 9776 §7.1), from the message length and Max Resp Code.
enum class IgmpVersion : std::uint8_t { V1 = 1, V2 = 2, V3 = 3 };

/// Group Record Type, RFC 3376 §4.2.12 (RFC 9776 §4.2.12). MLDv2 uses the same six values
/// (RFC 3810 §5.2.12), so mld.hpp reuses this enum. Any byte can be held; values outside 1..6 are
/// kept as they are by parse() and emit().
enum class RecordType : std::uint8_t {
    ModeIsInclude = 1,
    ModeIsExclude = 2,
    ChangeToInclude = 3,
    ChangeToExclude = 4,
    AllowNewSources = 5,
    BlockOldSources = 6,
};

inline constexpr std::size_t kIgmpMinLen = 8;          // v1/v2 messages, v3 report header
inline constexpr std::size_t kIgmpV3QueryMinLen = 12;  // RFC 3376 §7.1
inline constexpr std::size_t kIgmpGroupRecordHeaderLen = 8;

// ---- Exponential codes ------------------------------------------------------------------------

/// RFC 3376 §4.1.1 and §4.1.7 (RFC 9776 §4.1.1, §4.1.7): "If Max Resp Code < 128, Max Resp Time =
/// Max Resp Code. If Max Resp Code >= 128, Max Resp Code represents a floating-point value":
/// 1 | exp(3) | mant(4), value = (mant | 0x10) << (exp + 3). QQIC uses the same format. Largest
/// value 31744.
std::uint32_t decode_exp_code8(std::uint8_t code);
/// The largest code whose decoded value is <= `value` (so a requested delay is never exceeded);
/// values above 31744 give 0xff. Every code round-trips: encode(decode(c)) == c.
std::uint8_t encode_exp_code8(std::uint32_t value);

/// IGMPv3 Max Resp Code -> Max Resp Time (the code counts 1/10 s).
inline std::chrono::milliseconds igmp_v3_max_resp_time(std::uint8_t code) {
    return std::chrono::milliseconds{std::int64_t{decode_exp_code8(code)} * 100};
}
/// IGMPv3 Max Resp Time -> Max Resp Code, rounded down to 1/10 s and to a representable value.
std::uint8_t igmp_v3_max_resp_code(std::chrono::milliseconds t);
/// QQIC -> Querier's Query Interval (the code counts seconds), RFC 3376 §4.1.7.
inline std::chrono::seconds qqi_from_qqic(std::uint8_t code) {
    return std::chrono::seconds{decode_exp_code8(code)};
}
/// QQI -> QQIC, rounded down to a representable value.
std::uint8_t qqic_from_qqi(std::chrono::seconds qqi);

// ---- View -------------------------------------------------------------------------------------

/// One Group Record of an IGMPv3 Membership Report (RFC 3376 §4.2.4 .. §4.2.10). Made only by
/// IgmpView::group_records(), which has checked that the record with its sources and auxiliary
/// data lies inside the message.
class IgmpGroupRecordView {
public:
    RecordType record_type() const { return static_cast<RecordType>(bytes_[Off::kType]); }
    /// In 32-bit words.
    std::uint8_t aux_data_len() const { return bytes_[Off::kAuxDataLen]; }
    std::uint16_t number_of_sources() const { return read_be16(bytes_, Off::kNumberOfSources); }
    Ipv4Address multicast_address() const;
    /// i < number_of_sources().
    Ipv4Address source_address(std::size_t i) const;
    Bytes auxiliary_data() const;
    /// 8 + 4 * number_of_sources() + 4 * aux_data_len().
    std::size_t size() const { return bytes_.size(); }

private:
    friend class IgmpView;
    struct Off {
        static constexpr std::size_t kType = 0, kAuxDataLen = 1, kNumberOfSources = 2,
                                     kMulticastAddress = 4, kSources = 8;
    };
    explicit IgmpGroupRecordView(Bytes record) : bytes_(record) {}
    Bytes bytes_;  // exactly one record
};

/// A bounds-checked view of one IGMP message: the whole IPv4 payload, because the checksum
/// covers all of it (RFC 2236 §2.3, RFC 3376 §4.1.2). `of()` checks:
/// - at least 8 octets (Truncated), for every type: v1/v2 messages are 8 octets, and "an IGMPv2
///   implementation MUST ignore anything past the first 8 octets" (RFC 2236 §2.5);
/// - a Membership Query of 9..11 octets is BadField: RFC 3376 §7.1 says such queries "MUST be
///   silently ignored";
/// - a v3 query (>= 12 octets) holds its Number of Sources addresses (Truncated);
/// - a v3 report holds all its Group Records with their sources and auxiliary data (Truncated).
/// It does not check the checksum or the type; IgmpMessage::parse() does.
class IgmpView {
public:
    static Expected<IgmpView, WireError> of(Bytes message);

    IgmpType type() const { return static_cast<IgmpType>(bytes_[Off::kType]); }
    /// v1: unused (0); v2 query: Max Resp Time in 1/10 s; v3 query: exponential code.
    std::uint8_t max_resp_code() const { return bytes_[Off::kMaxResp]; }
    std::uint16_t checksum() const { return read_be16(bytes_, Off::kChecksum); }
    bool checksum_valid() const;
    /// Queries, v1/v2 reports and leaves. In a v3 report these octets are Reserved and Number of
    /// Group Records.
    Ipv4Address group_address() const;

    /// RFC 3376 §7.1: V1 (8 octets, code 0), V2 (8 octets), V3 (>= 12 octets). Only meaningful
    /// for a Membership Query.
    IgmpVersion query_version() const;
    // IGMPv3 query fields (RFC 3376 §4.1.5 .. §4.1.9); 0 on a shorter message.
    bool s_flag() const;
    std::uint8_t qrv() const;
    std::uint8_t qqic() const;
    std::uint16_t number_of_sources() const;
    /// i < number_of_sources() of a v3 query.
    Ipv4Address source_address(std::size_t i) const;

    // IGMPv3 report fields (RFC 3376 §4.2); 0 / empty on other types.
    std::uint16_t number_of_group_records() const;
    std::vector<IgmpGroupRecordView> group_records() const;

    Bytes bytes() const { return bytes_; }

private:
    struct Off {
        // v1/v2 messages and the v3 query (RFC 3376 §4.1)
        static constexpr std::size_t kType = 0, kMaxResp = 1, kChecksum = 2, kGroup = 4, kSQrv = 8,
                                     kQqic = 9, kNumberOfSources = 10, kSources = 12;
        // v3 report (RFC 3376 §4.2)
        static constexpr std::size_t kNumberOfGroupRecords = 6, kGroupRecords = 8;
    };
    explicit IgmpView(Bytes b) : bytes_(b) {}
    bool is_v3_query() const;
    bool is_v3_report() const;
    Bytes bytes_;  // the whole IGMP message
};

// ---- Messages ---------------------------------------------------------------------------------
// Every parse() rejects a bad checksum (BadChecksum), a view of another type (BadField) and a
// group/multicast address that is not multicast where one is required (BadField). Every emit()
// writes all size() octets (reserved fields 0) with the checksum and returns size(), or 0 if
// `out` is shorter or a count does not fit its field.

/// Membership Query (type 0x11). One struct for all three versions; the version decides the
/// length and how Max Resp Code is coded.
struct IgmpQuery {
    IgmpVersion version = IgmpVersion::V3;
    /// Decoded Max Resp Time. v1: always 0 on the wire; v2: 1/10 s units, literal, at most
    /// 25.5 s; v3: exponential code (RFC 3376 §4.1.1), at most 3174.4 s. emit() rounds down.
    std::chrono::milliseconds max_resp_time{10'000};
    /// 0.0.0.0 for a General Query.
    Ipv4Address group_address;
    // v3 only (RFC 3376 §4.1.5 .. §4.1.9); ignored by emit() and left default by parse() for v1/v2.
    bool s_flag = false;            // Suppress Router-Side Processing
    std::uint8_t qrv = 2;           // Querier's Robustness Variable, 0..7
    std::chrono::seconds qqi{125};  // decoded QQIC; emit() rounds down
    std::vector<Ipv4Address> source_addresses;

    bool is_general() const { return group_address.is_unspecified(); }
    /// The delay a host picks its response time from. RFC 2236 §4: an IGMPv1 query's Max
    /// Response Time of 0 "MUST be interpreted as a value of 100 (10 seconds)".
    std::chrono::milliseconds response_interval() const {
        return version == IgmpVersion::V1 ? std::chrono::milliseconds{10'000} : max_resp_time;
    }

    /// Version from the view (RFC 3376 §7.1).
    static Expected<IgmpQuery, WireError> parse(const IgmpView& v);
    /// 8 for v1/v2, 12 + 4 * sources for v3.
    std::size_t size() const;
    std::size_t emit(MutableBytes out) const;

    friend bool operator==(const IgmpQuery&, const IgmpQuery&) = default;
};

/// IGMPv1 Membership Report (type 0x12, RFC 1112 App. I); sent in IGMPv1 compatibility mode.
struct IgmpV1Report {
    Ipv4Address group_address;

    static Expected<IgmpV1Report, WireError> parse(const IgmpView& v);
    std::size_t size() const { return kIgmpMinLen; }
    std::size_t emit(MutableBytes out) const;

    friend bool operator==(const IgmpV1Report&, const IgmpV1Report&) = default;
};

/// IGMPv2 Membership Report (type 0x16, RFC 2236 §2.1); Max Resp Time 0.
struct IgmpV2Report {
    Ipv4Address group_address;

    static Expected<IgmpV2Report, WireError> parse(const IgmpView& v);
    std::size_t size() const { return kIgmpMinLen; }
    std::size_t emit(MutableBytes out) const;

    friend bool operator==(const IgmpV2Report&, const IgmpV2Report&) = default;
};

/// IGMPv2 Leave Group (type 0x17, RFC 2236 §2.1); the group field holds the group being left.
struct IgmpV2Leave {
    Ipv4Address group_address;

    static Expected<IgmpV2Leave, WireError> parse(const IgmpView& v);
    std::size_t size() const { return kIgmpMinLen; }
    std::size_t emit(MutableBytes out) const;

    friend bool operator==(const IgmpV2Leave&, const IgmpV2Leave&) = default;
};

/// One Group Record (RFC 3376 §4.2.4).
struct IgmpGroupRecord {
    RecordType record_type = RecordType::ModeIsInclude;
    Ipv4Address multicast_address;
    std::vector<Ipv4Address> source_addresses;
    /// Whole 32-bit words (size a multiple of 4, at most 1020). RFC 3376 §4.2.10: hosts "MUST NOT
    /// include auxiliary data"; kept so a received record re-emits unchanged.
    std::vector<std::uint8_t> auxiliary_data;

    std::size_t size() const {
        return kIgmpGroupRecordHeaderLen + 4 * source_addresses.size() + auxiliary_data.size();
    }

    friend bool operator==(const IgmpGroupRecord&, const IgmpGroupRecord&) = default;
};

/// IGMPv3 Membership Report (type 0x22, RFC 3376 §4.2). Sent to 224.0.0.22 (§4.2.14).
struct IgmpV3Report {
    std::vector<IgmpGroupRecord> group_records;

    static Expected<IgmpV3Report, WireError> parse(const IgmpView& v);
    /// 8 + the records; the caller keeps it within the MTU (RFC 3376 §4.2.16 splits reports).
    std::size_t size() const;
    std::size_t emit(MutableBytes out) const;

    friend bool operator==(const IgmpV3Report&, const IgmpV3Report&) = default;
};

/// Any IGMP message the host engine speaks. Converts implicitly from each message type.
struct IgmpMessage {
    using Body = std::variant<IgmpQuery, IgmpV1Report, IgmpV2Report, IgmpV2Leave, IgmpV3Report>;
    Body body;

    IgmpMessage() = default;
    IgmpMessage(IgmpQuery m) : body(std::move(m)) {}     // NOLINT(google-explicit-constructor)
    IgmpMessage(IgmpV1Report m) : body(m) {}             // NOLINT(google-explicit-constructor)
    IgmpMessage(IgmpV2Report m) : body(m) {}             // NOLINT(google-explicit-constructor)
    IgmpMessage(IgmpV2Leave m) : body(m) {}              // NOLINT(google-explicit-constructor)
    IgmpMessage(IgmpV3Report m) : body(std::move(m)) {}  // NOLINT(google-explicit-constructor)

    /// BadChecksum first (a corrupted type octet is a checksum error), then Unsupported for a
    /// type other than the five above (e.g. DVMRP 0x13, mtrace 0x1e/0x1f), then the type's parse.
    static Expected<IgmpMessage, WireError> parse(const IgmpView& v);
    /// IgmpView::of() then parse().
    static Expected<IgmpMessage, WireError> parse(Bytes message);

    IgmpType type() const;
    std::size_t size() const;
    std::size_t emit(MutableBytes out) const;

    template <class T>
    const T* get_if() const {
        return std::get_if<T>(&body);
    }

    friend bool operator==(const IgmpMessage&, const IgmpMessage&) = default;
};

}  // namespace caplnet::wire
