#pragma once
// Reading checked values out of a TOML table, with every mistake thrown as ConfigError naming
// `SOURCE:LINE`. Shared by the node file and the scenario file, so both speak alike.
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "stack/config/node_config.hpp"

namespace caplnet::stack {

class TomlReader {
public:
    explicit TomlReader(std::string source) : source_(std::move(source)) {}

    [[noreturn]] void fail(const toml::node* at, const std::string& what) const {
        std::ostringstream os;
        os << source_;
        if (at != nullptr && at->source().begin.line != 0) os << ':' << at->source().begin.line;
        os << ": " << what;
        throw ConfigError(os.str());
    }

    /// Rejects any key not in `allowed`, naming the ones that are.
    void only_keys(const toml::table& t, std::initializer_list<std::string_view> allowed,
                   const std::string& where) const {
        for (auto&& [k, v] : t) {
            bool ok = false;
            for (auto a : allowed) ok = ok || k.str() == a;
            if (ok) continue;
            std::string known;
            for (auto a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
            fail(&v, "unknown key '" + std::string(k.str()) + "' in " + where + " (known: " + known + ")");
        }
    }

    std::optional<std::string> string(const toml::table& t, std::string_view key) const {
        const toml::node* n = t.get(key);
        if (n == nullptr) return std::nullopt;
        if (!n->is_string()) fail(n, "'" + std::string(key) + "' must be a string");
        return std::string(**n->as_string());
    }

    std::string required_string(const toml::table& t, std::string_view key) const {
        auto s = string(t, key);
        if (!s) fail(&t, "missing key '" + std::string(key) + "'");
        return *s;
    }

    std::optional<std::int64_t> integer(const toml::table& t, std::string_view key, std::int64_t lo,
                                        std::int64_t hi) const {
        const toml::node* n = t.get(key);
        if (n == nullptr) return std::nullopt;
        if (!n->is_integer()) fail(n, "'" + std::string(key) + "' must be an integer");
        const std::int64_t v = **n->as_integer();
        if (v < lo || v > hi) {
            fail(n, "'" + std::string(key) + "' = " + std::to_string(v) + " is outside " + std::to_string(lo) +
                        ".." + std::to_string(hi));
        }
        return v;
    }

    /// An integer or a float, within [lo, hi].
    std::optional<double> number(const toml::table& t, std::string_view key, double lo, double hi) const {
        const toml::node* n = t.get(key);
        if (n == nullptr) return std::nullopt;
        double v = 0;
        if (n->is_integer()) {
            v = static_cast<double>(**n->as_integer());
        } else if (n->is_floating_point()) {
            v = **n->as_floating_point();
        } else {
            fail(n, "'" + std::string(key) + "' must be a number");
        }
        if (!(v >= lo && v <= hi)) {
            std::ostringstream os;
            os << "'" << key << "' = " << v << " is outside " << lo << ".." << hi;
            fail(n, os.str());
        }
        return v;
    }

    std::optional<bool> boolean(const toml::table& t, std::string_view key) const {
        const toml::node* n = t.get(key);
        if (n == nullptr) return std::nullopt;
        if (!n->is_boolean()) fail(n, "'" + std::string(key) + "' must be true or false");
        return **n->as_boolean();
    }

    /// Each element of an array of tables `key` (`[[key]]`).
    std::vector<const toml::table*> tables(const toml::table& root, std::string_view key) const {
        std::vector<const toml::table*> out;
        const toml::node* n = root.get(key);
        if (n == nullptr) return out;
        const toml::array* a = n->as_array();
        const std::string how = "'" + std::string(key) + "' must be written [[" + std::string(key) + "]]";
        if (a == nullptr) fail(n, how);
        for (const auto& e : *a) {
            if (!e.is_table()) fail(&e, how);
            out.push_back(e.as_table());
        }
        return out;
    }

    const std::string& source() const { return source_; }

private:
    std::string source_;
};

}  // namespace caplnet::stack
