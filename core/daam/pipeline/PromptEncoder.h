// SPDX-License-Identifier: GPL-3.0-or-later
// The text side of a Stable Diffusion pipeline: the text encoder(s) and how their outputs become the UNet's
// conditioning for each model family.
#pragma once

#include "daam/config/ModelIndex.h"
#include "daam/nn/CLIPTextModel.h"
#include "daam/text/Tokenizer.h"

#include <torch/types.h>

namespace daam {

struct PromptEmbeddings {
    torch::Tensor hidden; // encoder_hidden_states [B, 77, D] (SDXL: D = D1 + D2)
    torch::Tensor pooled; // SDXL only: text_embeds of text_encoder_2 [B, P]; undefined otherwise
};

class PromptEncoder {
public:
    PromptEncoder(ModelFamily family, CLIPTextModel textEncoder, CLIPTextModel textEncoder2 = nullptr);
    // Loads text_encoder (and text_encoder_2 for SDXL) of a pipeline folder.
    static PromptEncoder load(const ModelIndex& index, const LoadOptions& options = {});

    // SD1/SD2: last_hidden_state of text_encoder. SDXL: hidden_states[-2] of both encoders (no final
    // LayerNorm) concatenated on channels, and pooled = text_embeds of text_encoder_2.
    // `ids2` are the ids from tokenizer_2 (SDXL only; they differ from `ids` in the pad token).
    PromptEmbeddings encode(const torch::Tensor& ids, const torch::Tensor& ids2 = {}) const;

    // Refuses a tokenizer whose ids reach past its text encoder's vocabulary (`encoder` 1: text_encoder and
    // tokenizer, 2: text_encoder_2 and tokenizer_2 of `index`), with a FileError naming the tokenizer's
    // vocabulary file and the text encoder's config.json. Call it when the two are loaded, before encoding.
    void checkTokenizer(const ModelIndex& index, const Tokenizer& tokenizer, int encoder = 1) const;

    ModelFamily family() const { return family_; }
    const CLIPTextModel& textEncoder() const { return te1_; }
    const CLIPTextModel& textEncoder2() const { return te2_; }

private:
    ModelFamily family_;
    CLIPTextModel te1_;
    CLIPTextModel te2_;
};

} // namespace daam
