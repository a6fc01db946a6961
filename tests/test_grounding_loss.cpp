// SPDX-License-Identifier: GPL-3.0-or-later
// The trainer's grounding loss (GroundingLoss.h): zero for maps spread over each named object as it covers
// the cells, positive for a map that keeps to one peak inside its object, the KL divergence of mask and map
// for maps spread evenly, blind to captions dropped for guidance, and differentiable; its word rows are the
// ones the evaluation scores (objectWords).
#include "daam/builtin/BuiltInModel.h"
#include "daam/builtin/GroundingLoss.h"
#include "daam/builtin/ShapeWorld.h"
#include "daam/text/Tokenizer.h"

#include "TestMain.h"

#include <torch/torch.h>

namespace {

using Maps = std::vector<std::pair<daam::CrossAttentionLayer, torch::Tensor>>;
constexpr int64_t kTokens = 32;

daam::CrossAttentionLayer layerOf(int64_t side, int64_t heads) {
    daam::CrossAttentionLayer layer;
    layer.heads = static_cast<int>(heads);
    layer.height = static_cast<int>(side);
    layer.width = static_cast<int>(side);
    return layer;
}

// The share of each cell of a side x side grid that `mask` [S, S] (uint8) covers.
torch::Tensor coverage(const torch::Tensor& mask, int64_t side) {
    return torch::adaptive_avg_pool2d(mask.to(torch::kFloat32).unsqueeze(0), {side, side}).reshape({side * side});
}

} // namespace

class TestGroundingLoss : public QObject {
    Q_OBJECT
    std::unique_ptr<daam::Tokenizer> tokenizer_;
    std::vector<daam::builtin::Scene> scenes_;

private Q_SLOTS:
    void initTestCase() {
        tokenizer_ = daam::loadTokenizer(daam::builtin::builtInModelDir() + "/tokenizer");
        const daam::builtin::ShapeWorld world(7);
        for (uint64_t i = 0; scenes_.size() < 6; ++i)
            scenes_.push_back(world.scene(i));
    }

    void pairsEachObjectWithItsOwnWords() {
        // "a red circle and a red square": the second "red" is the square's.
        daam::builtin::SceneObject circle, square;
        circle.shape = daam::builtin::Shape::Circle;
        square.shape = daam::builtin::Shape::Square;
        const auto prompt = tokenizer_->encode("a red circle and a red square");
        const auto words = daam::builtin::objectWords(prompt.words, {circle, square});
        QCOMPARE(words.size(), size_t(2));
        QCOMPARE(prompt.words[words[0].colour].text, std::string("red"));
        QCOMPARE(prompt.words[words[0].noun].text, std::string("circle"));
        QCOMPARE(prompt.words[words[1].colour].text, std::string("red"));
        QVERIFY(words[1].colour > words[0].noun);
        QCOMPARE(prompt.words[words[1].noun].text, std::string("square"));
        // A shape the caption does not name is not paired with another object's word.
        square.shape = daam::builtin::Shape::Star;
        QCOMPARE(daam::builtin::objectWords(prompt.words, {circle, square})[1].noun, -1);
    }

    void mapsThatFollowTheirObjectsCostNothing() {
        // Each cell gives each of its objects' noun and colour word a share of its probability in proportion to
        // how much of the cell the object covers, the rest to the start token. Two heads, one of them half as
        // sure: their average still follows the objects. A map that keeps to the object's cells but puts its
        // mass on one of them costs more.
        const int64_t side = 16, heads = 2, b = static_cast<int64_t>(scenes_.size());
        const daam::builtin::GroundingTargets targets(scenes_, *tokenizer_, kTokens, torch::kCPU);
        auto probs = torch::zeros({b, heads, side * side, kTokens});
        auto peaked = probs.clone();
        for (int64_t i = 0; i < b; ++i) {
            const auto& scene = scenes_[i];
            const auto tokenized = tokenizer_->encode(scene.caption);
            const auto words = daam::builtin::objectWords(tokenized.words, scene.objects);
            auto rest = torch::ones({side * side});
            for (size_t o = 0; o < scene.objects.size(); ++o) {
                const auto cover = coverage(scene.masks[o], side);
                for (int w : {words[o].noun, words[o].colour}) {
                    QVERIFY2(w >= 0, scene.caption.c_str());
                    const auto row = tokenized.words[w].tokens.front();
                    probs[i].select(2, row).copy_((0.5 * cover).expand({heads, side * side}));
                    peaked[i].select(2, row).index_put_({torch::indexing::Slice(), cover.argmax()}, 0.5);
                }
                rest -= cover;
            }
            probs[i].select(2, 0).copy_(rest.expand({heads, side * side}));
        }
        probs[0][1].mul_(0.5);
        const auto all = torch::arange(b);
        const auto kept = torch::zeros({b}, torch::kBool);
        const auto loss =
            targets.loss({{layerOf(side, heads), probs.reshape({b * heads, side * side, kTokens})}}, all, kept);
        QVERIFY2(std::abs(loss.item<double>()) < 1e-5, std::to_string(loss.item<double>()).c_str());
        const auto peakLoss =
            targets.loss({{layerOf(side, heads), peaked.reshape({b * heads, side * side, kTokens})}}, all, kept);
        QVERIFY2(peakLoss.item<double>() > 0.5, std::to_string(peakLoss.item<double>()).c_str());
    }

    void evenMapsCostTheKlOfMaskAndGrid() {
        // Probability spread evenly over cells and tokens: each word's loss is KL(mask || uniform) =
        // sum of m log(m * cells) with m the object's coverage normalized over the grid, at each layer's own
        // grid; the loss averages words, then layers.
        const int64_t b = static_cast<int64_t>(scenes_.size());
        const daam::builtin::GroundingTargets targets(scenes_, *tokenizer_, kTokens, torch::kCPU);
        Maps maps;
        double expected = 0;
        for (int64_t side : {16, 8}) {
            maps.emplace_back(layerOf(side, 1), torch::full({b, side * side, kTokens}, 1.0 / kTokens));
            double sum = 0;
            int words = 0;
            for (const auto& scene : scenes_)
                for (int64_t o = 0; o < scene.masks.size(0); ++o) {
                    const auto m = coverage(scene.masks[o], side);
                    const auto mn = m / m.sum();
                    double kl = 0;
                    for (int64_t c = 0; c < side * side; ++c) {
                        const double v = mn[c].item<double>();
                        if (v > 0) kl += v * std::log(v * side * side);
                    }
                    sum += 2 * kl; // its noun and its colour word
                    words += 2;
                }
            expected += sum / words / 2;
        }
        const auto loss = targets.loss(maps, torch::arange(b), torch::zeros({b}, torch::kBool)).item<double>();
        QVERIFY2(std::abs(loss - expected) < 1e-4 * expected,
                 (std::to_string(loss) + " vs " + std::to_string(expected)).c_str());
        // The pool's rows are chosen by index: scene 2 alone, twice, is scene 2's loss.
        const Maps one{{layerOf(16, 1), torch::full({2, 256, kTokens}, 1.0 / kTokens)}};
        const auto twice = targets.loss(one, torch::tensor({2, 2}, torch::kInt64), torch::zeros({2}, torch::kBool));
        const auto once = targets.loss({{layerOf(16, 1), torch::full({1, 256, kTokens}, 1.0 / kTokens)}},
                                       torch::tensor({2}, torch::kInt64), torch::zeros({1}, torch::kBool));
        QVERIFY(torch::allclose(twice, once));
        QVERIFY(once.item<double>() > 0);
    }

    void droppedCaptionsAreNotScored() {
        const int64_t b = static_cast<int64_t>(scenes_.size());
        const daam::builtin::GroundingTargets targets(scenes_, *tokenizer_, kTokens, torch::kCPU);
        const auto probs = torch::rand({b, 256, kTokens}).softmax(-1);
        const Maps maps{{layerOf(16, 1), probs}};
        const auto all = torch::ones({b}, torch::kBool);
        QCOMPARE(targets.loss(maps, torch::arange(b), all).item<double>(), 0.0);
        // Dropping scene 0 leaves the loss of scenes 1.. alone.
        auto dropped = torch::zeros({b}, torch::kBool);
        dropped[0] = true;
        const auto rest = targets.loss({{layerOf(16, 1), probs.narrow(0, 1, b - 1)}}, torch::arange(1, b),
                                       torch::zeros({b - 1}, torch::kBool));
        QVERIFY(torch::allclose(targets.loss(maps, torch::arange(b), dropped), rest));
    }

    void gradientsReachTheScores() {
        const int64_t b = 2;
        const daam::builtin::GroundingTargets targets(scenes_, *tokenizer_, kTokens, torch::kCPU);
        const auto scores = torch::randn({b, 64, kTokens}).requires_grad_(true);
        const auto loss =
            targets.loss({{layerOf(8, 1), scores.softmax(-1)}}, torch::arange(b), torch::zeros({b}, torch::kBool));
        loss.backward();
        QVERIFY(scores.grad().defined());
        QVERIFY(scores.grad().abs().sum().item<double>() > 0);
        // A step against the gradient moves mass inside the objects.
        const auto stepped = (scores - 10 * scores.grad()).detach();
        const auto after =
            targets.loss({{layerOf(8, 1), stepped.softmax(-1)}}, torch::arange(b), torch::zeros({b}, torch::kBool));
        QVERIFY(after.item<double>() < loss.item<double>());
    }
};

DAAM_TEST_GUILESS_MAIN(TestGroundingLoss)
#include "test_grounding_loss.moc"
