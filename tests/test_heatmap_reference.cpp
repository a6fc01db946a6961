// SPDX-License-Identifier: GPL-3.0-or-later
// DAAM's aggregation against castorini/daam: the reference dumped the conditional-half attention
// probabilities of every layer at every UNet call (sd1-tiny/daam/daam_ddim_raw), together with what daam
// computed from them: global heat maps, word maps, expanded (image-size, min-max) maps and masks. Feeding
// the raw probabilities through AttentionTrace + HeatMapAggregator must reproduce them.
#include "daam/io/Safetensors.h"
#include "daam/trace/HeatMapAggregator.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

#include <cmath>
#include <fstream>

namespace {

struct RawCase {
    nlohmann::json meta;
    std::map<std::string, torch::Tensor> tensors;
    std::shared_ptr<daam::AttentionTrace> trace;
    std::unique_ptr<daam::HeatMapAggregator> aggregator;
};

// Builds the trace from the raw dump. daam numbers layers up blocks first; our table is in forward order.
RawCase loadRawCase(daam::AttentionTraceOptions options = {torch::kFloat32, false}) {
    RawCase c;
    std::ifstream in(daam::test::referencePath("sd1-tiny/daam/daam_ddim_raw.json"));
    c.meta = nlohmann::json::parse(in);
    c.tensors = daam::loadSafetensors(daam::test::referencePath("sd1-tiny/daam/daam_ddim_raw.safetensors"));
    const int keep = c.meta["raw"]["keep_columns"].get<int>();

    struct Entry {
        daam::CrossAttentionLayer layer;
        int daamIndex;
    };
    std::vector<Entry> entries;
    for (const auto& l : c.meta["layers"]) {
        Entry e;
        e.daamIndex = l["layer_idx"].get<int>();
        if (!daam::parseLayerPath(l["module"].get<std::string>(), e.layer)) throw std::runtime_error("bad layer path");
        e.layer.heads = l["heads"].get<int>();
        const auto probs = c.tensors.at("raw.step0.layer" + std::to_string(e.daamIndex));
        const int side = static_cast<int>(std::lround(std::sqrt(double(probs.size(1)))));
        e.layer.height = e.layer.width = side;
        entries.push_back(e);
    }
    auto order = [](const daam::CrossAttentionLayer& a) {
        return std::make_tuple(int(a.block), a.blockIndex, a.attentionIndex, a.transformerIndex);
    };
    std::sort(entries.begin(), entries.end(),
              [&](const Entry& a, const Entry& b) { return order(a.layer) < order(b.layer); });
    daam::CrossAttentionLayerTable table;
    for (const auto& e : entries)
        table.push_back(e.layer);

    c.trace = std::make_shared<daam::AttentionTrace>(table, keep, options);
    const auto calls = c.meta["raw"]["unet_calls"].size();
    for (size_t call = 0; call < calls; ++call)
        for (size_t l = 0; l < entries.size(); ++l)
            c.trace->add(
                static_cast<int>(call), static_cast<int>(l),
                c.tensors.at("raw.step" + std::to_string(call) + ".layer" + std::to_string(entries[l].daamIndex)));
    const int side = c.meta["heat_map_size"].get<int>();
    c.aggregator = std::make_unique<daam::HeatMapAggregator>(c.trace, side, side);
    return c;
}

std::vector<int> wordRows(const nlohmann::json& meta, const std::string& word) {
    return meta["words"][word]["token_indices"].get<std::vector<int>>();
}

} // namespace

class TestHeatMapReference : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { DAAM_REQUIRE_REFERENCE(); }

    void referenceSide() {
        QCOMPARE(daam::HeatMapAggregator::referenceSide(512), 64);
        QCOMPARE(daam::HeatMapAggregator::referenceSide(1024), 64);
        QCOMPARE(daam::HeatMapAggregator::referenceSide(768), 96);
        QCOMPARE(daam::HeatMapAggregator::referenceSide(384), 96);
    }

    void globalHeatMapsMatch() {
        auto c = loadRawCase();
        const auto maps = c.aggregator->globalMaps({});
        DAAM_COMPARE_TENSORS("global_heat_maps", maps, c.tensors.at("global_heat_maps"), 1e-5);
        // daam's normalize=True divides by the sum over the prompt's tokens (rows 1..n-2).
        const auto normalized = maps / (maps.slice(0, 1, maps.size(0) - 1).sum(0) + 1e-6);
        DAAM_COMPARE_TENSORS("global_heat_maps_normalized", normalized, c.tensors.at("global_heat_maps_normalized"),
                             1e-5);
    }

    void wordMapsExpandedMapsAndMasksMatch() {
        auto c = loadRawCase();
        for (const auto& [word, _] : c.meta["words"].items()) {
            const auto map = c.aggregator->wordMap({}, wordRows(c.meta, word));
            DAAM_COMPARE_TENSORS("word." + word, map, c.tensors.at("word." + word), 1e-5);
            const auto expanded = daam::expandToImage(map, 64, 64);
            DAAM_COMPARE_TENSORS("expanded." + word, expanded, c.tensors.at("expanded." + word), 1e-5);
            const auto mask = daam::thresholdMask(expanded, 0.4);
            const double agree = mask.eq(c.tensors.at("mask." + word)).to(torch::kFloat64).mean().item<double>();
            QVERIFY2(
                agree >= 0.999,
                qPrintable(
                    QStringLiteral("mask.%1 agrees on %2 of pixels").arg(QString::fromStdString(word)).arg(agree)));
            const auto absolute =
                daam::thresholdMask(daam::expandToImage(map, 64, 64, daam::HeatMapNormalization::Absolute), 0.4);
            const double agreeAbs =
                absolute.eq(c.tensors.at("mask_absolute." + word)).to(torch::kFloat64).mean().item<double>();
            QVERIFY2(agreeAbs >= 0.999, ("mask_absolute." + word).c_str());
        }
        const auto red = c.aggregator->wordMap({}, wordRows(c.meta, "red"));
        DAAM_COMPARE_TENSORS("expanded_x2.red", daam::expandToImage(red, 128, 128), c.tensors.at("expanded_x2.red"),
                             1e-5);
    }

    void float16StorageStaysWithinTolerance() {
        // Per-call maps in float16 (the default) only feed sub-range queries; over all calls the float32
        // per-head totals answer, so the reference preset is unaffected.
        auto c = loadRawCase({torch::kFloat16, false});
        DAAM_COMPARE_TENSORS("global (fp16 storage)", c.aggregator->globalMaps({}), c.tensors.at("global_heat_maps"),
                             1e-5);
        auto exact = loadRawCase({torch::kFloat32, false});
        daam::HeatMapQuery firstCall;
        firstCall.callEnd = 1;
        DAAM_COMPARE_TENSORS("first call (fp16 storage)", c.aggregator->globalMaps(firstCall),
                             exact.aggregator->globalMaps(firstCall), 1e-3);
    }

    void subRangeQueries() {
        auto perHead = loadRawCase({torch::kFloat32, true}); // per-head maps: exact for any range
        auto summed = loadRawCase({torch::kFloat32, false});
        daam::HeatMapQuery first;
        first.callEnd = 1;
        QVERIFY(perHead.aggregator->isExact(first));
        QVERIFY(!summed.aggregator->isExact(first));
        QVERIFY(summed.aggregator->isExact({}));
        DAAM_COMPARE_TENSORS("all calls (per-head maps)", perHead.aggregator->globalMaps({}),
                             perHead.tensors.at("global_heat_maps"), 1e-5);

        // The exact answer for call 0 alone, from the raw probabilities of that call.
        const auto& table = perHead.trace->layers();
        const int rows = perHead.trace->tokens();
        auto expected = torch::zeros({rows, 64, 64});
        int keys = 0;
        for (const auto& l : perHead.meta["layers"]) {
            const auto probs = perHead.tensors.at("raw.step0.layer" + std::to_string(l["layer_idx"].get<int>()));
            const int heads = static_cast<int>(probs.size(0));
            const int side = static_cast<int>(std::lround(std::sqrt(double(probs.size(1)))));
            auto maps = probs.permute({0, 2, 1}).reshape({heads * rows, 1, side, side});
            namespace F = torch::nn::functional;
            auto up = F::interpolate(maps, F::InterpolateFuncOptions()
                                               .size(std::vector<int64_t>{64, 64})
                                               .mode(torch::kBicubic)
                                               .align_corners(false));
            expected += up.clamp_min(0).reshape({heads, rows, 64, 64}).sum(0);
            keys += heads;
        }
        expected /= keys;
        QCOMPARE(table.size(), perHead.meta["layers"].size());
        DAAM_COMPARE_TENSORS("call 0 (per-head maps)", perHead.aggregator->globalMaps(first), expected, 1e-5);

        // Heads summed before the clamp: never above the per-head answer (clamping is subadditive) and close.
        const auto approx = summed.aggregator->globalMaps(first);
        QVERIFY((approx - expected).max().item<double>() <= 1e-6);
        const double rel = daam::test::relativeError(approx, expected);
        qInfo("heads summed before clamping, call 0: relative error %.4f", rel);
        QVERIFY2(rel < 0.1, qPrintable(QString::number(rel)));
    }

    void groupedAndKeptQueriesMatchAPlainComputation() {
        // Layers of one resolution are summed over calls and upsampled together, and all-call maps are kept per
        // row once computed: neither may change an answer. Call 1 alone, heads summed before the clamp as the
        // header says, computed here layer by layer.
        auto c = loadRawCase({torch::kFloat32, false});
        const int rows = c.trace->tokens();
        auto plain = [trace = c.trace, rows](const std::vector<int>& layers) {
            auto expected = torch::zeros({rows, 64, 64});
            int keys = 0;
            for (int l : layers) {
                const auto maps = trace->layerMaps(l).narrow(0, 1, 1).sum(0).unsqueeze(1); // [rows, 1, h, w]
                namespace F = torch::nn::functional;
                expected += F::interpolate(maps, F::InterpolateFuncOptions()
                                                     .size(std::vector<int64_t>{64, 64})
                                                     .mode(torch::kBicubic)
                                                     .align_corners(false))
                                .clamp_min(0)
                                .squeeze(1);
                keys += trace->layers()[l].heads;
            }
            return expected / keys;
        };
        const auto& defaults = c.aggregator->defaultLayers();
        // Every layer, one layer of a resolution others share, and the first and last.
        for (const auto& layers :
             {defaults, std::vector<int>{defaults[1]}, std::vector<int>{defaults.back(), defaults[0]}}) {
            daam::HeatMapQuery second;
            second.callBegin = 1;
            second.layers = layers;
            DAAM_COMPARE_TENSORS("call 1, heads summed, " + std::to_string(layers.size()) + " layers",
                                 c.aggregator->globalMaps(second), plain(layers), 1e-6);
        }

        // Rows asked for one at a time, repeated and out of order give what all rows at once give.
        const daam::HeatMapAggregator fresh(c.trace, 64, 64);
        const auto row3 = fresh.tokenMaps({}, {3});
        const auto mixed = fresh.tokenMaps({}, {5, 3, 5});
        const auto all = c.aggregator->globalMaps({});
        DAAM_COMPARE_TENSORS("row 3 first", row3[0], all[3], 1e-6);
        DAAM_COMPARE_TENSORS("rows 5, 3, 5 after", mixed, torch::stack({all[5], all[3], all[5]}), 1e-6);
        DAAM_COMPARE_TENSORS("all rows after", fresh.globalMaps({}), all, 1e-6);
    }

    void upsamplingMatchesPyTorchsBicubic() {
        // The aggregator upsamples in two separable four-tap passes: per (layer, head), up, clamped and summed, it must
        // give what F::interpolate gives, up and down, square or not, at SDXL's sizes among them.
        struct Size {
            int height, width;
        };
        const std::vector<Size> layerSizes = {{32, 32}, {64, 64}, {12, 20}, {160, 160}, {128, 128}};
        daam::CrossAttentionLayerTable table;
        for (size_t i = 0; i < layerSizes.size(); ++i) {
            daam::CrossAttentionLayer layer;
            QVERIFY(daam::parseLayerPath("up_blocks." + std::to_string(i) + ".attentions.0.transformer_blocks.0.attn2",
                                         layer));
            layer.heads = 3;
            layer.height = layerSizes[i].height;
            layer.width = layerSizes[i].width;
            table.push_back(layer);
        }
        auto trace = std::make_shared<daam::AttentionTrace>(table, 4, daam::AttentionTraceOptions{torch::kFloat32});
        torch::manual_seed(11);
        for (int c = 0; c < 2; ++c)
            for (size_t l = 0; l < table.size(); ++l)
                trace->add(c, int(l),
                           torch::softmax(torch::randn({3, int64_t(table[l].height) * table[l].width, 6}) * 4, -1));
        const daam::HeatMapAggregator aggregator(trace, 128, 96);
        for (size_t l = 0; l < table.size(); ++l) {
            daam::HeatMapQuery query;
            query.layers = {int(l)};
            namespace F = torch::nn::functional;
            const auto perHead = trace->headTotals(int(l)).reshape({12, 1, table[l].height, table[l].width});
            const auto expected = F::interpolate(perHead, F::InterpolateFuncOptions()
                                                              .size(std::vector<int64_t>{128, 96})
                                                              .mode(torch::kBicubic)
                                                              .align_corners(false))
                                      .clamp_min(0)
                                      .reshape({3, 4, 128, 96})
                                      .sum(0) /
                                  3;
            // The sums run in another order than PyTorch's kernel: float rounding only (1.1e-6 at most here).
            DAAM_COMPARE_TENSORS("layer " + std::to_string(l) + ", all calls", aggregator.globalMaps(query), expected,
                                 5e-6);
        }
    }

    void defaultLeavesOutTheMidBlockAndFactor8() {
        // daam hooks the cross-attention of the down and up blocks only (its locator takes the mid block only
        // to save or load heads) and drops factor-8 maps. At SD 1.5's 512 px the mid block is a factor-8 map
        // anyway; in the built-in model (grid 96) it is not.
        auto layer = [](daam::UNetBlock block, int side) {
            daam::CrossAttentionLayer l;
            l.block = block;
            l.heads = 2;
            l.height = l.width = side;
            return l;
        };
        const daam::CrossAttentionLayerTable table{layer(daam::UNetBlock::Down, 16), layer(daam::UNetBlock::Down, 12),
                                                   layer(daam::UNetBlock::Mid, 4), layer(daam::UNetBlock::Up, 8)};
        auto trace = std::make_shared<daam::AttentionTrace>(table, 5);
        for (int l = 0; l < 4; ++l) {
            const int cells = table[l].height * table[l].width;
            trace->add(0, l, torch::softmax(torch::randn({2, cells, 5}), -1));
        }
        const daam::HeatMapAggregator aggregator(trace, 96, 96);
        // 12x12 at 96: factor int(sqrt(9216 // 144)) = 8.
        QCOMPARE(aggregator.defaultLayers(), (std::vector<int>{0, 3}));
    }

    void layerAndHeadSelections() {
        auto c = loadRawCase();
        // The default keeps all six layers here (factors 2 and 4).
        QCOMPARE(c.aggregator->defaultLayers().size(), size_t(6));
        // Averaging two disjoint layer sets weighted by their (layer, head) counts gives the whole.
        daam::HeatMapQuery down, rest;
        for (int l : c.aggregator->defaultLayers())
            (c.trace->layers()[l].block == daam::UNetBlock::Down ? down.layers : rest.layers).push_back(l);
        QVERIFY(!down.layers.empty() && !rest.layers.empty());
        auto keys = [&layers = c.trace->layers()](const std::vector<int>& ls) {
            int n = 0;
            for (int l : ls)
                n += layers[l].heads;
            return double(n);
        };
        const auto whole =
            (c.aggregator->globalMaps(down) * keys(down.layers) + c.aggregator->globalMaps(rest) * keys(rest.layers)) /
            (keys(down.layers) + keys(rest.layers));
        DAAM_COMPARE_TENSORS("down + rest", whole, c.tensors.at("global_heat_maps"), 1e-5);
        daam::HeatMapQuery oneHead;
        oneHead.heads = {3};
        const auto h3 = c.aggregator->globalMaps(oneHead);
        QCOMPARE(h3.sizes(), c.tensors.at("global_heat_maps").sizes());
        QVERIFY(daam::test::relativeError(h3, c.tensors.at("global_heat_maps")) > 1e-3);
        // A head named as many times as a layer has heads is still one head, not all of them.
        daam::HeatMapQuery repeated;
        repeated.heads = std::vector<int>(size_t(c.trace->layers()[0].heads), 3);
        DAAM_COMPARE_TENSORS("head 3 named once per head", c.aggregator->globalMaps(repeated), h3, 1e-6);

        // Heads chosen for one layer: head 1 in the first down layer, head 3 in every other one. The map is the
        // two selections' maps weighted by their (layer, head) counts, one key per layer.
        daam::HeatMapQuery mixed;
        mixed.heads = {3};
        const int first = down.layers.front();
        mixed.layerHeads[first] = {1};
        daam::HeatMapQuery firstOnly, others;
        firstOnly.layers = {first};
        firstOnly.heads = {1};
        for (int l : c.aggregator->defaultLayers())
            if (l != first) others.layers.push_back(l);
        others.heads = {3};
        const double n = static_cast<double>(others.layers.size());
        const auto expected = (c.aggregator->globalMaps(firstOnly) + c.aggregator->globalMaps(others) * n) / (n + 1);
        DAAM_COMPARE_TENSORS("per-layer heads", c.aggregator->globalMaps(mixed), expected, 1e-6);
        QVERIFY(daam::test::relativeError(c.aggregator->globalMaps(mixed), h3) > 1e-4);
        // An empty list for a layer is all of its heads, whatever the other layers keep.
        daam::HeatMapQuery allInFirst = mixed;
        allInFirst.layerHeads[first] = {};
        daam::HeatMapQuery firstAll;
        firstAll.layers = {first};
        const double h = c.trace->layers()[first].heads;
        DAAM_COMPARE_TENSORS("all heads in one layer", c.aggregator->globalMaps(allInFirst),
                             (c.aggregator->globalMaps(firstAll) * h + c.aggregator->globalMaps(others) * n) / (n + h),
                             1e-6);
        // Over part of the steps without per-head maps, a layer's head choice is refused as the global one is.
        daam::HeatMapQuery partial;
        partial.callBegin = 1;
        partial.layerHeads[first] = {0};
        DAAM_VERIFY_THROWS_NAMING(daam::Error, c.aggregator->globalMaps(partial), "needs per-head maps");
    }
};

DAAM_TEST_APPLESS_MAIN(TestHeatMapReference)
#include "test_heatmap_reference.moc"
