// SPDX-License-Identifier: GPL-3.0-or-later
// The YAML reader of LDM / sgm model configs: the real files' shapes, scalar typing, quoting, flow collections,
// comments, and a clear error (naming the text and the line) for everything it refuses.
#include "daam/util/Error.h"
#include "daam/util/Yaml.h"

#include "TestSupport.h"

#include "TestMain.h"

#include <cmath>
#include <fstream>
#include <string>

// The helpers are members rather than free functions: the tests compile in unity batches, where an anonymous
// namespace's names meet those of the other test files.
class TestYaml : public QObject {
    Q_OBJECT

    using json = nlohmann::json;

    // The fixtures: the shapes of Stability's v2-inference-v.yaml (LDM) and sd_xl_base.yaml (sgm). Files rather than
    // raw strings in this file: moc 6.4 reads a raw string's content as code and loses the class after a "//" in it.
    static std::string fixture(const char* name) { return daam::test::testDataDir() + "/yaml/" + name; }

    static json valueAt(const json& j, const char* pointer) { return j.at(json::json_pointer(pointer)); }

    // "int", "float", "string", "boolean", "null", "array" or "object".
    static QString kindOf(const json& v) {
        if (v.is_number_integer()) return QStringLiteral("int");
        if (v.is_number_float()) return QStringLiteral("float");
        return QString::fromUtf8(v.type_name()).replace(QStringLiteral("number"), QStringLiteral("float"));
    }

    static json parse(const std::string& text) { return daam::parseYaml(text, "cfg.yaml"); }

    // The message of the FileError that parsing `text` throws, or "" when it parses.
    static std::string errorOf(const std::string& text) {
        try {
            parse(text);
        } catch (const daam::FileError& e) {
            return e.what();
        }
        return {};
    }

    static void writeFile(const std::string& path, const std::string& content) {
        std::ofstream(path, std::ios::binary) << content;
    }

private Q_SLOTS:
    void readsLdmConfig() {
        const json j = daam::readYamlFile(fixture("v2-inference-v.yaml"));
        QCOMPARE(kindOf(valueAt(j, "/model/base_learning_rate")), QStringLiteral("float"));
        QCOMPARE(valueAt(j, "/model/base_learning_rate").get<double>(), 1.0e-4);
        QCOMPARE(valueAt(j, "/model/target"), json("ldm.models.diffusion.ddpm.LatentDiffusion"));
        QCOMPARE(valueAt(j, "/model/params/linear_start").get<double>(), 0.00085);
        QCOMPARE(valueAt(j, "/model/params/timesteps"), json(1000));
        QCOMPARE(kindOf(valueAt(j, "/model/params/timesteps")), QStringLiteral("int"));
        QCOMPARE(valueAt(j, "/model/params/first_stage_key"), json("jpg"));
        QCOMPARE(valueAt(j, "/model/params/cond_stage_trainable"), json(false));
        QCOMPARE(valueAt(j, "/model/params/use_ema"), json(false));
        QCOMPARE(valueAt(j, "/model/params/parameterization"), json("v"));
        QCOMPARE(valueAt(j, "/model/params/monitor"), json("val/loss_simple_ema"));
        QCOMPARE(valueAt(j, "/model/params/scheduler_config/target"), json("ldm.lr_scheduler.LambdaLinearScheduler"));
        const json cycle = valueAt(j, "/model/params/scheduler_config/params/cycle_lengths");
        QCOMPARE(cycle.size(), size_t(1));
        QCOMPARE(kindOf(cycle[0]), QStringLiteral("int"));
        QCOMPARE(cycle[0].get<int64_t>(), int64_t(10000000000000));
        QCOMPARE(kindOf(valueAt(j, "/model/params/scheduler_config/params/f_start/0")), QStringLiteral("float"));
        QCOMPARE(valueAt(j, "/model/params/scheduler_config/params/f_start/0").get<double>(), 1e-6);
        QCOMPARE(kindOf(valueAt(j, "/model/params/scheduler_config/params/f_max/0")), QStringLiteral("float"));
        QCOMPARE(valueAt(j, "/model/params/scheduler_config/params/f_max/0").get<double>(), 1.0);
        QCOMPARE(valueAt(j, "/model/params/unet_config/params/use_checkpoint"), json(true));
        QCOMPARE(valueAt(j, "/model/params/unet_config/params/image_size"), json(32));
        QCOMPARE(valueAt(j, "/model/params/unet_config/params/attention_resolutions"), json({4, 2, 1}));
        QCOMPARE(valueAt(j, "/model/params/unet_config/params/channel_mult"), json({1, 2, 4, 4}));
        QCOMPARE(valueAt(j, "/model/params/unet_config/params/legacy"), json(false));
        QCOMPARE(valueAt(j, "/model/params/first_stage_config/params/ddconfig/ch_mult"), json({1, 2, 4, 4}));
        QCOMPARE(valueAt(j, "/model/params/first_stage_config/params/ddconfig/num_res_blocks"), json(2));
        QCOMPARE(valueAt(j, "/model/params/first_stage_config/params/ddconfig/attn_resolutions"), json::array());
        QCOMPARE(kindOf(valueAt(j, "/model/params/first_stage_config/params/ddconfig/dropout")),
                 QStringLiteral("float"));
        QCOMPARE(valueAt(j, "/model/params/first_stage_config/params/lossconfig"),
                 json({{"target", "torch.nn.Identity"}}));
        QCOMPARE(valueAt(j, "/model/params/cond_stage_config/params/layer"), json("penultimate"));
        QCOMPARE(valueAt(j, "/model/params").size(), size_t(19));
    }

    void readsSgmConfig() {
        const json j = daam::readYamlFile(fixture("sd_xl_base.yaml"));
        QCOMPARE(valueAt(j, "/model/params/scale_factor").get<double>(), 0.13025);
        QCOMPARE(valueAt(j, "/model/params/disable_first_stage_autocast"), json(true));
        QCOMPARE(valueAt(j, "/model/params/denoiser_config/params/num_idx"), json(1000));
        QCOMPARE(valueAt(j, "/model/params/denoiser_config/params/scaling_config/target"),
                 json("sgm.modules.diffusionmodules.denoiser_scaling.EpsScaling"));
        QCOMPARE(valueAt(j, "/model/params/network_config/params/num_classes"), json("sequential"));
        QCOMPARE(valueAt(j, "/model/params/network_config/params/adm_in_channels"), json(2816));
        QCOMPARE(valueAt(j, "/model/params/network_config/params/attention_resolutions"), json({4, 2}));
        QCOMPARE(valueAt(j, "/model/params/network_config/params/transformer_depth"), json({1, 2, 10}));
        QCOMPARE(valueAt(j, "/model/params/network_config/params/spatial_transformer_attn_type"),
                 json("softmax-xformers"));
        const json models = valueAt(j, "/model/params/conditioner_config/params/emb_models");
        QCOMPARE(models.size(), size_t(3));
        QCOMPARE(models[0].at("is_trainable"), json(false));
        QCOMPARE(models[0].at("params").at("layer_idx"), json(11));
        QCOMPARE(models[1].at("target"), json("sgm.modules.encoders.modules.FrozenOpenCLIPEmbedder2"));
        QCOMPARE(models[1].at("params").at("arch"), json("ViT-bigG-14"));
        QCOMPARE(models[1].at("params").at("always_return_pooled"), json(true));
        QCOMPARE(models[2].at("input_key"), json("original_size_as_tuple"));
        QCOMPARE(models[2].at("params"), json({{"outdim", 256}}));
    }

    void typesScalars_data() {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected"); // JSON
        const auto row = [](const char* yaml, const char* kind, const char* expected) {
            QTest::newRow(yaml) << QString::fromUtf8(yaml) << QString::fromUtf8(kind) << QString::fromUtf8(expected);
        };
        for (const char* t : {"true", "True", "TRUE"})
            row(t, "boolean", "true");
        for (const char* f : {"false", "False", "FALSE"})
            row(f, "boolean", "false");
        for (const char* n : {"null", "Null", "NULL", "~", ""})
            row(n, "null", "null");
        row("0", "int", "0");
        row("-3", "int", "-3");
        row("+7", "int", "7");
        row("007", "int", "7");
        row("10000000000000", "int", "10000000000000");
        row("9223372036854775807", "int", "9223372036854775807");
        row("18446744073709551615", "int", "18446744073709551615");
        row("0x1F", "int", "31");
        row("0o17", "int", "15");
        row("1.0e-04", "float", "0.0001");
        row("1.e-6", "float", "0.000001");
        row("1.", "float", "1.0");
        row(".5", "float", "0.5");
        row("-2.5", "float", "-2.5");
        row("0.00085", "float", "0.00085");
        row("1e3", "float", "1000.0");
        row("2E+2", "float", "200.0");
        row("0.0", "float", "0.0");
        row("123456789012345678901234", "float", "1.2345678901234568e23");
        for (const char* s : {"yes",
                              "no",
                              "on",
                              "off",
                              "y",
                              "sequential",
                              "val/loss_simple_ema",
                              "ViT-bigG-14",
                              "softmax-xformers",
                              "1.0.0",
                              "1_000",
                              "0x",
                              "0x1G",
                              "1e",
                              "e5",
                              ".",
                              ".e5",
                              "-.nan",
                              "truely",
                              "nulls",
                              "-1a",
                              "a#b",
                              "http://x:8080/y",
                              "a b  c",
                              "-x",
                              "?x",
                              ":x",
                              "+",
                              "inf",
                              "nan",
                              "2024-01-01"}) {
            row(s, "string", json(s).dump().c_str());
        }
    }
    void typesScalars() {
        QFETCH(QString, yaml);
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        const json v = parse("v: " + yaml.toStdString()).at("v");
        QCOMPARE(kindOf(v), kind);
        QCOMPARE(v, json::parse(expected.toStdString()));
    }

    void typesInfinityAndNan() {
        const json j = parse("a: .inf\nb: -.Inf\nc: +.INF\nd: .nan\ne: .NaN\nf: [.inf, -.inf]\n");
        QCOMPARE(valueAt(j, "/a").get<double>(), INFINITY);
        QCOMPARE(valueAt(j, "/b").get<double>(), -INFINITY);
        QCOMPARE(valueAt(j, "/c").get<double>(), INFINITY);
        QVERIFY(std::isnan(valueAt(j, "/d").get<double>()));
        QVERIFY(std::isnan(valueAt(j, "/e").get<double>()));
        QCOMPARE(valueAt(j, "/f/1").get<double>(), -INFINITY);
        // Beyond double's range, as Python reads the file: infinite or zero.
        const json far = parse("a: 1e999\nb: -1e999\nc: 1e-400\nd: -0.0001e-999\ne: 0.00001e312\nf: 1000e-310\n");
        QCOMPARE(valueAt(far, "/a").get<double>(), INFINITY);
        QCOMPARE(valueAt(far, "/b").get<double>(), -INFINITY);
        QCOMPARE(valueAt(far, "/c").get<double>(), 0.0);
        QVERIFY(std::signbit(valueAt(far, "/d").get<double>()));
        QCOMPARE(valueAt(far, "/e").get<double>(), 1e307);
        QCOMPARE(valueAt(far, "/f").get<double>(), 1e-307);
    }

    void readsQuotedStrings() {
        const json j = parse("single: 'it''s # not a comment'\n"
                             "double: \"a\\\"b\\\\c\\tD\\n\"\n"
                             "unicode: \"\\u00e9\\x41\\U0001F600\\uD83D\\uDE00\"\n"
                             "others: \"\\0\\a\\b\\v\\f\\r\\e\\ \\/\\N\\_\\L\\P\"\n"
                             "typed: 'true'\n"
                             "number: \"1\"\n"
                             "empty: \"\"\n"
                             "emptySingle: ''\n"
                             "\"quoted key\": 1\n"
                             "'single key': 2\n"
                             "\"\": 3\n"
                             "folded: \"a\n"
                             "  b\n"
                             "\n"
                             "  c\"\n"
                             "foldedSingle: 'x  \n"
                             "    y'\n"
                             "joined: \"ab\\\n"
                             "    cd\"\n"
                             "spaces: \"  keep  \"\n"
                             "utf8: \"Grüße, 世界\"\n");
        QCOMPARE(valueAt(j, "/single"), json("it's # not a comment"));
        QCOMPARE(valueAt(j, "/double"), json("a\"b\\c\tD\n"));
        QCOMPARE(valueAt(j, "/unicode"), json("\xC3\xA9"
                                              "A\xF0\x9F\x98\x80\xF0\x9F\x98\x80"));
        QCOMPARE(valueAt(j, "/others"),
                 json(std::string("\0\a\b\v\f\r\x1B /\xC2\x85\xC2\xA0\xE2\x80\xA8\xE2\x80\xA9", 19)));
        QCOMPARE(valueAt(j, "/typed"), json("true"));
        QCOMPARE(valueAt(j, "/number"), json("1"));
        QCOMPARE(valueAt(j, "/empty"), json(""));
        QCOMPARE(valueAt(j, "/emptySingle"), json(""));
        QCOMPARE(j.at("quoted key"), json(1));
        QCOMPARE(j.at("single key"), json(2));
        QCOMPARE(j.at(""), json(3));
        QCOMPARE(valueAt(j, "/folded"), json("a b\nc"));
        QCOMPARE(valueAt(j, "/foldedSingle"), json("x y"));
        QCOMPARE(valueAt(j, "/joined"), json("abcd"));
        QCOMPARE(valueAt(j, "/spaces"), json("  keep  "));
        QCOMPARE(valueAt(j, "/utf8"), json("Grüße, 世界"));
        // Whatever the parser builds, nlohmann can write back (it throws on invalid UTF-8).
        QVERIFY(!j.dump().empty());
    }

    void readsFlowCollections() {
        const json j = parse("map: {a: 1, b: [x, y], c: {d: ~}}\n"
                             "nested: [[1, 2], {e: f}, [], {}]\n"
                             "trailing: [1, 2, ]\n"
                             "spaced: [ a b , c ]\n"
                             "json: {\"k\":1, \"l\": [true, null]}\n"
                             "url: {u: http://x/y, v: a:b}\n"
                             "keyOnly: {p, q: 2}\n"
                             "pair: [r: 1, s]\n"
                             "lines: [1,\n"
                             "  2, # two\n"
                             "  3\n"
                             "]\n"
                             "mapLines: {\n"
                             "  a: 1,\n"
                             "  b: 2 }\n");
        QCOMPARE(valueAt(j, "/map"), json::parse("{\"a\": 1, \"b\": [\"x\", \"y\"], \"c\": {\"d\": null}}"));
        QCOMPARE(valueAt(j, "/nested"), json::parse("[[1, 2], {\"e\": \"f\"}, [], {}]"));
        QCOMPARE(valueAt(j, "/trailing"), json({1, 2}));
        QCOMPARE(valueAt(j, "/spaced"), json({"a b", "c"}));
        QCOMPARE(valueAt(j, "/json"), json::parse("{\"k\": 1, \"l\": [true, null]}"));
        QCOMPARE(valueAt(j, "/url"), json::parse("{\"u\": \"http://x/y\", \"v\": \"a:b\"}"));
        QCOMPARE(valueAt(j, "/keyOnly"), json::parse("{\"p\": null, \"q\": 2}"));
        QCOMPARE(valueAt(j, "/pair"), json::parse("[{\"r\": 1}, \"s\"]"));
        QCOMPARE(valueAt(j, "/lines"), json({1, 2, 3}));
        QCOMPARE(valueAt(j, "/mapLines"), json::parse("{\"a\": 1, \"b\": 2}"));
        QCOMPARE(parse("[1, [2, [3]]]"), json::parse("[1, [2, [3]]]"));
        // Not in the raw string above: moc 6.4 loses its way in a raw string holding 'c]'.
        QCOMPARE(parse("[\"a, b\", 'c]', \"d: e\", 'f''g']"), json({"a, b", "c]", "d: e", "f'g"}));
    }

    void readsComments() {
        const json j = parse("# header\n"
                             "   # indented comment\n"
                             "\n"
                             "a: 1 # trailing\n"
                             "b: \"x # y\" # after a string\n"
                             "c: d#e\n"
                             "d:     # the value is below\n"
                             "  # a comment between key and value\n"
                             "  e: 2\n"
                             "# between keys, at any indentation\n"
                             "      # deeper\n"
                             "f: [1, 2] # after a flow\n"
                             "g: # empty\n");
        QCOMPARE(j, json::parse(
                        "{\"a\": 1, \"b\": \"x # y\", \"c\": \"d#e\", \"d\": {\"e\": 2}, \"f\": [1, 2], \"g\": null}"));
        QCOMPARE(parse("# only a comment\n"), json());
        QCOMPARE(parse(""), json());
    }

    void readsBlockStructure() {
        // A sequence at its key's indentation, nested sequences, mappings in sequences, values on the next line.
        const json j = parse("---\n"
                             "seq:\n"
                             "- a\n"
                             "- - b\n"
                             "  - c\n"
                             "-\n"
                             "  d: 1\n"
                             "  e: 2\n"
                             "- f: [3]\n"
                             "  g:\n"
                             "    - h\n"
                             "indented:\n"
                             "    - 1\n"
                             "    -    2\n"
                             "next:\n"
                             "  value on the next line\n"
                             "plain: one\n"
                             "  two\n"
                             "\n"
                             "  three\n"
                             "empties:\n"
                             "  -\n"
                             "  - ~\n"
                             "after: end\n"
                             "...\n"
                             "# a comment after the end\n");
        QCOMPARE(j,
                 json::parse(
                     "{\"seq\": [\"a\", [\"b\", \"c\"], {\"d\": 1, \"e\": 2}, {\"f\": [3], \"g\": [\"h\"]}],\n"
                     "                                   \"indented\": [1, 2], \"next\": \"value on the next line\",\n"
                     "                                   \"plain\": \"one two\\nthree\", \"empties\": [null, null], "
                     "\"after\": \"end\"}"));
        QCOMPARE(parse("  a: 1\n  b: 2\n"), json::parse("{\"a\": 1, \"b\": 2}"));
        QCOMPARE(parse("- 1\n- 2\n"), json({1, 2}));
        QCOMPARE(parse("plain text"), json("plain text"));
        QCOMPARE(parse("--- [1, {a: b}]\n"), json::parse(R"([1, {"a": "b"}])"));
        QCOMPARE(parse("--- text\n  more\n...\n"), json("text more"));
        QCOMPARE(parse("a: 1\r\nb:\r\n  - 2\r\n"), json::parse("{\"a\": 1, \"b\": [2]}"));
        QCOMPARE(parse("\xEF\xBB\xBF"
                       "a: 1"),
                 json::parse("{\"a\": 1}"));
        QCOMPARE(parse("a:\tb\nc: [1,\t2]"), json::parse("{\"a\": \"b\", \"c\": [1, 2]}"));
    }

    void nestsUpToTheLimit() {
        std::string flow(size_t(daam::kMaxYamlDepth), '[');
        flow += std::string(size_t(daam::kMaxYamlDepth), ']');
        QVERIFY(parse(flow).is_array());
        std::string block;
        for (int i = 0; i < daam::kMaxYamlDepth; ++i)
            block += std::string(size_t(i), ' ') + "k:\n";
        QVERIFY(parse(block).is_object());
    }

    void refuses_data() {
        QTest::addColumn<QByteArray>("yaml"); // bytes: a QString would repair broken UTF-8
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("problem");
        const auto row = [](const char* name, const std::string& yaml, int line, const char* problem) {
            QTest::newRow(name) << QByteArray::fromStdString(yaml) << line << QString::fromUtf8(problem);
        };
        row("tab indentation", "a:\n\tb: 1\n", 2, "tab");
        row("tab in a sequence", "a:\n  - 1\n \t- 2\n", 3, "tab");
        row("anchor", "a: &x 1\nb: 2\n", 1, "anchors");
        row("alias", "a: 1\nb: *x\n", 2, "aliases");
        row("merge key", "a: 1\n<<: *base\n", 2, "aliases");
        row("python tag", "a: 1\nb: !!python/tuple [1, 2]\n", 2, "tags are not supported: !!python/tuple");
        row("local tag", "- !foo x\n", 1, "tags are not supported: !foo");
        row("tag in flow", "a: [1, !!str 2]\n", 1, "tags");
        row("literal block scalar", "a: |\n  text\n", 1, "block scalars");
        row("folded block scalar", "a: 1\nb: >-\n  text\n", 2, "block scalars");
        row("explicit key", "? a\n: 1\n", 1, "explicit keys");
        row("directive", "%YAML 1.2\n---\na: 1\n", 1, "directives");
        row("duplicate key", "a: 1\nb: 2\na: 3\n", 3, "duplicate key \"a\"");
        row("duplicate quoted key", "a:\n  x: 1\n  \"x\": 2\n", 3, "duplicate key \"x\"");
        row("duplicate flow key", "a: {x: 1,\n  x: 2}\n", 2, "duplicate key \"x\"");
        row("less indented key", "a:\n    b: 1\n  c: 2\n", 3, "inconsistent indentation");
        row("more indented key", "a: 1\n  b: 2\n", 2, "inconsistent indentation");
        row("more indented item", "a:\n  - [1]\n    - 2\n", 3, "inconsistent indentation");
        row("more indented mapping key", "a:\n  - x: 1\n     y: 2\n", 3, "inconsistent indentation");
        row("content after root", "  a: 1\nb: 2\n", 2, "inconsistent indentation");
        row("item in a mapping", "a: 1\n- b\n", 2, "sequence item");
        row("key in a sequence", "- a\nb: 1\n", 2, "expected a sequence item");
        row("no colon", "a: 1\nb\n", 2, "expected \"key: value\"");
        row("key after key", "a: b: c\n", 1, "a key cannot follow");
        row("sequence after key", "a: - b\n", 1, "a sequence cannot start");
        row("missing key", "a: 1\n: 2\n", 2, "a key is missing");
        row("text after a string", "a: \"x\" y\n", 1, "unexpected text after the value: y");
        row("text after a flow", "a: [1] 2\n", 1, "unexpected text after the value");
        row("flow key", "[a]: 1\n", 1, "flow collection as a key");
        row("unterminated double quote", "a: 1\nb: \"text\nc: 2\n", 2, "unterminated quoted string");
        row("unterminated single quote", "a: 'it''s\n", 1, "unterminated quoted string");
        row("marker in a quote", "a: \"x\n---\n\"\n", 1, "unterminated quoted string");
        row("unterminated flow sequence", "a:\n  b: [1, 2,\n  c: 3\n", 2, "'[' is never closed");
        row("unterminated flow mapping", "a: {b: 1\n", 1, "'{' is never closed");
        row("flow missing comma", "a: [1 2 3}\n", 1, "expected ',' or ']'");
        row("empty flow entry", "a: [1, , 2]\n", 1, "empty entry");
        row("block sequence in flow", "a: [- 1]\n", 1, "block sequence");
        row("unknown escape", "a: \"\\q\"\n", 1, "unknown escape \\q");
        row("short escape", "a: \"\\u12\"\n", 1, "hexadecimal digits");
        row("lone surrogate", "a: \"\\uD800\"\n", 1, "no Unicode character");
        row("second document", "a: 1\n---\nb: 2\n", 2, "multiple documents");
        row("document after end", "a: 1\n...\nb: 2\n", 3, "multiple documents");
        row("mapping on marker line", "--- a: 1\n", 1, "a key cannot follow");
        row("control character", std::string("a: 1\nb: x\x01y\n"), 2, "control character (0x01)");
        row("invalid UTF-8", "a: 1\r\nb: \xC3\x28\n", 2, "not valid UTF-8");
        row("overlong UTF-8", "a: \xC0\xAF\n", 1, "not valid UTF-8");
        row("reserved", "a: @x\n", 1, "reserved");
        row("hex out of range", "a: 0x10000000000000000\n", 1, "integer out of range");
        std::string deepFlow(size_t(daam::kMaxYamlDepth) + 1, '[');
        row("deep flow", "a:\n  " + deepFlow + "\n", 2, "nesting deeper than 64");
        std::string deepBlock;
        for (int i = 0; i <= daam::kMaxYamlDepth; ++i)
            deepBlock += std::string(size_t(i), ' ') + "k:\n";
        row("deep block", deepBlock, daam::kMaxYamlDepth + 1, "nesting deeper than 64");
        std::string deepSequence;
        for (int i = 0; i <= daam::kMaxYamlDepth; ++i)
            deepSequence += "- ";
        row("deep sequence", "\n" + deepSequence + "x\n", 2, "nesting deeper than 64");
    }
    void refuses() {
        QFETCH(QByteArray, yaml);
        QFETCH(int, line);
        QFETCH(QString, problem);
        const std::string message = errorOf(yaml.toStdString());
        const std::string prefix = "cfg.yaml: line " + std::to_string(line) + ": ";
        QVERIFY2(message.rfind(prefix, 0) == 0, message.empty() ? "no error" : message.c_str());
        QVERIFY2(message.find(problem.toStdString()) != std::string::npos, message.c_str());
        QVERIFY2(message.size() < 200, message.c_str());
    }

    void refusesTooManyValues() {
        std::string flow = "[";
        for (size_t i = 0; i <= daam::kMaxYamlValues; ++i)
            flow += "0,";
        flow += "]";
        const std::string message = errorOf(flow);
        QVERIFY2(message.rfind("cfg.yaml: line 1: more than", 0) == 0, message.c_str());
    }

    void refusesLongText() {
        const std::string message = errorOf("a: " + std::string(daam::kMaxYamlBytes, 'x'));
        QVERIFY2(message.rfind("cfg.yaml: larger than 4 MiB", 0) == 0, message.c_str());
    }

    void quotesShortExcerpts() {
        const std::string message = errorOf("a: \"x\" " + std::string(10000, 'y') + "\n");
        QVERIFY2(message.size() < 200, message.c_str());
        QVERIFY2(message.find("...") != std::string::npos, message.c_str());
    }

    void readsFiles() {
        const std::string root = daam::test::makeTempDir("yaml");
        writeFile(root + "/crlf.yaml", "model:\r\n  params:\r\n    channel_mult: [1, 2]\r\n");
        QCOMPARE(valueAt(daam::readYamlFile(root + "/crlf.yaml"), "/model/params/channel_mult"), json({1, 2}));

        const auto expectError = [](const std::string& path, const std::string& problem) {
            try {
                daam::readYamlFile(path);
                QFAIL(qPrintable(QString::fromStdString("no error for " + path)));
            } catch (const daam::FileError& e) {
                const std::string message = e.what();
                QVERIFY2(message.rfind(path + ": ", 0) == 0, e.what());
                QVERIFY2(message.find(problem) != std::string::npos, e.what());
                QCOMPARE(e.path(), path);
            }
        };
        expectError(root + "/absent.yaml", "cannot open");
        expectError(root, "folder");
        writeFile(root + "/bad.yaml", "model:\n  target: x\n  target: y\n");
        expectError(root + "/bad.yaml", "line 3: duplicate key");
        writeFile(root + "/list.yaml", "- 1\n");
        expectError(root + "/list.yaml", "top level must be a mapping");
        writeFile(root + "/empty.yaml", "");
        expectError(root + "/empty.yaml", "top level must be a mapping");
        writeFile(root + "/large.yaml", "a: " + std::string(daam::kMaxYamlBytes, 'x') + "\n");
        expectError(root + "/large.yaml", "larger than 4 MiB");
    }
};

DAAM_TEST_APPLESS_MAIN(TestYaml)
#include "test_yaml.moc"
