// SPDX-License-Identifier: GPL-3.0-or-later
// Prompt encoding per model family (diffusers 0.21 StableDiffusion[XL]Pipeline.encode_prompt).
#include "daam/pipeline/PromptEncoder.h"

#include "daam/text/PromptSyntax.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>

namespace daam {

PromptEncoder::PromptEncoder(ModelFamily family, CLIPTextModel textEncoder, CLIPTextModel textEncoder2)
    : family_(family), te1_(std::move(textEncoder)), te2_(std::move(textEncoder2)),
      hidden1_(defaultHiddenState(family)), hidden2_(defaultHiddenState(family)) {
    if (!te1_) throw Error("PromptEncoder: text_encoder is missing");
    if (family_ == ModelFamily::SDXL) {
        if (!te2_) throw Error("PromptEncoder: SDXL needs text_encoder_2");
        if (!te2_->config().withProjection)
            throw Error("PromptEncoder: SDXL's text_encoder_2 must be a CLIPTextModelWithProjection");
    }
}

CLIPHiddenState PromptEncoder::defaultHiddenState(ModelFamily family) {
    if (family == ModelFamily::SDXL) return {-2, false};
    return {-1, true};
}

void PromptEncoder::setHiddenState(int encoder, CLIPHiddenState choice) {
    const CLIPTextModel& model = encoder == 2 ? te2_ : te1_;
    if (!model) throw Error("PromptEncoder: there is no text encoder " + std::to_string(encoder));
    const int states = static_cast<int>(model->config().numHiddenLayers) + 1;
    const int index = choice.index < 0 ? states + choice.index : choice.index;
    if (index < 0 || index >= states)
        throw Error("text encoder " + std::to_string(encoder) + " has " + std::to_string(states - 1) +
                    " layers: it has no hidden state " + std::to_string(choice.index));
    (encoder == 2 ? hidden2_ : hidden1_) = choice;
}

PromptEncoder PromptEncoder::load(const ModelIndex& index, const LoadOptions& options) {
    const auto family = index.family();
    auto te1 = loadCLIPTextModel(index.componentDir("text_encoder"), options);
    CLIPTextModel te2{nullptr};
    if (family == ModelFamily::SDXL) te2 = loadCLIPTextModel(index.componentDir("text_encoder_2"), options);
    return PromptEncoder(family, std::move(te1), std::move(te2));
}

PromptEmbeddings PromptEncoder::encode(const torch::Tensor& idsIn, const torch::Tensor& ids2In,
                                       const std::vector<double>& weights) const {
    torch::NoGradGuard noGrad;
    const int64_t window = te1_->config().maxPositionEmbeddings;
    const bool windowed = idsIn.dim() == 2 && idsIn.size(1) > window;
    if (windowed && (idsIn.size(0) != 1 || idsIn.size(1) % window != 0))
        throw Error("PromptEncoder: a prompt in windows must be one row of whole " + std::to_string(window) +
                    "-token windows; got " + std::to_string(idsIn.size(1)) + " ids");
    if (!weights.empty() && static_cast<int64_t>(weights.size()) != idsIn.numel())
        throw Error("PromptEncoder: one weight per id is needed");
    const int64_t windows = windowed ? idsIn.size(1) / window : 1;
    const auto ids = windowed ? idsIn.reshape({windows, window}) : idsIn;
    const auto ids2 = windowed && ids2In.defined() ? ids2In.reshape({windows, window}) : ids2In;
    // [windows, 77, D] → A1111's emphasis per window → [1, windows x 77, D]
    auto joinWindows = [&](torch::Tensor hidden) {
        if (!weights.empty()) {
            auto z = hidden.to(torch::kCPU, torch::kFloat32).contiguous();
            const int64_t rows = z.size(-2), channels = z.size(-1);
            for (int64_t w = 0; w < z.size(0); ++w)
                applyEmphasis(z.data_ptr<float>() + w * rows * channels, rows, channels, weights.data() + w * rows);
            hidden = z.to(hidden.device(), hidden.scalar_type());
        }
        return windowed ? hidden.reshape({1, windows * hidden.size(1), hidden.size(2)}) : hidden;
    };
    // forward() is non-const in torch; the holders share the modules, so copies make the call legal.
    CLIPTextModel te1 = te1_, te2 = te2_;
    auto chosen = [](CLIPTextModel& model, const CLIPTextOutput& o, const CLIPHiddenState& choice) {
        if (choice == CLIPHiddenState{}) return o.lastHiddenState;
        const auto n = static_cast<int>(o.hiddenStates.size());
        const auto& h = o.hiddenStates.at(static_cast<size_t>(choice.index < 0 ? n + choice.index : choice.index));
        return choice.finalLayerNorm ? model->finalLayerNorm(h) : h;
    };
    PromptEmbeddings out;
    if (family_ != ModelFamily::SDXL) {
        out.hidden = joinWindows(chosen(te1, te1->forward(ids), hidden1_)); // [B, 77, D]
        return out;
    }
    if (!ids2.defined()) throw Error("PromptEncoder: SDXL needs the ids of tokenizer_2 as well");
    if (ids2.sizes() != ids.sizes()) throw Error("PromptEncoder: the two id tensors differ in shape");
    const auto o1 = te1->forward(ids);
    const auto o2 = te2->forward(ids2);
    out.hidden = torch::cat({joinWindows(chosen(te1, o1, hidden1_)), joinWindows(chosen(te2, o2, hidden2_))},
                            -1);                                           // [B, 77, D1 + D2]
    out.pooled = windowed ? o2.textEmbeds.narrow(0, 0, 1) : o2.textEmbeds; // [B, P]
    return out;
}

void PromptEncoder::checkTokenizer(const ModelIndex& index, const Tokenizer& tokenizer, int encoder) const {
    namespace fs = std::filesystem;
    const bool second = encoder == 2;
    const fs::path tokenizerDir = index.componentDir(second ? "tokenizer_2" : "tokenizer");
    fs::path file = tokenizerDir;
    for (const char* name : {"vocab.json", "spiece.model", "tokenizer.model"})
        if (fs::exists(tokenizerDir / name)) {
            file = tokenizerDir / name;
            break;
        }
    const auto config = fs::path(index.componentDir(second ? "text_encoder_2" : "text_encoder")) / "config.json";
    checkTokenizer(tokenizer, encoder, file.string(), config.string());
}

void PromptEncoder::checkTokenizer(const Tokenizer& tokenizer, int encoder, const std::string& vocabulary,
                                   const std::string& encoderConfig) const {
    const CLIPTextModel& model = encoder == 2 ? te2_ : te1_;
    if (!model) throw Error("PromptEncoder: there is no text encoder " + std::to_string(encoder));
    const int64_t vocab = model->config().vocabSize;
    int64_t highest = tokenizer.vocabSize() - 1;
    for (int64_t id : {tokenizer.startId(), tokenizer.endId(), tokenizer.padId()})
        highest = std::max(highest, id);
    if (highest < vocab) return;
    throw FileError(vocabulary, "has token ids up to " + std::to_string(highest) + ", past the " +
                                    std::to_string(vocab) + " ids of the text encoder (vocab_size in " + encoderConfig +
                                    "): the tokenizer does not belong to this text encoder");
}

} // namespace daam
