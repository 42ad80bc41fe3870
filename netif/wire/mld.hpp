#pragma once
// MLD (RFC 2710 v1, RFC 3810 / RFC 9777 v2): ICMPv6 messages 130, 131, 132 and 143. A
// bounds-checked view over one ICMPv6 message and plain messages with parse/size/emit. The
// ICMPv6 checksum covers the IPv6 pseudo-header (RFC 4443 §2.3), so parse() and emit() take the
// source and destination addresses.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "netif/wire/bytes.hpp"
#include "netif/wire/igmp.hpp"  // RecordType and the 8-bit QQIC code, which MLDv2 shares
#include "netif/wire/ipv6.hpp"
#include "netif/wire/wire_error.hpp"

namespace caplnet::wire {

/// ICMPv6 types of MLD (RFC 2710 §3, RFC 3810 §5). The view returns any of these four only.
enum class MldType : std::uint8_t {
    Query = 130,     // Multicast Listener Query, v1 and v2
    V1Report = 131,  // Multicast Listener Report
    V1Done = 132,    // Multicast Listener Done
    V2Report = 143,  // Version 2 Multicast Listener Report
};
std::string to_string(MldType t);

/// Query version by RFC 3810 §8.1 (RFC 9777 §8.1), from the message length.
enum class MldVersion : std::uint8_t { V1 = 1, V2 = 2 };

inline constexpr std::size_t kMldV1Len = 24;          // every v1 message, the v1 query
inline constexpr std::size_t kMldV2QueryMinLen = 28;  // RFC 3810 §8.1
inline constexpr std::size_t kMldV2ReportHeaderLen = 8;
inline constexpr std::size_t kMldAddressRecordHeaderLen = 20;

// ---- Exponential code -------------------------------------------------------------------------

/// RFC 3810 §5.1.3 (RFC 9777 §5.1.3): "If Maximum Response Code < 32768, Maximum Response Delay =
/// Maximum Response Code"; otherwise 1 | exp(3) | mant(12), value = (mant | 0x1000) << (exp + 3).
/// In milliseconds; largest value 8387584.
std::uint32_t decode_exp_code16(std::uint16_t code);
/// The largest code whose decoded value is <= `value`; values above 8387584 give 0xffff.
/// Every code round-trips: encode(decode(c)) == c.
std::uint16_t encode_exp_code16(std::uint32_t value);

inline std::chrono::milliseconds mld_v2_max_resp_delay(std::uint16_t code) {
    return std::chrono::milliseconds{decode_exp_code16(code)};
}
/// Rounded down to a representable value.
std::uint16_t mld_v2_max_resp_code(std::chrono::milliseconds delay);

// ---- View -------------------------------------------------------------------------------------

/// One Multicast Address Record of an MLDv2 Report (RFC 3810 §5.2.4 .. §5.2.10). Made only by
/// MldView::multicast_address_records(), which has checked that the whole record is inside the
/// message.
class MldAddressRecordView {
public:
    RecordType record_type() const { return static_cast<RecordType>(bytes_[Off::kType]); }
    /// In 32-bit words.
    std::uint8_t aux_data_len() const { return bytes_[Off::kAuxDataLen]; }
    std::uint16_t number_of_sources() const { return read_be16(bytes_, Off::kNumberOfSources); }
    Ipv6Address multicast_address() const;
    /// i < number_of_sources().
    Ipv6Address source_address(std::size_t i) const;
    Bytes auxiliary_data() const;
    /// 20 + 16 * number_of_sources() + 4 * aux_data_len().
    std::size_t size() const { return bytes_.size(); }

private:
    friend class MldView;
    struct Off {
        static constexpr std::size_t kType = 0, kAuxDataLen = 1, kNumberOfSources = 2,
                                     kMulticastAddress = 4, kSources = 20;
    };
    explicit MldAddressRecordView(Bytes record) : bytes_(record) {}
    Bytes bytes_;  // exactly one record
};

/// A bounds-checked view of one MLD message: the whole ICMPv6 message after any extension
/// headers. `of()` checks:
/// - the ICMPv6 type is 130, 131, 132 or 143 (Unsupported otherwise: other ICMPv6 is not MLD);
/// - a query, report or done holds at least 24 octets (Truncated);
/// - a query of 25..27 octets is BadField: RFC 3810 §8.1 says such queries "MUST be silently
///   ignored";
/// - an MLDv2 query (>= 28 octets) holds its Number of Sources addresses (Truncated);
/// - an MLDv2 report holds its 8-octet header and every record with sources and auxiliary data
///   (Truncated).
/// It does not check the checksum (that needs the addresses; MldMessage::parse() does).
class MldView {
public:
    static Expected<MldView, WireError> of(Bytes message);

    MldType type() const { return static_cast<MldType>(bytes_[Off::kType]); }
    /// RFC 2710 §3.2: "Initialized to zero by the sender; ignored by receivers."
    std::uint8_t code() const { return bytes_[Off::kCode]; }
    std::uint16_t checksum() const { return read_be16(bytes_, Off::kChecksum); }
    bool checksum_valid(const Ipv6Address& src, const Ipv6Address& dst) const;

    // Query, v1 report and done (RFC 2710 §3); 0 / :: on a v2 report.
    /// v1: Maximum Response Delay in ms; v2 query: Maximum Response Code (exponential).
    std::uint16_t max_resp_code() const;
    Ipv6Address multicast_address() const;

    /// RFC 3810 §8.1: V1 (24 octets) or V2 (>= 28 octets). Only meaningful for a query.
    MldVersion query_version() const;
    // MLDv2 query fields (RFC 3810 §5.1.7 .. §5.1.10); 0 on a shorter message.
    bool s_flag() const;
    std::uint8_t qrv() const;
    std::uint8_t qqic() const;
    std::uint16_t number_of_sources() const;
    /// i < number_of_sources() of a v2 query.
    Ipv6Address source_address(std::size_t i) const;

    // MLDv2 report (RFC 3810 §5.2); 0 / empty on other types.
    std::uint16_t number_of_multicast_address_records() const;
    std::vector<MldAddressRecordView> multicast_address_records() const;

    Bytes bytes() const { return bytes_; }

private:
    struct Off {
        // query and v1 messages (RFC 2710 §3, RFC 3810 §5.1)
        static constexpr std::size_t kType = 0, kCode = 1, kChecksum = 2, kMaxResp = 4,
                                     kMulticastAddress = 8, kSQrv = 24, kQqic = 25,
                                     kNumberOfSources = 26, kSources = 28;
        // v2 report (RFC 3810 §5.2)
        static constexpr std::size_t kNumberOfRecords = 6, kRecords = 8;
    };
    explicit MldView(Bytes b) : bytes_(b) {}
    bool is_v2_query() const;
    bool is_v2_report() const { return type() == MldType::V2Report; }
    Bytes bytes_;  // the whole ICMPv6 message
};

// ---- Messages ---------------------------------------------------------------------------------
// Every parse() checks the ICMPv6 checksum over the pseudo-header of `src` -> `dst`
// (BadChecksum), the view's type (BadField) and that a reported/done/queried address is
// multicast (BadField; :: is allowed in a query only). Every emit() writes all size() octets
// (code and reserved fields 0) with the checksum for `src` -> `dst` and returns size(), or 0 if
// `out` is shorter or a count does not fit its field.

/// Multicast Listener Query (type 130), v1 and v2.
struct MldQuery {
    MldVersion version = MldVersion::V2;
    /// Decoded Maximum Response Delay. v1: 16-bit ms literal (at most 65.535 s); v2: RFC 3810
    /// §5.1.3 code, exponential from 32768 ms. emit() rounds down.
    std::chrono::milliseconds max_resp_delay{10'000};
    /// :: for a General Query.
    Ipv6Address multicast_address;
    // v2 only (RFC 3810 §5.1.7 .. §5.1.11); ignored by emit() and left default by parse() for v1.
    bool s_flag = false;            // Suppress Router-Side Processing
    std::uint8_t qrv = 2;           // Querier's Robustness Variable, 0..7
    std::chrono::seconds qqi{125};  // decoded QQIC (same 8-bit format as IGMPv3); rounds down
    std::vector<Ipv6Address> source_addresses;

    bool is_general() const { return multicast_address.is_unspecified(); }

    static Expected<MldQuery, WireError> parse(const MldView& v, const Ipv6Address& src,
                                               const Ipv6Address& dst);
    /// 24 for v1, 28 + 16 * sources for v2.
    std::size_t size() const;
    std::size_t emit(MutableBytes out, const Ipv6Address& src, const Ipv6Address& dst) const;

    friend bool operator==(const MldQuery&, const MldQuery&) = default;
};

/// MLDv1 Multicast Listener Report (type 131, RFC 2710 §3); sent to the address reported.
struct MldV1Report {
    Ipv6Address multicast_address;

    static Expected<MldV1Report, WireError> parse(const MldView& v, const Ipv6Address& src,
                                                  const Ipv6Address& dst);
    std::size_t size() const { return kMldV1Len; }
    std::size_t emit(MutableBytes out, const Ipv6Address& src, const Ipv6Address& dst) const;

    friend bool operator==(const MldV1Report&, const MldV1Report&) = default;
};

/// MLDv1 Multicast Listener Done (type 132, RFC 2710 §3); sent to ff02::2 (§4, §8).
struct MldV1Done {
    Ipv6Address multicast_address;

    static Expected<MldV1Done, WireError> parse(const MldView& v, const Ipv6Address& src,
                                                const Ipv6Address& dst);
    std::size_t size() const { return kMldV1Len; }
    std::size_t emit(MutableBytes out, const Ipv6Address& src, const Ipv6Address& dst) const;

    friend bool operator==(const MldV1Done&, const MldV1Done&) = default;
};

/// One Multicast Address Record (RFC 3810 §5.2.4).
struct MldAddressRecord {
    RecordType record_type = RecordType::ModeIsInclude;
    Ipv6Address multicast_address;
    std::vector<Ipv6Address> source_addresses;
    /// Whole 32-bit words (size a multiple of 4, at most 1020). RFC 3810 §5.2.10: "MUST NOT
    /// include any auxiliary data" in this version; kept so a received record re-emits unchanged.
    std::vector<std::uint8_t> auxiliary_data;

    std::size_t size() const {
        return kMldAddressRecordHeaderLen + 16 * source_addresses.size() + auxiliary_data.size();
    }

    friend bool operator==(const MldAddressRecord&, const MldAddressRecord&) = default;
};

/// Version 2 Multicast Listener Report (type 143, RFC 3810 §5.2). Sent to ff02::16 (§5.2.14).
struct MldV2Report {
    std::vector<MldAddressRecord> multicast_address_records;

    static Expected<MldV2Report, WireError> parse(const MldView& v, const Ipv6Address& src,
                                                  const Ipv6Address& dst);
    /// 8 + the records; the caller keeps it within the MTU (RFC 3810 §5.2.15 splits reports).
    std::size_t size() const;
    std::size_t emit(MutableBytes out, const Ipv6Address& src, const Ipv6Address& dst) const;

    friend bool operator==(const MldV2Report&, const MldV2Report&) = default;
};

/// Any MLD message the host engine speaks. Converts implicitly from each message type.
struct MldMessage {
    using Body = std::variant<MldQuery, MldV1Report, MldV1Done, MldV2Report>;
    Body body;

    MldMessage() = default;
    MldMessage(MldQuery m) : body(std::move(m)) {}     // NOLINT(google-explicit-constructor)
    MldMessage(MldV1Report m) : body(m) {}             // NOLINT(google-explicit-constructor)
    MldMessage(MldV1Done m) : body(m) {}               // NOLINT(google-explicit-constructor)
    MldMessage(MldV2Report m) : body(std::move(m)) {}  // NOLINT(google-explicit-constructor)

    /// BadChecksum first, then the type's parse (the view holds only the four MLD types).
    static Expected<MldMessage, WireError> parse(const MldView& v, const Ipv6Address& src,
                                                 const Ipv6Address& dst);
    /// MldView::of() (Unsupported for non-MLD ICMPv6) then parse().
    static Expected<MldMessage, WireError> parse(Bytes message, const Ipv6Address& src,
                                                 const Ipv6Address& dst);

    MldType type() const;
    std::size_t size() const;
    std::size_t emit(MutableBytes out, const Ipv6Address& src, const Ipv6Address& dst) const;

    template <class T>
    const T* get_if() const {
        return std::get_if<T>(&body);
    }

    friend bool operator==(const MldMessage&, const MldMessage&) = default;
};

}  // namespace caplnet::wire
