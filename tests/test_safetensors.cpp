// SPDX-License-Identifier: GPL-3.0-or-later
// The safetensors reader and writer: round trips for every dtype, zero-copy views, atomic writes, and
// a clean FileError (naming the file and, where there is one, the tensor) for each kind of damage.
#include "daam/io/Safetensors.h"
#include "daam/io/WeightSet.h"
#include "daam/util/Error.h"
#include "daam/util/ProcessMemory.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace {

std::string le64(uint64_t v) {
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i)
        s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    return s;
}

// A file image: length prefix, the given header text, then `data`.
std::string image(const std::string& header, const std::string& data) {
    return le64(header.size()) + header + data;
}

void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTripsEveryDtype() {
        const auto dir = daam::test::makeTempDir("st");
        const auto path = dir + "/all.safetensors";
        std::vector<std::pair<std::string, torch::Tensor>> tensors = {
            {"f32", torch::randn({3, 5})},
            {"f64", torch::randn({4}, torch::kFloat64)},
            {"f16", torch::randn({2, 3}).to(torch::kFloat16)},
            {"bf16", torch::randn({7}).to(torch::kBFloat16)},
            {"i64", torch::arange(10, torch::kInt64).reshape({2, 5})},
            {"i32", torch::arange(6, torch::kInt32)},
            {"u8", torch::arange(200, torch::kUInt8)},
            {"bool", torch::tensor({true, false, true})},
            {"scalar", torch::tensor(3.5f)},
            {"empty", torch::empty({0, 4})},
            {"strided", torch::randn({6, 4}).t()}, // non-contiguous input is written in C order
        };
        daam::saveSafetensors(path, tensors, {{"format", "pt"}});
        auto file = daam::SafetensorsFile::open(path);
        QCOMPARE(file->metadata().at("format"), std::string("pt"));
        QCOMPARE(file->entries().size(), tensors.size());
        for (const auto& [name, expected] : tensors) {
            const auto* entry = file->find(name);
            QVERIFY2(entry, name.c_str());
            auto got = daam::tensorView(file, *entry);
            QCOMPARE(got.scalar_type(), expected.scalar_type());
            QCOMPARE(got.sizes(), expected.sizes());
            QVERIFY2(torch::equal(got, expected.contiguous()), name.c_str());
        }
    }

    void viewsAreZeroCopy() {
        const auto dir = daam::test::makeTempDir("st");
        const auto path = dir + "/w.safetensors";
        daam::saveSafetensors(path, {{"a", torch::randn({64, 64})}, {"b", torch::randn({3}).to(torch::kFloat16)}});
        auto file = daam::SafetensorsFile::open(path);
        for (const auto& entry : file->entries()) {
            auto t = daam::tensorView(file, entry);
            QCOMPARE(static_cast<void*>(t.data_ptr()), static_cast<void*>(file->data(entry)));
        }
        // The view keeps the mapping alive after the file object is released...
        auto a = daam::tensorView(file, *file->find("a"));
        const auto before = a.clone();
        file.reset();
        QVERIFY(torch::equal(a, before));
        // ...and writing to it is copy-on-write: the file on disk does not change.
        a.fill_(0);
        auto reread = daam::loadSafetensors(path);
        QVERIFY(torch::equal(reread.at("a"), before));
    }

    void releasedPagesLeaveResidentMemoryAndReadBack() {
        const auto dir = daam::test::makeTempDir("st");
        const auto path = dir + "/big.safetensors";
        const auto original = torch::randn({8, 1024, 1024}); // 32 MiB
        daam::saveSafetensors(path, {{"small", torch::randn({3})}, {"big", original}});
        auto file = daam::SafetensorsFile::open(path);
        const auto& entry = *file->find("big");
        auto view = daam::tensorView(file, entry);
        QVERIFY(torch::equal(view, original)); // every page read: resident
        const double before = double(daam::procStatusBytes("VmRSS"));
        file->releasePages(entry);
        const double freed = before - double(daam::procStatusBytes("VmRSS"));
        QVERIFY2(freed > 24e6, qPrintable(QStringLiteral("%1 bytes left resident memory").arg(freed)));
        QVERIFY(torch::equal(view, original)); // read back from the file
        QVERIFY(torch::equal(daam::tensorView(file, *file->find("small")), daam::loadSafetensors(path).at("small")));
    }

    void cleanPagesLeaveMemoryWrittenOnesStay() {
        const auto dir = daam::test::makeTempDir("st");
        const auto path = dir + "/clean.safetensors";
        const auto original = torch::randn({8, 1024, 1024}); // 32 MiB
        daam::saveSafetensors(path, {{"big", original}});
        auto file = daam::SafetensorsFile::open(path);
        auto view = daam::tensorView(file, *file->find("big"));
        QVERIFY(torch::equal(view, original)); // every page read: resident
        // One element written: its page is now this process's own copy, which must survive.
        view[3][500][7].fill_(1234.5f);
        const double before = double(daam::procStatusBytes("VmRSS"));
        const auto released = daam::releaseCleanFilePages(view.data_ptr(), view.nbytes());
        const double freed = before - double(daam::procStatusBytes("VmRSS"));
        QVERIFY2(released > 30e6 && released < view.nbytes(), qPrintable(QString::number(released)));
        QVERIFY2(freed > 24e6, qPrintable(QStringLiteral("%1 bytes left resident memory").arg(freed)));
        QCOMPARE(view[3][500][7].item<float>(), 1234.5f);
        auto expected = original.clone();
        expected[3][500][7].fill_(1234.5f);
        QVERIFY(torch::equal(view, expected)); // the rest read back from the file

        // Anonymous memory (a tensor of the heap) is never taken.
        const auto anonymous = torch::randn({4, 1024, 1024});
        const auto copy = anonymous.clone();
        QCOMPARE(daam::releaseCleanFilePages(anonymous.data_ptr(), anonymous.nbytes()), std::size_t(0));
        QVERIFY(torch::equal(anonymous, copy));

        // A module's parameters that alias the file: the same, through its parameters.
        torch::nn::Linear layer(torch::nn::LinearOptions(1024, 1024).bias(false));
        {
            torch::NoGradGuard noGrad;
            layer->weight.set_data(view[5]);
        }
        QVERIFY(torch::equal(layer->weight, original[5])); // resident again
        QVERIFY(daam::releaseCleanWeightPages(*layer) >= std::size_t(4u << 20) - 4096);
        QVERIFY(torch::equal(layer->weight, original[5]));
    }

    void writesAtomically() {
        const auto dir = daam::test::makeTempDir("st");
        const auto path = dir + "/keep.safetensors";
        daam::saveSafetensors(path, {{"x", torch::ones({2})}});
        // A failing write (an undefined tensor) leaves the old file as it was and no temporary behind.
        DAAM_VERIFY_THROWS_NAMING(daam::Error,
                                  daam::saveSafetensors(path, {{"x", torch::zeros({2})}, {"bad", torch::Tensor()}}),
                                  path, "tensor 'bad' is undefined");
        QVERIFY(torch::equal(daam::loadSafetensors(path).at("x"), torch::ones({2})));
        int files = 0;
        for (const auto& e : fs::directory_iterator(dir))
            files += e.is_regular_file() ? 1 : 0;
        QCOMPARE(files, 1);
        // A folder that does not exist is reported by path.
        DAAM_VERIFY_THROWS_NAMING(daam::FileError,
                                  daam::saveSafetensors(dir + "/missing/out.safetensors", {{"x", torch::ones({1})}}),
                                  "missing/out.safetensors");
    }

    void rejectsCorruptFiles_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected"); // a fragment of the message

        const std::string f4 = std::string(16, '\x01');
        auto row = [](const char* name, const std::string& bytes, const char* expected) {
            QTest::newRow(name) << QByteArray(bytes.data(), static_cast<int>(bytes.size()))
                                << QString::fromUtf8(expected);
        };
        row("empty file", "", "too short");
        row("5 bytes", "\x01\x02\x03\x04\x05", "too short");
        row("header past end", le64(1000) + "{}", "runs past the end of the file");
        row("header over 100 MB", le64(200'000'000) + std::string(64, ' '), "exceeds the 100 MB limit");
        row("header length 0", le64(0), "not a JSON object");
        row("malformed json", image("{\"a\": {\"dtype\": ", ""), "not valid JSON");
        row("json array", image("[1, 2, 3]   ", ""), "not a JSON object");
        row("deeply nested json", image(std::string(5000, '[') + std::string(5000, ']'), ""), "nested too deeply");
        row("entry not an object", image(R"({"w": 5})", ""), "tensor 'w': entry is not an object");
        row("missing dtype", image(R"({"w": {"shape": [4], "data_offsets": [0, 16]}})", f4), "tensor 'w': missing");
        row("unknown dtype", image(R"({"w": {"dtype": "F8_E4M3", "shape": [16], "data_offsets": [0, 16]}})", f4),
            "tensor 'w': unknown dtype 'F8_E4M3'");
        row("shape not an array", image(R"({"w": {"dtype": "F32", "shape": 4, "data_offsets": [0, 16]}})", f4),
            "tensor 'w': missing or non-array shape");
        row("negative dimension", image(R"({"w": {"dtype": "F32", "shape": [-4], "data_offsets": [0, 16]}})", f4),
            "tensor 'w': shape has a negative");
        row("fractional dimension", image(R"({"w": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 16]}})", f4),
            "tensor 'w': shape has a negative or non-integer");
        row("size overflow",
            image(R"({"w": {"dtype": "F32", "shape": [4611686018427387904, 8], "data_offsets": [0, 16]}})", f4),
            "tensor 'w': shape is too large");
        row("three offsets", image(R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 8, 16]}})", f4),
            "tensor 'w': data_offsets must be an array of two");
        row("negative offset", image(R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [-16, 0]}})", f4),
            "tensor 'w': data_offsets must be non-negative");
        row("reversed offsets", image(R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [16, 0]}})", f4),
            "tensor 'w': data_offsets are reversed");
        row("offsets past data", image(R"({"w": {"dtype": "F32", "shape": [8], "data_offsets": [0, 32]}})", f4),
            "tensor 'w': data_offsets end 32 lies outside the data area of 16 bytes");
        row("truncated data",
            image(R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})", f4.substr(0, 9)),
            "tensor 'w': data_offsets end 16 lies outside the data area of 9 bytes");
        row("shape does not fit span", image(R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 16]}})", f4),
            "tensor 'w': shape and dtype F32 need 12 bytes but data_offsets span 16");
        row("dtype does not fit span", image(R"({"w": {"dtype": "F16", "shape": [4], "data_offsets": [0, 16]}})", f4),
            "tensor 'w': shape and dtype F16 need 8 bytes");
        row("overlapping spans",
            image(
                R"({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]}, "b": {"dtype": "F32", "shape": [3], "data_offsets": [4, 16]}})",
                f4),
            "tensor 'b': data_offsets overlap those of tensor 'a'");
        row("hole between spans",
            image(
                R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}})",
                f4),
            "tensor 'b': 4 bytes before it belong to no tensor");
        row("trailing bytes", image(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", f4),
            "8 bytes at the end of the data area belong to no tensor");
        row("metadata not an object", image(R"({"__metadata__": [1]})", ""), "__metadata__ is not an object");
        row("metadata value not a string", image(R"({"__metadata__": {"format": 1}})", ""),
            "__metadata__ value of 'format' is not a string");
        // Messages quote the header only in excerpts: nlohmann's own text quotes all it read.
        std::string header = "{";
        for (int i = 0; i < 60; ++i)
            header += (i ? ", \"" : "\"") + std::string("down_blocks.") + std::to_string(i) +
                      ".attentions.0.transformer_blocks.0.attn2.to_k.weight\": {\"dtype\": \"F32\", \"shape\": [1], "
                      "\"data_offsets\": [0, 4]}";
        header += "}";
        row("cut header", image(header.substr(0, header.size() / 2), ""), "header is not valid JSON: ");
        row("unterminated string", image("{\"" + std::string(5000, 'x'), ""), "last read: '\"xxxx");
        row("long tensor name", image("{\"" + std::string(5000, 'n') + "\": 5}", ""),
            "tensor 'nnnnnnnnnn"); // ...and "...': entry is not an object"
        row("long dtype",
            image("{\"w\": {\"dtype\": \"" + std::string(3000, 'F') +
                      "\", \"shape\": [1], "
                      "\"data_offsets\": [0, 4]}}",
                  f4.substr(0, 4)),
            "tensor 'w': unknown dtype 'FFFF");
    }

    void rejectsCorruptFiles() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const auto dir = daam::test::makeTempDir("st");
        const auto path = dir + "/corrupt.safetensors";
        writeBytes(path, std::string(bytes.constData(), static_cast<size_t>(bytes.size())));
        try {
            daam::SafetensorsFile::open(path);
            QFAIL("the corrupt file was accepted");
        } catch (const daam::FileError& e) {
            const std::string message = e.what();
            QVERIFY2(message.rfind(path + ": ", 0) == 0, message.c_str());
            QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
            QVERIFY2(message.size() < path.size() + 400, message.c_str());
        }
    }

    // The helpers every message uses to quote file content.
    void quotesOnlyExcerpts() {
        QCOMPARE(daam::excerpt("unet.conv_in.weight"), std::string("unet.conv_in.weight"));
        const auto longText = std::string(1000, 'a') + "TAIL";
        const auto shown = daam::excerpt(longText, 60);
        QVERIFY2(shown.size() <= 60 && shown.rfind("aaaa", 0) == 0 && shown.find("...") != std::string::npos &&
                     shown.substr(shown.size() - 4) == "TAIL",
                 shown.c_str());
        // Line breaks are shown escaped, control bytes and broken UTF-8 as '?', multi-byte characters whole.
        QCOMPARE(daam::excerpt("a\nb\x01"
                               "c\xff"),
                 std::string("a\\nb?c?"));
        const auto umlauts = daam::excerpt(std::string(400, 'x') + "\xc3\xbc\xc3\xbc", 20);
        QVERIFY2(umlauts.substr(umlauts.size() - 4) == "\xc3\xbc\xc3\xbc", umlauts.c_str());
        // nlohmann's parse error without its tag and with what it read shortened.
        try {
            const auto parsed = nlohmann::json::parse("{\"" + std::string(3000, 'q'));
            Q_UNUSED(parsed);
            QFAIL("no parse error");
        } catch (const nlohmann::json::exception& e) {
            QVERIFY(std::string(e.what()).size() > 3000);
            const auto text = daam::jsonErrorText(e.what());
            QVERIFY2(text.size() < 300 && text.rfind("parse error at line 1", 0) == 0 &&
                         text.find("missing closing quote") != std::string::npos,
                     text.c_str());
        }
    }

    void reportsFilesThatCannotBeOpened() {
        const auto dir = daam::test::makeTempDir("st");
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::SafetensorsFile::open(dir + "/absent.safetensors"),
                                  dir + "/absent.safetensors", "cannot open");
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::SafetensorsFile::open(dir), "not a regular file");
    }

    void readsTheReferencePipelines() {
        DAAM_REQUIRE_REFERENCE();
        auto tensors = daam::loadSafetensors(daam::test::referencePath("sd1-tiny/unit.safetensors"));
        QCOMPARE(tensors.at("text_encoder.input_ids").scalar_type(), torch::kInt64);
        QCOMPARE(tensors.at("unet.sample").sizes(), (c10::IntArrayRef{2, 4, 16, 24}));
    }
};

DAAM_TEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
