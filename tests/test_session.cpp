// SPDX-License-Identifier: GPL-3.0-or-later
// Sessions: save/load round trips (image.png's text chunks too), atomic replacement, and a clear error for each
// damaged file.
#include "daam/io/Safetensors.h"
#include "daam/trace/HeatMapAggregator.h"
#include "daam/trace/Session.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace {

daam::Session makeSession(bool perHead) {
    daam::CrossAttentionLayerTable table(2);
    daam::parseLayerPath("down_blocks.0.attentions.0.transformer_blocks.0.attn2", table[0]);
    table[0].heads = 2;
    table[0].downscale = 1;
    table[0].height = table[0].width = 8;
    daam::parseLayerPath("up_blocks.1.attentions.1.transformer_blocks.0.attn2", table[1]);
    table[1].heads = 4;
    table[1].downscale = 2;
    table[1].height = 4;
    table[1].width = 6;
    daam::Session s;
    s.prompt = "a red dog";
    s.gridSide = 16;
    s.trace = std::make_shared<daam::AttentionTrace>(table, 5, daam::AttentionTraceOptions{torch::kFloat16, perHead});
    torch::manual_seed(7);
    for (int c = 0; c < 3; ++c)
        for (int l = 0; l < 2; ++l)
            s.trace->add(c, l,
                         torch::softmax(torch::randn({table[l].heads, table[l].height * table[l].width, 77}), -1));
    s.tokens = {{752, "<|startoftext|>", 0, 0},
                {320, "a</w>", 0, 1},
                {539, "red</w>", 2, 5},
                {535, "dog</w>", 6, 9},
                {753, "<|endoftext|>", 9, 9}};
    s.words = {{"a", 0, 1, {1}, false}, {"red", 2, 5, {2}, false}, {"dog", 6, 9, {3}, false}};
    s.generation = {{"prompt", "a red dog"}, {"seed", 42}};
    s.image = daam::PngImage{8, 8, 3, std::vector<uint8_t>(8 * 8 * 3, 99)};
    return s;
}

std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void writeText(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

} // namespace

class TestSession : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTrips_data() {
        QTest::addColumn<bool>("perHead");
        QTest::newRow("heads summed") << false;
        QTest::newRow("per head") << true;
    }
    void roundTrips() {
        QFETCH(bool, perHead);
        const auto original = makeSession(perHead);
        const auto dir = daam::test::makeTempDir("session") + "/s1";
        daam::saveSession(dir, original);
        const auto loaded = daam::loadSession(dir);
        QCOMPARE(loaded.prompt, original.prompt);
        QCOMPARE(loaded.gridSide, 16);
        QCOMPARE(loaded.generation["seed"].get<int>(), 42);
        QCOMPARE(loaded.tokens.size(), original.tokens.size());
        QCOMPARE(loaded.tokens[2].text, std::string("red</w>"));
        QCOMPARE(loaded.words.size(), size_t(3));
        QCOMPARE(loaded.words[2].begin, int64_t(6));
        QCOMPARE(loaded.trace->calls(), 3);
        QCOMPARE(loaded.trace->layers()[1].path, original.trace->layers()[1].path);
        QCOMPARE(loaded.trace->layers()[1].width, 6);
        QCOMPARE(loaded.trace->layers()[1].downscale, 2);
        QCOMPARE(loaded.trace->hasHeadMaps(), perHead);
        QVERIFY(loaded.image.pixels == original.image.pixels);
        for (int l = 0; l < 2; ++l) {
            QVERIFY(torch::equal(loaded.trace->layerMaps(l), original.trace->layerMaps(l)));
            QVERIFY(torch::equal(loaded.trace->headTotals(l), original.trace->headTotals(l)));
        }
        // The same queries give the same maps.
        daam::HeatMapAggregator a(original.trace, 16, 16), b(loaded.trace, 16, 16);
        daam::HeatMapQuery range;
        range.callBegin = 1;
        QVERIFY(torch::equal(a.globalMaps({}), b.globalMaps({})));
        QVERIFY(torch::allclose(a.globalMaps(range), b.globalMaps(range)));
    }

    void pixelMeansFollowTheTrace() {
        const auto session = makeSession(false);
        auto& trace = *session.trace;
        auto expected = [&] {
            std::vector<torch::Tensor> mass;
            for (int l = 0; l < 2; ++l)
                mass.push_back(trace.layerMaps(l).to(torch::kFloat32).mean({2, 3}).to(torch::kFloat64));
            return torch::stack(mass);
        };
        const auto first = trace.pixelMeans().clone();
        QCOMPARE(first.sizes(), (std::vector<int64_t>{2, 3, 5}));
        QVERIFY(torch::equal(first, expected()));
        // Kept: the same tensor again. A further call, and a restore, make it follow.
        QCOMPARE(trace.pixelMeans().data_ptr(), trace.pixelMeans().data_ptr());
        trace.add(3, 0, torch::softmax(torch::randn({2, 64, 77}), -1));
        QCOMPARE(trace.pixelMeans().size(1), int64_t(4));
        QVERIFY(torch::equal(trace.pixelMeans(), expected()));
        trace.restore(1, {trace.layerMaps(0) * 0, trace.layerMaps(1) * 0}, {trace.headTotals(0), trace.headTotals(1)},
                      {});
        QVERIFY(torch::equal(trace.pixelMeans(), torch::zeros({2, 1, 5}, torch::kFloat64)));
    }

    void callPrefixSumsFollowTheTrace() {
        // Three layers, two at one resolution: they share a group.
        const auto base = makeSession(false).trace->layers();
        daam::CrossAttentionLayerTable table{base[0], base[1], base[0]};
        table[2].path = "up_blocks.3.attentions.0.transformer_blocks.0.attn2";
        daam::AttentionTrace trace(table, 5);
        torch::manual_seed(3);
        for (int c = 0; c < 3; ++c)
            for (int l = 0; l < 3; ++l)
                trace.add(c, l,
                          torch::softmax(torch::randn({table[l].heads, table[l].height * table[l].width, 9}), -1));
        auto check = [&](const daam::AttentionTrace::CallPrefixSums& sums) {
            QCOMPARE(sums.slotOf.size(), size_t(3));
            QCOMPARE(sums.slotOf[0].group, sums.slotOf[2].group);
            QVERIFY(sums.slotOf[0].index != sums.slotOf[2].index);
            QVERIFY(sums.slotOf[1].group != sums.slotOf[0].group);
            for (int l = 0; l < 3; ++l) {
                const auto& group = sums.groups[size_t(sums.slotOf[l].group)];
                QCOMPARE(group.size(0), int64_t(trace.calls() + 1));
                const auto layer = group.select(1, sums.slotOf[l].index);
                QVERIFY(torch::equal(layer[0], torch::zeros_like(layer[0])));
                const auto maps = trace.layerMaps(l).to(torch::kFloat32);
                for (int c = 0; c < trace.calls(); ++c)
                    QVERIFY(torch::allclose(layer[c + 1], maps.narrow(0, 0, c + 1).sum(0), 1e-5, 1e-6));
            }
        };
        const auto first = trace.callPrefixSums();
        check(*first);
        QCOMPARE(trace.callPrefixSums().get(), first.get()); // kept
        // A further call makes new sums; the ones handed out stay as they were.
        trace.add(3, 1, torch::softmax(torch::randn({table[1].heads, table[1].height * table[1].width, 9}), -1));
        const auto second = trace.callPrefixSums();
        QVERIFY(second.get() != first.get());
        QCOMPARE(first->groups[0].size(0), int64_t(4));
        check(*second);
    }

    void aLayerReportedTwiceInACallAddsUp() {
        const auto table = makeSession(false).trace->layers();
        daam::AttentionTrace trace(table, 5, {torch::kFloat32, true});
        torch::manual_seed(5);
        const auto first = torch::softmax(torch::randn({2, 64, 9}), -1);
        const auto second = torch::softmax(torch::randn({2, 64, 9}), -1);
        trace.add(0, 0, first);
        trace.add(0, 0, second);
        const auto both = (first + second).narrow(2, 0, 5).transpose(1, 2).reshape({2, 5, 8, 8});
        QVERIFY(torch::allclose(trace.layerMaps(0)[0], both.sum(0)));
        QVERIFY(torch::allclose(trace.layerHeadMaps(0)[0], both));
        QVERIFY(torch::allclose(trace.headTotals(0), both));
        // The layer that did not report has zeros, and so has a call skipped over.
        trace.add(2, 0, first);
        QCOMPARE(trace.calls(), 3);
        QVERIFY(torch::equal(trace.layerMaps(1), torch::zeros({3, 5, 4, 6})));
        QVERIFY(torch::equal(trace.layerMaps(0)[1], torch::zeros({5, 8, 8})));
        QVERIFY(torch::allclose(trace.layerMaps(0)[2], first.narrow(2, 0, 5).sum(0).t().reshape({5, 8, 8})));
        QCOMPARE(trace.bytes(), size_t(3) * trace.bytesPerCall() + size_t(2 * 5 * 64 + 4 * 5 * 24) * 4);
    }

    // The GPU path (device-side totals, pinned buffers filled without waiting) against the CPU's, for the suite
    // as tests/cuda runs it on a machine with a GPU.
    void aTraceMadeOnAGpuEqualsTheOneMadeOnTheCpu() {
        if (!torch::cuda::is_available()) QSKIP("no CUDA device");
        const auto table = makeSession(false).trace->layers();
        for (const auto storage : {torch::kFloat32, torch::kFloat16}) {
            daam::AttentionTrace onCpu(table, 5, {storage, true}), onGpu(table, 5, {storage, true});
            torch::manual_seed(11);
            for (int c = 0; c < 4; ++c) {
                for (int l = 0; l < 2; ++l) {
                    const auto probs =
                        torch::softmax(torch::randn({table[l].heads, table[l].height * table[l].width, 9}), -1);
                    onCpu.add(c, l, probs);
                    onGpu.add(c, l, probs.to(torch::kCUDA));
                }
                if (c == 1) QVERIFY(torch::allclose(onGpu.headTotals(1), onCpu.headTotals(1), 1e-5, 1e-7));
            }
            for (int l = 0; l < 2; ++l) {
                QVERIFY(onGpu.headTotals(l).is_cpu());
                QVERIFY(torch::allclose(onGpu.headTotals(l), onCpu.headTotals(l), 1e-5, 1e-7));
                QVERIFY(torch::allclose(onGpu.layerMaps(l).to(torch::kFloat32), onCpu.layerMaps(l).to(torch::kFloat32),
                                        1e-3, 1e-6));
                QVERIFY(torch::allclose(onGpu.layerHeadMaps(l).to(torch::kFloat32),
                                        onCpu.layerHeadMaps(l).to(torch::kFloat32), 1e-3, 1e-6));
            }
            QCOMPARE(onGpu.bytes(), onCpu.bytes());
        }
    }

    void opensASessionWrittenBeforeLayersKeptTheirDownscale() {
        const auto dir = daam::test::makeTempDir("session") + "/old";
        daam::saveSession(dir, makeSession(false));
        auto j = nlohmann::json::parse(readText(dir + "/generation.json"));
        for (auto& layer : j["session"]["layers"])
            layer.erase("downscale");
        writeText(dir + "/generation.json", j.dump());
        const auto loaded = daam::loadSession(dir);
        QCOMPARE(loaded.trace->layers()[1].downscale, 0); // unknown
        QCOMPARE(loaded.trace->layers()[1].height, 4);
    }

    void imageTextTravelsWithTheSession() {
        auto session = makeSession(false);
        session.image.text = {{"parameters", "a red dog\nSteps: 3, Sampler: DDIM, CFG scale: 7.5, Seed: 42"},
                              {"daam-studio", "{\"format\": \"daam-studio-png\"}"}};
        const auto dir = daam::test::makeTempDir("session") + "/text";
        daam::saveSession(dir, session);
        QVERIFY(daam::readPngText(dir + "/image.png") == session.image.text);
        QVERIFY(daam::loadSession(dir).image.text == session.image.text);
    }

    void replacesAnExistingSessionWhole() {
        const auto root = daam::test::makeTempDir("session");
        const auto dir = root + "/s";
        daam::saveSession(dir, makeSession(false));
        auto second = makeSession(true);
        second.prompt = "second";
        daam::saveSession(dir, second);
        QCOMPARE(daam::loadSession(dir).prompt, std::string("second"));
        int entries = 0;
        for (const auto& e : fs::directory_iterator(root))
            entries += e.exists() ? 1 : 0;
        QCOMPARE(entries, 1); // no temporary or old folder left behind
    }

    void refusesToReplaceAFolderOfOtherFiles() {
        const auto dir = daam::test::makeTempDir("session") + "/photos";
        fs::create_directories(dir);
        writeText(dir + "/holiday.jpg", "precious");
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::saveSession(dir, makeSession(false)), dir,
                                  "is not a session folder");
        QCOMPARE(readText(dir + "/holiday.jpg"), std::string("precious"));
        QCOMPARE(fs::exists(dir + "/generation.json"), false);
    }

    void writesExtraFilesIntoTheSwappedFolder() {
        const auto dir = daam::test::makeTempDir("session") + "/s";
        daam::saveSession(dir, makeSession(false),
                          [](const std::string& tmp) { writeText(tmp + "/latents.safetensors", "x"); });
        QCOMPARE(readText(dir + "/latents.safetensors"), std::string("x"));
        // An empty folder (as mkdir -p leaves it) is fine to fill.
        const auto empty = daam::test::makeTempDir("session") + "/empty";
        fs::create_directories(empty);
        daam::saveSession(empty, makeSession(false));
        QVERIFY(fs::exists(empty + "/trace.safetensors"));
    }
    // Annotations round-trip; damaged ones are refused naming the file.
    void annotationsRoundTripAndDamageIsNamed() {
        const auto dir = daam::test::makeTempDir("session-annotations") + "/s";
        auto session = makeSession(false);
        session.annotations[2].rating = 5;
        session.annotations[1].mask = daam::PngImage{8, 8, 1, std::vector<uint8_t>(64, 0)};
        session.annotations[1].mask.pixels[9] = 255;
        daam::saveSession(dir, session);
        auto loaded = daam::loadSession(dir);
        QCOMPARE(loaded.annotations.size(), size_t(2));
        QCOMPARE(loaded.annotations[2].rating, 5);
        QCOMPARE(loaded.annotations[1].mask.pixels, session.annotations[1].mask.pixels);
        // Only the annotations rewritten: the rest of the folder stays.
        loaded.annotations.erase(1);
        daam::saveSessionAnnotations(dir, loaded);
        QCOMPARE(daam::loadSession(dir).annotations.size(), size_t(1));
        QVERIFY(!std::filesystem::exists(dir + "/annotations/mask-1.png"));

        const std::string json = dir + "/annotations/annotations.json";
        auto expectDamage = [&](const std::string& text, const std::string& fragment) {
            writeText(json, text);
            DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::loadSession(dir), "annotations.json", fragment);
        };
        const std::string head = R"({"format": "daam-studio-annotations", "format_version": 1, "words": )";
        expectDamage(head + R"([{"word": 2, "rating": 9}]})", "rating");
        expectDamage(head + R"([{"word": 7, "rating": 1}]})", "word 7");
        expectDamage(head + R"([{"word": 1, "rating": 1, "mask": "../image.png"}]})", "annotations folder");
        expectDamage(R"({"format": "daam-studio-annotations", "format_version": 99, "words": []})", "newer");
        expectDamage("{not json", "annotations.json");
        // Found by fuzz_session: these threw nlohmann's exceptions, not FileError.
        expectDamage(R"({"format": 5, "format_version": 1, "words": []})", "not a DAAM Studio annotations file");
        expectDamage(head + R"({"a": {"word": 1, "rating": 1}}})", "\"words\" is not a list");
        expectDamage(head + R"([{"word": 1.5, "rating": 1}]})", "\"words[].word\" has the wrong type");
    }

    void reportsDamage_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("expected");
        QTest::newRow("generation.json missing") << "generation.json"
                                                 << "delete"
                                                 << "generation.json: missing";
        QTest::newRow("generation.json malformed") << "generation.json"
                                                   << "truncate"
                                                   << "generation.json: malformed JSON";
        QTest::newRow("generation.json not a session") << "generation.json"
                                                       << "nosession"
                                                       << "not a DAAM Studio session";
        QTest::newRow("format version from the future")
            << "generation.json"
            << "version"
            << "generation.json: written by a newer DAAM Studio (format 99, "
               "this build reads 1)";
        QTest::newRow("format version missing") << "generation.json"
                                                << "noversion"
                                                << "generation.json: missing \"session.format_version\"";
        QTest::newRow("format version not an integer") << "generation.json"
                                                       << "textversion"
                                                       << "\"session.format_version\" must be an integer, got \"1\"";
        QTest::newRow("format version fractional") << "generation.json"
                                                   << "fractionversion"
                                                   << "\"session.format_version\" must be an integer, got 1.5";
        QTest::newRow("format version from the past") << "generation.json"
                                                      << "oldversion"
                                                      << "\"session.format_version\" 0 is not supported (this build "
                                                         "reads 1)";
        QTest::newRow("generation.json cut in a string") << "generation.json"
                                                         << "cutstring"
                                                         << "generation.json: malformed JSON: ";
        QTest::newRow("wrong-typed field") << "generation.json"
                                           << "calls"
                                           << "\"session.trace.calls\" has the wrong type";
        // Found by fuzz_session: nlohmann's get<int>() truncated a fraction, took a boolean for 1, wrapped an integer
        // past int's range (4294967297 read as 1) and, for a float past it, was undefined behaviour.
        QTest::newRow("fractional field") << "generation.json"
                                          << "fractioncalls"
                                          << "\"session.trace.calls\" has the wrong type";
        QTest::newRow("boolean field") << "generation.json"
                                       << "boolcalls"
                                       << "\"session.trace.calls\" has the wrong type";
        QTest::newRow("float past int") << "generation.json"
                                        << "hugecalls"
                                        << "\"session.trace.calls\" has the wrong type";
        QTest::newRow("integer past int") << "generation.json"
                                          << "widecalls"
                                          << "\"session.trace.calls\" is out of range";
        QTest::newRow("token past int") << "generation.json"
                                        << "widetoken"
                                        << "\"session.words[].tokens\" is out of range";
        // Found by fuzz_session: threw nlohmann's type_error, not FileError.
        QTest::newRow("punctuation not a boolean") << "generation.json"
                                                   << "punctuation"
                                                   << "\"session.words[].punctuation\" has the wrong type";
        QTest::newRow("layers not a list") << "generation.json"
                                           << "layerobject"
                                           << "\"session.layers\" is not a list";
        QTest::newRow("layer downscale negative") << "generation.json"
                                                  << "downscale"
                                                  << "has out-of-range sizes";
        QTest::newRow("word outside trace") << "generation.json"
                                            << "word"
                                            << "names token 9 outside the trace";
        QTest::newRow("trace missing") << "trace.safetensors"
                                       << "delete"
                                       << "trace.safetensors: missing";
        QTest::newRow("trace truncated") << "trace.safetensors"
                                         << "truncate"
                                         << "trace.safetensors: ";
        QTest::newRow("trace wrong shape") << "trace.safetensors"
                                           << "shape"
                                           << "tensor 'layer01.maps' should have shape [3, 5, 4, 6]";
        QTest::newRow("trace extra tensor") << "trace.safetensors"
                                            << "extra"
                                            << "do not belong to the layer table";
        QTest::newRow("trace format version from the future")
            << "trace.safetensors"
            << "version"
            << "trace.safetensors: written by a newer DAAM Studio (format 2, this build reads 1)";
        QTest::newRow("trace format version missing") << "trace.safetensors"
                                                      << "noversion"
                                                      << "trace.safetensors: missing metadata \"format_version\"";
        QTest::newRow("trace format version not an integer")
            << "trace.safetensors"
            << "textversion"
            << "trace.safetensors: metadata \"format_version\" must be an integer, got \"1.0\"";
        QTest::newRow("trace of another format") << "trace.safetensors"
                                                 << "format"
                                                 << "trace.safetensors: not a DAAM Studio trace";
        QTest::newRow("image missing") << "image.png"
                                       << "delete"
                                       << "image.png: cannot open";
        QTest::newRow("image truncated") << "image.png"
                                         << "truncate"
                                         << "image.png: ";
    }
    void reportsDamage() {
        QFETCH(QString, file);
        QFETCH(QString, damage);
        QFETCH(QString, expected);
        const auto dir = daam::test::makeTempDir("session") + "/s";
        daam::saveSession(dir, makeSession(false));
        const auto path = dir + "/" + file.toStdString();
        if (damage == QLatin1String("delete")) {
            fs::remove(path);
        } else if (damage == QLatin1String("truncate")) {
            const auto text = readText(path);
            writeText(path, text.substr(0, text.size() / 2));
        } else if (damage == QLatin1String("cutstring")) {
            // Cut inside a long string: the parser's message would quote all of it.
            auto j = nlohmann::json::parse(readText(path));
            j["session"]["prompt"] = std::string(5000, 'p');
            const auto text = j.dump();
            writeText(path, text.substr(0, text.find(std::string(2500, 'p')) + 2500));
        } else if (file == QLatin1String("generation.json")) {
            auto j = nlohmann::json::parse(readText(path));
            auto& session = j["session"];
            if (damage == QLatin1String("nosession")) j.erase("session");
            if (damage == QLatin1String("version")) session["format_version"] = 99;
            if (damage == QLatin1String("noversion")) session.erase("format_version");
            if (damage == QLatin1String("downscale")) session["layers"][0]["downscale"] = -2;
            if (damage == QLatin1String("textversion")) session["format_version"] = "1";
            if (damage == QLatin1String("fractionversion")) session["format_version"] = 1.5;
            if (damage == QLatin1String("oldversion")) session["format_version"] = 0;
            if (damage == QLatin1String("calls")) session["trace"]["calls"] = "three";
            if (damage == QLatin1String("word")) session["words"][0]["tokens"] = {9};
            if (damage == QLatin1String("fractioncalls")) session["trace"]["calls"] = 2.5;
            if (damage == QLatin1String("boolcalls")) session["trace"]["calls"] = true;
            if (damage == QLatin1String("hugecalls")) session["trace"]["calls"] = 1e300;
            if (damage == QLatin1String("widecalls")) session["trace"]["calls"] = 4294967297LL;
            if (damage == QLatin1String("widetoken")) session["words"][0]["tokens"] = {4294967297LL};
            if (damage == QLatin1String("punctuation")) session["words"][0]["punctuation"] = 1;
            if (damage == QLatin1String("layerobject")) session["layers"] = {{"a", session["layers"][0]}};
            writeText(path, j.dump());
        } else {
            auto tensors = daam::loadSafetensors(path);
            auto metadata = daam::SafetensorsFile::open(path)->metadata();
            std::vector<std::pair<std::string, torch::Tensor>> list;
            for (auto& [name, t] : tensors)
                list.emplace_back(name, t.clone());
            if (damage == QLatin1String("shape"))
                for (auto& [name, t] : list)
                    if (name == "layer01.maps") t = t.narrow(3, 0, 5).contiguous();
            if (damage == QLatin1String("extra")) list.emplace_back("stray", torch::zeros({2}));
            if (damage == QLatin1String("version")) metadata["format_version"] = "2";
            if (damage == QLatin1String("noversion")) metadata.erase("format_version");
            if (damage == QLatin1String("textversion")) metadata["format_version"] = "1.0";
            if (damage == QLatin1String("format")) metadata["format"] = "pt";
            daam::saveSafetensors(path, list, metadata);
        }
        try {
            daam::loadSession(dir);
            QFAIL("the damaged session loaded");
        } catch (const daam::FileError& e) {
            QVERIFY2(std::string(e.what()).find(expected.toStdString()) != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).size() < dir.size() + 300, e.what());
        }
    }
};

DAAM_TEST_APPLESS_MAIN(TestSession)
#include "test_session.moc"
