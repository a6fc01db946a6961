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
    // The hidden states a diffusers pipeline of `family` reads: SD 1.x/2.x the last (normalised), SDXL the
    // penultimate of both encoders (not normalised).
    static CLIPHiddenState defaultHiddenState(ModelFamily family);
    // Overrides the hidden state read from text encoder `encoder` (1 or 2); throws Error when the encoder has no
    // such layer.
    void setHiddenState(int encoder, CLIPHiddenState choice);
    // Loads text_encoder (and text_encoder_2 for SDXL) of a pipeline folder.
    static PromptEncoder load(const ModelIndex& index, const LoadOptions& options = {});

    // The chosen hidden state of text_encoder (SD1/SD2: last_hidden_state); SDXL: those of both encoders
    // (hidden_states[-2], no final LayerNorm) concatenated on channels, and pooled = text_embeds of text_encoder_2.
    // `ids2` are the ids from tokenizer_2 (SDXL only; they differ from `ids` in the pad token).
    // A prompt laid out in windows (A1111's syntax: ids [1, windows x 77]) is encoded window by window and the
    // hidden states concatenated, with `weights` (one per id, or empty) applied to each window of each encoder's
    // output by A1111's emphasis rule; SDXL's pooled embedding is the first window's, as A1111 takes it.
    PromptEmbeddings encode(const torch::Tensor& ids, const torch::Tensor& ids2 = {},
                            const std::vector<double>& weights = {}) const;

    // Refuses a tokenizer whose ids reach past its text encoder's vocabulary (`encoder` 1: text_encoder and
    // tokenizer, 2: text_encoder_2 and tokenizer_2 of `index`), with a FileError naming the tokenizer's
    // vocabulary file and the text encoder's config.json. Call it when the two are loaded, before encoding.
    void checkTokenizer(const ModelIndex& index, const Tokenizer& tokenizer, int encoder = 1) const;
    // The same with the files to name given: `vocabulary` the tokenizer's, `encoderConfig` the text encoder's.
    void checkTokenizer(const Tokenizer& tokenizer, int encoder, const std::string& vocabulary,
                        const std::string& encoderConfig) const;

    ModelFamily family() const { return family_; }
    const CLIPTextModel& textEncoder() const { return te1_; }
    const CLIPTextModel& textEncoder2() const { return te2_; }

private:
    ModelFamily family_;
    CLIPTextModel te1_;
    CLIPTextModel te2_;
    CLIPHiddenState hidden1_, hidden2_;
};

} // namespace daam
