// SPDX-License-Identifier: GPL-3.0-or-later
// Command-line options for daam-cli: `--name value`, `--flag`, and positional arguments. Each command
// declares its options (with help text) and then reads them; unknown options and missing values are
// errors that name the option.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace daam::cli {

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Args {
public:
    Args(std::string command, std::string summary, std::vector<std::string> argv);

    // Declarations, in the order they appear in --help.
    void option(const std::string& name, const std::string& valueName, const std::string& help,
                const std::string& defaultValue = {});
    void flag(const std::string& name, const std::string& help);
    // `variadic`: the last positional, taking every argument left.
    void positional(const std::string& name, const std::string& help, bool required = true, bool variadic = false);

    // Parses argv against the declarations. Returns false when --help was given (help already printed).
    bool parse();

    bool has(const std::string& name) const;
    std::string get(const std::string& name) const;     // the value, or the declared default
    std::string require(const std::string& name) const; // throws UsageError when absent
    std::optional<std::string> value(const std::string& name) const;
    long long getInt(const std::string& name) const; // throws UsageError unless a whole number
    double getDouble(const std::string& name) const;
    bool flagSet(const std::string& name) const;
    const std::vector<std::string>& positionals() const { return positionalValues_; }

    std::string help() const;

private:
    struct Spec {
        std::string name, valueName, help, defaultValue;
        bool isFlag = false;
    };
    struct PositionalSpec {
        std::string name, help;
        bool required = true;
        bool variadic = false;
    };
    const Spec* findSpec(const std::string& name) const;

    std::string command_, summary_;
    std::vector<std::string> argv_;
    std::vector<Spec> specs_;
    std::vector<PositionalSpec> positionalSpecs_;
    std::vector<std::pair<std::string, std::string>> values_;
    std::vector<std::string> positionalValues_;
};

} // namespace daam::cli
