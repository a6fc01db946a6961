// Prompt encoding per model family (diffusers 0.21 StableDiffusion[XL]Pipeline.encode_prompt).
#include "daam/pipeline/PromptEncoder.h"

#include "daam/util/Error.h"

#include <torch/torch.h>

namespace daam {

PromptEncoder::PromptEncoder(ModelFamily family, CLIPTextModel textEncoder, CLIPTextModel textEncoder2)
    : family_(family), te1_(std::move(textEncoder)), te2_(std::move(textEncoder2)) {
    if (!te1_) throw Error("PromptEncoder: text_encoder is missing");
    if (family_ == ModelFamily::SDXL) {
        if (!te2_) throw Error("PromptEncoder: SDXL needs text_encoder_2");
        if (!te2_->config().withProjection)
            throw Error("PromptEncoder: SDXL's text_encoder_2 must be a CLIPTextModelWithProjection");
    }
}

PromptEncoder PromptEncoder::load(const ModelIndex& index, const LoadOptions& options) {
    const auto family = index.family();
    auto te1 = loadCLIPTextModel(index.componentDir("text_encoder"), options);
    CLIPTextModel te2{nullptr};
    if (family == ModelFamily::SDXL) te2 = loadCLIPTextModel(index.componentDir("text_encoder_2"), options);
    return PromptEncoder(family, std::move(te1), std::move(te2));
}

PromptEmbeddings PromptEncoder::encode(const torch::Tensor& ids, const torch::Tensor& ids2) const {
    torch::NoGradGuard noGrad;
    // forward() is non-const in torch; the holders share the modules, so copies make the call legal.
    CLIPTextModel te1 = te1_, te2 = te2_;
    PromptEmbeddings out;
    if (family_ != ModelFamily::SDXL) {
        out.hidden = te1->forward(ids).lastHiddenState; // [B, 77, D]
        return out;
    }
    if (!ids2.defined()) throw Error("PromptEncoder: SDXL needs the ids of tokenizer_2 as well");
    if (ids2.sizes() != ids.sizes()) throw Error("PromptEncoder: the two id tensors differ in shape");
    const auto o1 = te1->forward(ids);
    const auto o2 = te2->forward(ids2);
    out.hidden = torch::cat({o1.penultimate(), o2.penultimate()}, -1); // [B, 77, D1 + D2]
    out.pooled = o2.textEmbeds;                                        // [B, P]
    return out;
}

} // namespace daam
