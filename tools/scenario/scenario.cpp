#include "tools/scenario/scenario.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "stack/config/toml_reader.hpp"

namespace caplnet::tools {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kMetrics = {
    "received", "sent", "send_failed", "queue_drops",           // sockets (or a group's rows)
    "joins", "leaves", "received_after_leave",                  // memberships (need group)
    "wire_joins", "wire_leaves",                                // the merged capture (need group)
    "rx_dropped", "tx_dropped",                                 // the node's adapters
};

/// The scenario file's reader: the node file's, plus the lists and defaults a scenario needs.
class Reader : public stack::TomlReader {
public:
    using TomlReader::TomlReader;

    std::string string_or(const toml::table& t, std::string_view key, const std::string& fallback) const {
        return string(t, key).value_or(fallback);
    }

    std::vector<std::string> strings(const toml::table& t, std::string_view key) const {
        std::vector<std::string> out;
        const toml::node* n = t.get(key);
        if (n == nullptr) return out;
        const toml::array* a = n->as_array();
        if (a == nullptr) fail(n, "'" + std::string(key) + "' must be an array of strings");
        for (const auto& e : *a) {
            if (!e.is_string()) fail(&e, "'" + std::string(key) + "' must be an array of strings");
            out.push_back(e.as_string()->get());
        }
        return out;
    }

    int line(const toml::node& n) const { return static_cast<int>(n.source().begin.line); }
};

std::string resolve(const std::string& dir, const std::string& path) {
    const fs::path p(path);
    return (p.is_absolute() ? p : fs::path(dir) / p).lexically_normal().string();
}

/// A program name (`receiver`) or path (`./my.so`, `/x/y.so`) to the shared object's path.
std::string find_program(const Reader& r, const toml::node* at, const std::string& dir,
                         const std::string& program, const ProgramSearch& search) {
    const bool is_path = program.find('/') != std::string::npos || program.ends_with(".so");
    if (is_path) {
        const std::string p = resolve(dir, program);
        if (!fs::exists(p)) r.fail(at, "program " + p + " does not exist");
        return p;
    }
    std::vector<std::string> dirs{dir};
    dirs.insert(dirs.end(), search.dirs.begin(), search.dirs.end());
    std::string tried;
    for (const auto& d : dirs) {
        const fs::path p = fs::path(d) / (program + ".so");
        if (fs::exists(p)) return fs::absolute(p).lexically_normal().string();
        tried += "\n  " + p.string();
    }
    r.fail(at, "no program named '" + program + "'; looked for" + tried);
}

bool valid_name(const std::string& s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
               return std::isalnum(c) || c == '_' || c == '-' || c == '.';
           }) && s[0] != '.';
}

ScenarioEvent::Kind event_kind(const Reader& r, const toml::table& t, const std::string& action) {
    static const std::map<std::string, ScenarioEvent::Kind> kinds{
        {"key", ScenarioEvent::Kind::Key},          {"start", ScenarioEvent::Kind::Start},
        {"stop", ScenarioEvent::Kind::Stop},        {"link_down", ScenarioEvent::Kind::LinkDown},
        {"link_up", ScenarioEvent::Kind::LinkUp}};
    auto it = kinds.find(action);
    if (it == kinds.end()) r.fail(t.get("action"), "action must be key, start, stop, link_down or link_up");
    return it->second;
}

void parse_comparison(const Reader& r, const toml::node& n, ScenarioExpectation& e) {
    if (n.is_integer()) {
        e.op = "==";
        e.value = n.as_integer()->get();
        return;
    }
    if (!n.is_string()) r.fail(&n, "'" + e.metric + "' must be a number or a comparison such as \">= 1\"");
    std::istringstream in(n.as_string()->get());
    std::string op;
    long long v = 0;
    in >> op >> v;
    static const std::set<std::string> ops{"==", "!=", ">=", "<=", ">", "<"};
    std::string rest;
    if (!ops.contains(op) || in.fail() || (in >> rest)) {
        r.fail(&n, "'" + e.metric + "' wants OP NUMBER with OP one of == != >= <= > <, not '" +
                       n.as_string()->get() + "'");
    }
    e.op = op;
    e.value = v;
}

}  // namespace

const std::vector<std::string>& expectation_metrics() { return kMetrics; }

std::string ScenarioExpectation::describe() const {
    std::string s = node;
    if (port) s += " port " + std::to_string(*port);
    if (group) s += " group " + *group;
    if (if_index) s += " ifIndex " + std::to_string(*if_index);
    return s + ": " + metric + " " + op + " " + std::to_string(value);
}

Scenario load_scenario(const std::string& path, const ProgramSearch& search) {
    Reader r(path);
    toml::table root;
    try {
        root = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        std::ostringstream os;
        os << path << ':' << e.source().begin.line << ": " << e.description();
        throw ScenarioError(os.str());
    }
    r.only_keys(root, {"name", "duration", "end", "ready_timeout", "switch", "node", "event", "replay", "expect"},
                "the scenario");
    Scenario s;
    s.source = path;
    s.dir = fs::absolute(fs::path(path)).parent_path().lexically_normal().string();
    s.name = r.string_or(root, "name", fs::path(path).stem().string());
    s.duration = r.number(root, "duration", 0, 86400 * 7).value_or(0);
    const std::string end = r.string_or(root, "end", "duration");
    if (end != "duration" && end != "nodes_exited") r.fail(root.get("end"), "end must be \"duration\" or \"nodes_exited\"");
    s.end_when_nodes_exit = end == "nodes_exited";
    if (s.duration <= 0) r.fail(&root, "the scenario needs a duration in seconds (duration = 5)");
    s.ready_timeout = r.number(root, "ready_timeout", 1, 600).value_or(30);

    std::set<std::string> names;
    for (const toml::table* t : r.tables(root, "switch")) {
        r.only_keys(*t, {"name", "ports", "uplinks", "links"}, "[[switch]]");
        ScenarioSwitch sw;
        sw.name = r.string_or(*t, "name", "switch");
        if (!valid_name(sw.name)) r.fail(t, "switch name '" + sw.name + "' must be letters, digits, _ - .");
        if (!names.insert(sw.name).second) r.fail(t, "two switches are named '" + sw.name + "'");
        sw.ports = r.strings(*t, "ports");
        sw.uplinks = r.strings(*t, "uplinks");
        const std::string links = r.string_or(*t, "links", "ring");
        if (links != "ring" && links != "vde") r.fail(t->get("links"), "links must be \"ring\" or \"vde\"");
        sw.ring_links = links == "ring";
        for (const auto& u : sw.uplinks) {
            if (u.find("://") == std::string::npos) r.fail(t->get("uplinks"), "uplink '" + u + "' is not a link URL");
        }
        s.switches.push_back(std::move(sw));
    }

    names.clear();
    for (const toml::table* t : r.tables(root, "node")) {
        r.only_keys(*t, {"name", "file", "config", "program", "params", "start"}, "[[node]]");
        ScenarioNode n;
        n.line = r.line(*t);
        const bool has_file = t->contains("file");
        const bool has_config = t->contains("config");
        if (has_file == has_config) r.fail(t, "a node needs either file = \"NODE.toml\" or a [node.config] table");
        const toml::table* c = has_config ? t->get("config")->as_table() : nullptr;
        if (has_config && c == nullptr) r.fail(t->get("config"), "config must be a table ([node.config])");
        const std::string file = has_file ? resolve(s.dir, r.required_string(*t, "file")) : "";
        const auto given_name = r.string(*t, "name");
        try {
            if (has_file) {
                n.file = file;
                n.config = stack::load_node_config(n.file);
            } else {
                // The node's name may stand in [[node]] alone: the inline file does not repeat it.
                toml::table copy = *c;
                if (!copy.contains("name") && given_name) copy.insert("name", *given_name);
                std::ostringstream text;
                text << copy;
                n.inline_toml = text.str();
                n.config = stack::parse_node_config(
                    n.inline_toml, path + ":" + std::to_string(r.line(*c)) + " [node.config]");
            }
        } catch (const stack::ConfigError& e) {
            r.fail(t, e.what());
        }
        n.name = given_name.value_or(n.config.name);
        if (!valid_name(n.name)) r.fail(t, "node name '" + n.name + "' must be letters, digits, _ - .");
        if (!names.insert(n.name).second) r.fail(t, "two nodes are named '" + n.name + "'");
        n.config.name = n.name;
        const std::string program = r.string_or(*t, "program", {});
        if (!program.empty()) n.program = find_program(r, t->get("program"), s.dir, program, search);
        if (const toml::node* p = t->get("params")) {
            const toml::table* pt = p->as_table();
            if (pt == nullptr) r.fail(p, "params must be a table: params = { group = \"239.0.0.1\" }");
            for (const auto& [k, v] : *pt) {
                if (v.is_string()) {
                    n.params[std::string(k.str())] = v.as_string()->get();
                } else if (v.is_integer()) {
                    n.params[std::string(k.str())] = std::to_string(v.as_integer()->get());
                } else if (v.is_floating_point()) {
                    std::ostringstream os;
                    os << v.as_floating_point()->get();
                    n.params[std::string(k.str())] = os.str();
                } else if (v.is_boolean()) {
                    n.params[std::string(k.str())] = v.as_boolean()->get() ? "true" : "false";
                } else {
                    r.fail(&v, "parameter '" + std::string(k.str()) + "' must be a string, number or boolean");
                }
            }
        }
        n.start_at = r.number(*t, "start", 0, s.duration).value_or(0);
        s.nodes.push_back(std::move(n));
    }
    if (s.nodes.empty()) r.fail(&root, "the scenario has no [[node]]");
    auto node_of = [&](const toml::table& t) -> const ScenarioNode& {
        const std::string name = r.required_string(t, "node");
        for (const auto& n : s.nodes) {
            if (n.name == name) return n;
        }
        r.fail(t.get("node"), "no node named '" + name + "'");
    };

    for (const toml::table* t : r.tables(root, "event")) {
        r.only_keys(*t, {"at", "node", "action", "key", "adapter"}, "[[event]]");
        ScenarioEvent e;
        e.line = r.line(*t);
        if (!t->contains("at")) r.fail(t, "an event needs at = SECONDS");
        e.at = *r.number(*t, "at", 0, s.duration);
        const ScenarioNode& n = node_of(*t);
        e.node = n.name;
        const std::string key = r.string_or(*t, "key", {});
        e.kind = event_kind(r, *t, r.string_or(*t, "action", key.empty() ? "" : "key"));
        if (e.kind == ScenarioEvent::Kind::Key) {
            if (key.size() != 1) r.fail(t, "a key event needs key = \"C\" (one character)");
            e.key = key[0];
        }
        if (e.kind == ScenarioEvent::Kind::LinkDown || e.kind == ScenarioEvent::Kind::LinkUp) {
            e.adapter = r.required_string(*t, "adapter");
            const bool known = std::any_of(n.config.adapters.begin(), n.config.adapters.end(),
                                           [&](const auto& a) { return a.name == e.adapter; });
            if (!known) r.fail(t->get("adapter"), "node " + n.name + " has no adapter '" + e.adapter + "'");
        }
        s.events.push_back(e);
    }
    std::stable_sort(s.events.begin(), s.events.end(),
                     [](const ScenarioEvent& a, const ScenarioEvent& b) { return a.at < b.at; });

    for (const toml::table* t : r.tables(root, "replay")) {
        r.only_keys(*t, {"at", "capture", "into", "timing", "speed", "loop", "filter", "vlan_add",
                         "vlan_strip", "vlan_map", "dst_mac"},
                    "[[replay]]");
        ScenarioReplay p;
        p.line = r.line(*t);
        p.at = r.number(*t, "at", 0, s.duration).value_or(0);
        p.capture = resolve(s.dir, r.required_string(*t, "capture"));
        if (!fs::exists(p.capture)) r.fail(t->get("capture"), "capture " + p.capture + " does not exist");
        p.into = s.switches.empty() ? r.required_string(*t, "into") : r.string_or(*t, "into", s.switches.front().name);
        if (const auto slash = p.into.find('/'); slash != std::string::npos) {
            bool found = false;
            for (const auto& n : s.nodes) {
                if (n.name != p.into.substr(0, slash)) continue;
                for (const auto& a : n.config.adapters) found = found || a.name == p.into.substr(slash + 1);
            }
            if (!found) r.fail(t->get("into"), "no node adapter '" + p.into + "'");
        } else if (std::none_of(s.switches.begin(), s.switches.end(),
                                [&](const auto& sw) { return sw.name == p.into; })) {
            r.fail(t->get("into"), "into must name a [[switch]] or a NODE/ADAPTER, not '" + p.into + "'");
        }
        p.timing = r.string_or(*t, "timing", "recorded");
        if (p.timing != "recorded" && p.timing != "top") r.fail(t->get("timing"), "timing must be \"recorded\" or \"top\"");
        p.speed = r.number(*t, "speed", 0.001, 1e6).value_or(1);
        p.loops = static_cast<int>(r.integer(*t, "loop", 1, 1000000).value_or(1));
        p.filter = r.string_or(*t, "filter", {});
        if (auto v = r.integer(*t, "vlan_add", 1, 4094)) p.vlan_add = static_cast<int>(*v);
        p.vlan_strip = r.boolean(*t, "vlan_strip").value_or(false);
        p.vlan_map = r.strings(*t, "vlan_map");
        p.dst_mac = r.string_or(*t, "dst_mac", {});
        s.replays.push_back(std::move(p));
    }

    for (const toml::table* t : r.tables(root, "expect")) {
        ScenarioExpectation base;
        base.line = r.line(*t);
        base.node = node_of(*t).name;
        if (auto p = r.integer(*t, "port", 1, 65535)) base.port = static_cast<int>(*p);
        base.group = r.string(*t, "group");
        if (auto i = r.integer(*t, "if_index", 1, 65535)) base.if_index = static_cast<int>(*i);
        const std::string name = r.string_or(*t, "name", {});
        int metrics = 0;
        for (const auto& [k, v] : *t) {
            const std::string key(k.str());
            if (key == "node" || key == "port" || key == "group" || key == "if_index" || key == "name") continue;
            if (std::find(kMetrics.begin(), kMetrics.end(), key) == kMetrics.end()) {
                std::string list;
                for (const auto& m : kMetrics) list += (list.empty() ? "" : ", ") + m;
                r.fail(&v, "unknown key '" + key + "' in [[expect]] (selectors: node, port, group, if_index, "
                           "name; metrics: " + list + ")");
            }
            ScenarioExpectation e = base;
            e.metric = key;
            parse_comparison(r, v, e);
            const bool needs_group = key == "joins" || key == "leaves" || key == "received_after_leave" ||
                                     key == "wire_joins" || key == "wire_leaves";
            if (needs_group && !e.group) r.fail(&v, "'" + key + "' needs group = \"ADDRESS\"");
            ++metrics;
            e.name = name.empty() ? e.describe() : (name + (metrics > 1 ? " (" + key + ")" : ""));
            s.expectations.push_back(std::move(e));
        }
        if (metrics == 0) r.fail(t, "an [[expect]] needs a metric, e.g. received = \">= 1\"");
    }
    return s;
}

}  // namespace caplnet::tools
