// A run's result for people (the summary), for programs (JSON) and for CI systems (JUnit XML:
// one test case per node, "ran to the end", and one per expectation).
#include <unistd.h>

#include <sstream>

#include "tools/scenario/run_result.hpp"

namespace caplnet::tools {

namespace {

std::string xml_escape(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                // XML 1.0 allows no control characters but tab, newline and carriage return.
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                    out += '?';
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out;
}

std::string seconds(double s) {
    std::ostringstream os;
    os.precision(3);
    os << std::fixed << s;
    return os.str();
}

}  // namespace

std::string summary_text(const RunResult& r) {
    std::ostringstream os;
    const Scenario& s = *r.scenario;
    os << "scenario " << s.name << ": " << seconds(r.elapsed_s) << " s\n";
    if (!r.interrupted.empty()) os << "  interrupted by " << r.interrupted << "\n";
    for (const auto& e : r.errors) os << "  error: " << e << "\n";
    for (const auto& n : r.nodes) {
        os << "  node " << n.name << ": " << n.status << "\n";
        if (!n.report) continue;
        for (const auto& sock : (*n.report)["sockets"]) {
            const std::string local = sock["local"].is_string() ? sock["local"].get<std::string>() : "unbound";
            os << "    socket " << sock.value("socket", 0) << " " << local
               << ": received " << sock.value("received", 0) << ", sent " << sock.value("sent", 0);
            if (sock.value("queue_drops", 0) > 0) os << ", queue drops " << sock.value("queue_drops", 0);
            if (sock.value("send_failures", 0) > 0) {
                os << ", failed after returning 0 " << sock.value("send_failures", 0);
            }
            os << "\n";
        }
        for (const auto& g : (*n.report)["groups"]) {
            os << "    group " << g.value("group", "") << " on ifIndex " << g.value("if_index", 0) << " (socket "
               << g.value("socket", 0) << "): joins " << g.value("joins", 0) << ", leaves " << g.value("leaves", 0)
               << ", received " << g.value("received", 0) << ", after leave " << g.value("received_after_leave", 0)
               << "\n";
        }
        for (const auto& a : (*n.report)["adapters"]) {
            os << "    adapter " << a.value("name", "") << ": rx " << a.value("rx_frames", 0) << " tx "
               << a.value("tx_frames", 0);
            for (const auto& [reason, count] : a["rx_drops"].items()) os << ", rx drop " << reason << " " << count;
            for (const auto& [reason, count] : a["tx_drops"].items()) os << ", tx drop " << reason << " " << count;
            os << "\n";
        }
    }
    for (const auto& p : r.replays) {
        os << "  replay " << p.value("capture", "") << " into " << p.value("into", "") << ": "
           << p.value("status", "") << "\n";
    }
    if (!r.capture_path.empty()) {
        os << "  capture " << (r.capture_kept ? r.capture_path : "(not kept: --capture FILE keeps it)");
        if (r.capture) os << ": " << r.capture->frames << " frames";
        os << "\n";
    }
    int failed = 0;
    for (const auto& e : r.expectations) {
        os << "  " << (e.passed ? "PASS " : "FAIL ") << e.expectation->name << " — " << e.message << "\n";
        failed += e.passed ? 0 : 1;
    }
    os << (r.passed() ? "PASSED" : "FAILED") << ": " << r.expectations.size() - failed << "/"
       << r.expectations.size() << " expectations met";
    int died = 0;
    for (const auto& n : r.nodes) died += n.died ? 1 : 0;
    if (died > 0) os << ", " << died << " node(s) died";
    os << "\n";
    return os.str();
}

nlohmann::json report_json(const RunResult& r) {
    const Scenario& s = *r.scenario;
    nlohmann::json j;
    j["scenario"] = s.name;
    j["file"] = s.source;
    j["started"] = r.started;
    j["elapsed_s"] = r.elapsed_s;
    j["result"] = r.passed() ? "passed" : "failed";
    j["interrupted"] = r.interrupted.empty() ? nlohmann::json() : nlohmann::json(r.interrupted);
    j["errors"] = r.errors;
    j["nodes"] = nlohmann::json::array();
    for (const auto& n : r.nodes) {
        nlohmann::json node{{"name", n.name},
                            {"pid", n.pid},
                            {"died", n.died},
                            {"status", n.status},
                            {"exit_code", n.exit_code ? nlohmann::json(*n.exit_code) : nlohmann::json()}};
        for (const char* part : {"adapters", "sockets", "groups"}) {
            node[part] = n.report ? (*n.report)[part] : nlohmann::json::array();
        }
        j["nodes"].push_back(std::move(node));
    }
    j["switches"] = r.switches;
    j["replays"] = r.replays;
    nlohmann::json cap;
    cap["path"] = r.capture_kept ? nlohmann::json(r.capture_path) : nlohmann::json();
    if (r.capture) {
        cap["frames"] = r.capture->frames;
        cap["membership"] = nlohmann::json::array();
        for (const auto& [key, m] : r.capture->membership) {
            cap["membership"].push_back({{"mac", key.first}, {"group", key.second}, {"joins", m.joins}, {"leaves", m.leaves}});
        }
    }
    j["capture"] = cap;
    j["expectations"] = nlohmann::json::array();
    for (const auto& e : r.expectations) {
        const auto& x = *e.expectation;
        j["expectations"].push_back({{"name", x.name},
                                     {"node", x.node},
                                     {"port", x.port ? nlohmann::json(*x.port) : nlohmann::json()},
                                     {"group", x.group ? nlohmann::json(*x.group) : nlohmann::json()},
                                     {"if_index", x.if_index ? nlohmann::json(*x.if_index) : nlohmann::json()},
                                     {"metric", x.metric},
                                     {"op", x.op},
                                     {"expected", x.value},
                                     {"actual", e.actual ? nlohmann::json(*e.actual) : nlohmann::json()},
                                     {"passed", e.passed},
                                     {"message", e.message},
                                     {"line", x.line}});
    }
    return j;
}

std::string junit_xml(const RunResult& r) {
    const Scenario& s = *r.scenario;
    struct Case {
        std::string name, classname, failure, detail;
        bool error = false;
    };
    std::vector<Case> cases;
    for (const auto& n : r.nodes) {
        cases.push_back({"node " + n.name + " ran to the end", s.name + "." + n.name, n.died ? n.status : "", "", false});
    }
    for (const auto& e : r.expectations) {
        const auto& x = *e.expectation;
        cases.push_back({x.name, s.name + "." + x.node, e.passed ? "" : e.message,
                         s.source + ":" + std::to_string(x.line) + ": " + x.describe(), !e.actual});
    }
    for (const auto& err : r.errors) cases.push_back({"scenario runs", s.name, err, "", true});
    if (!r.interrupted.empty()) cases.push_back({"scenario runs to the end", s.name, "interrupted by " + r.interrupted, "", true});
    int failures = 0, errors = 0;
    for (const auto& c : cases) {
        if (c.failure.empty()) continue;
        ++(c.error ? errors : failures);
    }
    char host[256] = "localhost";
    ::gethostname(host, sizeof host - 1);
    std::ostringstream os;
    os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    os << "<testsuites name=\"caplnet run\" tests=\"" << cases.size() << "\" failures=\"" << failures
       << "\" errors=\"" << errors << "\" time=\"" << seconds(r.elapsed_s) << "\">\n";
    os << "  <testsuite name=\"" << xml_escape(s.name) << "\" tests=\"" << cases.size() << "\" failures=\""
       << failures << "\" errors=\"" << errors << "\" skipped=\"0\" time=\"" << seconds(r.elapsed_s)
       << "\" timestamp=\"" << xml_escape(r.started) << "\" hostname=\"" << xml_escape(host) << "\">\n";
    os << "    <properties>\n      <property name=\"file\" value=\"" << xml_escape(s.source) << "\"/>\n"
       << "    </properties>\n";
    for (const auto& c : cases) {
        os << "    <testcase name=\"" << xml_escape(c.name) << "\" classname=\"" << xml_escape(c.classname)
           << "\" time=\"0\"";
        if (c.failure.empty()) {
            os << "/>\n";
            continue;
        }
        const char* tag = c.error ? "error" : "failure";
        os << ">\n      <" << tag << " message=\"" << xml_escape(c.failure) << "\" type=\""
           << (c.error ? "error" : "expectation") << "\">" << xml_escape(c.detail.empty() ? c.failure : c.detail)
           << "</" << tag << ">\n    </testcase>\n";
    }
    os << "  </testsuite>\n</testsuites>\n";
    return os.str();
}

}  // namespace caplnet::tools
