#include "netif/wire/mld.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <type_traits>
#include <utility>
#include <variant>

#include "netif/wire/checksum.hpp"

namespace caplnet::wire {

namespace {

constexpr std::uint16_t kMaxCount = std::numeric_limits<std::uint16_t>::max();
constexpr std::size_t kMaxAuxDataLen = 255 * 4;  // Aux Data Len is one octet of 32-bit words

Ipv6Address ipv6_at(Bytes b, std::size_t off) {
    Ipv6Address a;
    std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(off), 16, a.octets.begin());
    return a;
}

void put_ipv6(MutableBytes b, std::size_t off, const Ipv6Address& a) {
    std::copy(a.octets.begin(), a.octets.end(), b.begin() + static_cast<std::ptrdiff_t>(off));
}

std::uint32_t millis_down(std::chrono::milliseconds d) {
    if (d.count() <= 0) {
        return 0;
    }
    return static_cast<std::uint32_t>(
        std::min<std::int64_t>(d.count(), std::numeric_limits<std::uint32_t>::max()));
}

Expected<void, WireError> expect(const MldView& v, MldType t, const Ipv6Address& src,
                                 const Ipv6Address& dst) {
    if (!v.checksum_valid(src, dst)) {
        return unexpected(WireError::BadChecksum);
    }
    if (v.type() != t) {
        return unexpected(WireError::BadField);
    }
    return {};
}

void fill_checksum(MutableBytes m, const Ipv6Address& src, const Ipv6Address& dst) {
    write_be16(m, 2, 0);
    write_be16(m, 2, ipv6_upper_layer_checksum(src, dst, ip_protocol::kIcmpv6, m));
}

/// The 24-octet v1 layout: type, code, checksum, Maximum Response Delay, Reserved, address.
std::size_t emit_v1(MutableBytes out, MldType t, std::uint16_t max_resp, const Ipv6Address& a,
                    const Ipv6Address& src, const Ipv6Address& dst) {
    if (out.size() < kMldV1Len) {
        return 0;
    }
    const MutableBytes m = out.first(kMldV1Len);
    m[0] = static_cast<std::uint8_t>(t);
    m[1] = 0;
    write_be16(m, 4, max_resp);
    write_be16(m, 6, 0);
    put_ipv6(m, 8, a);
    fill_checksum(m, src, dst);
    return kMldV1Len;
}

template <class M>
Expected<M, WireError> parse_v1(const MldView& v, MldType t, const Ipv6Address& src,
                                const Ipv6Address& dst) {
    if (auto ok = expect(v, t, src, dst); !ok) {
        return unexpected(ok.error());
    }
    const Ipv6Address a = v.multicast_address();
    // RFC 2710 §3.6: "the specific IPv6 multicast address to which the sender is listening or is
    // ceasing to listen".
    if (!a.is_multicast()) {
        return unexpected(WireError::BadField);
    }
    return M{a};
}

}  // namespace

std::string to_string(MldType t) {
    switch (t) {
    case MldType::Query: return "multicast-listener-query";
    case MldType::V1Report: return "multicast-listener-report";
    case MldType::V1Done: return "multicast-listener-done";
    case MldType::V2Report: return "v2-multicast-listener-report";
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "%u", static_cast<unsigned>(t));
    return buf;
}

// ---- Exponential code -------------------------------------------------------------------------

std::uint32_t decode_exp_code16(std::uint16_t code) {
    if (code < 0x8000) {
        return code;
    }
    const unsigned exp = (code >> 12) & 0x07U;
    const unsigned mant = code & 0x0fffU;
    return (mant | 0x1000U) << (exp + 3);
}

std::uint16_t encode_exp_code16(std::uint32_t value) {
    if (value < 0x8000) {
        return static_cast<std::uint16_t>(value);
    }
    // value >= 32768 makes value >> 3 >= 0x1000, so the loop returns at exp 0 at the latest.
    for (unsigned exp = 7;; --exp) {
        const std::uint32_t m = value >> (exp + 3);
        if (m >= 0x1000) {
            return static_cast<std::uint16_t>(0x8000U | (exp << 12) |
                                              (std::min(m, 0x1fffU) - 0x1000U));
        }
    }
}

std::uint16_t mld_v2_max_resp_code(std::chrono::milliseconds delay) {
    return encode_exp_code16(millis_down(delay));
}

// ---- View -------------------------------------------------------------------------------------

Ipv6Address MldAddressRecordView::multicast_address() const {
    // NOTE(bounds): MldView::multicast_address_records() made the view over a whole record.
    return ipv6_at(bytes_, Off::kMulticastAddress);
}

Ipv6Address MldAddressRecordView::source_address(std::size_t i) const {
    // NOTE(bounds): the record holds number_of_sources() addresses; i is the caller's contract.
    return ipv6_at(bytes_, Off::kSources + 16 * i);
}

Bytes MldAddressRecordView::auxiliary_data() const {
    return bytes_.subspan(Off::kSources + 16 * std::size_t{number_of_sources()},
                          4 * std::size_t{aux_data_len()});
}

Expected<MldView, WireError> MldView::of(Bytes message) {
    if (message.empty()) {
        return unexpected(WireError::Truncated);
    }
    switch (static_cast<MldType>(message[Off::kType])) {
    case MldType::Query:
        if (message.size() < kMldV1Len) {
            return unexpected(WireError::Truncated);
        }
        // RFC 3810 §8.1 (RFC 9777 §8.1): "Query messages that do not match any of the above
        // conditions (e.g., a Query of length 26 octets) MUST be silently ignored."
        if (message.size() > kMldV1Len && message.size() < kMldV2QueryMinLen) {
            return unexpected(WireError::BadField);
        }
        if (message.size() >= kMldV2QueryMinLen &&
            Off::kSources + 16 * std::size_t{read_be16(message, Off::kNumberOfSources)} >
                message.size()) {
            return unexpected(WireError::Truncated);
        }
        return MldView(message);
    case MldType::V1Report:
    case MldType::V1Done:
        if (message.size() < kMldV1Len) {
            return unexpected(WireError::Truncated);
        }
        return MldView(message);
    case MldType::V2Report: {
        if (message.size() < kMldV2ReportHeaderLen) {
            return unexpected(WireError::Truncated);
        }
        const std::size_t records = read_be16(message, Off::kNumberOfRecords);
        std::size_t off = Off::kRecords;
        for (std::size_t r = 0; r < records; ++r) {
            if (off + kMldAddressRecordHeaderLen > message.size()) {
                return unexpected(WireError::Truncated);
            }
            const std::size_t len = kMldAddressRecordHeaderLen +
                                    16 * std::size_t{read_be16(message, off + 2)} +
                                    4 * std::size_t{message[off + 1]};
            if (off + len > message.size()) {
                return unexpected(WireError::Truncated);
            }
            off += len;
        }
        return MldView(message);
    }
    }
    return unexpected(WireError::Unsupported);  // another ICMPv6 type
}

bool MldView::checksum_valid(const Ipv6Address& src, const Ipv6Address& dst) const {
    return ipv6_upper_layer_checksum(src, dst, ip_protocol::kIcmpv6, bytes_) == 0;
}

std::uint16_t MldView::max_resp_code() const {
    // NOTE(bounds): every type but the v2 report has >= 24 octets (of()).
    return is_v2_report() ? 0 : read_be16(bytes_, Off::kMaxResp);
}

Ipv6Address MldView::multicast_address() const {
    return is_v2_report() ? Ipv6Address{} : ipv6_at(bytes_, Off::kMulticastAddress);
}

bool MldView::is_v2_query() const {
    return type() == MldType::Query && bytes_.size() >= kMldV2QueryMinLen;
}

MldVersion MldView::query_version() const {
    // RFC 3810 §8.1: "MLDv1 Query: length = 24 octets; MLDv2 Query: length >= 28 octets". of()
    // rejected 25..27.
    return bytes_.size() >= kMldV2QueryMinLen ? MldVersion::V2 : MldVersion::V1;
}

bool MldView::s_flag() const { return is_v2_query() && (bytes_[Off::kSQrv] & 0x08) != 0; }

std::uint8_t MldView::qrv() const {
    return is_v2_query() ? static_cast<std::uint8_t>(bytes_[Off::kSQrv] & 0x07) : 0;
}

std::uint8_t MldView::qqic() const { return is_v2_query() ? bytes_[Off::kQqic] : 0; }

std::uint16_t MldView::number_of_sources() const {
    return is_v2_query() ? read_be16(bytes_, Off::kNumberOfSources) : 0;
}

Ipv6Address MldView::source_address(std::size_t i) const {
    // NOTE(bounds): of() checked 28 + 16 * number_of_sources() <= size(); i is the caller's
    // contract.
    return ipv6_at(bytes_, Off::kSources + 16 * i);
}

std::uint16_t MldView::number_of_multicast_address_records() const {
    return is_v2_report() ? read_be16(bytes_, Off::kNumberOfRecords) : 0;
}

std::vector<MldAddressRecordView> MldView::multicast_address_records() const {
    std::vector<MldAddressRecordView> out;
    const std::size_t records = number_of_multicast_address_records();
    out.reserve(records);
    std::size_t off = Off::kRecords;
    for (std::size_t r = 0; r < records; ++r) {
        // NOTE(bounds): of() walked the same records and checked each lies inside bytes_.
        const std::size_t len = kMldAddressRecordHeaderLen +
                                16 * std::size_t{read_be16(bytes_, off + 2)} +
                                4 * std::size_t{bytes_[off + 1]};
        out.push_back(MldAddressRecordView(bytes_.subspan(off, len)));
        off += len;
    }
    return out;
}

// ---- Messages ---------------------------------------------------------------------------------

Expected<MldQuery, WireError> MldQuery::parse(const MldView& v, const Ipv6Address& src,
                                              const Ipv6Address& dst) {
    if (auto ok = expect(v, MldType::Query, src, dst); !ok) {
        return unexpected(ok.error());
    }
    MldQuery q;
    q.multicast_address = v.multicast_address();
    // RFC 2710 §3.6 / RFC 3810 §5.1.5: zero in a General Query, else the address queried.
    if (!q.multicast_address.is_unspecified() && !q.multicast_address.is_multicast()) {
        return unexpected(WireError::BadField);
    }
    q.version = v.query_version();
    switch (q.version) {
    case MldVersion::V1:
        // RFC 2710 §3.4: "in units of milliseconds", a plain 16-bit number.
        q.max_resp_delay = std::chrono::milliseconds{v.max_resp_code()};
        break;
    case MldVersion::V2:
        q.max_resp_delay = mld_v2_max_resp_delay(v.max_resp_code());
        q.s_flag = v.s_flag();
        q.qrv = v.qrv();
        q.qqi = qqi_from_qqic(v.qqic());
        q.source_addresses.reserve(v.number_of_sources());
        for (std::size_t i = 0; i < v.number_of_sources(); ++i) {
            q.source_addresses.push_back(v.source_address(i));
        }
        break;
    }
    return q;
}

std::size_t MldQuery::size() const {
    return version == MldVersion::V2 ? kMldV2QueryMinLen + 16 * source_addresses.size() : kMldV1Len;
}

std::size_t MldQuery::emit(MutableBytes out, const Ipv6Address& src, const Ipv6Address& dst) const {
    if (version == MldVersion::V1) {
        return emit_v1(out, MldType::Query,
                       static_cast<std::uint16_t>(
                           std::min<std::uint32_t>(millis_down(max_resp_delay), 0xffff)),
                       multicast_address, src, dst);
    }
    if (source_addresses.size() > kMaxCount || out.size() < size()) {
        return 0;
    }
    const MutableBytes m = out.first(size());
    m[0] = static_cast<std::uint8_t>(MldType::Query);
    m[1] = 0;
    write_be16(m, 4, mld_v2_max_resp_code(max_resp_delay));
    write_be16(m, 6, 0);
    put_ipv6(m, 8, multicast_address);
    // RFC 3810 §5.1.6 .. §5.1.8: Resv (4 bits, 0), S (1 bit), QRV (3 bits).
    m[24] = static_cast<std::uint8_t>((s_flag ? 0x08U : 0U) | (qrv & 0x07U));
    m[25] = qqic_from_qqi(qqi);
    write_be16(m, 26, static_cast<std::uint16_t>(source_addresses.size()));
    for (std::size_t i = 0; i < source_addresses.size(); ++i) {
        put_ipv6(m, kMldV2QueryMinLen + 16 * i, source_addresses[i]);
    }
    fill_checksum(m, src, dst);
    return m.size();
}

Expected<MldV1Report, WireError> MldV1Report::parse(const MldView& v, const Ipv6Address& src,
                                                    const Ipv6Address& dst) {
    return parse_v1<MldV1Report>(v, MldType::V1Report, src, dst);
}

std::size_t MldV1Report::emit(MutableBytes out, const Ipv6Address& src,
                              const Ipv6Address& dst) const {
    // RFC 2710 §3.4: "In all other messages, it is set to zero by the sender".
    return emit_v1(out, MldType::V1Report, 0, multicast_address, src, dst);
}

Expected<MldV1Done, WireError> MldV1Done::parse(const MldView& v, const Ipv6Address& src,
                                                const Ipv6Address& dst) {
    return parse_v1<MldV1Done>(v, MldType::V1Done, src, dst);
}

std::size_t MldV1Done::emit(MutableBytes out, const Ipv6Address& src,
                            const Ipv6Address& dst) const {
    return emit_v1(out, MldType::V1Done, 0, multicast_address, src, dst);
}

Expected<MldV2Report, WireError> MldV2Report::parse(const MldView& v, const Ipv6Address& src,
                                                    const Ipv6Address& dst) {
    if (auto ok = expect(v, MldType::V2Report, src, dst); !ok) {
        return unexpected(ok.error());
    }
    MldV2Report r;
    for (const MldAddressRecordView& rv : v.multicast_address_records()) {
        MldAddressRecord rec;
        rec.record_type = rv.record_type();
        rec.multicast_address = rv.multicast_address();
        // RFC 3810 §5.2.8: "the multicast address to which this Multicast Address Record
        // pertains".
        if (!rec.multicast_address.is_multicast()) {
            return unexpected(WireError::BadField);
        }
        rec.source_addresses.reserve(rv.number_of_sources());
        for (std::size_t i = 0; i < rv.number_of_sources(); ++i) {
            rec.source_addresses.push_back(rv.source_address(i));
        }
        const Bytes aux = rv.auxiliary_data();
        rec.auxiliary_data.assign(aux.begin(), aux.end());
        r.multicast_address_records.push_back(std::move(rec));
    }
    return r;
}

std::size_t MldV2Report::size() const {
    std::size_t n = kMldV2ReportHeaderLen;
    for (const MldAddressRecord& rec : multicast_address_records) {
        n += rec.size();
    }
    return n;
}

std::size_t MldV2Report::emit(MutableBytes out, const Ipv6Address& src,
                              const Ipv6Address& dst) const {
    if (multicast_address_records.size() > kMaxCount) {
        return 0;
    }
    for (const MldAddressRecord& rec : multicast_address_records) {
        if (rec.source_addresses.size() > kMaxCount || rec.auxiliary_data.size() % 4 != 0 ||
            rec.auxiliary_data.size() > kMaxAuxDataLen) {
            return 0;
        }
    }
    if (out.size() < size()) {
        return 0;
    }
    const MutableBytes m = out.first(size());
    // RFC 3810 §5.2: type, Reserved, checksum, Reserved (16 bits), Nr of Mcast Address Records.
    m[0] = static_cast<std::uint8_t>(MldType::V2Report);
    m[1] = 0;
    write_be16(m, 4, 0);
    write_be16(m, 6, static_cast<std::uint16_t>(multicast_address_records.size()));
    std::size_t off = kMldV2ReportHeaderLen;
    for (const MldAddressRecord& rec : multicast_address_records) {
        m[off] = static_cast<std::uint8_t>(rec.record_type);
        m[off + 1] = static_cast<std::uint8_t>(rec.auxiliary_data.size() / 4);
        write_be16(m, off + 2, static_cast<std::uint16_t>(rec.source_addresses.size()));
        put_ipv6(m, off + 4, rec.multicast_address);
        off += kMldAddressRecordHeaderLen;
        for (const Ipv6Address& s : rec.source_addresses) {
            put_ipv6(m, off, s);
            off += 16;
        }
        std::copy(rec.auxiliary_data.begin(), rec.auxiliary_data.end(),
                  m.begin() + static_cast<std::ptrdiff_t>(off));
        off += rec.auxiliary_data.size();
    }
    fill_checksum(m, src, dst);
    return m.size();
}

Expected<MldMessage, WireError> MldMessage::parse(const MldView& v, const Ipv6Address& src,
                                                  const Ipv6Address& dst) {
    if (!v.checksum_valid(src, dst)) {
        return unexpected(WireError::BadChecksum);
    }
    const auto wrap = [](auto r) -> Expected<MldMessage, WireError> {
        if (!r) {
            return unexpected(r.error());
        }
        return MldMessage(std::move(*r));
    };
    switch (v.type()) {
    case MldType::Query: return wrap(MldQuery::parse(v, src, dst));
    case MldType::V1Report: return wrap(MldV1Report::parse(v, src, dst));
    case MldType::V1Done: return wrap(MldV1Done::parse(v, src, dst));
    case MldType::V2Report: return wrap(MldV2Report::parse(v, src, dst));
    }
    return unexpected(WireError::Unsupported);  // unreachable: of() admits the four types only
}

Expected<MldMessage, WireError> MldMessage::parse(Bytes message, const Ipv6Address& src,
                                                  const Ipv6Address& dst) {
    const auto v = MldView::of(message);
    if (!v) {
        return unexpected(v.error());
    }
    return parse(*v, src, dst);
}

MldType MldMessage::type() const {
    return std::visit(
        [](const auto& m) {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, MldQuery>) {
                return MldType::Query;
            } else if constexpr (std::is_same_v<M, MldV1Report>) {
                return MldType::V1Report;
            } else if constexpr (std::is_same_v<M, MldV1Done>) {
                return MldType::V1Done;
            } else {
                static_assert(std::is_same_v<M, MldV2Report>);
                return MldType::V2Report;
            }
        },
        body);
}

std::size_t MldMessage::size() const {
    return std::visit([](const auto& m) { return m.size(); }, body);
}

std::size_t MldMessage::emit(MutableBytes out, const Ipv6Address& src,
                             const Ipv6Address& dst) const {
    return std::visit([&](const auto& m) { return m.emit(out, src, dst); }, body);
}

}  // namespace caplnet::wire
