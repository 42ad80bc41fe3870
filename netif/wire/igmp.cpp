#include "netif/wire/igmp.hpp"

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

Ipv4Address ipv4_at(Bytes b, std::size_t off) {
    return Ipv4Address{{b[off], b[off + 1], b[off + 2], b[off + 3]}};
}

void put_ipv4(MutableBytes b, std::size_t off, const Ipv4Address& a) {
    std::copy(a.octets.begin(), a.octets.end(), b.begin() + static_cast<std::ptrdiff_t>(off));
}

/// Non-negative count of `unit` in `d`, saturated to 32 bits (emit() rounds durations down).
template <class Unit, class Rep, class Period>
std::uint32_t count_down(std::chrono::duration<Rep, Period> d) {
    const auto n = std::chrono::duration_cast<Unit>(d).count();
    if (n <= 0) {
        return 0;
    }
    return static_cast<std::uint32_t>(std::min<std::common_type_t<decltype(n), std::uint32_t>>(
        n, std::numeric_limits<std::uint32_t>::max()));
}

/// Type check shared by every parse(): the checksum first, then the type.
Expected<void, WireError> expect(const IgmpView& v, IgmpType t) {
    if (!v.checksum_valid()) {
        return unexpected(WireError::BadChecksum);
    }
    if (v.type() != t) {
        return unexpected(WireError::BadField);
    }
    return {};
}

/// The 8-octet v1/v2 layout: type, code, checksum, group.
std::size_t emit_fixed(MutableBytes out, IgmpType t, std::uint8_t code, const Ipv4Address& g) {
    if (out.size() < kIgmpMinLen) {
        return 0;
    }
    const MutableBytes m = out.first(kIgmpMinLen);
    m[0] = static_cast<std::uint8_t>(t);
    m[1] = code;
    write_be16(m, 2, 0);
    put_ipv4(m, 4, g);
    write_be16(m, 2, internet_checksum(m));
    return kIgmpMinLen;
}

}  // namespace

std::string to_string(IgmpType t) {
    switch (t) {
    case IgmpType::MembershipQuery: return "membership-query";
    case IgmpType::V1MembershipReport: return "v1-membership-report";
    case IgmpType::V2MembershipReport: return "v2-membership-report";
    case IgmpType::LeaveGroup: return "leave-group";
    case IgmpType::V3MembershipReport: return "v3-membership-report";
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", static_cast<unsigned>(t));
    return buf;
}

// ---- Exponential codes ------------------------------------------------------------------------

std::uint32_t decode_exp_code8(std::uint8_t code) {
    if (code < 0x80) {
        return code;
    }
    const unsigned exp = (code >> 4) & 0x07U;
    const unsigned mant = code & 0x0fU;
    return (mant | 0x10U) << (exp + 3);
}

std::uint8_t encode_exp_code8(std::uint32_t value) {
    if (value < 0x80) {
        return static_cast<std::uint8_t>(value);
    }
    // value >= 128 makes value >> 3 >= 16, so the loop returns at exp 0 at the latest.
    for (unsigned exp = 7;; --exp) {
        const std::uint32_t m = value >> (exp + 3);
        if (m >= 0x10) {
            return static_cast<std::uint8_t>(0x80U | (exp << 4) | (std::min(m, 0x1fU) - 0x10U));
        }
    }
}

std::uint8_t igmp_v3_max_resp_code(std::chrono::milliseconds t) {
    return encode_exp_code8(count_down<std::chrono::duration<std::int64_t, std::deci>>(t));
}

std::uint8_t qqic_from_qqi(std::chrono::seconds qqi) {
    return encode_exp_code8(count_down<std::chrono::seconds>(qqi));
}

// ---- View -------------------------------------------------------------------------------------

Ipv4Address IgmpGroupRecordView::multicast_address() const {
    // NOTE(bounds): IgmpView::group_records() made the view over one whole record (>= 8 octets).
    return ipv4_at(bytes_, Off::kMulticastAddress);
}

Ipv4Address IgmpGroupRecordView::source_address(std::size_t i) const {
    // NOTE(bounds): the record holds number_of_sources() addresses; i is the caller's contract.
    return ipv4_at(bytes_, Off::kSources + 4 * i);
}

Bytes IgmpGroupRecordView::auxiliary_data() const {
    return bytes_.subspan(Off::kSources + 4 * std::size_t{number_of_sources()},
                          4 * std::size_t{aux_data_len()});
}

Expected<IgmpView, WireError> IgmpView::of(Bytes message) {
    if (message.size() < kIgmpMinLen) {
        return unexpected(WireError::Truncated);
    }
    const auto type = static_cast<IgmpType>(message[Off::kType]);
    if (type == IgmpType::MembershipQuery) {
        // RFC 3376 §7.1 (RFC 9776 §7.1): "Query messages that do not match any of the above
        // conditions (e.g., a Query of length 10 octets) MUST be silently ignored."
        if (message.size() > kIgmpMinLen && message.size() < kIgmpV3QueryMinLen) {
            return unexpected(WireError::BadField);
        }
        if (message.size() >= kIgmpV3QueryMinLen &&
            Off::kSources + 4 * std::size_t{read_be16(message, Off::kNumberOfSources)} >
                message.size()) {
            return unexpected(WireError::Truncated);
        }
    }
    if (type == IgmpType::V3MembershipReport) {
        const std::size_t records = read_be16(message, Off::kNumberOfGroupRecords);
        std::size_t off = Off::kGroupRecords;
        for (std::size_t r = 0; r < records; ++r) {
            if (off + kIgmpGroupRecordHeaderLen > message.size()) {
                return unexpected(WireError::Truncated);
            }
            const std::size_t len = kIgmpGroupRecordHeaderLen +
                                    4 * std::size_t{read_be16(message, off + 2)} +
                                    4 * std::size_t{message[off + 1]};
            if (off + len > message.size()) {
                return unexpected(WireError::Truncated);
            }
            off += len;
        }
    }
    return IgmpView(message);
}

bool IgmpView::checksum_valid() const { return internet_checksum_valid(bytes_); }

Ipv4Address IgmpView::group_address() const {
    // NOTE(bounds): of() checked size() >= 8.
    return ipv4_at(bytes_, Off::kGroup);
}

bool IgmpView::is_v3_query() const {
    return type() == IgmpType::MembershipQuery && bytes_.size() >= kIgmpV3QueryMinLen;
}

bool IgmpView::is_v3_report() const { return type() == IgmpType::V3MembershipReport; }

IgmpVersion IgmpView::query_version() const {
    // RFC 3376 §7.1: "IGMPv1 Query: length = 8 octets AND Max Resp Code field is zero; IGMPv2
    // Query: length = 8 octets AND Max Resp Code field is non-zero; IGMPv3 Query: length >= 12
    // octets". of() rejected 9..11.
    if (bytes_.size() >= kIgmpV3QueryMinLen) {
        return IgmpVersion::V3;
    }
    return max_resp_code() == 0 ? IgmpVersion::V1 : IgmpVersion::V2;
}

bool IgmpView::s_flag() const { return is_v3_query() && (bytes_[Off::kSQrv] & 0x08) != 0; }

std::uint8_t IgmpView::qrv() const {
    return is_v3_query() ? static_cast<std::uint8_t>(bytes_[Off::kSQrv] & 0x07) : 0;
}

std::uint8_t IgmpView::qqic() const { return is_v3_query() ? bytes_[Off::kQqic] : 0; }

std::uint16_t IgmpView::number_of_sources() const {
    return is_v3_query() ? read_be16(bytes_, Off::kNumberOfSources) : 0;
}

Ipv4Address IgmpView::source_address(std::size_t i) const {
    // NOTE(bounds): of() checked 12 + 4 * number_of_sources() <= size(); i is the caller's
    // contract.
    return ipv4_at(bytes_, Off::kSources + 4 * i);
}

std::uint16_t IgmpView::number_of_group_records() const {
    return is_v3_report() ? read_be16(bytes_, Off::kNumberOfGroupRecords) : 0;
}

std::vector<IgmpGroupRecordView> IgmpView::group_records() const {
    std::vector<IgmpGroupRecordView> out;
    const std::size_t records = number_of_group_records();
    out.reserve(records);
    std::size_t off = Off::kGroupRecords;
    for (std::size_t r = 0; r < records; ++r) {
        // NOTE(bounds): of() walked the same records and checked each lies inside bytes_.
        const std::size_t len = kIgmpGroupRecordHeaderLen +
                                4 * std::size_t{read_be16(bytes_, off + 2)} +
                                4 * std::size_t{bytes_[off + 1]};
        out.push_back(IgmpGroupRecordView(bytes_.subspan(off, len)));
        off += len;
    }
    return out;
}

// ---- Messages ---------------------------------------------------------------------------------

Expected<IgmpQuery, WireError> IgmpQuery::parse(const IgmpView& v) {
    if (auto ok = expect(v, IgmpType::MembershipQuery); !ok) {
        return unexpected(ok.error());
    }
    IgmpQuery q;
    q.group_address = v.group_address();
    // RFC 3376 §4.1.3: 0 in a General Query, the group in a Group(-and-Source)-Specific Query.
    if (!q.group_address.is_unspecified() && !q.group_address.is_multicast()) {
        return unexpected(WireError::BadField);
    }
    q.version = v.query_version();
    switch (q.version) {
    case IgmpVersion::V1: q.max_resp_time = std::chrono::milliseconds{0}; break;
    case IgmpVersion::V2:
        // RFC 2236 §2.2: "in units of 1/10 second", a plain 8-bit number.
        q.max_resp_time = std::chrono::milliseconds{std::int64_t{v.max_resp_code()} * 100};
        break;
    case IgmpVersion::V3:
        q.max_resp_time = igmp_v3_max_resp_time(v.max_resp_code());
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

std::size_t IgmpQuery::size() const {
    return version == IgmpVersion::V3 ? kIgmpV3QueryMinLen + 4 * source_addresses.size()
                                      : kIgmpMinLen;
}

std::size_t IgmpQuery::emit(MutableBytes out) const {
    switch (version) {
    case IgmpVersion::V1:
        // RFC 1112 App. I: the v1 query's second octet is unused, sent as 0.
        return emit_fixed(out, IgmpType::MembershipQuery, 0, group_address);
    case IgmpVersion::V2:
        return emit_fixed(
            out, IgmpType::MembershipQuery,
            static_cast<std::uint8_t>(std::min(
                count_down<std::chrono::duration<std::int64_t, std::deci>>(max_resp_time), 255U)),
            group_address);
    case IgmpVersion::V3: break;
    }
    if (source_addresses.size() > kMaxCount || out.size() < size()) {
        return 0;
    }
    const MutableBytes m = out.first(size());
    m[0] = static_cast<std::uint8_t>(IgmpType::MembershipQuery);
    m[1] = igmp_v3_max_resp_code(max_resp_time);
    write_be16(m, 2, 0);
    put_ipv4(m, 4, group_address);
    // RFC 3376 §4.1.4: Resv (4 bits, 0), S (1 bit), QRV (3 bits).
    m[8] = static_cast<std::uint8_t>((s_flag ? 0x08U : 0U) | (qrv & 0x07U));
    m[9] = qqic_from_qqi(qqi);
    write_be16(m, 10, static_cast<std::uint16_t>(source_addresses.size()));
    for (std::size_t i = 0; i < source_addresses.size(); ++i) {
        put_ipv4(m, kIgmpV3QueryMinLen + 4 * i, source_addresses[i]);
    }
    write_be16(m, 2, internet_checksum(m));
    return m.size();
}

namespace {

/// Reports and leaves carry the group being reported or left, which must be multicast.
template <class M>
Expected<M, WireError> parse_fixed(const IgmpView& v, IgmpType t) {
    if (auto ok = expect(v, t); !ok) {
        return unexpected(ok.error());
    }
    const Ipv4Address g = v.group_address();
    if (!g.is_multicast()) {
        return unexpected(WireError::BadField);
    }
    return M{g};
}

}  // namespace

Expected<IgmpV1Report, WireError> IgmpV1Report::parse(const IgmpView& v) {
    return parse_fixed<IgmpV1Report>(v, IgmpType::V1MembershipReport);
}

std::size_t IgmpV1Report::emit(MutableBytes out) const {
    return emit_fixed(out, IgmpType::V1MembershipReport, 0, group_address);
}

Expected<IgmpV2Report, WireError> IgmpV2Report::parse(const IgmpView& v) {
    return parse_fixed<IgmpV2Report>(v, IgmpType::V2MembershipReport);
}

std::size_t IgmpV2Report::emit(MutableBytes out) const {
    // RFC 2236 §2.2: "In all other messages, it is set to zero by the sender".
    return emit_fixed(out, IgmpType::V2MembershipReport, 0, group_address);
}

Expected<IgmpV2Leave, WireError> IgmpV2Leave::parse(const IgmpView& v) {
    return parse_fixed<IgmpV2Leave>(v, IgmpType::LeaveGroup);
}

std::size_t IgmpV2Leave::emit(MutableBytes out) const {
    return emit_fixed(out, IgmpType::LeaveGroup, 0, group_address);
}

Expected<IgmpV3Report, WireError> IgmpV3Report::parse(const IgmpView& v) {
    if (auto ok = expect(v, IgmpType::V3MembershipReport); !ok) {
        return unexpected(ok.error());
    }
    IgmpV3Report r;
    for (const IgmpGroupRecordView& rv : v.group_records()) {
        IgmpGroupRecord rec;
        rec.record_type = rv.record_type();
        rec.multicast_address = rv.multicast_address();
        // RFC 3376 §4.2.11: "the IP multicast address to which this Group Record pertains".
        if (!rec.multicast_address.is_multicast()) {
            return unexpected(WireError::BadField);
        }
        rec.source_addresses.reserve(rv.number_of_sources());
        for (std::size_t i = 0; i < rv.number_of_sources(); ++i) {
            rec.source_addresses.push_back(rv.source_address(i));
        }
        const Bytes aux = rv.auxiliary_data();
        rec.auxiliary_data.assign(aux.begin(), aux.end());
        r.group_records.push_back(std::move(rec));
    }
    return r;
}

std::size_t IgmpV3Report::size() const {
    std::size_t n = kIgmpMinLen;
    for (const IgmpGroupRecord& rec : group_records) {
        n += rec.size();
    }
    return n;
}

std::size_t IgmpV3Report::emit(MutableBytes out) const {
    if (group_records.size() > kMaxCount) {
        return 0;
    }
    for (const IgmpGroupRecord& rec : group_records) {
        if (rec.source_addresses.size() > kMaxCount || rec.auxiliary_data.size() % 4 != 0 ||
            rec.auxiliary_data.size() > kMaxAuxDataLen) {
            return 0;
        }
    }
    if (out.size() < size()) {
        return 0;
    }
    const MutableBytes m = out.first(size());
    // RFC 3376 §4.2: type, Reserved, checksum, Reserved (16 bits), Number of Group Records.
    m[0] = static_cast<std::uint8_t>(IgmpType::V3MembershipReport);
    m[1] = 0;
    write_be16(m, 2, 0);
    write_be16(m, 4, 0);
    write_be16(m, 6, static_cast<std::uint16_t>(group_records.size()));
    std::size_t off = kIgmpMinLen;
    for (const IgmpGroupRecord& rec : group_records) {
        m[off] = static_cast<std::uint8_t>(rec.record_type);
        m[off + 1] = static_cast<std::uint8_t>(rec.auxiliary_data.size() / 4);
        write_be16(m, off + 2, static_cast<std::uint16_t>(rec.source_addresses.size()));
        put_ipv4(m, off + 4, rec.multicast_address);
        off += kIgmpGroupRecordHeaderLen;
        for (const Ipv4Address& s : rec.source_addresses) {
            put_ipv4(m, off, s);
            off += 4;
        }
        std::copy(rec.auxiliary_data.begin(), rec.auxiliary_data.end(),
                  m.begin() + static_cast<std::ptrdiff_t>(off));
        off += rec.auxiliary_data.size();
    }
    write_be16(m, 2, internet_checksum(m));
    return m.size();
}

Expected<IgmpMessage, WireError> IgmpMessage::parse(const IgmpView& v) {
    if (!v.checksum_valid()) {
        return unexpected(WireError::BadChecksum);
    }
    const auto wrap = [](auto r) -> Expected<IgmpMessage, WireError> {
        if (!r) {
            return unexpected(r.error());
        }
        return IgmpMessage(std::move(*r));
    };
    switch (v.type()) {
    case IgmpType::MembershipQuery: return wrap(IgmpQuery::parse(v));
    case IgmpType::V1MembershipReport: return wrap(IgmpV1Report::parse(v));
    case IgmpType::V2MembershipReport: return wrap(IgmpV2Report::parse(v));
    case IgmpType::LeaveGroup: return wrap(IgmpV2Leave::parse(v));
    case IgmpType::V3MembershipReport: return wrap(IgmpV3Report::parse(v));
    }
    return unexpected(WireError::Unsupported);  // any other type octet
}

Expected<IgmpMessage, WireError> IgmpMessage::parse(Bytes message) {
    const auto v = IgmpView::of(message);
    if (!v) {
        return unexpected(v.error());
    }
    return parse(*v);
}

IgmpType IgmpMessage::type() const {
    return std::visit(
        [](const auto& m) {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, IgmpQuery>) {
                return IgmpType::MembershipQuery;
            } else if constexpr (std::is_same_v<M, IgmpV1Report>) {
                return IgmpType::V1MembershipReport;
            } else if constexpr (std::is_same_v<M, IgmpV2Report>) {
                return IgmpType::V2MembershipReport;
            } else if constexpr (std::is_same_v<M, IgmpV2Leave>) {
                return IgmpType::LeaveGroup;
            } else {
                static_assert(std::is_same_v<M, IgmpV3Report>);
                return IgmpType::V3MembershipReport;
            }
        },
        body);
}

std::size_t IgmpMessage::size() const {
    return std::visit([](const auto& m) { return m.size(); }, body);
}

std::size_t IgmpMessage::emit(MutableBytes out) const {
    return std::visit([&](const auto& m) { return m.emit(out); }, body);
}

}  // namespace caplnet::wire
