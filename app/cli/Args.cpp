// SPDX-License-Identifier: GPL-3.0-or-later
#include "Args.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace daam::cli {

Args::Args(std::string command, std::string summary, std::vector<std::string> argv)
    : command_(std::move(command)), summary_(std::move(summary)), argv_(std::move(argv)) {}

void Args::option(const std::string& name, const std::string& valueName, const std::string& help,
                  const std::string& defaultValue) {
    specs_.push_back({name, valueName, help, defaultValue, false});
}

void Args::flag(const std::string& name, const std::string& help) {
    specs_.push_back({name, {}, help, {}, true});
}

void Args::positional(const std::string& name, const std::string& help, bool required, bool variadic) {
    positionalSpecs_.push_back({name, help, required, variadic});
}

const Args::Spec* Args::findSpec(const std::string& name) const {
    for (const auto& s : specs_)
        if (s.name == name) return &s;
    return nullptr;
}

bool Args::parse() {
    for (size_t i = 0; i < argv_.size(); ++i) {
        const std::string& a = argv_[i];
        if (a == "--help" || a == "-h") {
            std::fputs(help().c_str(), stdout);
            return false;
        }
        if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
            std::string name = a.substr(2), inlineValue;
            bool hasInline = false;
            if (auto eq = name.find('='); eq != std::string::npos) {
                inlineValue = name.substr(eq + 1);
                name = name.substr(0, eq);
                hasInline = true;
            }
            const Spec* spec = findSpec(name);
            if (!spec) throw UsageError("unknown option --" + name + " (see 'daam-cli " + command_ + " --help')");
            if (spec->isFlag) {
                if (hasInline) throw UsageError("option --" + name + " takes no value");
                values_.emplace_back(name, "1");
            } else if (hasInline) {
                values_.emplace_back(name, inlineValue);
            } else {
                if (i + 1 >= argv_.size()) throw UsageError("option --" + name + " needs a value");
                values_.emplace_back(name, argv_[++i]);
            }
        } else {
            positionalValues_.push_back(a);
        }
    }
    size_t required = 0;
    for (const auto& p : positionalSpecs_)
        required += p.required ? 1 : 0;
    if (positionalValues_.size() < required)
        throw UsageError("missing argument " + positionalSpecs_[positionalValues_.size()].name);
    const bool variadic = !positionalSpecs_.empty() && positionalSpecs_.back().variadic;
    if (!variadic && positionalValues_.size() > positionalSpecs_.size())
        throw UsageError("unexpected argument '" + positionalValues_[positionalSpecs_.size()] + "'");
    return true;
}

std::optional<std::string> Args::value(const std::string& name) const {
    std::optional<std::string> v;
    for (const auto& [n, val] : values_)
        if (n == name) v = val; // the last occurrence wins
    return v;
}

bool Args::has(const std::string& name) const {
    return value(name).has_value();
}

std::string Args::get(const std::string& name) const {
    if (auto v = value(name)) return *v;
    const Spec* s = findSpec(name);
    return s ? s->defaultValue : std::string();
}

std::string Args::require(const std::string& name) const {
    auto v = value(name);
    if (!v) throw UsageError("option --" + name + " is required");
    return *v;
}

long long Args::getInt(const std::string& name) const {
    const std::string text = get(name);
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno == ERANGE)
        throw UsageError("option --" + name + " expects a whole number, got '" + text + "'");
    return v;
}

double Args::getDouble(const std::string& name) const {
    const std::string text = get(name);
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0') throw UsageError("option --" + name + " expects a number, got '" + text + "'");
    return v;
}

bool Args::flagSet(const std::string& name) const {
    return has(name);
}

std::string Args::help() const {
    std::ostringstream s;
    s << "Usage: daam-cli " << command_;
    for (const auto& p : positionalSpecs_)
        s << (p.required ? " " : " [") << p.name << (p.required ? "" : "]");
    if (!specs_.empty()) s << " [options]";
    s << "\n\n" << summary_ << "\n";
    if (!positionalSpecs_.empty()) {
        s << "\nArguments:\n";
        for (const auto& p : positionalSpecs_)
            s << "  " << p.name << "\n      " << p.help << "\n";
    }
    s << "\nOptions:\n";
    for (const auto& o : specs_) {
        s << "  --" << o.name;
        if (!o.isFlag) s << " " << o.valueName;
        s << "\n      " << o.help;
        if (!o.defaultValue.empty()) s << " (default: " << o.defaultValue << ")";
        s << "\n";
    }
    s << "  --help\n      Show this help.\n";
    return s.str();
}

} // namespace daam::cli
